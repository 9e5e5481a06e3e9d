"""Bulletin generation jobs: asked for from the 通报 page, queued after the transaction commits,
carried out by the worker (reports.tasks → services.run_job), or without a broker by a thread
of the web process. Apart from the services because it queues the tasks that call them.
"""

from __future__ import annotations

import datetime
import logging
import threading

from celery import current_app as celery_app
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from .models import GenerationJob
from .services import check_period
from .tasks import generate_bulletin_task

log = logging.getLogger(__name__)


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
    if celery_app.conf.task_always_eager and settings.TASKS_IN_THREAD:
        threading.Thread(target=_run_in_thread, args=(task, args), daemon=True, name=f"task-{task.name}").start()
    else:
        task.delay(*args)


def _run_in_thread(task, args) -> None:
    try:
        task.apply(args=args)
    finally:
        connections.close_all()  # this thread's own connections
