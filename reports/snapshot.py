"""A bulletin's figures, computed once and frozen (the snapshot).

`take_snapshot` reads the database through the scoring engine's query layer and returns a
`Snapshot`: plain frozen dataclasses of Decimal, date, str and int. `to_json`/`from_json`
store it in the bulletin's row and read it back unchanged, so the PDF, the Excel workbook
and the web view of one bulletin all read the same numbers, whatever is edited later.

Nothing here rounds: the writers round for display (lib.display).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from figures import assessment
from figures import landing as landing_figures
from figures import signing_events as event_figures
from figures import supervision as supervision_figures
from figures.activity_index import activity_per_unit
from figures.explanation import rules_summary
from figures.groups import GroupTotals, group_totals
from figures.totals import KIND_LABELS, assessed_indicators, district_totals, five_year_progress, units_total
from groups.models import SpecialGroup
from leads.models import ActivityKind, LeadStage
from lib import codec, display
from lib.text import one_line
from projects.models import Project, counted_condition, tier_case
from targets import scoring
from targets.models import Organisation, UnitKind
from supervision.models import due_date
from targets.target_table import target_tables

ZERO = Decimal(0)
# 2: with the landing, signing-event, key-task and group-report sections. A snapshot of 1 reads
# back without them (their fields None).
SCHEMA = 2
READABLE_SCHEMAS = (1, 2)
# A group report's text in the bulletin: its first characters, the whole text is on its page.
REPORT_SUMMARY_LENGTH = 200
# The bulletin lists the quarter's projects of these tiers (the issue: 重大、较大项目).
LISTED_TIERS = (scoring.Tier.MAJOR, scoring.Tier.LARGE)


@dataclass(frozen=True)
class Cell:
    """One indicator of one unit (or a total): actual against target."""

    actual: Decimal
    target: Decimal | None  # None: not assessed
    rate: Decimal | None
    points: Decimal | None = None  # the score's term; None for totals and untargeted indicators

    def behind(self, time_progress: Decimal) -> bool:
        """Below time progress (序时进度); an indicator without a target is never behind."""
        return self.rate is not None and self.rate < time_progress


@dataclass(frozen=True)
class UnitRow:
    name: str
    rank: int | None
    score: Decimal | None
    cells: dict[str, Cell]  # by scoring.Indicator value, every indicator

    @property
    def overall_rate(self) -> Decimal | None:
        """综合完成率: the score ÷ 100, the weighted completion the rank reads."""
        return None if self.score is None else self.score / 100

    def behind(self, time_progress: Decimal) -> bool:
        return self.overall_rate is not None and self.overall_rate < time_progress


@dataclass(frozen=True)
class KindSection:
    """The parks' or the departments' table."""

    kind: str
    label: str
    indicators: list[str]  # the indicators some unit of the kind has a target for, in order
    rows: list[UnitRow]  # in ranking order
    total: dict[str, Cell]

    def indicator_labels(self) -> list[str]:
        return [scoring.Indicator(value).label for value in self.indicators]


@dataclass(frozen=True)
class SnapshotTotalRow:
    label: str
    is_count: bool
    parks: Cell
    departments: Cell
    district: Cell

    @property
    def cells(self) -> list[Cell]:
        return [self.parks, self.departments, self.district]


@dataclass(frozen=True)
class GroupRow:
    number: int
    name: str
    leader: str
    projects: int
    agreement_capital: Decimal
    arrived_capital: Decimal


@dataclass(frozen=True)
class ProjectRow:
    code: str
    name: str
    tier: str  # label, e.g. 重大项目
    lead_unit: str
    cooperating_units: str  # names joined by 、
    origin: str
    sector: str
    agreement_capital: Decimal
    expected_output: Decimal | None
    signed_on: datetime.date
    group: str


@dataclass(frozen=True)
class SnapshotGoalRow:
    label: str
    actual: Decimal
    target: Decimal | None
    rate: Decimal | None
    unit: str  # 亿元 or 个
    basis: str


@dataclass(frozen=True)
class FiveYearBlock:
    name: str
    start_year: int
    end_year: int
    progress: Decimal  # share of the five years elapsed
    rows: list[SnapshotGoalRow]


@dataclass(frozen=True)
class SnapshotTargetRow:
    unit: str
    values: list[Decimal | None]  # one per column of its table


@dataclass(frozen=True)
class TargetTable:
    """One kind's targets in 附件2's layout: 项目个数 columns, then 资金 columns."""

    title: str
    counts: list[str]  # labels
    money: list[str]
    rows: list[SnapshotTargetRow]
    total: list[Decimal | None]


@dataclass(frozen=True)
class ActivityRow:
    unit: str
    activities: list[int]  # one per kind of activity (ActivityBlock.activity_kinds)
    leads: list[int]  # one per stage (ActivityBlock.lead_stages)

    @property
    def activities_total(self) -> int:
        return sum(self.activities)

    @property
    def leads_total(self) -> int:
        return sum(self.leads)


@dataclass(frozen=True)
class ActivityBlock:
    """招商活动: the quarter's activities by kind per unit, and each unit's leads by stage as they
    stood when the bulletin was generated."""

    start: datetime.date  # the quarter itself, not year to date
    end: datetime.date
    activity_kinds: list[str]  # labels
    lead_stages: list[str]  # labels
    rows: list[ActivityRow]
    total: ActivityRow


@dataclass(frozen=True)
class LandingRow:
    """A unit's cohort (projects it leads signed in the year so far) at the quarter's end (domain.md §9)."""

    unit: str
    signed: int
    started: int
    start_rate: Decimal | None  # 开工率; None when nothing was signed
    producing: int
    produce_rate: Decimal | None  # 投产率
    overdue: int  # 超时限未开工


@dataclass(frozen=True)
class OverdueRow:
    """超时限未开工: past the start deadline at the quarter's end without a counted 开工."""

    unit: str
    code: str
    name: str
    signed_on: datetime.date
    deadline: datetime.date
    days_overdue: int


