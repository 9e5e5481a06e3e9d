"""Writing a project's milestones (domain.md §9) and verifying them.

As the arrived-capital ledger (projects.services): one transaction on the project's locked row,
`full_clean()` before saving, the author in the history (`_history_user`). Permissions are the
views' business (access.permissions); these functions check the dates (landing.rules). The
project is passed in: this app reads it, never imports it (projects' list and import read us).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from access import permissions
from access.roles import access_of
from lib import uploads

from .models import MILESTONE_ORDER, Milestone, MilestoneKind
from .rules import ACTUAL, Dates, date_problems, field_name


@dataclass(frozen=True)
class MilestoneEntry:
    """What the form gives for one milestone: its dates, and a new evidence file (None: keep)."""

    planned_on: datetime.date | None = None
    actual_on: datetime.date | None = None
    evidence: UploadedFile | None = None

    @property
    def is_empty(self) -> bool:
        return self.planned_on is None and self.actual_on is None and self.evidence is None


def save_milestones(
    *, project, user: AbstractBaseUser, entries: Mapping[str, MilestoneEntry], today: datetime.date | None = None
) -> list[Milestone]:
    """Set the project's milestones (kind → entry; a kind left out stays as it is).

    The dates of all four, as they will stand, must obey landing.rules (ValidationError by field,
    nothing saved). A changed actual date or a new evidence file makes a verified milestone
    待核实 again: the reviewer verified what was there before. Returns the milestones saved
    (created or changed); a replaced evidence file leaves the storage once committed.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        # The project's row, locked: two pages saving milestones at once take turns.
        project = type(project)._default_manager.select_for_update().get(pk=project.pk)
        current = {milestone.kind: milestone for milestone in Milestone.objects.filter(project=project)}
        dates = {kind: Dates(m.planned_on, m.actual_on) for kind, m in current.items()}
        dates |= {kind: Dates(entry.planned_on, entry.actual_on) for kind, entry in entries.items()}
        problems = date_problems(dates, signed_on=project.signed_on, today=today)
        if not permissions.reviews(access_of(user)):
            problems |= _cleared_verified(current, entries)
        if problems:
            raise ValidationError(problems)
        saved = []
        for kind in MILESTONE_ORDER:
            entry = entries.get(kind)
            if entry is None or (kind not in current and entry.is_empty):
                continue
            milestone = current.get(kind) or Milestone(project=project, kind=kind)
            if _apply(milestone, entry, user=user):
                saved.append(milestone)
    return saved


CLEARED_VERIFIED = "{kind}日期已经招商局核实，不能清空：如日期有误，请改为正确的日期，再由招商局重新核实。"


def _cleared_verified(current: Mapping[str, Milestone], entries: Mapping[str, MilestoneEntry]) -> dict[str, str]:
    """A verified actual date emptied: refused to a unit's staff, whose emptying would uncount the
    milestone with nothing left for a reviewer to verify (reviewers may, the history keeps it)."""
    return {
        field_name(kind, ACTUAL): CLEARED_VERIFIED.format(kind=MilestoneKind(kind).label)
        for kind, entry in entries.items()
        if kind in current and current[kind].verified and current[kind].actual_on and entry.actual_on is None
    }


def _apply(milestone: Milestone, entry: MilestoneEntry, *, user: AbstractBaseUser) -> bool:
    """Write the entry onto the milestone and save it when anything changed; whether it did."""
    evidence_changed = entry.evidence is not None
    actual_changed = milestone.actual_on != entry.actual_on
    if milestone.pk and not evidence_changed and not actual_changed and milestone.planned_on == entry.planned_on:
        return False
    milestone.planned_on, milestone.actual_on = entry.planned_on, entry.actual_on
    if actual_changed or evidence_changed:
        milestone.verified, milestone.verified_by, milestone.verified_at = False, None, None
    replaced = uploads.replace_file(milestone, entry.evidence) if evidence_changed else None
    milestone.updated_by = user
    milestone.full_clean(exclude=["project"])
    milestone._history_user = user
    milestone.save()
    uploads.delete_on_commit(replaced)
    return True


NO_ACTUAL_DATE = "该节点还没有实际日期，无需核实：填写实际日期后再核实。"


def verify_milestone(*, milestone: Milestone, user: AbstractBaseUser, seen_on: datetime.date | None = None) -> Milestone:
    """A reviewer confirms the milestone's actual date against its evidence; twice changes nothing.

    `seen_on`: the actual date the reviewer's page showed; when the date has changed since,
    nothing is verified (ValidationError): the reviewer would confirm a date they did not see.
    """
    with transaction.atomic():
        current = Milestone.objects.select_for_update().filter(pk=milestone.pk).first()
        if current is None or current.actual_on is None:
            raise ValidationError(NO_ACTUAL_DATE)
        if seen_on is not None and current.actual_on != seen_on:
            raise ValidationError("该节点的实际日期刚刚被修改，未核实；请刷新页面核对后再核实。")
        if current.verified:
            return current
        current.verified, current.verified_by, current.verified_at = True, user, timezone.now()
        current.full_clean(exclude=["project"])
        current._history_user = user
        current.save()
    return current
