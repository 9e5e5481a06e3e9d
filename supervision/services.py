"""Filing, returning and refiling a task report; the daily overdue mark; a group's report.

Each write calls `full_clean()` (the report's rules are TaskReport.clean) and is recorded in the
report's history with its author.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from groups.models import SpecialGroup
from targets.models import Unit

from .models import GroupReport, KeyTask, ReportState, TaskReport, quarter_start, quarters_due_by

RETURN_COMMENT_REQUIRED = "请填写退回意见，说明需要补充或修改的内容。"
ONLY_SUBMITTED_RETURNED = "只有已报送的季报可以退回。"
QUARTER_NOT_STARTED = "该季度尚未开始，不能报送。"
REPORT_FIELDS = ("progress", "problems", "next_steps", "status")


def file_report(
    *, task: KeyTask, unit: Unit, year: int, quarter: int, user: AbstractBaseUser, facts: dict, today: datetime.date | None = None
) -> TaskReport:
    """File (or correct, or refile after a return) `unit`'s report on `task` for the quarter.
    The first filing's time decides whether it was late; a refile keeps it."""
    today = today or timezone.localdate()
    if quarter_start(year, quarter) > today:
        raise ValidationError(QUARTER_NOT_STARTED)
    with transaction.atomic():
        report = (
            TaskReport.objects.select_for_update().filter(task=task, unit=unit, year=year, quarter=quarter).first()
            or TaskReport(task=task, unit=unit, year=year, quarter=quarter)
        )
        for name in REPORT_FIELDS:
            setattr(report, name, facts.get(name, ""))
        now = timezone.now()
        report.state = ReportState.SUBMITTED
        report.submitted_by, report.submitted_at = user, now
        report.first_submitted_at = report.first_submitted_at or now
        report._history_user = user
        report.full_clean()
        report.save()
    return report


def return_report(*, report: TaskReport, user: AbstractBaseUser, comment: str) -> TaskReport:
    """A reviewer sends a filed report back to its unit with what to change (required)."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": RETURN_COMMENT_REQUIRED})
    with transaction.atomic():
        # The row locked: two reviewers (or a double click) return it once, the second is told.
        current = TaskReport.objects.select_for_update().get(pk=report.pk)
        if current.state != ReportState.SUBMITTED:
            raise ValidationError(ONLY_SUBMITTED_RETURNED)
        current.state = ReportState.RETURNED
        current.return_comment = comment
        current.returned_by, current.returned_at = user, timezone.now()
        current._history_user = user
        current.save()
    return current


@dataclass(frozen=True)
class OverdueMarks:
    marked: int  # reports found missing for the first time


def mark_overdue_reports(*, today: datetime.date) -> OverdueMarks:
    """Every report missing after its due date gets a row in state 未报送 with today's date in
    `overdue_since`, which puts it in the unit's to-do. Idempotent: a report already marked, or
    filed, is left as it is, so a second run the same day (or the next) marks nothing."""
    missing = []
    for task in KeyTask.objects.with_units():
        quarters = quarters_due_by(task.year, today)
        if not quarters:
            continue
        existing = set(TaskReport.objects.filter(task=task).values_list("unit_id", "quarter"))
        missing += [
            TaskReport(task=task, unit=unit, year=task.year, quarter=quarter, state=ReportState.DUE, overdue_since=today)
            for unit in task.reporting_units()
            for quarter in quarters
            if (unit.pk, quarter) not in existing
        ]
    # The history would record a row per report nobody wrote: the job's marks stay out of it.
    created = TaskReport.objects.bulk_create(missing, ignore_conflicts=True)
    return OverdueMarks(marked=len(created))


def submit_group_report(
    *, group: SpecialGroup, year: int, quarter: int, user: AbstractBaseUser, text: str, figures: dict,
    today: datetime.date | None = None,
) -> GroupReport:
    """Write the group's report for the quarter. `figures` (figures.supervision.group_figures, as
    JSON) are attached at the first submission and never replaced: a later correction changes
    the text only."""
    today = today or timezone.localdate()
    if quarter_start(year, quarter) > today:
        raise ValidationError(QUARTER_NOT_STARTED)
    with transaction.atomic():
        report = GroupReport.objects.select_for_update().filter(group=group, year=year, quarter=quarter).first()
        if report is None:
            report = GroupReport(group=group, year=year, quarter=quarter, figures=figures, submitted_at=timezone.now())
        report.text = text
        report.submitted_by = user
        report._history_user = user
        report.full_clean()
        report.save()
    return report
