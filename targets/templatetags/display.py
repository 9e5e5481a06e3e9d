"""The template filters that format numbers: `{% load display %}`, then `|money`, `|rate`, …

Every one is a thin wrapper of lib.display, the one place numbers are rounded for display.
"""

from decimal import Decimal

from django import template

from lib import display
from targets import scoring

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    """亿元 to 2 decimals: 25 → "25.00"."""
    return display.money(value)


@register.filter
def rate(value: Decimal | None) -> str:
    """A completion rate: 0.21625 → "21.63%"."""
    return display.rate(value)


@register.filter
def percent(value: Decimal | None) -> str:
    """A share, without needless zeros: 0.8 → "80%"."""
    return display.percent(value)


@register.filter
def score(value: Decimal | None) -> str:
    return display.score(value)


@register.filter
def amount(value: Decimal | None, is_count: bool) -> str:
    """A count as a whole number, money to 2 decimals."""
    return display.amount(value, is_count)


@register.filter
def figure(value: Decimal | None, indicator: str) -> str:
    """`amount` by the indicator's kind (a scoring.Indicator value)."""
    return amount(value, scoring.Indicator(indicator).is_count)


@register.filter
def goal_amount(value: Decimal | None, unit: str) -> str:
    """A five-year goal figure: 个 as a whole number, 亿元 to 2 decimals."""
    return amount(value, unit == "个")
