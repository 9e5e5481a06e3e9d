"""What the supervision pages compute (domain.md §12): the tasks × units matrix of a quarter,
the special groups' reports of a year, and the figures a group's report freezes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from groups.models import SpecialGroup
from leads.models import Activity, ActivityKind, Lead, LeadStage
from lib import codec
from lib.sql import exact_sum, from_ten_thousandths
from projects.models import Project
from supervision.models import GroupReport, KeyTask, ReportState, TaskReport, due_date, quarter_start
from targets import scoring
from targets.models import UnitKind

from .groups import GroupTotals, counted, group_totals

# --- The tasks × units matrix ------------------------------------------------------------------

# A cell's colour (the CSS class `cell-<colour>`) and what the legend says of it.
LEGEND = {
    "on_track": "正常推进",
    "behind": "滞后",
    "done": "已完成",
    "returned": "已退回，待重报",
    "overdue": "逾期未报",
    "waiting": "未报（未到期）",
}
SHORT = {"on_track": "正常", "behind": "滞后", "done": "完成", "returned": "退回", "overdue": "逾期", "waiting": "未报"}
UNIT_ORDER = (UnitKind.PARK, UnitKind.DEPARTMENT, UnitKind.OTHER)


@dataclass(frozen=True)
class Cell:
    colour: str  # a key of LEGEND; "" where the unit does not report on the task
    report_id: int | None = None
    late: bool = False  # filed after the due date

    @property
    def label(self) -> str:
        return LEGEND.get(self.colour, "")

    @property
    def short(self) -> str:
        return SHORT.get(self.colour, "")


@dataclass(frozen=True)
class MatrixRow:
    unit: object  # targets.models.Unit
    cells: list[Cell]


@dataclass(frozen=True)
class TaskMatrix:
    year: int
    quarter: int
    due_on: datetime.date
    tasks: list[KeyTask]
    rows: list[MatrixRow]
    counts: dict[str, int] = field(default_factory=dict)  # colour → cells

    @property
    def legend(self) -> list[tuple[str, str, int]]:
        return [(colour, label, self.counts.get(colour, 0)) for colour, label in LEGEND.items()]


def cell_of(report: TaskReport | None, *, overdue: bool) -> Cell:
    """A reporting unit's cell: the status of its filed report, returned, or missing (red once the
    due date has passed; a row the daily job wrote is still missing)."""
    if report is None or report.state == ReportState.DUE:
        return Cell("overdue" if overdue else "waiting", report.pk if report else None)
    if report.state == ReportState.RETURNED:
        return Cell("returned", report.pk, report.is_late)
    return Cell(report.status, report.pk, report.is_late)


def task_matrix(*, year: int, quarter: int, today: datetime.date) -> TaskMatrix:
    """Every unit that reports on a task of `year` (parks, departments, then the others) against
    the tasks, for the quarter: 4 queries whatever the number of reports."""
    tasks = list(KeyTask.objects.filter(year=year).with_units())
    reports = {
        (report.task_id, report.unit_id): report
        for report in TaskReport.objects.of_quarter(year, quarter).only(
            "task_id", "unit_id", "year", "quarter", "state", "status", "first_submitted_at"
        )
    }
    reporting = {task.pk: task.reporting_unit_ids() for task in tasks}
    units = {unit.pk: unit for task in tasks for unit in task.reporting_units()}
    ordered = sorted(units.values(), key=lambda u: (UNIT_ORDER.index(u.kind), u.sort_order, u.name))
    due_on = due_date(year, quarter)
    overdue = today > due_on
    rows, counts = [], {}
    for unit in ordered:
        cells = [
            cell_of(reports.get((task.pk, unit.pk)), overdue=overdue) if unit.pk in reporting[task.pk] else Cell("")
            for task in tasks
        ]
        for cell in cells:
            if cell.colour:
                counts[cell.colour] = counts.get(cell.colour, 0) + 1
        rows.append(MatrixRow(unit, cells))
    return TaskMatrix(year, quarter, due_on, tasks, rows, counts)


# --- A special group's figures, frozen with its report -------------------------------------------


@dataclass(frozen=True)
class ProjectFigures:
    count: int = 0
    agreement_capital: Decimal = Decimal(0)


@dataclass(frozen=True)
class GroupFigures:
    """What a group's report attaches: its counted projects signed in the quarter's three months
    and in the year to the quarter's end (their own, unweighted amounts, as figures/groups.py
    counts them), the capital arrived in the year so far, its leads by stage on the day of
    submission, and the activities on its leads dated in the quarter."""

    as_of: datetime.date
    quarter_projects: ProjectFigures
    year_projects: ProjectFigures
    arrived_capital: Decimal
    leads: dict[str, int]  # LeadStage value → leads
    activities: dict[str, int]  # ActivityKind value → activities

    def lead_rows(self) -> list[tuple[str, int]]:
        return [(stage.label, self.leads.get(stage.value, 0)) for stage in LeadStage]

    def activity_rows(self) -> list[tuple[str, int]]:
        return [(kind.label, self.activities.get(kind.value, 0)) for kind in ActivityKind]

    def as_json(self) -> dict:
        return codec.encode(self)

    @classmethod
    def from_json(cls, data: dict) -> "GroupFigures":
        return codec.decode(cls, data)


def group_figures(
    group: SpecialGroup, *, year: int, quarter: int, rules: scoring.Rules | None, today: datetime.date
) -> GroupFigures:
    """The group's figures for the quarter as they stand `today`: 5 queries."""
    period = scoring.Period(year, quarter)
    start = quarter_start(year, quarter)
    in_quarter = Q(signed_on__gte=start)
    signed = Project.objects.filter(counted(rules, period.end), group=group, signed_on__range=(period.start, period.end)).aggregate(
        year_count=Count("pk"),
        year_money=exact_sum("agreement_capital"),
        quarter_count=Count("pk", filter=in_quarter),
        quarter_money=exact_sum("agreement_capital", in_quarter),
    )
    year_to_date = group_totals(period=period, rules=rules).get(group.pk, GroupTotals())
    activities = (
        Activity.objects.filter(lead__group=group, date__range=(start, period.end))
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    return GroupFigures(
        as_of=today,
        quarter_projects=ProjectFigures(signed["quarter_count"], from_ten_thousandths(signed["quarter_money"])),
        year_projects=ProjectFigures(signed["year_count"], from_ten_thousandths(signed["year_money"])),
        arrived_capital=year_to_date.arrived_capital,
        leads=Lead.objects.filter(group=group).count_per_stage(),
        activities=dict(activities),
    )


# --- The groups' reports of a year ------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterReport:
    quarter: int
    report: GroupReport | None
    state: str  # submitted, late, overdue, waiting, future

    @property
    def label(self) -> str:
        return GROUP_REPORT_STATES[self.state]


GROUP_REPORT_STATES = {
    "submitted": "已报送",
    "late": "已报送（迟报）",
    "overdue": "逾期未报",
    "waiting": "未报（未到期）",
    "future": "季度未开始",
}


def group_report_state(report: GroupReport | None, *, year: int, quarter: int, today: datetime.date) -> str:
    if report is not None:
        return "late" if timezone.localdate(report.submitted_at) > due_date(year, quarter) else "submitted"
    if quarter_start(year, quarter) > today:
        return "future"
    return "overdue" if today > due_date(year, quarter) else "waiting"


def group_reports_of_year(*, year: int, today: datetime.date) -> list[tuple[SpecialGroup, list[QuarterReport]]]:
    """Each group with its four quarters' reports and their state: 4 queries."""
    reports = {(r.group_id, r.quarter): r for r in GroupReport.objects.filter(year=year).defer("text")}
    return [
        (
            group,
            [
                QuarterReport(q, reports.get((group.pk, q)), group_report_state(reports.get((group.pk, q)), year=year, quarter=q, today=today))
                for q in (1, 2, 3, 4)
            ],
        )
        for group in SpecialGroup.objects.with_people()
    ]


def group_reports_of_quarter(*, year: int, quarter: int, today: datetime.date) -> list[tuple[SpecialGroup, QuarterReport]]:
    """Each group, in its order, with its report of the quarter (its text and who submitted it)
    and the report's state on `today`: 2 queries."""
    reports = {
        report.group_id: report
        for report in GroupReport.objects.filter(year=year, quarter=quarter).select_related("submitted_by")
    }
    return [
        (group, QuarterReport(quarter, reports.get(group.pk), group_report_state(reports.get(group.pk), year=year, quarter=quarter, today=today)))
        for group in SpecialGroup.objects.order_by("number")
    ]
