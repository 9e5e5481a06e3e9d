"""Generating, publishing and scheduling bulletins; notifying reviewers.

Generation computes the snapshot once and renders both documents from it; the row is then
written in one transaction. A published bulletin is never rewritten: generation for its
period leaves it as it is, and the one-per-quarter constraint means there is never a second.
Every function here is safe to run twice (Celery's acks_late may deliver a task again).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from targets import scoring
from targets.models import RuleSet

from .models import Bulletin, GenerationJob, Notification
from .pdf import render_pdf
from .snapshot import quarter_start, take_snapshot, to_json
from .workbook import bulletin_workbook

log = logging.getLogger(__name__)


class BulletinError(Exception):
    """A request that cannot be carried out, with the reason in Chinese."""


class AlreadyPublished(BulletinError):
    """The period's bulletin is published: it is never generated again."""


@dataclass(frozen=True)
class Generated:
    bulletin: Bulletin
    changed: bool  # False: a published bulletin was there and stays as it was

    @property
    def outcome(self) -> str:
        if not self.changed:
            return "该期通报已发布，内容不再改变，未重新生成。"
        return "已生成草稿，待审核员发布。"


# --- Generating -------------------------------------------------------------------------------


def generate_bulletin(*, year: int, quarter: int, user=None, today: datetime.date | None = None) -> Generated:
    """The period's bulletin, generated anew unless it is published (then returned unchanged).

    Raises assessment.NoRuleSet for a year without rules. The documents are rendered outside
    the transaction; the row is created or replaced inside it, under a row lock.
    """
    period = scoring.Period(year, quarter)
    published = Bulletin.objects.filter(year=year, quarter=quarter, state=Bulletin.State.PUBLISHED).first()
    if published is not None:
        return Generated(published, changed=False)
    snapshot = take_snapshot(period=period, issued_on=today or timezone.localdate())
    documents = {"snapshot": to_json(snapshot), "pdf": render_pdf(snapshot), "xlsx": bulletin_workbook(snapshot)}
    fields = {**documents, "district": snapshot.district, "generated_at": timezone.now(), "generated_by": user}
    try:
        return _store(year, quarter, fields)
    except IntegrityError:
        # Another run created the row between our look and our insert: it exists now, so replace it.
        return _store(year, quarter, fields)


def _store(year: int, quarter: int, fields: dict) -> Generated:
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().filter(year=year, quarter=quarter).first()
        if bulletin is None:
            bulletin = Bulletin(year=year, quarter=quarter, **fields)
            bulletin.full_clean(validate_unique=False, validate_constraints=False)
            bulletin.save()  # the unique constraint, not this code, rules out a second one
            return Generated(bulletin, changed=True)
        if bulletin.is_published:
            return Generated(bulletin, changed=False)
        for name, value in fields.items():
            setattr(bulletin, name, value)
        bulletin.save()
        return Generated(bulletin, changed=True)


def publish_bulletin(*, bulletin: Bulletin, user) -> Bulletin:
    """Publish a draft: from now on its snapshot and documents never change."""
    with transaction.atomic():
        locked = Bulletin.objects.without_documents().select_for_update().get(pk=bulletin.pk)
        if locked.is_published:
            raise BulletinError(f"{locked.title}已于{_when(locked.published_at)}发布，不能再次发布。")
        locked.state = Bulletin.State.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = user
        locked.save(update_fields=["state", "published_at", "published_by"])
    return locked


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- Jobs: the periods a bulletin can be asked for (reports.jobs queues them) ---------------------


def check_period(*, year: int, quarter: int, today: datetime.date | None = None) -> None:
    """Refuse a period that cannot have a bulletin (BulletinError)."""
    today = today or timezone.localdate()
    if quarter not in (1, 2, 3, 4):
        raise BulletinError("季度须为1–4。")
    if not RuleSet.objects.filter(year=year).exists():
        raise BulletinError(f"{year}年尚未设置考核规则，无法生成通报。")
    if quarter_start(year, quarter) > today:
        raise BulletinError(f"{year}年第{quarter}季度尚未开始，无法生成通报。")
    published = Bulletin.objects.without_documents().filter(year=year, quarter=quarter, state=Bulletin.State.PUBLISHED)
    if published.exists():
        raise AlreadyPublished(f"{year}年第{quarter}季度的通报已发布，内容不再改变，不能重新生成。")


def run_job(*, job_id: int) -> GenerationJob | None:
    """Carry out a queued job; a finished one is left alone, so a redelivered task does nothing."""
    job = GenerationJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    job.state, job.started_at = GenerationJob.State.RUNNING, timezone.now()
    job.save(update_fields=["state", "started_at"])
    try:
        generated = generate_bulletin(year=job.year, quarter=job.quarter, user=job.requested_by)
    except Exception as error:  # the job records every failure; the worker stays up
        log.exception("bulletin generation %s failed", job.pk)
        job.state, job.error = GenerationJob.State.FAILED, str(error) or error.__class__.__name__
    else:
        job.state, job.bulletin, job.outcome = GenerationJob.State.DONE, generated.bulletin, generated.outcome
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "bulletin", "outcome", "finished_at"])
    return job


# --- The schedule ---------------------------------------------------------------------------------


def previous_quarter(today: datetime.date) -> tuple[int, int]:
    """The last quarter that ended before `today`."""
    quarter = (today.month - 1) // 3 + 1
    return (today.year - 1, 4) if quarter == 1 else (today.year, quarter - 1)


def draft_due_bulletin(*, today: datetime.date) -> GenerationJob | None:
    """The beat's job: draft the quarter that just ended and tell the reviewers.

    Nothing happens for a year without rules or a bulletin already published.
    """
    year, quarter = previous_quarter(today)
    try:
        check_period(year=year, quarter=quarter, today=today)
    except BulletinError as error:
        log.info("no scheduled bulletin for %s Q%s: %s", year, quarter, error)
        return None
    job = GenerationJob.objects.create(year=year, quarter=quarter)
    job = run_job(job_id=job.pk)
    notify_reviewers(job)
    return job


def notify_reviewers(job: GenerationJob) -> None:
    """Tell every active reviewer (and administrator) how the job went; never twice the same."""
    period = f"{job.year}年第{job.quarter}季度"
    kind = "年度考核" if job.quarter == 4 else "通报"
    if job.state == GenerationJob.State.DONE:
        message = f"{period}{kind}草稿已自动生成，请核对后发布。"
        link = reverse("bulletin_detail", args=[job.bulletin_id])
    else:
        message = f"{period}{kind}自动生成失败：{job.error}"[:300]
        link = reverse("report_list")
    for user in reviewers():
        Notification.objects.get_or_create(user=user, message=message, link=link, read_at=None)


def reviewers():
    roles = [Role.REVIEWER.value, Role.ADMINISTRATOR.value]
    return get_user_model().objects.filter(Q(groups__name__in=roles) | Q(is_superuser=True), is_active=True).distinct()


def mark_read(*, user) -> int:
    return Notification.objects.unread_for(user).update(read_at=timezone.now())
