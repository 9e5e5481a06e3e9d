"""Labelled demo reports (演示数据) on the key tasks and from two special groups, so the tasks ×
units matrix, a unit's reports and the groups' reports show something on first start.

Loaded after the demo projects and pipeline (projects/demo.py, leads/demo.py) by
`bootstrap --demo` only, for the quarters of the demo year whose due date has passed by `today`.
Every report's text starts with 【演示】, so none can be mistaken for a real one and
`remove_demo_reports` finds all of them.

Each report is written through supervision.services, as a unit's page writes it: checked
(full_clean: a reporting unit, the required fields), its history recorded with its author, a
group's figures computed by `figures_of` (the command hands in figures.supervision's, as the
report's page does: this layer computes no figures) and frozen by the service. The services stamp
each filing and return with the present moment; a demo filed years after its quarter would
show every report as 迟报, so each moment is then moved back (Backdating), in the report and in
the history row of that write, to a day around the quarter's due date (a few deliberately after).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from groups.models import SpecialGroup
from projects.demo import CODE_PREFIX, DEMO_PREFIX
from projects.models import Project
from targets.models import UnitKind

from . import services
from .models import GroupReport, KeyTask, ReportState, TaskReport, TaskStatus, due_date, quarter_end, quarters_due_by

# Shares of a quarter's reports: missing in the latest quarter due (the matrix's red cells) and in
# the earlier ones; filed after the due date (迟报).
MISSING_LATEST = 0.15
MISSING_EARLIER = 0.03
LATE = 0.05
RETURN_COMMENT = f"{DEMO_PREFIX}进展情况过于笼统，请补充本季度具体完成的工作量（走访企业数、在谈项目数、签约项目数）后重新报送。"
GROUPS = 2  # the groups with the most demo projects write their reports
GroupFiguresOf = Callable[[SpecialGroup, int, datetime.date], dict]

PROGRESS = {
    TaskStatus.ON_TRACK: DEMO_PREFIX + "本季度按计划推进“{title}”：明确分管领导和专人负责，完成季度工作安排，"
    "配合开展项目对接和要素保障。",
    TaskStatus.BEHIND: DEMO_PREFIX + "本季度“{title}”推进滞后：重点项目方投资决策推迟，部分工作未按季度计划完成。",
    TaskStatus.DONE: DEMO_PREFIX + "“{title}”各项工作已全部完成，相关做法已形成常态化工作机制。",
}
PROBLEMS = {
    TaskStatus.ON_TRACK: "无。",
    TaskStatus.BEHIND: "项目方决策周期长，用地、用能等要素保障协调需时。",
    TaskStatus.DONE: "无。",
}
NEXT_STEPS = {
    TaskStatus.ON_TRACK: "下季度继续按计划推进，加强与牵头单位的沟通对接。",
    TaskStatus.BEHIND: "下季度加密调度频次，逐项明确时限，力争追上年度进度。",
    TaskStatus.DONE: "巩固工作成效，做好常态化跟踪。",
}


def has_demo_reports() -> bool:
    return (
        TaskReport.objects.filter(progress__startswith=DEMO_PREFIX).exists()
        or GroupReport.objects.filter(text__startswith=DEMO_PREFIX).exists()
    )


@transaction.atomic
def load_demo_reports(
    *, year: int, today: datetime.date, figures_of: GroupFiguresOf, user=None, seed: int = 2021
) -> dict[str, int]:
    """The demo year's task reports and two groups' reports for the quarters due by `today`
    (`figures_of(group, quarter, as_of)`: the group's figures of the quarter as JSON on the day
    it writes): how many task reports were filed, returned (still waiting to be refiled) and
    left missing, and how many group reports were written."""
    rng = random.Random(seed)
    quarters = quarters_due_by(year, today)
    created = {"task_reports": 0, "returned": 0, "missing": 0, "group_reports": 0}
    tasks = list(KeyTask.objects.filter(year=year).with_units().order_by("number"))
    task_moments, group_moments = Backdating(TaskReport), Backdating(GroupReport)
    for quarter in quarters:
        latest = quarter == quarters[-1]
        filed = _file_quarter(rng, tasks, year, quarter, latest=latest, user=user, counts=created, moments=task_moments)
        # One report of the latest quarter waits in its unit's to-do with the reviewer's comment;
        # one of the quarter before was returned and refiled, so its history shows both.
        if filed and quarter >= quarters[-1] - 1:
            report, filed_at = _park_report(filed, rng)
            returned_at = _return(report, filed_at, user=user, moments=task_moments)
            if latest:
                created["returned"] += 1
            else:
                _refile(report, returned_at, user=user, moments=task_moments)
    for number, group in enumerate(_busiest_groups(year)):
        # The first group wrote its second quarter's late; the second has not written the latest
        # quarter's yet: overdue on the groups' page.
        written = set(GroupReport.objects.filter(group=group, year=year).values_list("quarter", flat=True))
        for quarter in quarters[:-1] if number else quarters:
            if quarter not in written:
                late = not number and quarter == 2
                _write_group_report(
                    rng, group, year, quarter, late=late, figures_of=figures_of, user=user, moments=group_moments
                )
                created["group_reports"] += 1
    task_moments.apply()
    group_moments.apply()
    return created


def remove_demo_reports() -> int:
    """Delete the demo task and group reports: how many."""
    task_reports = TaskReport.objects.filter(progress__startswith=DEMO_PREFIX)
    group_reports = GroupReport.objects.filter(text__startswith=DEMO_PREFIX)
    count = task_reports.count() + group_reports.count()
    task_reports.delete()
    group_reports.delete()
    return count


# --- Task reports ----------------------------------------------------------------------------------


def _file_quarter(
    rng, tasks, year: int, quarter: int, *, latest: bool, user, counts: dict, moments: "Backdating"
) -> list[tuple[TaskReport, datetime.datetime]]:
    """Each reporting unit's report on each task, but for the few left missing; a report already
    filed (not a demo one) is left as it is. Returns those filed on time, with their moment."""
    on_time = []
    existing = set(
        TaskReport.objects.of_quarter(year, quarter).exclude(state=ReportState.DUE).values_list("task_id", "unit_id")
    )
    missing = MISSING_LATEST if latest else MISSING_EARLIER
    for task in tasks:
        for unit in task.reporting_units():
            if (task.pk, unit.pk) in existing:
                continue
            if rng.random() < missing:
                counts["missing"] += 1
                continue
            late = rng.random() < LATE
            status = _status(rng, quarter)
            facts = {
                "progress": PROGRESS[status].format(title=task.title),
                "problems": PROBLEMS[status],
                "next_steps": NEXT_STEPS[status],
                "status": status,
            }
            report = services.file_report(task=task, unit=unit, year=year, quarter=quarter, user=user, facts=facts)
            when = _filing_moment(rng, year, quarter, late=late)
            moments.record(report, when, submitted_at=when, first_submitted_at=when)
            counts["task_reports"] += 1
            if not late:
                on_time.append((report, when))
    return on_time


def _status(rng, quarter: int) -> str:
    """Mostly on track, some behind, more done as the year goes on."""
    roll = rng.random()
    if roll < 0.15:
        return TaskStatus.BEHIND
    if roll < 0.15 + 0.06 * (quarter - 1):
        return TaskStatus.DONE
    return TaskStatus.ON_TRACK


def _park_report(filed: list[tuple[TaskReport, datetime.datetime]], rng) -> tuple[TaskReport, datetime.datetime]:
    """One of the first park's reports when it filed any (the demo staff member enters for it)."""
    parks = [(r, when) for r, when in filed if r.unit.kind == UnitKind.PARK]
    first = min((r.unit.sort_order, r.unit.pk) for r, _ in parks) if parks else None
    own = [(r, when) for r, when in parks if (r.unit.sort_order, r.unit.pk) == first]
    return rng.choice(own or filed)


