"""How a view declares what it needs: one decorator over a rule of access/permissions.py.

`@requires(permissions.reviews, "…")` for a page's rule (403 with the message when it says no);
`object_permission(fetch, rule, …)` for a rule about one object: the object is fetched first
(404 when the user may not see it, so nothing leaks), then the rule decides (403), and the view
gets the object. projects.views.editing.project_action is it with the project (and a ledger
entry) as the objects.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from .roles import Access, access_of


def refuse_unless(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(*([message] if message else []))


def requires(rule: Callable[[Access], bool], message: str | None = None):
    """The view answers 403 (with `message`, in Chinese, on the error page) unless `rule(access)`."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            refuse_unless(rule(access_of(request.user)), message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def object_permission(
    fetch: Callable[..., object],
    rule: Callable[..., bool],
    message: str | None = None,
    *,
    methods: tuple[str, ...] | None = None,
):
    """`fetch(request, pk, **the URL's other arguments)` (404 when the user may not see it), then
    405 unless the method is one of `methods`, then 403 unless `rule(access, object)`; the view is
    called with the object. A fetch may return a tuple (an object and one of its parts): the
    rule and the view then get each of them."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, pk: int, **kwargs) -> HttpResponse:
            found = fetch(request, pk, **kwargs)
            objects = found if isinstance(found, tuple) else (found,)
            if methods is not None and request.method not in methods:
                return HttpResponseNotAllowed(list(methods))
            refuse_unless(rule(access_of(request.user), *objects), message)
            return view(request, *objects)

        return wrapper

    return decorate