@dataclass(frozen=True)
class LandingBlock:
    """项目落地: each assessed unit's cohort figures (figures.landing) and the projects past their deadline."""

    as_of: datetime.date
    start_limit_days: int
    rows: list[LandingRow]  # parks, then departments
    total: LandingRow
    overdue: list[OverdueRow]  # by unit, then signing date: each unit's first OVERDUE_PER_UNIT
    listed_per_unit: int | None = None  # OVERDUE_PER_UNIT when generated (None: all); each row's `overdue` counts them all

    @property
    def shortened(self) -> bool:
        """Some unit has more projects past the deadline than the bulletin lists."""
        return self.listed_per_unit is not None and any(row.overdue > self.listed_per_unit for row in self.rows)

    @property
    def shortened_note(self) -> str:
        return f"各单位列出超期最久的{self.listed_per_unit}个项目，超期项目数见上表，全部项目见系统中的“落地跟踪”。" if self.shortened else ""


@dataclass(frozen=True)
class SigningEventRow:
    """One signing event's cohort at the quarter's end (figures.signing_events)."""

    name: str
    held_on: datetime.date
    organiser: str
    signed: int
    agreement_capital: Decimal  # the projects' own amounts, not weighted
    started: int
    start_rate: Decimal | None
    producing: int
    produce_rate: Decimal | None
    arrived_capital: Decimal  # verified arrivals up to the quarter's end


@dataclass(frozen=True)
class SigningEventBlock:
    """集中签约活动 held from 1 January to the quarter's end, oldest first."""

    as_of: datetime.date
    rows: list[SigningEventRow]


@dataclass(frozen=True)
class TaskColumn:
    number: int
    title: str


@dataclass(frozen=True)
class TaskCell:
    """A unit's report on a task: `colour` a key of figures.supervision.LEGEND ("" where the unit
    does not report on the task), `label` its short text as printed."""

    colour: str
    label: str
    late: bool = False


@dataclass(frozen=True)
class TaskMatrixRow:
    unit: str
    cells: list[TaskCell]  # one per task, in the block's order


@dataclass(frozen=True)
class TaskLegendEntry:
    colour: str
    label: str
    count: int


@dataclass(frozen=True)
class MissingTaskReport:
    """A report not filed (overdue, or not yet due) or returned for refiling when the bulletin was generated."""

    number: int
    title: str
    unit: str
    colour: str
    state: str  # its label, e.g. 逾期未报


@dataclass(frozen=True)
class KeyTaskBlock:
    """重点任务 (domain.md §12): the tasks × reporting units matrix of the quarter as it stood on the
    day the bulletin was generated, and the reports missing or returned."""

    due_on: datetime.date  # the quarter's reports are due by this day
    measured_on: datetime.date  # the bulletin's date: missing after due_on is overdue
    tasks: list[TaskColumn]
    rows: list[TaskMatrixRow]
    legend: list[TaskLegendEntry]
    missing: list[MissingTaskReport]  # in task order, then the units' order


