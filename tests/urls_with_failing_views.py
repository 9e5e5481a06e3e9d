"""The site's URLs plus views that fail on purpose, for the error-page tests (tests/test_error_pages.py)."""

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db import connection
from django.urls import path

from fuling_invest.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def crash(request):
    raise RuntimeError("SELECT secret FROM internals")  # what a 500 must never show


def crash_after_reading(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raise RuntimeError("the view failed after it used the database")


def bad_request_with_message(request):
    raise BadRequest("年度参数无效。")


def suspicious(request):
    raise SuspiciousOperation("Attempted access to '/etc/passwd' denied.")


urlpatterns = [
    *urlpatterns,
    path("_test/crash/", crash),
    path("_test/crash-after-reading/", crash_after_reading),
    path("_test/bad-request/", bad_request_with_message),
    path("_test/suspicious/", suspicious),
]
