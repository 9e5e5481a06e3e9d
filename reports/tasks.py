"""Celery tasks: thin, they take ids and call one service (reports.services).

Both are idempotent: with acks_late a task may be delivered again after a worker died,
and running it twice gives one bulletin (a finished job is left alone; a draft is
replaced, never duplicated; a published bulletin never changes).
"""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="reports.generate_bulletin")
def generate_bulletin_task(job_id: int) -> str | None:
    job = services.run_job(job_id=job_id)
    return None if job is None else job.state


@shared_task(name="reports.draft_due_bulletin")
def draft_due_bulletin_task() -> str | None:
    """Celery beat's: 02:00 on the 5th day after each quarter (CELERY_BEAT_SCHEDULE)."""
    job = services.draft_due_bulletin(today=timezone.localdate())
    return None if job is None else job.state
