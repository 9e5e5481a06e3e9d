"""Start deadlines and colours (domain.md §9): the pure rules (targets/landing_rules.py) on each
threshold day, and the same answers from SQL (figures.landing.with_colour)."""

from datetime import date, datetime, timedelta
from datetime import timezone as tz

import pytest
from django.utils import timezone

from figures.landing import with_colour
from landing.models import Milestone, MilestoneKind
from projects import landing_facts as facts
from projects.models import Arrival, Project, Status
from targets.landing_rules import Colour, LandingRules, colour, days_overdue, overdue_not_started, start_deadline
from targets.models import RuleSet
from tests.factories import ArrivalFactory, MilestoneFactory, ProjectFactory, RuleSetFactory

RULES = LandingRules(start_limit_days=180, deadline_warning_days=30, quiet_yellow_days=60, quiet_red_days=90)
SIGNED = date(2021, 3, 15)
DEADLINE = date(2021, 9, 11)
RED, YELLOW = Colour.RED, Colour.YELLOW


def day(offset: int, base: date = DEADLINE) -> date:
    return base + timedelta(days=offset)


# --- The deadline ------------------------------------------------------------------------------


def test_the_deadline_is_the_signing_date_plus_the_limit():
    assert start_deadline(SIGNED, RULES) == DEADLINE
    assert start_deadline(date(2021, 7, 4), RULES) == date(2021, 12, 31)
    assert start_deadline(SIGNED, LandingRules(start_limit_days=1)) == date(2021, 3, 16)


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [(day(-1), False), (DEADLINE, False), (day(1), True), (day(200), True)],
    ids=["the day before", "the deadline day itself", "the day after", "long after"],
)
def test_a_project_is_overdue_from_the_day_after_its_deadline(as_of, overdue):
    assert overdue_not_started(deadline=DEADLINE, started_on=None, as_of=as_of) is overdue


def test_days_overdue_count_from_the_deadline():
    assert days_overdue(DEADLINE, day(1)) == 1
    assert days_overdue(DEADLINE, date(2021, 12, 31)) == 111


@pytest.mark.parametrize(
    ("started_on", "overdue"),
    [(day(-10), False), (DEADLINE, False), (day(5), False), (day(6), True), (None, True)],
    ids=["before the deadline", "on the deadline", "late, on as_of", "after as_of", "never"],
)
def test_a_start_counts_when_it_is_on_or_before_the_day_looked_at(started_on, overdue):
    assert overdue_not_started(deadline=DEADLINE, started_on=started_on, as_of=day(5)) is overdue


# --- Colours -----------------------------------------------------------------------------------


def colour_on(as_of: date, *, last_update: date | None = None, started_on=None, **kwargs):
    return colour(
        signed_on=SIGNED,
        started_on=started_on,
        last_update=as_of if last_update is None else last_update,
        as_of=as_of,
        rules=RULES,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-31, None), (-30, YELLOW), (-1, YELLOW), (0, YELLOW), (1, RED), (100, RED)],
    ids=["31 days before", "30 days before", "the day before", "the deadline day", "the day after", "long after"],
)
def test_the_deadline_colours_a_project_not_started(offset, expected):
    assert colour_on(day(offset)) == expected


@pytest.mark.parametrize("offset", [-30, 0, 1, 100])
def test_a_started_project_is_not_coloured_by_its_deadline(offset):
    assert colour_on(day(offset), started_on=day(-40)) is None


def test_a_start_after_the_day_looked_at_does_not_count():
    assert colour_on(day(1), started_on=day(2)) == RED


@pytest.mark.parametrize(
    ("quiet_days", "expected"),
    [(0, None), (59, None), (60, YELLOW), (89, YELLOW), (90, RED), (365, RED)],
)
def test_days_without_an_update_colour_a_project(quiet_days, expected):
    as_of = date(2021, 6, 1)  # the deadline far ahead
    assert colour_on(as_of, last_update=as_of - timedelta(days=quiet_days), started_on=date(2021, 4, 1)) == expected
    assert colour_on(as_of, last_update=as_of - timedelta(days=quiet_days)) == expected  # nor is it near the deadline


def test_quiet_for_the_red_days_is_red_even_near_the_deadline():
    assert colour_on(day(-10), last_update=day(-100)) == RED


@pytest.mark.parametrize("offset", [-30, 1, 200])
def test_full_production_or_withdrawal_is_never_coloured(offset):
    as_of = day(offset)
    assert colour_on(as_of, last_update=as_of - timedelta(days=400), full_production=True) is None
    assert colour_on(as_of, last_update=as_of - timedelta(days=400), withdrawn=True) is None


def test_a_project_not_signed_is_not_coloured():
    assert colour(signed_on=None, started_on=None, last_update=date(2020, 1, 1), as_of=date(2021, 12, 31), rules=RULES) is None


# --- The same in SQL ---------------------------------------------------------------------------


def at(moment: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(moment.year, moment.month, moment.day, hour))


def touched(project: Project, moment: datetime) -> Project:
    Project.objects.filter(pk=project.pk).update(updated_at=moment)
    return project


def sql_colours(as_of: date) -> dict[str, str | None]:
    # The tests set times by hand with update(), which sends no signal: the projects' landing
    # columns are recomputed as a write would (projects.landing_facts; its own tests check the writes).
    facts.refresh_all()
    projects = with_colour(Project.objects.all(), list(RuleSet.objects.all()), as_of)
    return dict(projects.values_list("code", "landing_colour"))


