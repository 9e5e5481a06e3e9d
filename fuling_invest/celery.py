import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuling_invest.settings")

app = Celery("fuling_invest")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
