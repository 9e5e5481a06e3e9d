"""Celery tasks of the leads app: thin, each calls one service."""

from dataclasses import asdict

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="leads.mark_lead_alerts")
def mark_lead_alerts_task() -> dict:
    """Celery beat's, daily at 01:30 (CELERY_BEAT_SCHEDULE): since when leads are overdue or stale."""
    marks = services.mark_lead_alerts(today=timezone.localdate())
    return asdict(marks)
