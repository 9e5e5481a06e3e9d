"""The bulletin's snapshot: what take_snapshot reads, and its JSON round trip."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from access.roles import Role
from figures.supervision import GroupFigures, ProjectFigures
from groups.models import SpecialGroup
from landing.models import MilestoneKind
from leads.models import ActivityKind, LeadStage
from projects.models import Status
from reports.snapshot import from_json, take_snapshot, to_json
from supervision.models import GroupReport, KeyTask
from targets.models import Unit
from targets.scoring import Indicator, Period
from tests.factories import (
    ActivityFactory,
    ArrivalFactory,
    LeadFactory,
    MilestoneFactory,
    ProjectFactory,
    SigningEventFactory,
    SigningEventProjectFactory,
    TaskReportFactory,
    UnitFactory,
    domain_example,
    user_with_role,
)

D = Decimal
I = Indicator
Q2 = Period(2021, 2)
TODAY = datetime.date(2021, 7, 5)


def unit(name):
    return Unit.objects.get(name=name)


@pytest.fixture
def projects(fuling_2021):
    """domain.md §6 (its arrival in Q2), and a submitted project that counts nowhere."""
    domain_example(arrived_on=datetime.date(2021, 4, 15))
    ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("50"), status=Status.SUBMITTED)


def test_the_json_round_trip_gives_back_the_same_snapshot(projects):
    snapshot = take_snapshot(period=Q2, issued_on=TODAY)
    stored = json.loads(json.dumps(to_json(snapshot)))
    assert from_json(stored) == snapshot
    assert stored["sections"][0]["rows"][0]["cells"]["agreement_capital"]["actual"] == str(
        snapshot.sections[0].rows[0].cells["agreement_capital"].actual
    )


def test_a_snapshot_of_another_schema_is_refused(projects):
    stored = to_json(take_snapshot(period=Q2, issued_on=TODAY))
    stored["schema"] = 99
    with pytest.raises(ValueError, match="版本 99"):
        from_json(stored)


def test_the_district_totals_and_the_sections_add_up(projects):
    snapshot = take_snapshot(period=Q2, issued_on=TODAY)
    by_label = {row.label: row for row in snapshot.totals}
    agreement = by_label["协议资金"]
    assert agreement.district.actual == D("25") + D("1.92") + D("0.48")
    assert agreement.district.target == 680
    parks, departments = snapshot.sections
    assert parks.total["agreement_capital"].actual == agreement.parks.actual == D("26.92")
    assert departments.total["agreement_capital"].actual == D("0.48")
    assert "non_industrial_agreement_capital" not in departments.indicators  # no department has that target


def test_the_summary_gives_the_district_figures_and_who_is_ahead_and_behind(projects):
    text = take_snapshot(period=Q2, issued_on=TODAY).summary
    assert text[0].startswith("2021年1—6月，全区招商引资签约项目协议资金（按项目来源和联合招商折算，下同）27.40亿元，")
    assert "完成年度目标680.00亿元的4.03%，落后序时进度" in text[0]
    assert "签约重大项目1个、较大项目1个、重点项目0个；其中第2季度签约重大、较大项目1个。" in text[0]
    assert text[1].startswith("园区中，没有单位达到序时进度；") and "涪陵新城区" in text[1]


def test_a_unit_ahead_of_time_progress_is_named_as_such(projects):
    ProjectFactory(lead_unit=unit("清溪园区"), agreement_capital=D("30"), signed_on=datetime.date(2021, 4, 1))
    ProjectFactory(lead_unit=unit("清溪园区"), agreement_capital=D("10"), signed_on=datetime.date(2021, 4, 2))
    ArrivalFactory(project=ProjectFactory(lead_unit=unit("清溪园区"), agreement_capital=D("1"), signed_on=datetime.date(2021, 4, 3)), amount=D("7"))
    snapshot = take_snapshot(period=Q2, issued_on=TODAY)
    parks = snapshot.sections[0]
    qingxi = next(row for row in parks.rows if row.name == "清溪园区")
    assert qingxi.rank == 1 and not qingxi.behind(snapshot.time_progress)
    assert snapshot.summary[1].startswith("园区中，清溪园区达到序时进度；")


# 19, and the organisation whose names the snapshot keeps; 招商活动: units, activities, leads (3);
# 项目落地: rule sets, units, counts, overdue projects (4); 集中签约活动: rules, events (2);
# 重点任务: tasks, their lead and responsible units, reports (4); groups' reports: reports, groups (2)
SNAPSHOT_QUERIES = 35


def test_taking_a_snapshot_reads_a_constant_number_of_queries(projects, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        take_snapshot(period=Q2, issued_on=TODAY)
    for n in range(20):
        ProjectFactory(
            lead_unit=unit("涪陵综保区"), cooperating=[unit("区商务委"), unit("区交通局")], agreement_capital=D("30"),
            signed_on=datetime.date(2021, 5, 1),
        )  # fmt: skip
        ActivityFactory(unit=unit("区商务委"), kind=list(ActivityKind)[n % 6], date=datetime.date(2021, 5, 1 + n))
        LeadFactory(owner_unit=unit("涪陵综保区"), stage=LeadStage.NEGOTIATING)
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        take_snapshot(period=Q2, issued_on=TODAY)


def test_the_landing_and_supervision_sections_read_a_constant_number_of_queries(projects, django_assert_num_queries):
    q3, issued = Period(2021, 3), datetime.date(2021, 10, 8)
    # A major project of the quarter: the listed projects read their units (2 queries) only when there are some.
    ProjectFactory(lead_unit=unit("白涛园区"), cooperating=[unit("区商务委")], agreement_capital=D("25"), signed_on=datetime.date(2021, 7, 15))
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        before = take_snapshot(period=q3, issued_on=issued)
    commerce = unit("区商务委")
    event = SigningEventFactory(date=datetime.date(2021, 7, 1), organiser=commerce)
    for n in range(12):
        signed_on = datetime.date(2021, 1 + n % 3, 1 + n)
        overdue = ProjectFactory(lead_unit=unit(["白涛园区", "清溪园区", "区商务委"][n % 3]), signed_on=signed_on)  # past the deadline
        started = ProjectFactory(lead_unit=unit("涪陵综保区"), signed_on=signed_on)
        MilestoneFactory(project=started, actual_on=datetime.date(2021, 8, 1))
        MilestoneFactory(project=started, kind=MilestoneKind.PRODUCING, actual_on=datetime.date(2021, 9, 1))
        link = SigningEventProjectFactory(event=SigningEventFactory(date=datetime.date(2021, 7, 1 + n), organiser=commerce))
        ArrivalFactory(project=link.project, arrived_on=datetime.date(2021, 9, 1))
    for task in KeyTask.objects.filter(year=2021).with_units()[:6]:
        for reporting in task.reporting_units()[:3]:
            TaskReportFactory(task=task, unit=reporting, quarter=3, state="returned" if task.number % 2 else "submitted")
    submitter = user_with_role(Role.STAFF, commerce, username="zubaosong")
    figures = GroupFigures(datetime.date(2021, 10, 3), ProjectFigures(1, D("2")), ProjectFigures(2, D("3")), D("1"), {}, {}).as_json()
    for group in SpecialGroup.objects.all():
        GroupReport.objects.create(
            group=group, year=2021, quarter=3, text="本季度工作", figures=figures, submitted_by=submitter, submitted_at=timezone.now()
        )
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        snapshot = take_snapshot(period=q3, issued_on=issued)
    assert len(snapshot.landing.overdue) == len(before.landing.overdue) + 12 and len(snapshot.signing_events.rows) == 13
    assert sum(row.signed for row in snapshot.signing_events.rows) == 12
    assert snapshot.group_reports.filed == SpecialGroup.objects.count()
    assert {entry.colour: entry.count for entry in snapshot.key_tasks.legend}["returned"] > 0


# --- 招商活动 ----------------------------------------------------------------------------------------


def test_the_activity_section_counts_the_quarters_activities_by_kind_and_the_leads_by_stage(projects):
    xincheng, commerce = unit("涪陵新城区"), unit("区商务委")
    ActivityFactory(unit=xincheng, kind=ActivityKind.VISIT_OUT, date=datetime.date(2021, 4, 1))
    ActivityFactory(unit=xincheng, kind=ActivityKind.TALKS, date=datetime.date(2021, 6, 30))
    ActivityFactory(unit=xincheng, kind=ActivityKind.TALKS, date=datetime.date(2021, 6, 30))
    ActivityFactory(unit=xincheng, kind=ActivityKind.EVENT, date=datetime.date(2021, 3, 31))  # Q1
    ActivityFactory(unit=xincheng, kind=ActivityKind.EVENT, date=datetime.date(2021, 7, 1))  # Q3
    LeadFactory(owner_unit=commerce, stage=LeadStage.CLUE)
    LeadFactory(owner_unit=commerce, stage=LeadStage.PAUSED, resume_on=datetime.date(2021, 9, 1))
    other = UnitFactory(name="区外办", kind="other")
    ActivityFactory(unit=other, kind=ActivityKind.PUBLICITY, date=datetime.date(2021, 5, 5))
    UnitFactory(name="闲置单位", kind="other")
    block = take_snapshot(period=Q2, issued_on=TODAY).activities
    assert (block.start, block.end) == (datetime.date(2021, 4, 1), datetime.date(2021, 6, 30))
    assert block.activity_kinds == ["外出拜访", "企业来访", "招商活动", "洽谈", "考察", "新闻宣传"]
    assert block.lead_stages == ["线索", "接洽", "洽谈", "拟签约", "已签约", "暂缓", "终止"]
    rows = {row.unit: row for row in block.rows}
    assert rows["涪陵新城区"].activities == [1, 0, 0, 2, 0, 0] and rows["涪陵新城区"].activities_total == 3
    assert rows["区商务委"].leads == [1, 0, 0, 0, 0, 1, 0]
    assert rows["区外办"].activities == [0, 0, 0, 0, 0, 1], "a unit outside the assessment that did something"
    assert "闲置单位" not in rows
    assert len(block.rows) == Unit.objects.assessed().count() + 1
    assert block.total.activities == [1, 0, 0, 2, 0, 1] and block.total.leads_total == 2
    assert [row.unit for row in block.rows][-1] == "区外办", "parks, departments, then the others"


def test_a_snapshot_stored_before_the_activity_section_reads_back_without_it(projects):
    stored = to_json(take_snapshot(period=Q2, issued_on=TODAY))
    del stored["activities"]
    assert from_json(stored).activities is None
