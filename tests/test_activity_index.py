"""The weekly activity index (domain.md §11): the pure rules, what each part counts, storing a
week, the `activity_index` command, the Monday job and the dashboard's block."""

import datetime
import io
import json
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from figures import activity_index as figures
from figures.assessment import NoRuleSet
from landing.models import MilestoneKind
from leads.models import ActivityKind, WeeklyIndex
from projects.models import Status
from reports.tasks import store_activity_index_task
from targets import scoring
from targets.activity_index import PARTS, BadWeek, Part, Week, compute, part_scores, weighted_index
from targets.models import RuleSet, UnitKind
from tests.factories import ActivityFactory, MilestoneFactory, ProjectFactory, RuleSetFactory, UnitFactory

W23 = Week(2021, 23)  # Monday 2021-06-07 to Sunday 2021-06-13
MONDAY, SUNDAY = datetime.date(2021, 6, 7), datetime.date(2021, 6, 13)
DEFAULT_WEIGHTS = {"signed": D(25), "started": D(25), "visits_out": D(15), "visits_in": D(15), "events": D(10), "publicity": D(10)}


def park(id_, name=None):
    return scoring.Unit(id_, name or f"园区{id_}", UnitKind.PARK)


def department(id_, name=None):
    return scoring.Unit(id_, name or f"部门{id_}", UnitKind.DEPARTMENT)


# --- The pure rules ---------------------------------------------------------------------------------


def test_a_part_scores_100_times_the_count_over_the_highest_count():
    assert part_scores({1: 4, 2: 1, 3: 0}) == {1: D(100), 2: D(25), 3: D(0)}


def test_a_part_nobody_did_scores_0_for_everyone():
    assert part_scores({1: 0, 2: 0}) == {1: D(0), 2: D(0)}


def test_the_index_is_the_weighted_mean_of_the_parts():
    scores = {"signed": D(100), "started": D(0), "visits_out": D(100), "visits_in": D(50), "events": D(100), "publicity": D(0)}
    assert weighted_index(scores, DEFAULT_WEIGHTS) == D("57.5")


def test_the_index_is_0_when_every_weight_is_0():
    assert weighted_index({part: D(100) for part in PARTS}, {part: D(0) for part in PARTS}) == 0


def test_parts_are_compared_within_a_kind_only():
    results = compute([park(1), park(2), department(3)], {"signed": {1: 2, 2: 1, 3: 1}}, DEFAULT_WEIGHTS)
    by_id = {r.unit.id: r for r in results}
    assert by_id[2].parts["signed"] == Part(1, D(50))
    assert by_id[3].parts["signed"] == Part(1, D(100)), "the only department that signed is its kind's highest"


def test_changing_a_weight_changes_the_index():
    counts = {"signed": {1: 1}, "publicity": {2: 1}}
    before = {r.unit.id: r.index for r in compute([park(1), park(2)], counts, DEFAULT_WEIGHTS)}
    after = {r.unit.id: r.index for r in compute([park(1), park(2)], counts, {**DEFAULT_WEIGHTS, "publicity": D(25)})}
    assert before == {1: D(25), 2: D(10)}
    assert after == {1: D(2500) / 115, 2: D(2500) / 115}


def test_equal_indexes_share_a_rank_and_the_next_is_skipped():
    units = [park(1), park(2), park(3), park(4)]
    results = compute(units, {"signed": {1: 2, 2: 1, 3: 1}}, DEFAULT_WEIGHTS)
    assert [(r.unit.id, r.rank) for r in results] == [(1, 1), (2, 2), (3, 2), (4, 4)]


def test_every_unit_is_ranked_within_its_kind_even_with_nothing_done():
    results = compute([park(1), department(2), department(3)], {"events": {1: 1}}, DEFAULT_WEIGHTS)
    assert [(r.unit.kind, r.rank, r.index) for r in results] == [
        (UnitKind.PARK, 1, D(10)), (UnitKind.DEPARTMENT, 1, D(0)), (UnitKind.DEPARTMENT, 1, D(0)),
    ]  # fmt: skip


