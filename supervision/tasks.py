"""Celery tasks of the supervision app: thin, each calls one service."""

from dataclasses import asdict

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="supervision.mark_overdue_reports")
def mark_overdue_reports_task() -> dict:
    """Celery beat's, daily at 01:45 (CELERY_BEAT_SCHEDULE): the task reports missing after their due date."""
    return asdict(services.mark_overdue_reports(today=timezone.localdate()))
