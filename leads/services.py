"""Operations on leads: create, edit, move between stages, convert into a signed project, and
the daily job that records since when a lead has been overdue or stale.

Each write calls `full_clean()` (the rules of domain.md §10 are Lead.clean) and records its
author in the history. Permissions are the views' business (access.permissions); these
functions check the lead's state.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from lib import uploads
from projects import services as projects
from projects.codes import next_code
from projects.models import Project

from .codes import next_lead_code
from .models import Activity, Lead, LeadStage, StaleDays

CODE_ATTEMPTS = 3
ALREADY_CONVERTED = "该线索已转为签约项目，不能再次转换。"
NOT_CONVERTIBLE = "只有进行中或暂缓的线索才能转为签约项目。"
SIGNED_IS_FINAL = "已签约的线索已关联签约项目，不能再改变阶段。"


# --- Create and edit ---------------------------------------------------------------------------


def create_lead(*, user: AbstractBaseUser, facts: dict) -> Lead:
    """A new lead from the form's `facts` (model field → value). Without a code it gets the next
    XS<year>-NNNNN of the current year (leads.codes), reserved before the save's transaction."""
    for attempt in range(CODE_ATTEMPTS):
        code = facts.get("code") or next_lead_code(timezone.localdate().year)
        lead = Lead(**{**facts, "code": code}, created_by=user)
        lead.full_clean()
        try:
            with transaction.atomic():
                _save(lead, user=user)
                return lead
        except IntegrityError:
            # The code was written meanwhile by someone who gave it by hand: take the next.
            if facts.get("code") or attempt == CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def update_lead(*, lead: Lead, user: AbstractBaseUser, facts: dict) -> Lead:
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        for name, value in facts.items():
            setattr(locked, name, value)
        locked.full_clean()
        _save(locked, user=user)
    return locked


def _save(lead: Lead, *, user: AbstractBaseUser) -> None:
    lead._history_user = user
    lead.save()


# --- Stages ---------------------------------------------------------------------------------------


def change_stage(
    *,
    lead: Lead,
    user: AbstractBaseUser,
    stage: str,
    resume_on: datetime.date | None = None,
    stop_reason: str = "",
) -> Lead:
    """Move the lead to `stage` with the stage's own fact: 暂缓 its resume date, 终止 its reason.
    已签约 is conversion's alone (convert_lead); a signed lead keeps its stage."""
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.stage == LeadStage.SIGNED:
            raise ValidationError(SIGNED_IS_FINAL)
        locked.stage = stage
        if stage == LeadStage.PAUSED:
            locked.resume_on = resume_on
        if stage == LeadStage.STOPPED:
            locked.stop_reason = stop_reason.strip()
        locked.full_clean()
        _save(locked, user=user)
    return locked


# --- 转为签约项目 ---------------------------------------------------------------------------------


def project_facts_of(lead: Lead) -> dict:
    """What a lead tells the project form: the name, the investor (the target enterprise), the
    lead unit (the owner unit), the special group, the agreement capital (the intended investment),
    the chain link."""
    facts = {
        "name": lead.name,
        "chain_link": lead.chain_link,
        "investor": lead.enterprise.name if lead.enterprise else "",
        "lead_unit": lead.owner_unit,
        "group": lead.group,
        "agreement_capital": lead.intended_investment,
    }
    return {name: value for name, value in facts.items() if value not in (None, "")}


def convert_lead(
    *,
    lead: Lead,
    user: AbstractBaseUser,
    facts: dict,
    cooperating_unit_ids: Sequence[int],
    submit_at_once: bool = False,
    then_submit: bool = False,
) -> Project:
    """Create the project from the form's `facts` (as projects.services.create_project does), link
    it to the lead and move the lead to 已签约, in one transaction: both happen or neither. A lead
    converted already (by someone else meanwhile, too) is refused (ValidationError). The project
    takes the lead's chain link when the form sets none."""
    # The code is reserved before the transaction: the sequence commits on its own (projects.codes).
    code = facts.get("code") or next_code((facts.get("signed_on") or timezone.localdate()).year)
    facts = {**facts, "code": code, "chain_link": facts.get("chain_link") or lead.chain_link}
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.project_id is not None:
            raise ValidationError(ALREADY_CONVERTED)
        if locked.stage not in Lead.CONVERTIBLE_STAGES:
            raise ValidationError(NOT_CONVERTIBLE)
        project = projects.create_project(
            user=user,
            facts=facts,
            cooperating_unit_ids=cooperating_unit_ids,
            submit_at_once=submit_at_once,
            then_submit=then_submit,
        )
        locked.project, locked.stage = project, LeadStage.SIGNED
        locked.full_clean()
        _save(locked, user=user)
    return project


