"""Landing (domain.md §9): a project's milestones from registration to full production, and the
signing events (集中签约活动) whose cohorts are followed over time."""

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class MilestoneKind(models.TextChoices):
    """In the order a project reaches them; each after the one before."""

    REGISTERED = "registered", "注册"
    STARTED = "started", "开工"
    PRODUCING = "producing", "投产"
    FULL_PRODUCTION = "full_production", "达产"


MILESTONE_ORDER = list(MilestoneKind)

# A milestone reached counts (in rates, the activity index, the bulletins) once a reviewer has
# verified its actual date, like arrived capital (domain.md §7). The one definition.
COUNTED_MILESTONE = Q(verified=True, actual_on__isnull=False)


def milestone_evidence_path(milestone: "Milestone", filename: str) -> str:
    """A random stored name: the user's file name is kept in `evidence_name`, never used as a path."""
    extension = Path(filename).suffix.lower()[:10]
    return f"milestones/{milestone.project_id}/{uuid.uuid4().hex}{extension}"


class MilestoneQuerySet(models.QuerySet):
    def counted(self) -> "MilestoneQuerySet":
        return self.filter(COUNTED_MILESTONE)

    def unverified(self) -> "MilestoneQuerySet":
        """Actual dates a reviewer has not verified yet (待核实)."""
        return self.filter(actual_on__isnull=False, verified=False)


class Milestone(models.Model):
    """One milestone of a project: planned and actual date, evidence, the reviewer's verification."""

    project = models.ForeignKey("projects.Project", models.CASCADE, related_name="milestones", verbose_name="项目")
    kind = models.CharField("节点", max_length=20, choices=MilestoneKind.choices)
    planned_on = models.DateField("计划日期", null=True, blank=True)
    actual_on = models.DateField("实际日期", null=True, blank=True)
    evidence = models.FileField("凭证", upload_to=milestone_evidence_path, blank=True, max_length=200)
    evidence_name = models.CharField("凭证原文件名", max_length=200, blank=True)
    verified = models.BooleanField("已核实", default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="核实人"
    )
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="填报人"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = "项目节点"
        verbose_name_plural = "项目节点"
        ordering = ["project", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="milestone_once_per_project"),
            models.CheckConstraint(
                condition=Q(verified=False) | Q(actual_on__isnull=False), name="verified_milestone_has_actual_date"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "actual_on"], condition=Q(verified=True), name="milestone_counted_by_date"),
        ]

    def __str__(self):
        return f"{self.project_id} {self.get_kind_display()}"


# --- Signing events (集中签约活动, domain.md §9) ---------------------------------------------------

# A project linked to an event was signed at it: its signing date is the event's, give or take the
# days an agreement is dated before the ceremony or countersigned after it. Further off, it was
# signed elsewhere, and the link is refused.
EVENT_SIGNING_TOLERANCE_DAYS = 30


def event_date_problem(event_on: datetime.date, signed_on: datetime.date | None) -> str:
    """Why a project signed on `signed_on` cannot be linked to an event held on `event_on`, or ""."""
    if signed_on is None:
        return "该项目还没有签约日期，不能关联集中签约活动：请先编辑项目、填写签约日期。"
    gap = abs((signed_on - event_on).days)
    if gap > EVENT_SIGNING_TOLERANCE_DAYS:
        return (
            f"项目签约日期 {signed_on:%Y-%m-%d} 与活动日期 {event_on:%Y-%m-%d} 相差 {gap} 天，"
            f"超过 {EVENT_SIGNING_TOLERANCE_DAYS} 天：不是在该活动上签约的项目不能关联，请检查项目的签约日期或所选活动。"
        )
    return ""


class SigningEvent(models.Model):
    """A signing ceremony (集中签约活动) and, through its links, the projects signed at it."""

    name = models.CharField("活动名称", max_length=200)
    date = models.DateField("活动日期")
    place = models.CharField("地点", max_length=200)
    organiser = models.ForeignKey(
        "targets.Unit", models.PROTECT, related_name="signing_events", verbose_name="主办单位"
    )
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "集中签约活动"
        verbose_name_plural = "集中签约活动"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class SigningEventProject(models.Model):
    """A project signed at an event: a project is signed at one event at most."""

    event = models.ForeignKey(SigningEvent, models.CASCADE, related_name="project_links", verbose_name="集中签约活动")
    project = models.OneToOneField(
        "projects.Project", models.CASCADE, related_name="signing_event_link", verbose_name="项目"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="关联人"
    )
    linked_at = models.DateTimeField("关联时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "签约活动项目"
        verbose_name_plural = "签约活动项目"
        ordering = ["event", "pk"]

    def __str__(self):
        return f"{self.event} · {self.project_id}"

    def clean(self):
        if self.project_id is None or self.event_id is None:
            return
        if self.project.status == self.project.Status.WITHDRAWN:
            raise ValidationError({"project": "已撤回的项目不能关联集中签约活动。"})
        problem = event_date_problem(self.event.date, self.project.signed_on)
        if problem:
            raise ValidationError({"project": problem})

    @property
    def days_off(self) -> int:
        """Days between the project's signing and the event (0: signed on the day); expects both loaded."""
        signed_on = self.project.signed_on
        return abs((signed_on - self.event.date).days) if signed_on else 0