def test_units_are_listed_by_rank_and_as_given_among_equals():
    results = compute([park(1), park(2), park(3)], {"signed": {1: 3, 2: 2}, "started": {2: 1, 3: 1}}, DEFAULT_WEIGHTS)
    assert [r.unit.id for r in results] == [2, 1, 3]
    assert results[0].index == (D(25) * (D(200) / 3) + D(2500)) / 100


class TestWeeks:
    def test_a_week_runs_from_monday_to_sunday(self):
        assert (W23.start, W23.end) == (MONDAY, SUNDAY)
        assert MONDAY in W23 and SUNDAY in W23
        assert MONDAY - datetime.timedelta(days=1) not in W23 and SUNDAY + datetime.timedelta(days=1) not in W23

    def test_the_first_days_of_january_may_belong_to_the_previous_iso_year(self):
        week = Week.of(datetime.date(2021, 1, 3))
        assert week == Week(2020, 53)
        assert (week.start, week.end) == (datetime.date(2020, 12, 28), datetime.date(2021, 1, 3))
        assert week.next() == Week(2021, 1) and Week(2021, 1).previous() == week

    def test_the_history_runs_back_over_a_year_boundary(self):
        assert Week(2021, 2).back(3) == [Week(2020, 53), Week(2021, 1), Week(2021, 2)]

    @pytest.mark.parametrize(
        "year, week, message",
        [
            ("2021", "54", "2021年没有第54周：该年共 52 周"),
            ("2021", "53", "2021年没有第53周"),
            ("2021", "0", "2021年没有第0周"),
            ("2021", "ab", "周次必须是整数，收到“ab”"),
            ("二〇二一", "3", "年份必须是整数"),
            ("2021", "-1", "周次必须是整数"),
            ("99999", "1", "年份必须在 2000–2999 之间"),
            (None, "3", "年份必须是整数"),
        ],
    )
    def test_a_bad_week_is_refused_in_chinese(self, year, week, message):
        with pytest.raises(BadWeek, match=message):
            Week.parse(year, week)

    def test_week_53_exists_in_a_long_year(self):
        assert Week.parse("2020", "53").end == datetime.date(2021, 1, 3)


# --- What each part counts --------------------------------------------------------------------------


@pytest.fixture
def rules(db):
    return RuleSetFactory(year=2021)