@dataclass(frozen=True)
class GroupReportRow:
    """A special group's report of the quarter, with the figures it froze when submitted."""

    number: int
    group: str
    state: str  # a key of figures.supervision.GROUP_REPORT_STATES: submitted, late, overdue, waiting
    state_label: str  # 已报送, 已报送（迟报）, 逾期未报, 未报（未到期）
    submitted_by: str
    submitted_on: datetime.date | None
    quarter_projects: int
    quarter_capital: Decimal
    year_projects: int
    year_capital: Decimal
    arrived_capital: Decimal
    leads: int
    activities: int
    summary: str  # the text's beginning, on one line

    @property
    def filed(self) -> bool:
        return self.state in ("submitted", "late")


@dataclass(frozen=True)
class GroupReportBlock:
    """专项招商组季度报告 of the bulletin's quarter (Q4 for the year-end assessment)."""

    quarter: int
    due_on: datetime.date
    rows: list[GroupReportRow]

    @property
    def filed(self) -> int:
        return sum(1 for row in self.rows if row.filed)


@dataclass(frozen=True)
class Snapshot:
    year: int
    quarter: int
    issuer: str
    issued_on: datetime.date
    as_of: datetime.date  # the period's last day
    time_progress: Decimal
    summary: list[str]  # paragraphs, stored as written so the text never changes either
    totals: list[SnapshotTotalRow]
    sections: list[KindSection]
    groups: list[GroupRow]
    projects: list[ProjectRow]  # major and large projects signed in the quarter itself
    five_year: FiveYearBlock | None
    five_year_note: str
    target_tables: list[TargetTable]
    rules_summary: str
    # The organisation's names when the bulletin was generated (targets.models.Organisation),
    # so a frozen bulletin reads as it did. Snapshots older than these fields got them from
    # their issuer (reports migration 0002).
    district: str = ""
    system_title: str = ""
    schema: int = SCHEMA
    # Bulletins generated before the 招商活动 section have none (and show none).
    activities: ActivityBlock | None = None
    # Bulletins generated before these sections (schema 1) have none.
    landing: LandingBlock | None = None
    signing_events: SigningEventBlock | None = None
    key_tasks: KeyTaskBlock | None = None
    group_reports: GroupReportBlock | None = None

    @property
    def predates_landing_sections(self) -> bool:
        """Generated before 项目落地, 集中签约活动, 重点任务 and the groups' reports joined the bulletin."""
        return self.landing is None

    @property
    def annual(self) -> bool:
        """Q4 is the year-end assessment (年考核); Q1–Q3 are quarterly bulletins (季通报)."""
        return self.quarter == 4

    @property
    def title(self) -> str:
        return bulletin_title(self.district, self.year, self.quarter)

    @property
    def quarter_start(self) -> datetime.date:
        return quarter_start(self.year, self.quarter)

    @property
    def groups_total(self) -> GroupRow:
        return GroupRow(
            0,
            "合计",
            "",
            sum(r.projects for r in self.groups),
            sum((r.agreement_capital for r in self.groups), ZERO),
            sum((r.arrived_capital for r in self.groups), ZERO),
        )


def quarter_start(year: int, quarter: int) -> datetime.date:
    """The first day of the quarter itself (the period is year to date)."""
    return datetime.date(year, quarter * 3 - 2, 1)


def bulletin_title(district: str, year: int, quarter: int) -> str:
    if quarter == 4:
        return f"{district}招商引资工作{year}年度考核通报"
    return f"{district}招商引资工作{year}年第{quarter}季度通报"


# --- Taking the snapshot -----------------------------------------------------------------


def take_snapshot(*, period: scoring.Period, issued_on: datetime.date) -> Snapshot:
    """Every figure of the period's bulletin (raises assessment.NoRuleSet). A constant number
    of queries, whatever the number of projects (tests pin it)."""
    rules = assessment.rules_for(period.year)
    results = assessment.assess(period)
    time_progress = period.time_progress
    totals, sections = ranking_tables(results, time_progress)
    groups = _groups(period, rules)
    five_year, note = five_year_progress(period=period)
    projects = _listed_projects(period, rules)
    organisation = Organisation.current()
    return Snapshot(
        year=period.year,
        quarter=period.quarter,
        issuer=organisation.issuer,
        district=organisation.district,
        system_title=organisation.system_title,
        issued_on=issued_on,
        as_of=period.end,
        time_progress=time_progress,
        summary=summary(period=period, totals=totals, sections=sections, quarter_projects=len(projects)),
        totals=totals,
        sections=sections,
        groups=groups,
        projects=projects,
        five_year=_five_year(five_year) if five_year else None,
        five_year_note=note,
        target_tables=[_target_table(table) for table in target_tables(period.year)],
        rules_summary=rules_summary(rules),
        activities=_activities(period),
        landing=_landing(period),
        signing_events=_signing_events(period),
        key_tasks=_key_tasks(period, issued_on),
        group_reports=_group_reports(period, issued_on),
    )


