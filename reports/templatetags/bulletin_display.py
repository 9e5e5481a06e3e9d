"""Display of a bulletin's snapshot: rounding (targets.display) and the colour rule (targets.dashboard)."""

from decimal import Decimal

from django import template

from targets import display, scoring
from targets.dashboard import progress_of

register = template.Library()


@register.filter
def rate(value: Decimal | None) -> str:
    return display.rate(value)


@register.filter
def score(value: Decimal | None) -> str:
    return display.score(value)


@register.filter
def figure(value: Decimal | None, indicator: str) -> str:
    """A count as a whole number, money to 2 decimals, by the indicator's kind."""
    return display.count(value) if scoring.Indicator(indicator).is_count else display.money(value)


@register.filter
def amount(value: Decimal | None, is_count: bool) -> str:
    return display.count(value) if is_count else display.money(value)


@register.filter
def goal_amount(value: Decimal | None, unit: str) -> str:
    """A five-year goal figure: 个 as a whole number, 亿元 to 2 decimals."""
    return display.count(value) if unit == "个" else display.money(value)


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
