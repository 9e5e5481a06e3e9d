"""targets.services: the only writes of targets and rule sets, validated by the model first."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from access.roles import Role
from targets import services
from targets.models import RuleSet, UnitTarget
from tests.factories import RuleSetFactory, UnitFactory, UnitTargetFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return user_with_role(Role.REVIEWER, username="reviewer")


def test_it_saves_new_and_changed_rows_as_the_users_changes(reviewer):
    stored = UnitTargetFactory(unit=UnitFactory(name="甲园区"), agreement_capital=Decimal(10))
    stored.agreement_capital = Decimal(12)
    new = UnitTarget(year=2021, unit=UnitFactory(name="乙园区"), major_projects=2)
    services.save_targets(targets=[stored, new], user=reviewer)
    assert UnitTarget.objects.get(pk=stored.pk).agreement_capital == Decimal(12)
    assert UnitTarget.objects.get(unit__name="乙园区").major_projects == 2
    assert UnitTarget.history.filter(history_user=reviewer).count() == 2


def test_it_refuses_a_zero_target_and_saves_nothing(reviewer):
    good = UnitTarget(year=2021, unit=UnitFactory(name="甲园区"), major_projects=1)
    zero = UnitTarget(year=2021, unit=UnitFactory(name="乙园区"), agreement_capital=Decimal(0))
    with pytest.raises(ValidationError, match="目标值须大于0"):
        services.save_targets(targets=[good, zero], user=reviewer)
    assert not UnitTarget.objects.exists()


def test_it_refuses_a_second_row_for_the_same_unit_and_year(reviewer):
    unit = UnitFactory(name="甲园区")
    UnitTargetFactory(unit=unit)
    with pytest.raises(ValidationError):
        services.save_targets(targets=[UnitTarget(year=2021, unit=unit, major_projects=1)], user=reviewer)


def test_it_saves_a_rule_set_as_the_users_change(reviewer):
    rule_set = RuleSetFactory(year=2022)
    rule_set.lead_share = Decimal("0.7")
    services.save_rule_set(rule_set=rule_set, user=reviewer)
    assert RuleSet.objects.get(year=2022).lead_share == Decimal("0.7")
    assert RuleSet.history.filter(year=2022, history_user=reviewer).exists()


def test_it_refuses_a_rule_set_the_model_does_not_allow(reviewer):
    rule_set = RuleSetFactory(year=2022)
    rule_set.lead_share = Decimal(0)
    with pytest.raises(ValidationError):
        services.save_rule_set(rule_set=rule_set, user=reviewer)
    assert RuleSet.objects.get(year=2022).lead_share != 0
