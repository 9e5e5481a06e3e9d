"""Rounding for display only (domain.md §3): money and scores to 2 decimals, rates as percentages.

Rounding is 四舍五入 (half up), as the district's tables do. Everything upstream keeps full precision.
The one set of number formatters: pages (through the `display` template library,
targets/templatetags/display.py), the PDF and the `ranking` command use these; `plain` is for
what is entered (form inputs, the change history, machine-readable output). Workbooks keep
exact numbers and say "0.00" in the cell's number format (lib/xlsx.py).
"""

import unicodedata
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal | None) -> str:
    """亿元 to 2 decimals: 1.9200 → "1.92"."""
    return "–" if value is None else str(Decimal(value).quantize(CENT, ROUND_HALF_UP))


def score(value: Decimal | None) -> str:
    return money(value)


def rate(value: Decimal | None) -> str:
    """A completion rate as a percentage with 2 decimals: 0.21625 → "21.63%"."""
    return "–" if value is None else f"{(Decimal(value) * 100).quantize(CENT, ROUND_HALF_UP)}%"


def percent(value: Decimal | None) -> str:
    """A share as a short percentage, to at most 2 decimals: 0.8 → "80%", 0.125 → "12.5%", 1/30 → "3.33%"."""
    if value is None:
        return "–"
    text = rate(value).rstrip("%")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


RATIO_PLACES = Decimal("0.0001")


def ratio(value: Decimal | None) -> str | None:
    """A ratio to 4 decimals for machine-readable output (None stays None): 7/12 → "0.5833"."""
    return None if value is None else str(Decimal(value).quantize(RATIO_PLACES, ROUND_HALF_UP))


def count(value: Decimal | int | None) -> str:
    return "–" if value is None else str(int(value))


def amount(value: Decimal | None, is_count: bool) -> str:
    """A figure of an indicator: a count as a whole number, money to 2 decimals."""
    return count(value) if is_count else money(value)


def plain(value: Decimal | None) -> str | None:
    """Full precision without exponent or trailing zeros, for machine-readable output."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    gap = " " * max(columns - width(text), 0)
    return gap + text if right else text + gap