# --- The daily job ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertMarks:
    """What one run changed: leads newly marked and leads whose mark went, per kind."""

    overdue_marked: int
    overdue_cleared: int
    stale_marked: int
    stale_cleared: int


def mark_lead_alerts(*, today: datetime.date, days: StaleDays | None = None) -> AlertMarks:
    """Record since when each lead is overdue or stale: a lead found marked gets today's date unless
    it has one already; a lead no longer marked loses it. Idempotent: a second run the same day
    changes nothing. Plain updates: neither the history nor `updated_at` take these marks."""
    days = days or StaleDays.for_day(today)
    marked = Lead.objects.with_marks(today, days)
    changed = {}
    for kind, field in (("overdue", "overdue_since"), ("stale", "stale_since")):
        now_marked = marked.filter(**{f"is_{kind}": True}).values("pk")
        changed[f"{kind}_marked"] = Lead.objects.filter(pk__in=now_marked, **{f"{field}__isnull": True}).update(
            **{field: today}
        )
        changed[f"{kind}_cleared"] = (
            Lead.objects.filter(**{f"{field}__isnull": False}).exclude(pk__in=now_marked).update(**{field: None})
        )
    return AlertMarks(**changed)


# --- The activity ledger (招商活动台账) ---------------------------------------------------------------

ACTIVITY_GONE = "该条活动记录已被删除。"


def record_activity(*, user: AbstractBaseUser, facts: dict, attachment: UploadedFile | None = None) -> Activity:
    """A new activity from the form's `facts` (model field → value); the attachment is stored
    under a random name, its own name kept for the download. An activity for a lead moves the
    lead's last-activity date forward to the activity's date (never back), in the same
    transaction. Who may record what (unit, lead) is the form's and the view's business."""
    activity = Activity(**facts, created_by=user)
    if attachment is not None:
        activity.attachment = attachment
        activity.attachment_name = uploads.kept_name(attachment)
    activity.full_clean()
    with transaction.atomic():
        _save_activity(activity, user=user)
        if activity.lead_id is not None:
            Lead.objects.filter(pk=activity.lead_id).exclude(last_activity_on__gte=activity.date).update(
                last_activity_on=activity.date
            )
    return activity


def update_activity(
    *, activity: Activity, user: AbstractBaseUser, facts: dict, attachment: UploadedFile | None = None
) -> Activity:
    """Correct an activity; a new attachment replaces the old one (deleted once committed). The
    last-activity date of its lead, before and after, is recomputed from the lead's activities."""
    with transaction.atomic():
        current = Activity.objects.select_for_update().filter(pk=activity.pk).first()
        if current is None:
            raise ValidationError(ACTIVITY_GONE)
        leads_before = current.lead_id
        for name, value in facts.items():
            setattr(current, name, value)
        replaced = None
        if attachment is not None:
            replaced = uploads.replace_file(current, attachment, field="attachment", name_field="attachment_name")
        current.full_clean()
        _save_activity(current, user=user)
        _recompute_last_activity(leads_before, current.lead_id)
        uploads.delete_on_commit(replaced)
    return current


def delete_activity(*, activity: Activity, user: AbstractBaseUser) -> Activity:
    """Remove a wrong entry; its history keeps the last values and who deleted it. Its lead's
    last-activity date is recomputed from the lead's remaining activities (none: no date). The
    attachment leaves the storage once the deletion is committed. Returns the deleted entry."""
    with transaction.atomic():
        current = Activity.objects.select_for_update().filter(pk=activity.pk).first()
        if current is None:
            raise ValidationError(ACTIVITY_GONE)
        current._history_user = user
        current.delete()
        _recompute_last_activity(current.lead_id)
        uploads.delete_on_commit(current.attachment)
    return current


def _save_activity(activity: Activity, *, user: AbstractBaseUser) -> None:
    activity._history_user = user
    activity.save()


def _recompute_last_activity(*lead_ids: int | None) -> None:
    """Each lead's last-activity date as its activities have it: a plain update, as the import
    writes it (the lead's history records what users change, not this mark)."""
    for lead_id in {lead_id for lead_id in lead_ids if lead_id is not None}:
        latest = Activity.objects.filter(lead_id=lead_id).aggregate(latest=Max("date"))["latest"]
        Lead.objects.filter(pk=lead_id).update(last_activity_on=latest)
