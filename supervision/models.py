"""Landing and supervision (domain.md §12): the plan's 15 key tasks with each unit's quarterly
report on them, and the special groups' quarterly reports with their figures frozen."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from access import permissions
from access.roles import access_of
from targets.models import Unit

# A quarter's report is due by this many days after the quarter's last day, that day included:
# Q2's on 5 July; filed on the 5th it is on time, on the 6th it is late (domain.md §12).
DAYS_TO_REPORT = 5


def quarter_start(year: int, quarter: int) -> datetime.date:
    return datetime.date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> datetime.date:
    next_start = datetime.date(year + 1, 1, 1) if quarter == 4 else quarter_start(year, quarter + 1)
    return next_start - datetime.timedelta(days=1)


def due_date(year: int, quarter: int) -> datetime.date:
    """The last day a quarter's report is on time: the 5th day after the quarter ends."""
    return quarter_end(year, quarter) + datetime.timedelta(days=DAYS_TO_REPORT)


def quarters_due_by(year: int, today: datetime.date) -> list[int]:
    """The quarters of `year` whose reports are overdue when missing on `today`."""
    return [quarter for quarter in (1, 2, 3, 4) if due_date(year, quarter) < today]


# --- The plan's key tasks (附: 15 项主要任务) --------------------------------------------------------


class KeyTaskQuerySet(models.QuerySet):
    def get_by_natural_key(self, year, number):
        return self.get(year=year, number=number)

    def with_units(self) -> "KeyTaskQuerySet":
        """With the lead and the responsible units: 3 queries in all."""
        units = Unit.objects.order_by("sort_order", "name")
        return self.prefetch_related(models.Prefetch("lead_units", units), models.Prefetch("responsible_units", units))

    def reported_by(self, unit_id: int) -> "KeyTaskQuerySet":
        """The tasks `unit_id` reports on: those it leads or is responsible for."""
        return self.filter(Q(lead_units=unit_id) | Q(responsible_units=unit_id)).distinct()


class KeyTask(models.Model):
    """One of the plan's main tasks (三、主要任务), under one of the five actions (五大提升行动).
    `lead_text` and `responsible_text` are the plan's words; the units are what they stand for
    (各园区: the parks; 区级相关部门: the departments; 专项招商工作组: the units of the groups'
    first commissioners)."""

    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("任务", max_length=50)
    action_number = models.PositiveSmallIntegerField("行动序号")
    action = models.CharField("所属行动", max_length=50)
    lead_units = models.ManyToManyField(Unit, related_name="led_key_tasks", verbose_name="牵头单位")
    responsible_units = models.ManyToManyField(Unit, related_name="key_tasks", blank=True, verbose_name="责任单位")
    lead_text = models.CharField("牵头单位（原文）", max_length=200)
    responsible_text = models.CharField("责任单位（原文）", max_length=200)

    objects = KeyTaskQuerySet.as_manager()

    class Meta:
        verbose_name = "重点任务"
        verbose_name_plural = "重点任务"
        ordering = ["year", "number"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="key_task_number_once_a_year")]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (self.year, self.number)

    natural_key.dependencies = ["targets.unit"]

    def reporting_units(self) -> list[Unit]:
        """The units that report on the task, lead units first (expects `with_units`)."""
        lead = list(self.lead_units.all())
        return lead + [unit for unit in self.responsible_units.all() if unit not in lead]

    def reporting_unit_ids(self) -> set[int]:
        return {unit.pk for unit in self.reporting_units()}

    def is_reported_by(self, unit_id: int) -> bool:
        """Whether `unit_id` leads the task or is responsible for it: one query."""
        return KeyTask.objects.filter(pk=self.pk).reported_by(unit_id).exists()


# --- A unit's quarterly report on a task --------------------------------------------------------------


class TaskStatus(models.TextChoices):
    ON_TRACK = "on_track", "正常推进"
    BEHIND = "behind", "滞后"
    DONE = "done", "已完成"


class ReportState(models.TextChoices):
    DUE = "due", "未报送"  # written by the daily job when the report is overdue; the unit files it
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"


