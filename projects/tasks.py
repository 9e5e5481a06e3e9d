"""Celery tasks of the projects app: thin, each calls one service."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .importing.batches import expire_batches


@shared_task(name="projects.expire_import_batches")
def expire_import_batches_task() -> int:
    """Celery beat's, daily (CELERY_BEAT_SCHEDULE): uploads never confirmed do not pile up."""
    return expire_batches(now=timezone.now(), pending_for=settings.IMPORT_PENDING_FOR)
