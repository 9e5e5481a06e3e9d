"""Display rounding for the project pages (targets/display.py): money to 2 decimals, shares as percentages."""

from decimal import Decimal

from django import template

from targets import display

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    return display.money(value)


@register.filter
def percent(value: Decimal | None) -> str:
    """A share as a percentage, without needless zeros: 0.8 → "80%", 0.0333… → "3.33%"."""
    if value is None:
        return "–"
    text = display.rate(value).rstrip("%")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


@register.filter
def exact(value: Decimal | None) -> str:
    """Full precision, no trailing zeros: 0.5000 → "0.5" (ledger entries as entered)."""
    return "–" if value is None else display.plain(value)
