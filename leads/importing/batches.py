"""The browser's pipeline import: an uploaded file waits as an ImportBatch (kind 目标企业、线索和活动)
until its uploader confirms it. Each step reads the stored file again, so what is confirmed is what
was previewed, checked against the database as it is then. The batch's storage and its states are
the project import's (projects/importing/batches.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from projects.importing import ImportRejected, Problem
from projects.importing.batches import BatchNotPending
from projects.models import ImportBatch

from .checking import LeadImportPlan, parse_lead_workbook, place
from .permissions import check_lead_permissions
from .writing import LeadImportResult, apply_lead_plan


@dataclass
class LeadPreview:
    plan: LeadImportPlan
    result: LeadImportResult | None = None

    @property
    def problems(self) -> list[Problem]:
        return self.plan.problems


def check_lead_batch(*, batch: ImportBatch, user) -> LeadImportPlan:
    """The batch's file read and checked, including what `user` may import. Writes nothing."""
    try:
        with batch.file.open("rb") as handle:
            plan = parse_lead_workbook(handle)
    except OSError:
        return LeadImportPlan(problems=[Problem(None, None, None, "找不到已上传的文件，请重新上传。")])
    check_lead_permissions(plan, user=user)
    plan.problems.sort(key=place)
    return plan


def preview_lead_batch(*, batch: ImportBatch, user) -> LeadPreview:
    """Every problem; or, when there is none, what the import would do (a rolled-back run)."""
    preview = LeadPreview(check_lead_batch(batch=batch, user=user))
    if preview.plan.ok:
        try:
            preview.result = apply_lead_plan(plan=preview.plan, user=user, dry_run=True)
        except ImportRejected as rejected:
            preview.plan.problems = rejected.problems
    return preview


def confirm_lead_batch(*, batch: ImportBatch, user) -> LeadImportResult:
    """Check the file again and import it in one transaction; mark the batch applied.

    Raises ImportRejected (nothing written) or BatchNotPending (imported already).
    """
    plan = check_lead_batch(batch=batch, user=user)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != ImportBatch.State.PENDING:
            raise BatchNotPending(locked)
        result = apply_lead_plan(plan=plan, user=user)
        locked.state = ImportBatch.State.APPLIED
        locked.summary = "\n".join(result.summary())
        locked.applied_at = timezone.now()
        locked.save(update_fields=["state", "summary", "applied_at"])
    return result
