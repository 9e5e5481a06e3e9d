"""The special groups pages: the 12 groups of 附件1, their projects and money for the period."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.roles import Role
from figures.assessment import rules_for
from figures.groups import group_totals
from groups.models import SpecialGroup
from projects.models import Origin, Sector, Status
from targets.scoring import Period
from tests.factories import (
    ArrivalFactory,
    ProjectFactory,
    RuleSetFactory,
    SpecialGroupFactory,
    UnitFactory,
    user_with_role,
)


@pytest.fixture
def reviewer(db):
    return user_with_role(Role.REVIEWER, username="审核员")


@pytest.fixture
def world(db):
    RuleSetFactory(year=2021)
    return {"group": SpecialGroupFactory(name="化工新材料专项招商组"), "park": UnitFactory(name="白涛园区")}


def get(client, user, name, query="", **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs) + query)


# --- The list ------------------------------------------------------------------------------


def test_the_list_shows_the_twelve_groups_with_leader_commissioners_landing_units_and_focus(client, fuling_2021, reviewer):
    response = get(client, reviewer, "group_list", "?year=2021&quarter=4")

    page = response.content.decode()
    groups = [group for group, _ in response.context["rows"]]
    assert [g.number for g in groups] == list(range(1, 13))
    first = SpecialGroup.objects.get(number=1)
    assert first.name in page and f"{first.leader.name}（{first.leader.title}）" in page
    seats = list(first.seats.order_by("position"))
    positions = [page.index(f"{seat.person.name}（{seat.person.title}）") for seat in seats]
    assert positions == sorted(positions) and len(positions) >= 1
    assert first.landing_units_text in page
    assert first.focus[:20] in page


def test_a_group_counts_its_approved_counted_projects_signed_in_the_period_unweighted(client, world, reviewer):
    group, park = world["group"], world["park"]
    partner = UnitFactory(name="区商务委")
    ProjectFactory(group=group, lead_unit=park, agreement_capital=Decimal("25"))
    ProjectFactory(
        group=group, lead_unit=park, cooperating=[partner], origin=Origin.INSIDE_CITY,
        sector=Sector.NON_INDUSTRIAL, agreement_capital=Decimal("12.3456"), signed_on=datetime.date(2021, 5, 10),
    )  # fmt: skip
    ProjectFactory(group=group, lead_unit=park, status=Status.SUBMITTED, agreement_capital=Decimal("100"))
    ProjectFactory(group=group, lead_unit=park, origin=Origin.INSIDE_DISTRICT, agreement_capital=Decimal("100"))
    ProjectFactory(group=group, lead_unit=park, agreement_capital=Decimal("0.01"))  # below every threshold
    ProjectFactory(group=group, lead_unit=park, signed_on=datetime.date(2020, 12, 31), agreement_capital=Decimal("100"))
    ProjectFactory(group=None, lead_unit=park, agreement_capital=Decimal("100"))

    response = get(client, reviewer, "group_list", "?year=2021&quarter=4")

    totals = dict((g.pk, t) for g, t in response.context["rows"])[group.pk]
    assert (totals.projects, totals.agreement_capital) == (2, Decimal("37.3456"))
    assert "37.35" in response.content.decode()


def test_the_period_is_year_to_date_and_arrivals_count_in_their_own_period(world):
    group = world["group"]
    march = ProjectFactory(group=group, lead_unit=world["park"], agreement_capital=Decimal("5"))
    ProjectFactory(group=group, lead_unit=world["park"], signed_on=datetime.date(2021, 4, 1), agreement_capital=Decimal("7"))
    ArrivalFactory(project=march, arrived_on=datetime.date(2021, 3, 31), amount=Decimal("1.5"))
    ArrivalFactory(project=march, arrived_on=datetime.date(2021, 10, 15), amount=Decimal("3"))
    ArrivalFactory(project=march, arrived_on=datetime.date(2022, 1, 5), amount=Decimal("9"))
    rules = rules_for(2021)

    first = group_totals(period=Period(2021, 1), rules=rules)[group.pk]
    year = group_totals(period=Period(2021, 4), rules=rules)[group.pk]

    assert (first.projects, first.agreement_capital, first.arrived_capital) == (1, Decimal("5"), Decimal("1.5"))
    assert (year.projects, year.agreement_capital, year.arrived_capital) == (2, Decimal("12"), Decimal("4.5"))


def test_the_list_has_a_total_row(client, world, reviewer):
    other = SpecialGroupFactory()
    ProjectFactory(group=world["group"], agreement_capital=Decimal("5"))
    ProjectFactory(group=other, agreement_capital=Decimal("2.5"))

    response = get(client, reviewer, "group_list", "?year=2021&quarter=4")

    assert (response.context["total"].projects, response.context["total"].agreement_capital) == (2, Decimal("7.5"))
    assert '<tr class="total">' in response.content.decode()


@pytest.mark.parametrize("query", ["?year=abc&quarter=9", "?year=1900", "?quarter=-1", "?year=99999999999999999999"])
def test_bad_period_parameters_never_fail_the_page(client, world, reviewer, query):
    assert get(client, reviewer, "group_list", query).status_code == 200
    assert get(client, reviewer, "group_detail", query, pk=world["group"].pk).status_code == 200


def make_projects(world, n):
    for index in range(n):
        project = ProjectFactory(group=world["group"], lead_unit=world["park"], agreement_capital=Decimal(index + 1))
        ArrivalFactory(project=project, arrived_on=datetime.date(2021, 6, 1))
        SpecialGroupFactory() if index % 5 == 0 else None


@pytest.mark.parametrize("name", ["group_list", "group_detail"])
def test_the_query_count_does_not_grow_with_projects_or_groups(client, world, reviewer, django_assert_num_queries, name):
    client.force_login(reviewer)
    url = reverse(name, kwargs={"pk": world["group"].pk} if name == "group_detail" else {}) + "?year=2021&quarter=4"
    make_projects(world, 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    make_projects(world, 27)

    with django_assert_num_queries(len(small)):
        response = client.get(url)
    shown = response.context["total"].projects if name == "group_list" else len(response.context["rows"])
    assert shown == 30


# --- One group ------------------------------------------------------------------------------


def test_staff_see_only_their_units_projects_but_the_totals_of_the_whole_group(client, world):
    group, park = world["group"], world["park"]
    neighbour = UnitFactory(name="临港经济区")
    ProjectFactory(group=group, lead_unit=park, name="白涛的项目", agreement_capital=Decimal("5"))
    ProjectFactory(group=group, lead_unit=neighbour, name="临港的项目", agreement_capital=Decimal("20"))
    staff = user_with_role(Role.STAFF, park, username="白涛填报员")

    response = get(client, staff, "group_detail", "?year=2021&quarter=4", pk=group.pk)

    page = response.content.decode()
    assert "白涛的项目" in page and "临港的项目" not in page
    assert (response.context["totals"].projects, response.context["totals"].agreement_capital) == (2, Decimal("25"))


def test_the_detail_lists_the_periods_projects_with_tier_status_and_arrivals(client, world, reviewer):
    group, park = world["group"], world["park"]
    major = ProjectFactory(group=group, lead_unit=park, name="重大的项目", agreement_capital=Decimal("25"))
    ArrivalFactory(project=major, arrived_on=datetime.date(2021, 6, 30), amount=Decimal("3"))
    ProjectFactory(group=group, lead_unit=park, name="草稿项目", status=Status.DRAFT)
    ProjectFactory(group=group, lead_unit=park, name="撤回项目", status=Status.WITHDRAWN)
    ProjectFactory(group=group, lead_unit=park, name="明年的项目", signed_on=datetime.date(2022, 2, 1))

    response = get(client, reviewer, "group_detail", "?year=2021&quarter=4", pk=group.pk)

    rows = [(p.name, tier, arrived) for p, tier, arrived in response.context["rows"]]
    assert rows == [("重大的项目", "重大项目", Decimal("3")), ("草稿项目", "重点项目", None)]
    page = response.content.decode()
    assert "撤回项目" not in page and "明年的项目" not in page
    assert "草稿" in page and response.context["totals"].arrived_capital == Decimal("3")


def test_an_unknown_group_answers_404(client, reviewer):
    assert get(client, reviewer, "group_detail", pk=999).status_code == 404
