"""Supplementary agreements (补充协议 / 增资, domain.md §8): add, correct, verify, delete.

Kept like the arrived-capital ledger (projects.services): each operation runs in one transaction,
calls `full_clean()` before saving and records its author in the history. Adding or correcting
locks the project's row, so two reductions entered at once cannot together take the project's
agreement capital below 0. Permissions are the views' business (access.permissions).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from lib import display, uploads

from .models import Project, SupplementaryAgreement
from .services import verify_entry


def add_agreement(
    *,
    project: Project,
    user: AbstractBaseUser,
    signed_on: datetime.date,
    amount: Decimal,
    note: str = "",
    evidence: UploadedFile | None = None,
) -> SupplementaryAgreement:
    """One supplementary agreement, unverified: it counts once a reviewer has verified it."""
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        agreement = SupplementaryAgreement(project=locked, signed_on=signed_on, amount=amount, note=note, created_by=user)
        if evidence is not None:
            agreement.evidence, agreement.evidence_name = evidence, uploads.kept_name(evidence)
        agreement.full_clean()
        agreement.check_total()
        agreement._history_user = user
        agreement.save()
    return agreement


def correct_agreement(
    *,
    agreement: SupplementaryAgreement,
    user: AbstractBaseUser,
    signed_on: datetime.date,
    amount: Decimal,
    note: str = "",
    evidence: UploadedFile | None = None,
) -> SupplementaryAgreement:
    """Correct an agreement's facts; a new evidence file replaces the old one (deleted once committed).

    `agreement` is as the user's permission was checked on: verified since, nothing changes.
    """
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=agreement.project_id)
        current = _current(agreement, changed="未修改")
        current.signed_on, current.amount, current.note = signed_on, amount, note
        replaced = uploads.replace_file(current, evidence) if evidence is not None else None
        current.full_clean()
        current.check_total()
        current._history_user = user
        current.save()
        uploads.delete_on_commit(replaced)
    return current


def verify_agreement(*, agreement: SupplementaryAgreement, user: AbstractBaseUser) -> SupplementaryAgreement:
    """A reviewer confirms the agreement against its evidence; verifying twice changes nothing."""
    return verify_entry(agreement, user=user)


def delete_agreement(*, agreement: SupplementaryAgreement, user: AbstractBaseUser) -> SupplementaryAgreement:
    """Remove a wrong agreement; its history keeps the last values and who deleted it.

    A deletion that would leave the project's agreement capital below 0 (an increase that later
    reductions rely on) is refused. The evidence file leaves the storage once the deletion is committed.
    """
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=agreement.project_id)
        current = _current(agreement, changed="未删除")
        others = project.agreements.exclude(pk=current.pk)
        total = project.agreement_capital + sum((other.amount for other in others), Decimal(0))
        if total < 0:
            raise ValidationError(
                f"删除后项目的协议资金合计为 {display.money(total)} 亿元，小于 0：请先更正或删除其后的减资补充协议。"
            )
        current._history_user = user
        current.delete()
        uploads.delete_on_commit(current.evidence)
    return current


def _current(agreement: SupplementaryAgreement, *, changed: str) -> SupplementaryAgreement:
    current = SupplementaryAgreement.objects.select_for_update().filter(pk=agreement.pk).first()
    if current is None:
        raise ValidationError("该补充协议已被删除。")
    if current.verified and not agreement.verified:
        raise ValidationError(f"该补充协议刚刚被核实，{changed}；请刷新页面后再操作。")
    return current

