"""Project: cooperating units and the stored count the ranking groups by."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import Cooperation, Project
from targets.models import UnitKind
from tests.factories import ProjectFactory, UnitFactory


@pytest.fixture
def units(db):
    return [UnitFactory(name=name, kind=UnitKind.DEPARTMENT) for name in ("区商务委", "区文化旅游委", "区交通局")]


def stored_count(project):
    return Project.objects.get(pk=project.pk).cooperating_count


def test_set_cooperating_units_adds_removes_and_keeps_the_count_in_step(units):
    project = ProjectFactory(cooperating=units[:2])
    assert stored_count(project) == 2
    project.set_cooperating_units([units[2].pk, units[0].pk])
    assert sorted(project.cooperations.values_list("unit__name", flat=True)) == ["区交通局", "区商务委"]
    assert stored_count(project) == 2
    project.set_cooperating_units([])
    assert (project.cooperations.count(), stored_count(project)) == (0, 0)


def test_a_unit_named_twice_cooperates_once(units):
    project = ProjectFactory()
    project.set_cooperating_units([units[0].pk, units[0].pk])
    assert (project.cooperations.count(), stored_count(project)) == (1, 1)


def test_the_lead_as_cooperating_unit_is_refused_and_nothing_is_written(units):
    project = ProjectFactory(cooperating=[units[0]])
    with pytest.raises(ValidationError, match="配合单位不能是牵头单位本身"):
        project.set_cooperating_units([units[1].pk, project.lead_unit_id])
    assert list(project.cooperations.values_list("unit", flat=True)) == [units[0].pk]
    assert stored_count(project) == 1


def test_each_change_of_cooperating_units_is_in_the_history(units, django_user_model):
    user = django_user_model.objects.create(username="reviewer")
    project = ProjectFactory(cooperating=[units[0]])
    project.set_cooperating_units([units[1].pk], user=user)
    history = Cooperation.history.order_by("history_date")
    assert [(h.history_type, h.unit_id) for h in history] == [("+", units[0].pk), ("-", units[0].pk), ("+", units[1].pk)]
    assert history.last().history_user == user


def test_editing_cooperating_units_in_the_admin_keeps_the_count_in_step(units, admin_client):
    project = ProjectFactory(cooperating=[units[0]], agreement_capital=Decimal("5"))
    cooperation = project.cooperations.get()
    form = {
        "code": project.code,
        "name": project.name,
        "investor": project.investor,
        "lead_unit": project.lead_unit_id,
        "sector": project.sector,
        "origin": project.origin,
        "agreement_capital": "5",
        "signed_on": "2021-03-15",
        "status": project.status,
        "cooperations-TOTAL_FORMS": "3",
        "cooperations-INITIAL_FORMS": "1",
        "cooperations-0-id": cooperation.pk,
        "cooperations-0-project": project.pk,
        "cooperations-0-unit": units[0].pk,
        "cooperations-1-project": project.pk,
        "cooperations-1-unit": units[1].pk,
        "cooperations-2-project": project.pk,
        "cooperations-2-unit": units[2].pk,
        "arrivals-TOTAL_FORMS": "0",
        "arrivals-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:projects_project_change", args=[project.pk]), form)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert stored_count(project) == 3
