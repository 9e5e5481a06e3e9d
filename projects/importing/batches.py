"""The browser's import: an uploaded file waits as an ImportBatch until its uploader confirms it.

Every step reads the stored file again, so what is confirmed is what was previewed, checked
against the database as it is at that moment (issue 3: nothing written until confirmed).
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from access import permissions
from access.roles import access_of
from lib.sql import chunks
from targets.models import RuleSet, Unit

from ..models import Cooperation, ImportBatch, Project
from ..services import ScorePreview, score_preview
from .columns import Problem
from .permissions import check_permissions
from .reading import ImportPlan, parse_workbook
from .writing import ImportRejected, ImportResult, apply_plan, reserve_codes_for


class BatchNotPending(Exception):
    """The batch was imported (or discarded) already: a file is imported at most once."""

    def __init__(self, batch: ImportBatch):
        when = timezone.localtime(batch.applied_at).strftime("%Y-%m-%d %H:%M") if batch.applied_at else ""
        state = batch.get_state_display()
        super().__init__(f"该文件{('已于 ' + when) if when else ''}{state}，不能重复导入；如需再次导入，请重新上传文件。")


@dataclass
class PreviewRow:
    row: int  # Excel's row number
    code: str
    name: str
    lead_unit: str
    action: str  # 新建 / 更新 / 不变
    agreement_capital: Decimal | None = None
    expected_output: Decimal | None = None
    score: ScorePreview | None = None  # tier and each unit's credit, as the form's 预览计分


@dataclass
class Preview:
    plan: ImportPlan
    result: ImportResult | None = None
    rows: list[PreviewRow] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.plan.problems


def store_upload(*, upload, user, kind: str = ImportBatch.Kind.PROJECTS) -> ImportBatch:
    """Keep an uploaded file under a random name (the user's name is only shown) as a pending batch."""
    batch = ImportBatch(uploaded_by=user, original_name=upload.name[:200], kind=kind)
    batch.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    batch.full_clean()
    batch.save()
    return batch


def check_batch(*, batch: ImportBatch, user) -> ImportPlan:
    """The batch's file read and checked, including what `user` may import. Writes nothing."""
    try:
        with batch.file.open("rb") as handle:
            plan = parse_workbook(handle)
    except OSError:
        return ImportPlan(problems=[Problem(None, None, None, "找不到已上传的文件，请重新上传。")])
    check_permissions(plan, user=user)
    return plan


def may_approve(user, approve: bool) -> bool:
    """Only reviewers may have imported projects approved at once."""
    return approve and permissions.reviews(access_of(user))


def preview_batch(*, batch: ImportBatch, user, approve: bool) -> Preview:
    """Every problem; or, when there is none, exactly what the import would do (a rolled-back run)."""
    preview = Preview(check_batch(batch=batch, user=user))
    if not preview.plan.ok:
        return preview
    try:
        preview.result = apply_plan(plan=preview.plan, approve=may_approve(user, approve), user=user, dry_run=True)
    except ImportRejected as rejected:
        preview.plan.problems = rejected.problems
        return preview
    preview.rows = _describe(preview.plan, preview.result)
    return preview


def confirm_batch(*, batch: ImportBatch, user, approve: bool) -> ImportResult:
    """Check the file again and import it in one transaction; mark the batch applied.

    Raises ImportRejected (nothing written) or BatchNotPending (imported already).
    """
    _require_pending(ImportBatch.objects.get(pk=batch.pk))  # fresh: no codes reserved for a batch imported already
    # Read and checked, and its new codes reserved, before the write transaction starts: that
    # transaction holds the database's one writer on SQLite, and should hold it for the writing only.
    plan = check_batch(batch=batch, user=user)
    codes = reserve_codes_for(plan)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _require_pending(locked)
        result = apply_plan(plan=plan, approve=may_approve(user, approve), user=user, codes=codes)
        locked.state = ImportBatch.State.APPLIED
        locked.summary = "\n".join(result.summary())
        locked.applied_at = timezone.now()
        locked.save(update_fields=["state", "summary", "applied_at"])
    return result


def _require_pending(batch: ImportBatch) -> None:
    if batch.state != ImportBatch.State.PENDING:
        raise BatchNotPending(batch)


def expire_batches(*, now, pending_for: datetime.timedelta) -> int:
    """Discard the batches left pending longer than `pending_for` and delete their files; returns
    how many. An uploader who comes back finds the batch 已放弃 and is asked to upload again.
    Imported batches keep their file: it is the record of what was imported."""
    stale = list(ImportBatch.objects.filter(state=ImportBatch.State.PENDING, uploaded_at__lt=now - pending_for))
    for batch in stale:
        with transaction.atomic():
            updated = ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.PENDING).update(
                state=ImportBatch.State.DISCARDED, summary="超过保留期限未确认导入，已自动放弃。"
            )
            if updated:
                name = batch.file.name
                transaction.on_commit(lambda name=name: batch.file.storage.delete(name))
    return len(stale)


def _describe(plan: ImportPlan, result: ImportResult) -> list[PreviewRow]:
    """Each project row with the code it will have, what happens to it, its amounts, tier and credits,
    in the file's order. A constant number of queries, whatever the number of rows."""
    ids = [row.existing_id for row in plan.projects if row.existing_id]
    codes, stored_units = {}, {}
    for chunk in chunks(ids):
        codes.update(Project.objects.filter(pk__in=chunk).values_list("pk", "code"))
        cooperations = Cooperation.objects.filter(project_id__in=chunk).order_by("pk")
        for project_id, unit_id in cooperations.values_list("project_id", "unit_id"):
            stored_units.setdefault(project_id, []).append(unit_id)
    units = Unit.objects.in_bulk()
    years = {row.values["signed_on"].year for row in plan.projects if row.values.get("signed_on")}
    rules = {rule_set.year: rule_set.as_rules() for rule_set in RuleSet.objects.filter(year__in=years)}
    updated, generated = set(result.updated), iter(result.generated)
    rows = []
    for row in plan.projects:
        if row.existing_id:
            code = codes[row.existing_id]
            action = "更新" if code in updated else "不变"
        else:
            code, action = row.values.get("code") or next(generated, ""), "新建"
        lead = units.get(row.values.get("lead_unit"))
        values = row.values
        preview = PreviewRow(row.row, code, values.get("name", ""), lead.name if lead else "", action)
        preview.agreement_capital, preview.expected_output = values.get("agreement_capital"), values.get("expected_output")
        if lead is not None and "sector" in values and "origin" in values:
            preview.score = score_preview(
                lead_unit=lead,
                cooperating_units=[units[pk] for pk in _cooperating(values, stored_units.get(row.existing_id, []))],
                sector=values["sector"],
                origin=values["origin"],
                agreement_capital=values["agreement_capital"],
                expected_output=values.get("expected_output"),
                signed_on=values.get("signed_on"),
                rules_by_year=rules,
            )
        rows.append(preview)
    return rows


def _cooperating(values: dict, stored: list[int]) -> list[int]:
    """The cooperating units a project row leaves: the file's, or the stored ones when the sheet has no such column."""
    units = values.get("cooperating_units")
    return stored if units is None else units