@pytest.fixture
def world(rules):
    """Two parks and two departments; 涪陵新城区 and 李渡园区 are busy in week 23, the rest is noise."""
    xincheng = UnitFactory(name="涪陵新城区", kind=UnitKind.PARK, sort_order=1)
    lidu = UnitFactory(name="李渡园区", kind=UnitKind.PARK, sort_order=2)
    commerce = UnitFactory(name="区商务委", kind=UnitKind.DEPARTMENT, sort_order=3)
    transport = UnitFactory(name="区交通局", kind=UnitKind.DEPARTMENT, sort_order=4)
    closed = UnitFactory(name="停用园区", kind=UnitKind.PARK, is_active=False)
    other = UnitFactory(name="其他单位", kind=UnitKind.OTHER)
    # 涪陵新城区: signed 2, started 0, visits out 1, in 1, events 1, publicity 0
    ProjectFactory(lead_unit=xincheng, signed_on=MONDAY, status=Status.APPROVED)
    ProjectFactory(lead_unit=xincheng, signed_on=SUNDAY, status=Status.SUBMITTED)
    for kind in (ActivityKind.VISIT_OUT, ActivityKind.VISIT_IN, ActivityKind.EVENT):
        ActivityFactory(unit=xincheng, kind=kind, date=datetime.date(2021, 6, 9))
    # 李渡园区: signed 1, started 1, visits in 2
    ProjectFactory(lead_unit=lidu, signed_on=MONDAY, cooperating=[xincheng])
    MilestoneFactory(project=ProjectFactory(lead_unit=lidu, signed_on=datetime.date(2021, 1, 4)), actual_on=SUNDAY)
    ActivityFactory.create_batch(2, unit=lidu, kind=ActivityKind.VISIT_IN, date=MONDAY)
    # Not counted
    for status in (Status.DRAFT, Status.RETURNED, Status.WITHDRAWN):
        ProjectFactory(lead_unit=lidu, signed_on=MONDAY, status=status)
    ProjectFactory(lead_unit=xincheng, signed_on=MONDAY - datetime.timedelta(days=1))
    ProjectFactory(lead_unit=xincheng, signed_on=SUNDAY + datetime.timedelta(days=1))
    MilestoneFactory(project=ProjectFactory(lead_unit=xincheng), actual_on=MONDAY, verified=False)
    MilestoneFactory(project=ProjectFactory(lead_unit=xincheng), kind=MilestoneKind.REGISTERED, actual_on=MONDAY)
    MilestoneFactory(project=ProjectFactory(lead_unit=commerce), actual_on=SUNDAY + datetime.timedelta(days=1))
    ActivityFactory(unit=commerce, kind=ActivityKind.TALKS, date=MONDAY)
    ActivityFactory(unit=commerce, kind=ActivityKind.INSPECTION, date=MONDAY)
    ActivityFactory(unit=commerce, kind=ActivityKind.PUBLICITY, date=MONDAY - datetime.timedelta(days=1))
    ActivityFactory(unit=transport, kind=ActivityKind.PUBLICITY, date=SUNDAY + datetime.timedelta(days=1))
    ActivityFactory(unit=closed, kind=ActivityKind.EVENT, date=MONDAY)
    ActivityFactory(unit=other, kind=ActivityKind.EVENT, date=MONDAY)
    return {"xincheng": xincheng, "lidu": lidu, "commerce": commerce, "transport": transport, "closed": closed}


def counts_of(week=W23):
    return {r.unit.name: {part: p.count for part, p in r.parts.items() if p.count} for r in figures.compute_week(week).results}


def test_each_part_counts_what_the_unit_did_in_the_week(world):
    assert counts_of() == {
        "涪陵新城区": {"signed": 2, "visits_out": 1, "visits_in": 1, "events": 1},
        "李渡园区": {"signed": 1, "started": 1, "visits_in": 2},
        "区商务委": {},
        "区交通局": {},
    }


def test_only_submitted_and_approved_projects_the_unit_leads_count_as_signed(world):
    ProjectFactory(lead_unit=world["commerce"], signed_on=MONDAY, status=Status.RETURNED)
    ProjectFactory(lead_unit=world["transport"], signed_on=MONDAY, status=Status.SUBMITTED)
    assert counts_of()["区商务委"] == {} and counts_of()["区交通局"] == {"signed": 1}


def test_an_unverified_start_does_not_count_until_a_reviewer_verifies_it(world):
    milestone = MilestoneFactory(project=ProjectFactory(lead_unit=world["commerce"]), actual_on=MONDAY, verified=False)
    assert counts_of()["区商务委"] == {}
    milestone.verified = True
    milestone.save()
    assert counts_of()["区商务委"] == {"started": 1}


def test_talks_and_inspections_are_not_in_the_index(world):
    ActivityFactory.create_batch(3, unit=world["transport"], kind=ActivityKind.TALKS, date=MONDAY)
    ActivityFactory(unit=world["transport"], kind=ActivityKind.INSPECTION, date=MONDAY)
    assert counts_of()["区交通局"] == {}


def test_the_week_counts_its_monday_and_its_sunday_and_nothing_around(world):
    ActivityFactory(unit=world["transport"], kind=ActivityKind.PUBLICITY, date=MONDAY)
    ActivityFactory(unit=world["transport"], kind=ActivityKind.PUBLICITY, date=SUNDAY)
    assert counts_of()["区交通局"] == {"publicity": 2}
    assert counts_of(W23.next())["区交通局"] == {"publicity": 1}
    assert counts_of(W23.previous())["区商务委"] == {"publicity": 1}


