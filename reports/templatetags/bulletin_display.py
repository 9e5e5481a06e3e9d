"""A bulletin's snapshot in its web view: the colour rule (figures.progress) and lookups.

Numbers are formatted by the `display` library (targets/templatetags/display.py).
"""

from decimal import Decimal

from django import template

from figures.progress import progress_of
from targets import scoring

register = template.Library()


@register.filter
def behind(item, time_progress: Decimal) -> bool:
    """A unit row or a cell below time progress (snapshot.UnitRow.behind, Cell.behind)."""
    return item.behind(time_progress)


@register.filter
def progress(rate_: Decimal | None, time_progress: Decimal) -> str:
    """The CSS class of a rate against time progress (the dashboard's colour rule)."""
    return progress_of(rate_, time_progress).value


@register.filter
def cell(row, indicator: str):
    return row.cells[indicator]


@register.filter
def total(section, indicator: str):
    return section.total[indicator]


@register.filter
def label(indicator: str) -> str:
    return scoring.Indicator(indicator).label


@register.filter
def unit_of(indicator: str) -> str:
    return "个" if scoring.Indicator(indicator).is_count else "亿元"