@pytest.fixture
def rules_2021(db):
    return RuleSetFactory(year=2021)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-31, None), (-30, "yellow"), (0, "yellow"), (1, "red")],
    ids=["31 days before", "30 days before", "the deadline day", "the day after"],
)
def test_sql_colours_by_the_deadline_on_the_same_days(rules_2021, offset, expected):
    as_of = day(offset)
    touched(ProjectFactory(code="P"), at(as_of))
    assert sql_colours(as_of) == {"P": expected}
    assert colour_on(as_of) == (Colour(expected) if expected else None)


@pytest.mark.parametrize(("quiet_days", "expected"), [(59, None), (60, "yellow"), (89, "yellow"), (90, "red")])
def test_sql_colours_by_the_last_update_on_the_same_days(rules_2021, quiet_days, expected):
    as_of = date(2021, 6, 1)
    touched(ProjectFactory(code="P"), at(as_of - timedelta(days=quiet_days)))
    assert sql_colours(as_of) == {"P": expected}


def test_an_update_is_counted_on_its_day_in_the_site_time_zone(rules_2021):
    """00:30 in Chongqing on 04-02 is 16:30 UTC on 04-01: the update was on 04-02, 60 days before 06-01."""
    as_of = date(2021, 6, 1)
    touched(ProjectFactory(code="P"), datetime(2021, 4, 1, 16, 30, tzinfo=tz.utc))
    touched(ProjectFactory(code="Q"), datetime(2021, 4, 1, 15, 30, tzinfo=tz.utc))  # 23:30 on 04-01 there
    assert sql_colours(as_of) == {"P": "yellow", "Q": "yellow"}
    assert sql_colours(date(2021, 5, 31)) == {"P": None, "Q": "yellow"}


def test_a_milestone_changed_or_an_arrival_entered_is_an_update(rules_2021):
    as_of = date(2021, 6, 1)
    quiet = touched(ProjectFactory(code="QUIET"), at(date(2021, 3, 1)))
    milestone = touched(ProjectFactory(code="MILESTONE"), at(date(2021, 3, 1)))
    arrival = touched(ProjectFactory(code="ARRIVAL"), at(date(2021, 3, 1)))
    Milestone.objects.filter(pk=MilestoneFactory(project=milestone, kind=MilestoneKind.REGISTERED).pk).update(updated_at=at(date(2021, 5, 1)))
    Arrival.objects.filter(pk=ArrivalFactory(project=arrival, arrived_on=date(2021, 4, 1)).pk).update(created_at=at(date(2021, 5, 1)))
    assert sql_colours(as_of) == {"QUIET": "red", "MILESTONE": None, "ARRIVAL": None}


def test_sql_counts_only_a_verified_start_on_or_before_the_day(rules_2021):
    as_of = day(1)
    verified = touched(ProjectFactory(code="VERIFIED"), at(as_of))
    unverified = touched(ProjectFactory(code="UNVERIFIED"), at(as_of))
    later = touched(ProjectFactory(code="LATER"), at(as_of))
    MilestoneFactory(project=verified, actual_on=day(-1))
    MilestoneFactory(project=unverified, actual_on=day(-1), verified=False)
    MilestoneFactory(project=later, actual_on=day(2))
    for project in (verified, unverified, later):
        touched(project, at(as_of))
    Milestone.objects.update(updated_at=at(as_of))
    assert sql_colours(as_of) == {"VERIFIED": None, "UNVERIFIED": "red", "LATER": "red"}


def test_sql_never_colours_full_production_withdrawn_or_unsigned(rules_2021):
    as_of = date(2022, 6, 1)
    done = ProjectFactory(code="DONE")
    MilestoneFactory(project=done, kind=MilestoneKind.FULL_PRODUCTION, actual_on=date(2022, 1, 1))
    ProjectFactory(code="WITHDRAWN", status=Status.WITHDRAWN)
    ProjectFactory(code="DRAFT", status=Status.DRAFT, signed_on=None)
    ProjectFactory(code="LATE")
    Project.objects.update(updated_at=at(date(2021, 3, 15)))
    Milestone.objects.update(updated_at=at(date(2021, 3, 15)))
    assert sql_colours(as_of) == {"DONE": None, "WITHDRAWN": None, "DRAFT": None, "LATE": "red"}


def test_a_full_production_after_the_day_looked_at_does_not_count(rules_2021):
    done = ProjectFactory(code="DONE")
    MilestoneFactory(project=done, kind=MilestoneKind.FULL_PRODUCTION, actual_on=date(2022, 1, 1))
    Project.objects.update(updated_at=at(day(1)))
    Milestone.objects.update(updated_at=at(day(1)))
    assert sql_colours(day(1)) == {"DONE": "red"}


def test_each_project_follows_the_rule_set_of_its_signing_year(rules_2021):
    """2022 starts within 90 days; 2023 has no rule set and keeps 2022's; 2020 comes before any rule set."""
    RuleSetFactory(year=2022, start_limit_days=90)
    as_of = date(2023, 4, 10)
    ProjectFactory(code="2021", signed_on=date(2021, 12, 31))
    ProjectFactory(code="2022", signed_on=date(2022, 12, 31))  # deadline 2023-03-31
    ProjectFactory(code="2023", signed_on=date(2023, 1, 10))  # deadline 2023-04-10: the day itself
    ProjectFactory(code="2020", signed_on=date(2020, 6, 1))
    Project.objects.update(updated_at=at(as_of))
    assert sql_colours(as_of) == {"2021": "red", "2022": "red", "2023": "yellow", "2020": None}
    assert sql_colours(date(2023, 3, 1)) == {"2021": "red", "2022": "yellow", "2023": None, "2020": None}


def test_without_any_rule_set_nothing_is_coloured(db):
    ProjectFactory(code="P", signed_on=date(2019, 1, 1))
    assert sql_colours(date(2021, 1, 1)) == {"P": None}