def ranking_tables(results: list[scoring.UnitResult], time_progress: Decimal) -> tuple[list[SnapshotTotalRow], list[KindSection]]:
    """The district totals and each kind's ranking, as the dashboard shows them (figures.totals)."""
    sections = [_section(results, kind, time_progress) for kind in (UnitKind.PARK, UnitKind.DEPARTMENT)]
    totals = [
        SnapshotTotalRow(row.indicator.label, row.indicator.is_count, *(_cell_of_figure(f) for f in row.figures))
        for row in district_totals(results, time_progress)
    ]
    return totals, sections


def _cell(item: scoring.IndicatorResult) -> Cell:
    return Cell(item.actual, item.target, item.rate, item.points)


def _cell_of_figure(figure) -> Cell:
    return Cell(figure.actual, figure.target, figure.rate)


def _section(results: list[scoring.UnitResult], kind: str, time_progress: Decimal) -> KindSection:
    same_kind = [r for r in results if r.unit.kind == kind]
    shown = [i.value for i in assessed_indicators(same_kind)]
    rows = [UnitRow(r.unit.name, r.rank, r.score, {i.value: _cell(r.indicators[i]) for i in scoring.Indicator}) for r in same_kind]
    total = {i.value: _cell_of_figure(units_total(i, same_kind, time_progress)) for i in scoring.Indicator}
    return KindSection(kind, KIND_LABELS[kind], shown, rows, total)


def _groups(period: scoring.Period, rules: scoring.Rules) -> list[GroupRow]:
    """Each group's counted projects and money, unweighted (figures.groups): 3 queries."""
    totals = group_totals(period=period, rules=rules)
    return [
        GroupRow(group.number, group.name, group.leader.name, *_totals(totals.get(group.pk, GroupTotals())))
        for group in SpecialGroup.objects.select_related("leader").order_by("number")
    ]


def _totals(totals: GroupTotals) -> tuple[int, Decimal, Decimal]:
    return totals.projects, totals.agreement_capital, totals.arrived_capital


def _listed_projects(period: scoring.Period, rules: scoring.Rules) -> list[ProjectRow]:
    """Counted major and large projects signed in the quarter itself (not year to date): 2 queries."""
    first_day = quarter_start(period.year, period.quarter)
    projects = (
        Project.objects.filter(counted_condition(rules, period.end), signed_on__range=(first_day, period.end))
        .annotate(tier=tier_case(rules))
        .filter(tier__in=[t.value for t in LISTED_TIERS])
        .select_related("lead_unit", "group")
        .prefetch_related("cooperations__unit")
    )
    order = {tier.value: index for index, tier in enumerate(LISTED_TIERS)}
    rows = sorted(projects, key=lambda p: (order[p.tier], -p.agreement_capital, p.signed_on, p.code))
    return [
        ProjectRow(
            code=p.code,
            name=p.name,
            tier=scoring.Tier(p.tier).label,
            lead_unit=p.lead_unit.name,
            cooperating_units="、".join(c.unit.name for c in sorted(p.cooperations.all(), key=lambda c: c.pk)),
            origin=p.get_origin_display(),
            sector=p.get_sector_display(),
            agreement_capital=p.agreement_capital,
            expected_output=p.expected_output,
            signed_on=p.signed_on,
            group=p.group.name if p.group else "",
        )
        for p in rows
    ]


def _activities(period: scoring.Period) -> ActivityBlock:
    """The quarter's activities per unit and kind, the leads per unit and stage (3 queries)."""
    start = quarter_start(period.year, period.quarter)
    rows = [
        ActivityRow(item.unit.name, [item.activities[k.value] for k in ActivityKind], [item.leads[s.value] for s in LeadStage])
        for item in activity_per_unit(start=start, end=period.end)
    ]
    total = ActivityRow(
        "合计",
        [sum(column) for column in zip(*(row.activities for row in rows))] or [0] * len(ActivityKind),
        [sum(column) for column in zip(*(row.leads for row in rows))] or [0] * len(LeadStage),
    )
    return ActivityBlock(start, period.end, [k.label for k in ActivityKind], [s.label for s in LeadStage], rows, total)