def test_inactive_and_other_units_are_not_listed(world):
    assert [r.unit.name for r in figures.compute_week(W23).results] == ["涪陵新城区", "李渡园区", "区商务委", "区交通局"]


def test_a_week_across_new_year_uses_the_rule_set_of_its_iso_year(world):
    RuleSetFactory(year=2020, index_weight_events=D(0))
    ActivityFactory(unit=world["xincheng"], kind=ActivityKind.EVENT, date=datetime.date(2021, 1, 2))
    ActivityFactory(unit=world["xincheng"], kind=ActivityKind.PUBLICITY, date=datetime.date(2020, 12, 28))
    ActivityFactory(unit=world["lidu"], kind=ActivityKind.PUBLICITY, date=datetime.date(2021, 1, 4))  # 2021-W01
    computed = figures.compute_week(Week(2020, 53))
    xincheng = computed.results[0]
    assert {p: x.count for p, x in xincheng.parts.items() if x.count} == {"events": 1, "publicity": 1}
    assert xincheng.index == D(1000) / 90, "2020's weights: events weigh 0, out of 90"


def test_the_weights_come_from_the_rule_set(world):
    before = figures.compute_week(W23).results
    RuleSet.objects.filter(year=2021).update(index_weight_signed=D(0))
    after = figures.compute_week(W23).results
    assert [(r.unit.name, r.index) for r in before[:2]] == [("涪陵新城区", D("57.5")), ("李渡园区", D("52.5"))]
    assert [(r.unit.name, r.index) for r in after[:2]] == [("李渡园区", D(4000) / 75), ("涪陵新城区", D(3250) / 75)]


def test_a_year_without_its_rule_set_borrows_the_latest_earlier_weights(world):
    RuleSetFactory(year=2019, index_weight_signed=D(0))
    RuleSet.objects.filter(year=2021).update(index_weight_signed=D(50))
    week = figures.compute_week(Week(2022, 1))
    assert week.rules_year == 2021 and week.borrows_rules
    assert figures.weights_for(2022).values["signed"] == D(50)
    assert figures.weights_for(2020).values["signed"] == D(0) and figures.weights_for(2020).year == 2019
    own = figures.compute_week(W23)
    assert own.rules_year == 2021 and not own.borrows_rules


def test_a_stored_week_keeps_the_year_of_the_weights_it_used(world):
    figures.store_week(Week(2022, 1))
    RuleSetFactory(year=2022)
    stored = figures.stored_week(Week(2022, 1))
    assert stored.rules_year == 2021 and stored.borrows_rules, "as computed, until recomputed"
    assert figures.store_week(Week(2022, 1)).rules_year == 2022


def test_without_a_rule_set_up_to_the_year_nothing_is_computed(world):
    with pytest.raises(NoRuleSet, match="2020年尚未设置考核规则"):
        figures.compute_week(Week(2020, 52))


@pytest.mark.parametrize("extra", [0, 10])
def test_computing_a_week_reads_a_constant_number_of_queries(world, django_assert_num_queries, extra):
    for n in range(extra):
        unit = UnitFactory(kind=[UnitKind.PARK, UnitKind.DEPARTMENT][n % 2])
        ProjectFactory(lead_unit=unit, signed_on=MONDAY)
        MilestoneFactory(project=ProjectFactory(lead_unit=unit), actual_on=MONDAY)
        ActivityFactory(unit=unit, kind=list(ActivityKind)[n % 6], date=SUNDAY)
    with django_assert_num_queries(5):  # rule set, units, signed, started, activities
        figures.compute_week(W23)


# --- Storing ----------------------------------------------------------------------------------------


def stored_rows(week=W23):
    return {row.unit.name: (row.rank, row.index, row.parts) for row in WeeklyIndex.objects.filter(year=week.year, week=week.week)}


