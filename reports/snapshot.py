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

from figures import assessment
from figures.activity_index import activity_per_unit
from figures.explanation import rules_summary
from figures.groups import GroupTotals, group_totals
from figures.totals import KIND_LABELS, assessed_indicators, district_totals, five_year_progress, units_total
from groups.models import SpecialGroup
from leads.models import ActivityKind, LeadStage
from lib import codec, display
from projects.models import Project, counted_condition, tier_case
from targets import scoring
from targets.models import Organisation, UnitKind
from targets.target_table import target_tables

ZERO = Decimal(0)
SCHEMA = 1
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
    if data.get("schema") != SCHEMA:
        raise ValueError(f"通报快照版本 {data.get('schema')} 无法读取（本程序读取版本 {SCHEMA}）。")
    return codec.decode(Snapshot, data)