# A bulletin lists each unit's longest overdue projects, this many at most; 落地跟踪 lists them all.
OVERDUE_PER_UNIT = 20


def _landing(period: scoring.Period) -> LandingBlock:
    """The assessed units' cohorts at the quarter's end and the projects past their start deadline
    (figures.landing, as `manage.py landing` gives them): 4 queries."""
    figures = landing_figures.landing(period, overdue_per_unit=OVERDUE_PER_UNIT)

    def row(name: str, item: landing_figures.UnitLanding) -> LandingRow:
        return LandingRow(name, item.signed, item.started, item.start_rate, item.producing, item.produce_rate, item.overdue_count)

    overdue = [
        OverdueRow(item.unit.name, p.code, p.name, p.signed_on, p.deadline, p.days_overdue) for item in figures.units for p in item.overdue
    ]
    return LandingBlock(
        as_of=figures.as_of,
        start_limit_days=figures.rules.start_limit_days,
        rows=[row(item.unit.name, item) for item in figures.units],
        total=row("合计", figures.district),
        overdue=overdue,
        listed_per_unit=OVERDUE_PER_UNIT,
    )


def _signing_events(period: scoring.Period) -> SigningEventBlock:
    """The events held from 1 January to the quarter's end, each cohort measured at the quarter's end
    (figures.signing_events): 2 queries."""
    rules = event_figures.cohort_rules(period.year)
    held = [item for item in event_figures.events_of_year(period.year, rules, period.end) if item.event.date <= period.end]
    rows = [
        SigningEventRow(
            name=item.event.name,
            held_on=item.event.date,
            organiser=item.event.organiser.name,
            signed=item.today.signed,
            agreement_capital=item.today.agreement_capital,
            started=item.today.started,
            start_rate=item.today.started_rate,
            producing=item.today.producing,
            produce_rate=item.today.producing_rate,
            arrived_capital=item.today.arrived_capital,
        )
        for item in reversed(held)  # events_of_year lists the latest first
    ]
    return SigningEventBlock(period.end, rows)


# What the bulletin lists under the matrix: reports missing, or returned and not yet filed again.
MISSING_COLOURS = ("overdue", "waiting", "returned")


def _key_tasks(period: scoring.Period, issued_on: datetime.date) -> KeyTaskBlock:
    """The quarter's tasks × units matrix as it stands on the bulletin's date (figures.supervision):
    4 queries."""
    matrix = supervision_figures.task_matrix(year=period.year, quarter=period.quarter, today=issued_on)
    tasks = [TaskColumn(task.number, task.title) for task in matrix.tasks]
    rows = [
        TaskMatrixRow(row.unit.name, [TaskCell(cell.colour, cell.short, cell.late) for cell in row.cells]) for row in matrix.rows
    ]
    missing = [
        MissingTaskReport(task.number, task.title, row.unit.name, row.cells[index].colour, row.cells[index].label)
        for index, task in enumerate(matrix.tasks)
        for row in matrix.rows
        if row.cells[index].colour in MISSING_COLOURS
    ]
    legend = [TaskLegendEntry(colour, label, count) for colour, label, count in matrix.legend]
    return KeyTaskBlock(matrix.due_on, issued_on, tasks, rows, legend, missing)


def _group_reports(period: scoring.Period, issued_on: datetime.date) -> GroupReportBlock:
    """Each special group's report of the quarter with the figures it froze (supervision.GroupReport): 2 queries."""
    rows = []
    for group, item in supervision_figures.group_reports_of_quarter(year=period.year, quarter=period.quarter, today=issued_on):
        report = item.report
        if report is None:
            rows.append(GroupReportRow(group.number, group.name, item.state, item.label, "", None, 0, ZERO, 0, ZERO, ZERO, 0, 0, ""))
            continue
        figures = supervision_figures.GroupFigures.from_json(report.figures)
        user = report.submitted_by
        rows.append(
            GroupReportRow(
                number=group.number,
                group=group.name,
                state=item.state,
                state_label=item.label,
                submitted_by=(user.get_full_name() or user.get_username()) if user else "",
                submitted_on=timezone.localdate(report.submitted_at),
                quarter_projects=figures.quarter_projects.count,
                quarter_capital=figures.quarter_projects.agreement_capital,
                year_projects=figures.year_projects.count,
                year_capital=figures.year_projects.agreement_capital,
                arrived_capital=figures.arrived_capital,
                leads=sum(figures.leads.values()),
                activities=sum(figures.activities.values()),
                summary=_summary_of(report.text),
            )
        )
    return GroupReportBlock(period.quarter, due_date(period.year, period.quarter), rows)


