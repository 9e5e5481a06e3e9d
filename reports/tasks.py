"""Celery tasks: thin, they take ids and call one service (reports.services, and the stored
activity index of figures.activity_index).

Each is idempotent: with acks_late a task may be delivered again after a worker died,
and running it twice gives one bulletin (a finished job is left alone; a draft is
replaced, never duplicated; a published bulletin never changes) and one stored week.
"""

import logging

from celery import shared_task
from django.utils import timezone

from figures import activity_index
from figures.assessment import NoRuleSet
from targets.activity_index import Week

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="reports.generate_bulletin")
def generate_bulletin_task(job_id: int) -> str | None:
    job = services.run_job(job_id=job_id)
    return None if job is None else job.state


@shared_task(name="reports.draft_due_bulletin")
def draft_due_bulletin_task() -> str | None:
    """Celery beat's: 02:00 on the 5th day after each quarter (CELERY_BEAT_SCHEDULE)."""
    job = services.draft_due_bulletin(today=timezone.localdate())
    return None if job is None else job.state


@shared_task(name="reports.store_activity_index")
def store_activity_index_task() -> dict | None:
    """Celery beat's, Mondays at 02:00 Asia/Shanghai (CELERY_BEAT_SCHEDULE): the week just ended,
    stored again if it already was (idempotent)."""
    week = Week.of(timezone.localdate()).previous()
    try:
        stored = activity_index.store_week(week)
    except NoRuleSet as error:
        logger.warning("%s的招商活跃指数未计算：%s", week, error)
        return None
    return {"year": week.year, "week": week.week, "units": len(stored.results)}
