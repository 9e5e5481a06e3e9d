"""The organisation record, read at most once per request."""

from django.utils.functional import SimpleLazyObject

from .models import Organisation


def organisation_of(request) -> Organisation:
    """The request's organisation (targets.models.Organisation), read on first use and kept on it."""
    cached = getattr(request, "_organisation", None)
    if cached is None:
        cached = request._organisation = Organisation.current()
    return cached


def organisation(request) -> dict:
    """Template context: `organisation`, read only if the page uses it, and then once."""
    return {"organisation": SimpleLazyObject(lambda: organisation_of(request))}