NOT_A_REPORTING_UNIT = "该单位不是这项任务的牵头单位或责任单位，不报送这项任务。"
WRONG_YEAR = "季报的年度须是任务所属的年度。"
FIELD_REQUIRED = {
    "progress": "请填写进展情况。",
    "next_steps": "请填写下步计划。",
    "status": "请选择推进状态。",
}


class TaskReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TaskReportQuerySet":
        """Reviewers and leaders see every report; a unit's staff their unit's; nobody else any."""
        access = access_of(user)
        if permissions.sees_everything(access):
            return self
        unit_id = permissions.staff_unit_id(access)
        return self.none() if unit_id is None else self.filter(unit_id=unit_id)

    def of_quarter(self, year: int, quarter: int) -> "TaskReportQuerySet":
        return self.filter(year=year, quarter=quarter)

    def to_do(self) -> "TaskReportQuerySet":
        """What a unit has to file: overdue (marked by the daily job) or returned."""
        return self.filter(state__in=[ReportState.DUE, ReportState.RETURNED])


class TaskReport(models.Model):
    """One unit's report on one task for one quarter: 进展情况, 存在问题, 下步计划 and a status."""

    task = models.ForeignKey(KeyTask, models.PROTECT, related_name="reports", verbose_name="重点任务")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="task_reports", verbose_name="单位")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    progress = models.TextField("进展情况", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步计划", blank=True)
    status = models.CharField("推进状态", max_length=20, choices=TaskStatus.choices, blank=True)
    state = models.CharField("报送状态", max_length=20, choices=ReportState.choices, default=ReportState.SUBMITTED)
    return_comment = models.TextField("退回意见", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="报送人"
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    first_submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="退回人"
    )
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    # The day the daily job (supervision.services.mark_overdue_reports) found the report missing.
    overdue_since = models.DateField("逾期起始日", null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = TaskReportQuerySet.as_manager()

    State = ReportState
    Status = TaskStatus

    class Meta:
        verbose_name = "重点任务季报"
        verbose_name_plural = "重点任务季报"
        ordering = ["year", "quarter", "task__number", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "year", "quarter"], name="task_report_once_a_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="task_report_quarter_1_to_4"),
        ]
        indexes = [models.Index(fields=["year", "quarter", "unit"], name="task_report_quarter_unit")]

    def __str__(self):
        return f"{self.year}年第{self.quarter}季度 {self.unit} 任务{self.task.number}"

    @property
    def due_on(self) -> datetime.date:
        return due_date(self.year, self.quarter)

    @property
    def filed(self) -> bool:
        return self.state != ReportState.DUE

    @property
    def is_late(self) -> bool:
        """Filed for the first time after its due date (a refile after a return is not lateness)."""
        return self.first_submitted_at is not None and timezone.localdate(self.first_submitted_at) > self.due_on

    def clean(self):
        errors = {}
        if self.task_id and self.year != self.task.year:
            errors["year"] = WRONG_YEAR
        if self.task_id and self.unit_id and not self.task.is_reported_by(self.unit_id):
            errors["unit"] = NOT_A_REPORTING_UNIT
        if self.state != ReportState.DUE:
            errors |= {name: message for name, message in FIELD_REQUIRED.items() if not str(getattr(self, name)).strip()}
        if errors:
            raise ValidationError(errors)


# --- A special group's quarterly report (调度会汇报) ---------------------------------------------------


class GroupReport(models.Model):
    """A special group's report for one quarter, written by its first commissioner's unit (附件1)
    or by a reviewer; its figures are those of the moment it was submitted and never change."""

    group = models.ForeignKey("groups.SpecialGroup", models.PROTECT, related_name="reports", verbose_name="专项招商组")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    text = models.TextField("工作情况")
    # figures.supervision.GroupFigures as lib.codec writes it, frozen at the first submission.
    figures = models.JSONField("本组数据（报送时）", editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="报送人"
    )
    submitted_at = models.DateTimeField("报送时间")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["figures"])

    class Meta:
        verbose_name = "专项招商组季报"
        verbose_name_plural = "专项招商组季报"
        ordering = ["year", "quarter", "group__number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "year", "quarter"], name="group_report_once_a_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="group_report_quarter_1_to_4"),
        ]

    def __str__(self):
        return f"{self.year}年第{self.quarter}季度 {self.group}"

    @property
    def due_on(self) -> datetime.date:
        return due_date(self.year, self.quarter)
