"""The dashboard's district totals and rankings as an Excel workbook, laid out as the bulletin's.

Computed live for the period asked for (nothing is stored): the same figures as the dashboard
shows at that moment, through the same query layer (figures.assessment) and the bulletin's
table writer (reports.workbook).
"""

from __future__ import annotations

from figures import assessment
from targets import scoring
from targets.models import Organisation

from .snapshot import ranking_tables
from .workbook import ranking_workbook


def dashboard_title(period: scoring.Period) -> str:
    return f"{period.year}年第{period.quarter}季度招商引资目标完成情况"


def dashboard_workbook(*, period: scoring.Period, organisation: Organisation) -> bytes:
    """The workbook of `period` (raises assessment.NoRuleSet for a year without rules)."""
    totals, sections = ranking_tables(assessment.assess(period), period.time_progress)
    return ranking_workbook(
        title=dashboard_title(period),
        creator=organisation.system_title,
        as_of=period.end,
        time_progress=period.time_progress,
        totals=totals,
        sections=sections,
    )


def dashboard_filename(period: scoring.Period, *, organisation: Organisation) -> str:
    return f"{organisation.district}{dashboard_title(period)}.xlsx"
