"""A page of a long list read from the database a page at a time."""

from __future__ import annotations

from typing import Any, Callable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class Rows:
    """The rows of `queryset` for a Paginator: each page sliced in the database (LIMIT/OFFSET) and
    each row turned into `make(row)`; the length is `known` when the caller has counted already,
    else one COUNT."""

    def __init__(self, queryset: QuerySet, make: Callable[[Any], Any], known: int | None = None):
        self.queryset, self.make, self.known = queryset, make, known

    def count(self) -> int:  # what Paginator asks
        return self.known if self.known is not None else self.queryset.count()

    def __getitem__(self, index: slice) -> list:
        return [self.make(row) for row in self.queryset[index]]


def page_of(rows: Rows, number: str | None, per_page: int) -> Page:
    """The page `number` names; one that is not a number, or out of range, gives the nearest page."""
    return Paginator(rows, per_page).get_page(number)
