"""Landing (domain.md §9): a project's milestones from registration to full production."""

import uuid
from pathlib import Path

from django.conf import settings
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