def test_storing_a_week_keeps_each_units_index_rank_and_parts(world):
    figures.store_week(W23)
    rows = stored_rows()
    assert rows["涪陵新城区"][:2] == (1, D("57.5"))
    assert rows["李渡园区"][:2] == (2, D("52.5"))
    assert rows["区商务委"][:2] == (1, D(0)) and rows["区交通局"][:2] == (1, D(0))
    assert rows["李渡园区"][2]["signed"] == {"count": 1, "score": "50"}
    assert rows["涪陵新城区"][2]["started"] == {"count": 0, "score": "0"}


def test_storing_again_replaces_the_week_and_nothing_else(world):
    figures.store_week(W23)
    figures.store_week(W23.previous())
    ActivityFactory(unit=world["transport"], kind=ActivityKind.EVENT, date=MONDAY)
    world["commerce"].is_active = False
    world["commerce"].save()
    figures.store_week(W23)
    figures.store_week(W23)
    rows = stored_rows()
    assert set(rows) == {"涪陵新城区", "李渡园区", "区交通局"}
    assert rows["区交通局"][:2] == (1, D(10))
    assert WeeklyIndex.objects.count() == 3 + 4


def test_a_stored_week_reads_back_as_it_was_computed(world):
    computed = figures.store_week(W23)
    stored = figures.stored_week(W23)
    assert stored.stored_at is not None
    assert [(r.unit, r.rank, r.index, r.parts) for r in stored.results] == [
        (r.unit, r.rank, r.index, r.parts) for r in computed.results
    ]


def test_an_index_is_stored_to_six_places_and_ranked_unrounded(rules):
    a, b = UnitFactory(kind=UnitKind.PARK), UnitFactory(kind=UnitKind.PARK)
    ProjectFactory.create_batch(3, lead_unit=a, signed_on=MONDAY)
    ProjectFactory(lead_unit=b, signed_on=MONDAY)
    figures.store_week(W23)
    assert WeeklyIndex.objects.get(unit=b).index == D("8.333333")


def test_the_history_shows_stored_weeks_and_the_shown_week(world):
    figures.store_week(W23.previous())
    shown = figures.compute_week(W23)
    history = figures.history(shown, weeks=3)
    assert history.weeks == [Week(2021, 21), Week(2021, 22), Week(2021, 23)]
    row = history.rows[0]
    assert row.unit.name == "涪陵新城区"
    assert row.cells[0] is None and row.cells[1].index == 25, "week 22: one project signed on its Sunday"
    assert row.cells[2] is shown.results[0]


# --- The command ------------------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("activity_index", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def parts(*scores_and_counts):
    return {part: {"count": count, "score": score} for part, (count, score) in zip(PARTS, scores_and_counts)}


def test_the_command_prints_the_contracted_json(world):
    out, _ = run("--year", "2021", "--week", "23", "--format", "json")
    zero = parts(*[(0, "0")] * 6)
    assert json.loads(out) == {
        "year": 2021,
        "week": 23,
        "start": "2021-06-07",
        "end": "2021-06-13",
        "units": [
            {
                "unit": "涪陵新城区", "kind": "park", "rank": 1, "index": "57.5",
                "parts": parts((2, "100"), (0, "0"), (1, "100"), (1, "50"), (1, "100"), (0, "0")),
            },
            {
                "unit": "李渡园区", "kind": "park", "rank": 2, "index": "52.5",
                "parts": parts((1, "50"), (1, "100"), (0, "0"), (2, "100"), (0, "0"), (0, "0")),
            },
            {"unit": "区商务委", "kind": "department", "rank": 1, "index": "0", "parts": zero},
            {"unit": "区交通局", "kind": "department", "rank": 1, "index": "0", "parts": zero},
        ],
    }  # fmt: skip
    assert not WeeklyIndex.objects.exists(), "computing is not storing"


def test_the_command_prints_a_table_by_default(world):
    out, _ = run("--year", "2021", "--week", "23")
    lines = out.splitlines()
    assert lines[0] == "2021年第23周（2021-06-07至2021-06-13）招商活跃指数"
    assert "【园区】" in lines and "【区级部门】" in lines
    assert any(line.startswith("1     涪陵新城区") and "57.50" in line for line in lines)