def _return(report: TaskReport, filed_at: datetime.datetime, *, user, moments: "Backdating") -> datetime.datetime:
    services.return_report(report=report, user=user, comment=RETURN_COMMENT)
    when = filed_at + datetime.timedelta(days=2)
    moments.record(report, when, returned_at=when)
    return when


def _refile(report: TaskReport, returned_at: datetime.datetime, *, user, moments: "Backdating") -> None:
    facts = {name: getattr(report, name) for name in services.REPORT_FIELDS}
    facts["progress"] += "本季度走访企业12家，新增在谈项目3个，签约项目1个。"
    services.file_report(
        task=report.task, unit=report.unit, year=report.year, quarter=report.quarter, user=user, facts=facts
    )
    when = returned_at + datetime.timedelta(days=3)
    moments.record(report, when, submitted_at=when)


def _filing_moment(rng, year: int, quarter: int, *, late: bool) -> datetime.datetime:
    """A working hour of a day in the last days of the quarter up to its due date, or late: after it."""
    due = due_date(year, quarter)
    if late:
        day = due + datetime.timedelta(days=rng.randint(2, 20))
    else:
        day = quarter_end(year, quarter) - datetime.timedelta(days=rng.randint(-5, 6))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(9, 17), rng.randint(0, 59))))


