"""Signing events (集中签约活动, domain.md §9): the cohort's figures at each quarter end, the rules of
linking a project, who may enter, correct, link and unlink, and pages whose query counts do not
grow with the cohort."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from figures import signing_events as figures
from landing import signing
from landing.models import EVENT_SIGNING_TOLERANCE_DAYS, MilestoneKind, SigningEvent, SigningEventProject
from projects.models import Origin, Status
from tests.factories import (
    ArrivalFactory,
    MilestoneFactory,
    ProjectFactory,
    RuleSetFactory,
    SigningEventFactory,
    SigningEventProjectFactory,
    UnitFactory,
    client_for,
    user_with_role,
)

pytestmark = pytest.mark.django_db

HELD_ON = datetime.date(2021, 3, 15)
# The session, the user, their groups, then their unit (staff) or their unread notices
# (reviewers), the organisation, the to-do block; the years with events, the rules, the events
# with their cohorts.
LIST_QUERIES = 9
# As the list's first six, then the event, the rules, its cohort (projects, milestones, arrivals),
# the projects the user sees, the count of all linked projects.
DETAIL_QUERIES = 13


@pytest.fixture
def rules():
    RuleSetFactory(year=2021)
    return figures.cohort_rules(2021)


@pytest.fixture
def world(rules):
    own, other = UnitFactory(name="甲园区"), UnitFactory(name="乙园区")
    return {
        "own": own,
        "other": other,
        "event": SigningEventFactory(organiser=other, date=HELD_ON, name="一季度集中签约"),
        "staff": user_with_role(Role.STAFF, own, username="staff"),
        "other_staff": user_with_role(Role.STAFF, other, username="other"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def linked(event, **project) -> SigningEventProject:
    return SigningEventProjectFactory(event=event, project=ProjectFactory(signed_on=event.date, **project))


# --- The cohort's figures ---------------------------------------------------------------------------


def test_the_cohort_is_measured_at_each_quarter_end_with_counted_milestones_and_arrivals_only(world, rules):
    event = world["event"]
    first = linked(event, agreement_capital=Decimal("1.25")).project
    second = linked(event, agreement_capital=Decimal("2.5")).project
    withdrawn = linked(event, agreement_capital=Decimal("50"), status=Status.WITHDRAWN).project
    linked(event, agreement_capital=Decimal("40"), status=Status.DRAFT)
    outsider = ProjectFactory(signed_on=HELD_ON)  # not linked: never counted
    MilestoneFactory(project=first, kind=MilestoneKind.STARTED, actual_on=datetime.date(2021, 6, 30))  # Q2's last day
    MilestoneFactory(project=second, kind=MilestoneKind.STARTED, actual_on=datetime.date(2021, 7, 1))
    MilestoneFactory(project=first, kind=MilestoneKind.PRODUCING, actual_on=datetime.date(2021, 8, 1), verified=False)
    MilestoneFactory(project=withdrawn, kind=MilestoneKind.STARTED, actual_on=datetime.date(2021, 4, 1))
    MilestoneFactory(project=outsider, kind=MilestoneKind.STARTED, actual_on=datetime.date(2021, 4, 1))
    ArrivalFactory(project=first, arrived_on=datetime.date(2021, 6, 30), amount=Decimal("1.5"))
    ArrivalFactory(project=second, arrived_on=datetime.date(2021, 5, 1), amount=Decimal("9"), verified=False)
    ArrivalFactory(project=withdrawn, arrived_on=datetime.date(2021, 5, 1), amount=Decimal("7"))
    ArrivalFactory(project=outsider, arrived_on=datetime.date(2021, 5, 1), amount=Decimal("3"))

    points = figures.over_quarters(event, rules, datetime.date(2021, 8, 15))

    assert [(p.as_of, p.label) for p in points] == [
        (datetime.date(2021, 3, 31), "2021年第1季度"),
        (datetime.date(2021, 6, 30), "2021年第2季度"),
        (datetime.date(2021, 8, 15), "2021年第3季度（截至08-15）"),
    ]
    assert [p.signed for p in points] == [2, 2, 2]
    assert [p.agreement_capital for p in points] == [Decimal("3.75")] * 3
    assert [p.started for p in points] == [0, 1, 2]
    assert [p.started_rate for p in points] == [Decimal(0), Decimal("0.5"), Decimal(1)]
    assert [p.producing_rate for p in points] == [Decimal(0)] * 3
    assert [p.arrived_capital for p in points] == [Decimal(0), Decimal("1.5"), Decimal("1.5")]


def test_a_project_counts_as_signed_from_the_quarter_of_its_own_signing_date(rules):
    event = SigningEventFactory(date=datetime.date(2021, 3, 31))
    linked(event)
    SigningEventProjectFactory(event=event, project=ProjectFactory(signed_on=datetime.date(2021, 4, 2)))
    points = figures.over_quarters(event, rules, datetime.date(2021, 5, 1))
    assert [p.signed for p in points] == [1, 2]


def test_the_cohort_counts_as_the_assessment_does_and_every_approved_project_without_rules(rules):
    event = SigningEventFactory()
    linked(event, agreement_capital=Decimal(2))
    linked(event, agreement_capital=Decimal(3), origin=Origin.INSIDE_DISTRICT)  # weight 0
    linked(event, agreement_capital=Decimal("0.1"))  # below the general threshold (0.2 industrial)
    [now] = figures.over_quarters(event, rules, datetime.date(2021, 3, 20))
    assert (now.signed, now.agreement_capital) == (1, Decimal(2))
    [now] = figures.over_quarters(event, figures.CohortRules(None, None), datetime.date(2021, 3, 20))
    assert (now.signed, now.agreement_capital) == (3, Decimal("5.1"))


def test_an_event_takes_the_latest_earlier_rules_until_its_year_has_its_own(rules):
    assert figures.cohort_rules(2023).year == 2021
    assert figures.cohort_rules(2020) == figures.CohortRules(None, None)


def test_without_signed_projects_there_is_no_rate(rules):
    points = figures.over_quarters(SigningEventFactory(), rules, datetime.date(2021, 4, 1))
    assert points[-1].signed == 0 and points[-1].started_rate is None and points[-1].producing_rate is None


def test_an_event_not_yet_held_has_no_measuring_date_and_costs_no_query(rules, django_assert_num_queries):
    event = SigningEventFactory(date=datetime.date(2021, 9, 1))
    with django_assert_num_queries(0):
        assert figures.over_quarters(event, rules, datetime.date(2021, 8, 31)) == []


def test_the_quarters_run_across_the_year_end_and_stop_at_today():
    dates = figures.measuring_dates(datetime.date(2021, 11, 30), datetime.date(2022, 3, 31))
    assert dates == [(datetime.date(2021, 12, 31), "2021年第4季度"), (datetime.date(2022, 3, 31), "2022年第1季度（截至03-31）")]


def test_the_list_shows_each_cohort_as_the_event_page_does_today(world, rules):
    event = world["event"]
    project = linked(event, agreement_capital=Decimal("2")).project
    linked(event, status=Status.SUBMITTED)
    MilestoneFactory(project=project, kind=MilestoneKind.STARTED)
    MilestoneFactory(project=project, kind=MilestoneKind.PRODUCING, actual_on=datetime.date(2021, 9, 1))
    ArrivalFactory(project=project, amount=Decimal("0.3333"))
    SigningEventFactory(date=datetime.date(2022, 1, 5))  # another year
    today = datetime.date(2022, 6, 1)
    [row] = figures.events_of_year(2021, rules, today)
    now = figures.over_quarters(event, rules, today)[-1]
    assert row.event == event and row.linked == 2
    assert row.today == figures.CohortFigures(
        as_of=today, label="", signed=1, agreement_capital=Decimal(2), started=1, producing=1, arrived_capital=Decimal("0.3333")
    )
    assert (now.signed, now.agreement_capital, now.started, now.producing, now.arrived_capital) == (
        1, Decimal(2), 1, 1, Decimal("0.3333")
    )


def test_the_list_opens_on_the_latest_year_with_events_while_this_year_has_none(world):
    client = client_for(world["staff"])
    page = client.get(reverse("signing_event_list"))
    assert page.context["year"] == 2021 and "一季度集中签约" in page.content.decode() and not page.context["note"]
    today = timezone.localdate()
    SigningEventFactory(date=today, name="今年的活动")
    assert client.get(reverse("signing_event_list")).context["year"] == today.year
    asked = client.get(reverse("signing_event_list"), {"year": "1999"})
    assert asked.context["year"] == today.year and "1999年没有集中签约活动" in asked.context["note"]


# --- The rules of linking ---------------------------------------------------------------------------


def test_a_project_signed_within_the_tolerance_of_the_event_is_linked(world):
    project = ProjectFactory(signed_on=HELD_ON + datetime.timedelta(days=EVENT_SIGNING_TOLERANCE_DAYS))
    link = signing.link_project(event=world["event"], project=project, user=world["reviewer"])
    assert link.days_off == EVENT_SIGNING_TOLERANCE_DAYS
    assert link.history.get().history_user == world["reviewer"]


@pytest.mark.parametrize(
    ("signed_on", "status", "message"),
    [
        (HELD_ON - datetime.timedelta(days=EVENT_SIGNING_TOLERANCE_DAYS + 1), Status.APPROVED, "相差 31 天"),
        (None, Status.DRAFT, "还没有签约日期"),
        (HELD_ON, Status.WITHDRAWN, "已撤回的项目"),
    ],
)
def test_a_project_not_signed_at_the_event_is_refused(world, signed_on, status, message):
    project = ProjectFactory(signed_on=signed_on, status=status)
    with pytest.raises(ValidationError, match=message):
        signing.link_project(event=world["event"], project=project, user=world["reviewer"])
    assert not SigningEventProject.objects.exists()


def test_a_project_is_signed_at_one_event_at_most(world):
    link = linked(world["event"])
    second = SigningEventFactory(date=HELD_ON, name="另一场签约")
    with pytest.raises(ValidationError, match="已关联集中签约活动「2021-03-15 一季度集中签约」"):
        signing.link_project(event=second, project=link.project, user=world["reviewer"])
    moved = signing.link_project(event=second, project=link.project, user=world["reviewer"], replace=True)
    assert list(SigningEventProject.objects.values_list("event", flat=True)) == [second.pk] and moved.event == second


def test_an_event_cannot_move_away_from_the_projects_signed_at_it(world):
    linked(world["event"])
    far = HELD_ON + datetime.timedelta(days=EVENT_SIGNING_TOLERANCE_DAYS + 1)
    with pytest.raises(ValidationError, match="已关联的 1 个项目的签约日期与活动日期相差超过 30 天"):
        signing.update_event(event=world["event"], user=world["reviewer"], facts={"date": far})
    moved = signing.update_event(event=world["event"], user=world["reviewer"], facts={"date": HELD_ON + datetime.timedelta(days=2)})
    assert moved.date == datetime.date(2021, 3, 17)


# --- Who may do what ----------------------------------------------------------------------------------


def event_data(**overrides) -> dict:
    return {"name": "二季度集中签约", "date": "2021-06-18", "place": "涪陵区会议中心", "note": "", **overrides}


def test_staff_enter_events_for_their_own_unit_whatever_they_post(world):
    response = client_for(world["staff"]).post(reverse("signing_event_create"), event_data(organiser=world["other"].pk))
    event = SigningEvent.objects.get(name="二季度集中签约")
    assert response.status_code == 302 and event.organiser == world["own"] and event.created_by == world["staff"]


def test_reviewers_choose_the_organiser_and_leaders_enter_nothing(world):
    client_for(world["reviewer"]).post(reverse("signing_event_create"), event_data(organiser=world["other"].pk))
    assert SigningEvent.objects.get(name="二季度集中签约").organiser == world["other"]
    response = client_for(world["leader"]).post(reverse("signing_event_create"), event_data())
    assert response.status_code == 403 and "只有单位填报员和招商局审核员" in response.content.decode()


def test_an_event_is_corrected_by_reviewers_and_its_organisers_staff_only(world):
    url = reverse("signing_event_edit", args=[world["event"].pk])
    assert client_for(world["staff"]).post(url, event_data()).status_code == 403
    assert client_for(world["other_staff"]).post(url, event_data(date="2021-03-16")).status_code == 302
    world["event"].refresh_from_db()
    assert world["event"].date == datetime.date(2021, 3, 16) and world["event"].organiser == world["other"]


def test_a_bad_date_is_explained(world):
    response = client_for(world["reviewer"]).post(
        reverse("signing_event_create"), event_data(date="1999-12-31", organiser=world["own"].pk)
    )
    assert "活动日期不能早于 2000 年" in response.content.decode()


def link_by_code(user, event, code):
    return client_for(user).post(reverse("signing_event_link", args=[event.pk]), {"code": code}, follow=True)


def test_staff_link_the_projects_their_unit_leads(world):
    project = ProjectFactory(lead_unit=world["own"], signed_on=HELD_ON + datetime.timedelta(days=3))
    response = link_by_code(world["staff"], world["event"], project.code)
    page = response.content.decode()
    assert SigningEventProject.objects.get().project == project
    assert "已将项目" in page and "相差 3 天" in page


@pytest.mark.parametrize("whose", ["another unit's", "cooperating", "unknown"])
def test_staff_cannot_link_a_project_their_unit_does_not_lead(world, whose):
    lead = world["own"] if whose == "unknown" else world["other"]
    project = ProjectFactory(lead_unit=lead, cooperating=[world["own"]] if whose == "cooperating" else [])
    code = "NO-SUCH-CODE" if whose == "unknown" else project.code
    response = link_by_code(world["staff"], world["event"], code)
    assert f"没有编号为「{code}」的项目，或您无权关联它" in response.content.decode()
    assert not SigningEventProject.objects.exists()


def test_leaders_link_nothing(world):
    project = ProjectFactory(signed_on=HELD_ON)
    response = client_for(world["leader"]).post(reverse("signing_event_link", args=[world["event"].pk]), {"code": project.code})
    assert response.status_code == 403 and not SigningEventProject.objects.exists()


def test_a_refused_link_says_why_on_the_event_page(world):
    project = ProjectFactory(signed_on=datetime.date(2021, 9, 1))
    response = link_by_code(world["reviewer"], world["event"], project.code)
    assert response.status_code == 200 and "相差 170 天" in response.content.decode()


def test_unlinking_is_the_lead_units_or_a_reviewers(world):
    link = linked(world["event"], lead_unit=world["own"], cooperating=[world["other"]])
    url = reverse("signing_event_unlink", args=[world["event"].pk, link.project.pk])
    assert client_for(world["leader"]).post(url).status_code == 403
    assert client_for(world["other_staff"]).post(url).status_code == 403  # cooperating: reads only
    assert client_for(world["staff"]).get(url).status_code == 405
    assert client_for(world["staff"]).post(url).status_code == 302
    assert not SigningEventProject.objects.exists()
    assert link.history.latest().history_type == "-"


def test_another_units_project_answers_404_on_unlinking_and_on_its_event_page(world):
    link = linked(world["event"], lead_unit=world["other"])
    unlink = reverse("signing_event_unlink", args=[world["event"].pk, link.project.pk])
    assert client_for(world["staff"]).post(unlink).status_code == 404
    assert client_for(world["staff"]).get(reverse("project_signing_event", args=[link.project.pk])).status_code == 404
    assert SigningEventProject.objects.exists()


def test_the_project_page_chooses_moves_and_clears_the_projects_event(world):
    project = ProjectFactory(lead_unit=world["own"], signed_on=HELD_ON)
    later = SigningEventFactory(date=HELD_ON + datetime.timedelta(days=5), name="补签仪式")
    SigningEventFactory(date=HELD_ON + datetime.timedelta(days=60), name="太晚的活动")
    client = client_for(world["staff"])
    url = reverse("project_signing_event", args=[project.pk])
    page = client.get(url).content.decode()
    assert "补签仪式" in page and "太晚的活动" not in page
    assert client.post(url, {"event": world["event"].pk}).status_code == 302
    assert client.post(url, {"event": later.pk}).status_code == 302
    assert SigningEventProject.objects.get(project=project).event == later
    detail = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "补签仪式" in detail and reverse("project_signing_event", args=[project.pk]) in detail
    assert client.post(url, {"event": ""}).status_code == 302
    assert not SigningEventProject.objects.exists()


def test_cooperating_staff_and_leaders_may_not_choose_a_projects_event(world):
    project = ProjectFactory(lead_unit=world["other"], cooperating=[world["own"]], signed_on=HELD_ON)
    url = reverse("project_signing_event", args=[project.pk])
    assert client_for(world["staff"]).get(url).status_code == 403
    assert client_for(world["leader"]).get(url).status_code == 403
    assert reverse("project_signing_event", args=[project.pk]) not in client_for(world["staff"]).get(
        reverse("project_detail", args=[project.pk])
    ).content.decode()


def test_the_event_page_lists_the_projects_the_user_sees_and_counts_the_whole_cohort(world):
    mine = linked(world["event"], lead_unit=world["own"], name="本单位项目").project
    linked(world["event"], lead_unit=world["other"], name="别的单位的项目", agreement_capital=Decimal(3))
    response = client_for(world["staff"]).get(reverse("signing_event_detail", args=[world["event"].pk]))
    page = response.content.decode()
    assert [link.project for link in response.context["links"]] == [mine]
    assert "别的单位的项目" not in page and "另有 1 个关联项目属于其他单位" in page
    assert response.context["now"].signed == 2 and response.context["now"].agreement_capital == Decimal(4)
    assert 'id="signing-event-chart-data"' in page and "<script>" not in page


# --- Query counts ---------------------------------------------------------------------------------


def grow(event, unit, n: int) -> None:
    """n more projects signed at the event, each started, producing and with a verified arrival."""
    for _ in range(n):
        project = linked(event, lead_unit=unit).project
        MilestoneFactory(project=project, kind=MilestoneKind.STARTED)
        MilestoneFactory(project=project, kind=MilestoneKind.PRODUCING, actual_on=datetime.date(2021, 9, 1))
        ArrivalFactory(project=project)
        SigningEventFactory()


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_the_list_asks_the_same_number_of_queries_however_many_events_and_projects(world, django_assert_num_queries, role):
    client = client_for(world[role])
    client.get(reverse("signing_event_list"))  # the session and the user, read once
    url = reverse("signing_event_list") + "?year=2021"
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(url).status_code == 200
    grow(world["event"], world["own"], 12)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url)
    assert len(response.context["rows"]) == 13


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_the_event_page_asks_the_same_number_of_queries_however_large_the_cohort(world, django_assert_num_queries, role):
    client = client_for(world[role])
    client.get(reverse("signing_event_list"))
    url = reverse("signing_event_detail", args=[world["event"].pk])
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(url).status_code == 200
    grow(world["event"], world["own"], 12)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert len(response.context["links"]) == 12 and response.context["now"].started == 12