def test_the_command_stores_when_asked(world):
    _, err = run("--year", "2021", "--week", "23", "--store")
    assert "已保存2021年第23周的招商活跃指数（4个单位）" in err
    assert WeeklyIndex.objects.filter(year=2021, week=23).count() == 4


@pytest.mark.parametrize(
    "week, message", [("54", "2021年没有第54周"), ("x", "周次必须是整数，收到“x”"), ("", "周次必须是整数")]
)
def test_the_command_refuses_a_bad_week_in_chinese(rules, week, message):
    with pytest.raises(CommandError, match=message):
        run("--year", "2021", "--week", week)


def test_the_command_says_whose_weights_a_year_without_rules_borrows(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("activity_index", "--year", "2022", "--week", "1", "--format", "json", stdout=out, stderr=err)
    assert json.loads(out.getvalue())["week"] == 1
    assert "2022年尚未设置考核规则，各部分权重沿用2021年的规则。" in err.getvalue()


def test_the_command_says_when_the_year_has_no_rule_set(db):
    with pytest.raises(CommandError, match="2021年尚未设置考核规则"):
        run("--year", "2021", "--week", "23")


# --- The Monday job ---------------------------------------------------------------------------------


def test_the_job_runs_every_monday_at_two_in_shanghai():
    entry = settings.CELERY_BEAT_SCHEDULE["store-activity-index"]
    assert entry["task"] == "reports.store_activity_index"
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1} and schedule.hour == {2} and schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_the_job_stores_the_week_that_ended_in_shanghai(world, monkeypatch):
    # Sunday 18:30 in UTC is already Monday 02:30 in Shanghai: week 23 has ended.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2021, 6, 13, 18, 30, tzinfo=datetime.UTC))
    assert store_activity_index_task.delay().get() == {"year": 2021, "week": 23, "units": 4}
    assert stored_rows()["涪陵新城区"][:2] == (1, D("57.5"))


def test_the_job_weighs_a_new_year_by_the_latest_rules_until_its_own_are_set(world, monkeypatch):
    # Monday 10 January 2022 02:30 in Shanghai: 2022-W01 has ended, and 2022 has no rules yet.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2022, 1, 9, 18, 30, tzinfo=datetime.UTC))
    assert store_activity_index_task.delay().get() == {"year": 2022, "week": 1, "units": 4}
    assert set(WeeklyIndex.objects.values_list("rules_year", flat=True)) == {2021}


def test_the_job_leaves_a_year_without_rules_alone(db, monkeypatch, caplog):
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2021, 6, 14, 2, 0, tzinfo=datetime.UTC))
    assert store_activity_index_task.delay().get() is None
    assert "2021年第23周的招商活跃指数未计算" in caplog.text


# --- The dashboard's block --------------------------------------------------------------------------


def test_the_dashboard_block_names_last_weeks_first_and_last_units(world):
    ActivityFactory(unit=world["commerce"], kind=ActivityKind.EVENT, date=MONDAY)
    figures.store_week(W23)
    last = figures.last_week_top_bottom(today=datetime.date(2021, 6, 14))
    assert last.week == W23
    parks, departments = last.kinds
    assert [r.unit.name for r in parks.top] == ["涪陵新城区"] and [r.unit.name for r in parks.bottom] == ["李渡园区"]
    assert [r.unit.name for r in departments.top] == ["区商务委"] and [r.unit.name for r in departments.bottom] == ["区交通局"]


def test_the_dashboard_block_has_no_bottom_when_everyone_is_level(world):
    figures.store_week(W23)
    departments = figures.last_week_top_bottom(today=datetime.date(2021, 6, 20)).kinds[1]
    assert len(departments.top) == 2 and departments.bottom == []


def test_the_dashboard_block_is_empty_before_the_job_ran(world):
    assert figures.last_week_top_bottom(today=datetime.date(2021, 6, 14)).kinds == []