def _summary_of(text: str) -> str:
    line = one_line(text)
    return line if len(line) <= REPORT_SUMMARY_LENGTH else line[:REPORT_SUMMARY_LENGTH] + "…"


def _five_year(block) -> FiveYearBlock:
    goal = block.goal
    rows = [
        SnapshotGoalRow(row.figure.label, row.figure.actual, row.figure.target, row.figure.rate, row.unit, row.basis)
        for row in block.rows
    ]
    return FiveYearBlock(goal.name, goal.start_year, goal.end_year, block.progress, rows)


def _target_table(table) -> TargetTable:
    return TargetTable(
        title=table.title,
        counts=[i.label for i in table.counts],
        money=[i.label for i in table.money],
        rows=[SnapshotTargetRow(row.unit.name, row.values) for row in table.rows],
        total=table.total_values,
    )


# --- The summary paragraph ---------------------------------------------------------------


def summary(*, period: scoring.Period, totals: list[SnapshotTotalRow], sections: list[KindSection], quarter_projects: int) -> list[str]:
    """The bulletin's opening paragraphs, written from the figures (domain.md §4–§5)."""
    time_progress = period.time_progress
    by_label = {row.label: row.district for row in totals}
    agreement, arrived = by_label[scoring.Indicator.AGREEMENT_CAPITAL.label], by_label[scoring.Indicator.ARRIVED_CAPITAL.label]
    end = period.end
    span = "全年" if period.quarter == 4 else f"1—{end.month}月"
    first = (
        f"{period.year}年{span}，全区招商引资签约项目协议资金（按项目来源和联合招商折算，下同）"
        f"{display.money(agreement.actual)}亿元，{_against(agreement, time_progress)}；"
        f"到位资金{display.money(arrived.actual)}亿元，{_against(arrived, time_progress)}。"
        f"签约重大项目{display.count(by_label[scoring.Indicator.MAJOR_PROJECTS.label].actual)}个、"
        f"较大项目{display.count(by_label[scoring.Indicator.LARGE_PROJECTS.label].actual)}个、"
        f"重点项目{display.count(by_label[scoring.Indicator.KEY_PROJECTS.label].actual)}个；"
        f"其中第{period.quarter}季度签约重大、较大项目{quarter_projects}个。"
    )
    paragraphs = [first]
    for section in sections:
        ahead = [row.name for row in section.rows if row.overall_rate is not None and not row.behind(time_progress)]
        behind = [row.name for row in section.rows if row.behind(time_progress)]
        text = f"{section.label}中，"
        text += f"{'、'.join(ahead)}达到序时进度" if ahead else "没有单位达到序时进度"
        text += f"；{'、'.join(behind)}落后序时进度。" if behind else "；没有单位落后序时进度。"
        paragraphs.append(text)
    paragraphs.append(
        f"序时进度为{display.rate(time_progress)}（第{period.quarter}季度 ÷ 4）；单位“达到”或“落后”序时进度，"
        "按综合完成率（得分 ÷ 100，即各指标完成率的加权平均，单项计至上限）与序时进度比较。"
    )
    return paragraphs


def _against(cell: Cell, time_progress: Decimal) -> str:
    if cell.target is None:
        return "未设年度目标"
    state = "达到序时进度" if not cell.behind(time_progress) else "落后序时进度"
    return f"完成年度目标{display.money(cell.target)}亿元的{display.rate(cell.rate)}，{state}"


# --- JSON: stored in the bulletin's row ------------------------------------------------------


def to_json(snapshot: Snapshot) -> dict:
    return codec.encode(snapshot)


def from_json(data: dict) -> Snapshot:
    if data.get("schema") not in READABLE_SCHEMAS:
        readable = "、".join(str(schema) for schema in READABLE_SCHEMAS)
        raise ValueError(f"通报快照版本 {data.get('schema')} 无法读取（本程序读取版本 {readable}）。")
    return codec.decode(Snapshot, data)