class Backdating:
    """The moments the services stamped as the present, to move back to the demo's days: for each
    report, in the order of its writes, when the write happened and the report's fields it set.
    `apply` rewrites the reports and each write's history row in a few bulk updates (a write
    whose demo moment has not come yet keeps the present)."""

    def __init__(self, model):
        self.model = model
        self.writes: dict[int, list[tuple[datetime.datetime, dict]]] = {}

    def record(self, report, when: datetime.datetime, **fields) -> None:
        self.writes.setdefault(report.pk, []).append((when, fields))

    def apply(self) -> None:
        now = timezone.now()
        history_rows: dict[int, list] = {}
        for row in self.model.history.filter(id__in=self.writes).order_by("history_id"):
            history_rows.setdefault(row.id, []).append(row)
        reports, changed_rows, names = [], [], set()
        for report in self.model.objects.filter(pk__in=self.writes):
            writes = self.writes[report.pk]
            rows = history_rows.get(report.pk, [])[-len(writes) :]  # the rows of these writes
            fields = {}
            for (when, set_fields), row in zip(writes, rows):
                if when >= now:
                    continue
                fields |= set_fields
                row.history_date = when
                for name, value in fields.items():
                    setattr(row, name, value)
                changed_rows.append(row)
            for name, value in fields.items():
                setattr(report, name, value)
            names |= set(fields)
            reports.append(report)
        if names:
            self.model.objects.bulk_update(reports, sorted(names), batch_size=500)
            self.model.history.model.objects.bulk_update(changed_rows, ["history_date", *sorted(names)], batch_size=500)


# --- Group reports ---------------------------------------------------------------------------------


def _busiest_groups(year: int) -> list[SpecialGroup]:
    counts = {}
    for group_id in Project.objects.filter(code__startswith=CODE_PREFIX, signed_on__year=year).values_list(
        "group_id", flat=True
    ):
        if group_id is not None:
            counts[group_id] = counts.get(group_id, 0) + 1
    groups = SpecialGroup.objects.filter(pk__in=counts)
    return sorted(groups, key=lambda g: (-counts[g.pk], g.number))[:GROUPS]


def _write_group_report(
    rng, group: SpecialGroup, year: int, quarter: int, *, late: bool, figures_of: GroupFiguresOf, user,
    moments: Backdating,
) -> GroupReport:
    """The group's report with its figures as they stood on the day it was written, frozen by the service."""
    when = _filing_moment(rng, year, quarter, late=late)
    figures = figures_of(group, quarter, min(timezone.localdate(when), timezone.localdate()))
    text = (
        f"{DEMO_PREFIX}{year}年第{quarter}季度，{group.name}召开调度会，梳理在谈项目和重点目标企业，"
        "组织外出招商和来涪考察，推动签约项目注册、开工。下季度继续围绕本组产业链精准招商，"
        "加快在谈项目签约落地。"
    )
    report = services.submit_group_report(
        group=group, year=year, quarter=quarter, user=user, text=text, figures=figures
    )
    moments.record(report, when, submitted_at=when)
    return report
