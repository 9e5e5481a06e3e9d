"""The year and quarter a page shows: ?year=&quarter= when valid, else the current quarter."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from . import scoring
from .models import RuleSet


FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class PeriodChoice:
    period: scoring.Period
    years: list[int]  # years that have a rule set, newest first
    note: str = ""  # why the page shows another period than the one asked for


def current_period() -> scoring.Period:
    today = timezone.localdate()
    return scoring.Period(today.year, (today.month - 1) // 3 + 1)


def period_from_request(request) -> PeriodChoice:
    """The period asked for in the query string, or the current quarter.

    A year without a rule set cannot be assessed, so the page falls back to the latest
    year that has one (Q4 of a past year, the current quarter of this year) and says so.
    """
    years = sorted(RuleSet.objects.values_list("year", flat=True), reverse=True)
    default = current_period()
    year = _int(request.GET.get("year"), default.year)
    quarter = _int(request.GET.get("quarter"), default.quarter if year == default.year else 4)
    note = ""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        year, quarter, note = default.year, default.quarter, f"年度须在{FIRST_YEAR}–{LAST_YEAR}之间，已显示本季度。"
    if quarter not in (1, 2, 3, 4):
        quarter, note = 4, "季度须为1–4，已显示第四季度。"
    if years and year not in years:
        asked = year
        year = years[0]
        quarter = default.quarter if year == default.year else 4
        note = f"{asked}年尚未设置考核规则，已显示{year}年第{quarter}季度。"
    return PeriodChoice(scoring.Period(year, quarter), years, note)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text not in (None, "") else default
    except ValueError:
        return default
