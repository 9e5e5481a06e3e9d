"""Generating, publishing and scheduling bulletins; notifying reviewers.

Generation computes the snapshot once and renders both documents from it; the row is then
written in one transaction. A published bulletin is never rewritten: generation for its
period leaves it as it is, and the one-per-quarter constraint means there is never a second.
Every function here is safe to run twice (Celery's acks_late may deliver a task again).
"""

from __future__ import annotations

import datetime
import logging
import threading
from dataclasses import dataclass

from celery import current_app as celery_app
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from fuling_invest.roles import Role
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


# --- Jobs: what the reports page asks for and watches -------------------------------------------


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


def request_bulletin(*, year: int, quarter: int, user) -> GenerationJob:
    """Queue the generation of a period's bulletin, after the transaction commits.

    A job for the same period that is still queued or running is returned instead of a second.
    """
    check_period(year=year, quarter=quarter)
    expire_stale_jobs()
    pending = GenerationJob.objects.filter(year=year, quarter=quarter).exclude(state__in=GenerationJob.FINISHED)
    job = pending.first()
    if job is None:
        job = GenerationJob.objects.create(year=year, quarter=quarter, requested_by=user)
        enqueue_generation(job)
    return job


def stale_before() -> datetime.datetime:
    """A job still unfinished this long after it was asked for will not finish: past the task's
    time limit, its message was lost (a broker restarted empty, a worker never ran)."""
    return timezone.now() - datetime.timedelta(seconds=celery_app.conf.task_time_limit or 15 * 60) * 2


def expire_stale_jobs() -> int:
    """Mark the jobs that will never finish as failed, so their period can be asked for again."""
    return (
        GenerationJob.objects.exclude(state__in=GenerationJob.FINISHED)
        .filter(requested_at__lt=stale_before())
        .update(
            state=GenerationJob.State.FAILED,
            error="任务长时间未完成（后台任务进程或任务队列可能中断），已作废，可重新生成。",
            finished_at=timezone.now(),
        )
    )


def enqueue_generation(job: GenerationJob) -> None:
    transaction.on_commit(lambda: _send(job))


def _send(job: GenerationJob) -> None:
    """Queue the job; if the broker cannot be reached, the job says so instead of waiting forever."""
    from .tasks import generate_bulletin_task  # the tasks call this module

    try:
        enqueue(generate_bulletin_task, job.pk)
    except Exception as error:  # kombu's connection errors, whatever the transport
        log.exception("bulletin job %s could not be queued", job.pk)
        GenerationJob.objects.filter(pk=job.pk, state=GenerationJob.State.QUEUED).update(
            state=GenerationJob.State.FAILED,
            error=f"无法连接任务队列（{error.__class__.__name__}），请稍后重试或联系系统管理员。",
            finished_at=timezone.now(),
        )


def enqueue(task, *args) -> None:
    """Send a task to the worker; without a broker run it in-process, in a thread of its own
    (TASKS_IN_THREAD) so that no web request waits for it."""
    from django.conf import settings

    if celery_app.conf.task_always_eager and settings.TASKS_IN_THREAD:
        threading.Thread(target=_run_in_thread, args=(task, args), daemon=True, name=f"task-{task.name}").start()
    else:
        task.delay(*args)


def _run_in_thread(task, args) -> None:
    try:
        task.apply(args=args)
    finally:
        connections.close_all()  # this thread's own connections


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
