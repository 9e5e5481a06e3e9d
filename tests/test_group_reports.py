"""The special groups' quarterly reports (domain.md §12, 附件1): written by the first
commissioner's unit or a reviewer, with the group's figures attached at submission and frozen."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from figures.supervision import GroupFigures, group_figures
from leads.models import ActivityKind, LeadStage
from projects.models import Status
from supervision.models import GroupReport
from tests.factories import (
    ActivityFactory,
    ArrivalFactory,
    LeadFactory,
    ProjectFactory,
    RuleSetFactory,
    SpecialGroupFactory,
    UnitFactory,
    client_for,
    seat_commissioner,
    user_with_role,
)
from targets.models import RuleSet, UnitKind

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(monkeypatch, *args):
    moment = datetime.datetime(*args, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def world():
    RuleSetFactory(year=2021)
    first_unit = UnitFactory(name="区经济信息委", kind=UnitKind.DEPARTMENT)
    second_unit = UnitFactory(name="区招商投资局", kind=UnitKind.DEPARTMENT)
    park = UnitFactory(name="白涛园区")
    group = SpecialGroupFactory(name="新材料产业招商组")
    seat_commissioner(group, first_unit, 1)
    seat_commissioner(group, second_unit, 2)
    return {
        "group": group,
        "park": park,
        "first": user_with_role(Role.STAFF, first_unit, username="first"),
        "second": user_with_role(Role.STAFF, second_unit, username="second"),
        "landing": user_with_role(Role.STAFF, park, username="landing"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def page(group, quarter=2):
    return reverse("group_report_detail", args=[group.pk, 2021, quarter])


def group_data(world):
    """Q2 2021: two projects signed in the quarter, one in Q1, leads at three stages, activities."""
    group, park = world["group"], world["park"]
    ProjectFactory(group=group, lead_unit=park, signed_on=datetime.date(2021, 2, 10), agreement_capital=Decimal("5"))
    in_q2 = ProjectFactory(group=group, lead_unit=park, signed_on=datetime.date(2021, 4, 20), agreement_capital=Decimal("12.5"))
    ProjectFactory(group=group, lead_unit=park, signed_on=datetime.date(2021, 6, 30), agreement_capital=Decimal("2"))
    ProjectFactory(group=group, lead_unit=park, signed_on=datetime.date(2021, 5, 1), status=Status.SUBMITTED)  # not counted
    ProjectFactory(lead_unit=park, signed_on=datetime.date(2021, 5, 1))  # another group's (none)
    ArrivalFactory(project=in_q2, arrived_on=datetime.date(2021, 6, 1), amount=Decimal("3"))
    lead = LeadFactory(owner_unit=park, group=group)
    LeadFactory(owner_unit=park, group=group, stage=LeadStage.NEGOTIATING)
    LeadFactory(owner_unit=park, group=group, stage=LeadStage.NEGOTIATING)
    LeadFactory(owner_unit=park)  # no group
    ActivityFactory(unit=park, lead=lead, date=datetime.date(2021, 5, 8), kind=ActivityKind.VISIT_OUT)
    ActivityFactory(unit=park, lead=lead, date=datetime.date(2021, 6, 8), kind=ActivityKind.VISIT_OUT)
    ActivityFactory(unit=park, lead=lead, date=datetime.date(2021, 6, 9), kind=ActivityKind.EVENT)
    ActivityFactory(unit=park, lead=lead, date=datetime.date(2021, 3, 9), kind=ActivityKind.EVENT)  # Q1
    ActivityFactory(unit=park, date=datetime.date(2021, 6, 9), kind=ActivityKind.EVENT)  # no lead
    return lead


# --- The figures ------------------------------------------------------------------------------------------


def test_the_figures_count_the_groups_projects_money_leads_and_activities_of_the_quarter(world):
    group_data(world)
    figures = group_figures(world["group"], year=2021, quarter=2, rules=RuleSet.objects.get(year=2021).as_rules(), today=datetime.date(2021, 7, 3))
    assert (figures.quarter_projects.count, figures.quarter_projects.agreement_capital) == (2, Decimal("14.5"))
    assert (figures.year_projects.count, figures.year_projects.agreement_capital) == (3, Decimal("19.5"))
    assert figures.arrived_capital == Decimal("3")
    assert figures.leads == {"clue": 1, "negotiating": 2}
    assert figures.activities == {"visit_out": 2, "event": 1}
    assert ("洽谈", 2) in figures.lead_rows() and ("招商活动", 1) in figures.activity_rows()
    assert GroupFigures.from_json(figures.as_json()) == figures


# --- Who writes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["first", "reviewer"])
def test_the_first_commissioners_unit_and_reviewers_write_it(world, monkeypatch, who):
    at(monkeypatch, 2021, 7, 3, 9, 0)
    client = client_for(world[who])
    assert 'name="text"' in client.get(page(world["group"])).content.decode()
    response = client.post(page(world["group"]), {"text": "本季度走访企业8家。"})
    assert response.status_code == 302
    report = GroupReport.objects.get(group=world["group"], year=2021, quarter=2)
    assert (report.text, report.submitted_by) == ("本季度走访企业8家。", world[who])


@pytest.mark.parametrize("who", ["second", "landing", "leader"])
def test_nobody_else_writes_it(world, who):
    client = client_for(world[who])
    assert client.get(page(world["group"])).status_code == 200
    assert 'name="text"' not in client.get(page(world["group"])).content.decode()
    response = client.post(page(world["group"]), {"text": "越权报送"})
    assert response.status_code == 403 and "第一位招商专员所在单位" in response.content.decode()
    assert not GroupReport.objects.exists()


def test_the_text_is_required_and_a_future_quarter_refused(world, monkeypatch):
    at(monkeypatch, 2021, 5, 3, 9, 0)
    client = client_for(world["first"])
    empty = client.post(page(world["group"], quarter=2), {"text": " "})
    assert empty.status_code == 400 and "请填写本组本季度的工作情况。" in empty.content.decode()
    future = client.post(page(world["group"], quarter=3), {"text": "提前报送"})
    assert future.status_code == 400 and "该季度尚未开始，不能报送。" in future.content.decode()
    assert not GroupReport.objects.exists()


def test_an_unknown_group_or_quarter_answers_404(world):
    client = client_for(world["first"])
    assert client.get(reverse("group_report_detail", args=[999999, 2021, 2])).status_code == 404
    assert client.get(reverse("group_report_detail", args=[world["group"].pk, 2021, 5])).status_code == 404


# --- Frozen figures -----------------------------------------------------------------------------------------------


def test_the_figures_are_frozen_at_submission(world, monkeypatch):
    lead = group_data(world)
    at(monkeypatch, 2021, 7, 3, 9, 0)
    client = client_for(world["first"])
    client.post(page(world["group"]), {"text": "第二季度汇报"})
    frozen = GroupReport.objects.get().figures

    # Later: a new project of the quarter approved, a lead moves on, more activities, a correction of the text.
    at(monkeypatch, 2021, 7, 20, 9, 0)
    ProjectFactory(group=world["group"], lead_unit=world["park"], signed_on=datetime.date(2021, 6, 1), agreement_capital=Decimal("30"))
    LeadFactory(owner_unit=world["park"], group=world["group"], stage=LeadStage.ABOUT_TO_SIGN)
    ActivityFactory(unit=world["park"], lead=lead, date=datetime.date(2021, 6, 20), kind=ActivityKind.PUBLICITY)
    client = client_for(world["first"])  # signed in again: the session of 3 July has expired
    corrected = client.post(page(world["group"]), {"text": "第二季度汇报（修改）"})
    assert corrected["Location"] == page(world["group"])

    report = GroupReport.objects.get()
    assert report.figures == frozen and report.text == "第二季度汇报（修改）"
    response = client.get(page(world["group"]))
    shown = response.context["figures"]
    assert shown.quarter_projects == GroupFigures.from_json(frozen).quarter_projects
    assert (shown.quarter_projects.count, shown.as_of) == (2, datetime.date(2021, 7, 3))
    html = response.content.decode()
    assert "报送时（2021-07-03）的数据，已固定" in html and "14.50" in html and "44.50" not in html


def test_before_submission_the_page_shows_todays_figures(world, monkeypatch):
    group_data(world)
    at(monkeypatch, 2021, 7, 3, 9, 0)
    response = client_for(world["leader"]).get(page(world["group"]))
    assert response.context["figures"].quarter_projects.count == 2
    assert "报送时自动附上并固定" in response.content.decode() and "尚未报送" in response.content.decode()


# --- The list --------------------------------------------------------------------------------------------------------


def test_the_list_shows_each_groups_quarters_with_their_state(world, monkeypatch):
    other = SpecialGroupFactory(name="文旅产业招商组")
    at(monkeypatch, 2021, 4, 5, 20, 0)
    client_for(world["first"]).post(page(world["group"], quarter=1), {"text": "一季度"})
    at(monkeypatch, 2021, 7, 6, 9, 0)
    client_for(world["reviewer"]).post(page(world["group"], quarter=2), {"text": "二季度，迟了一天"})
    at(monkeypatch, 2021, 8, 1, 9, 0)
    response = client_for(world["leader"]).get(reverse("group_report_list") + "?year=2021")
    states = {group.name: [item.state for item in quarters] for group, quarters in response.context["rows"]}
    assert states["新材料产业招商组"] == ["submitted", "late", "waiting", "future"]
    assert states[other.name] == ["overdue", "overdue", "waiting", "future"]
    html = response.content.decode()
    assert "已报送（迟报）" in html and "逾期未报" in html and page(world["group"], quarter=1) in html


@pytest.mark.parametrize("extra", [0, 8])
def test_the_list_reads_a_constant_number_of_queries(world, django_assert_num_queries, extra):
    for _ in range(extra):
        group = SpecialGroupFactory()
        seat_commissioner(group, UnitFactory(), 1)
        GroupReport.objects.create(group=group, year=2021, quarter=1, text="汇报", figures={}, submitted_at=timezone.now())
    client = client_for(world["leader"])
    # session, user, role; rule-set years; the reports, the groups, their commissioners and
    # landing units (SpecialGroup.objects.with_people); the organisation
    with django_assert_num_queries(9):
        response = client.get(reverse("group_report_list") + "?year=2021")
    assert len(response.context["rows"]) == 1 + extra
