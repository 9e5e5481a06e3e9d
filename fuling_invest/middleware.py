"""A write that could not get the database in time answers a message in Chinese, not a 500."""

from django.db import OperationalError
from django.shortcuts import render

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's lock_timeout, when one is set


def database_busy(error: BaseException) -> bool:
    """SQLite's "database is locked": its one writer stayed busy past the timeout (20 s)."""
    if not isinstance(error, OperationalError):
        return False
    return "database is locked" in str(error) or getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_busy(exception):
            return None
        response = render(request, "busy.html", status=503)
        response["Retry-After"] = "30"
        return response
