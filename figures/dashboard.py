"""What the dashboard (首页) shows, gathered in a constant number of queries: the district
totals, each kind's ranking, the five-year goal, the charts and last week's activity index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from access.permissions import sees_unit, staff_unit_id
from groups.models import SpecialGroup
from lib import display
from lib.sql import exact_sum, from_ten_thousandths
from projects.models import Project, Status, counted_condition
from targets import scoring

from . import assessment
from .activity_index import LastWeek, last_week_top_bottom
from .landing import LandingSummary, landing_summary
from .progress import Figure, Progress, indicator_figure, legend, progress_of
from .totals import KIND_LABELS, FiveYear, TotalRow, assessed_indicators, district_totals, five_year_progress

ZERO = Decimal(0)


@dataclass(frozen=True)
class RankingRow:
    result: scoring.UnitResult
    figures: list[Figure]
    linked: bool  # the viewer may open this unit's page

    @property
    def unit(self) -> scoring.Unit:
        return self.result.unit

    @property
    def score_text(self) -> str:
        return display.score(self.result.score)


@dataclass(frozen=True)
class Ranking:
    kind: str
    label: str
    indicators: list[scoring.Indicator]  # those at least one unit of the kind has a target for
    omitted: list[scoring.Indicator]
    rows: list[RankingRow]


@dataclass(frozen=True)
class Dashboard:
    period: scoring.Period
    totals: list[TotalRow]
    rankings: list[Ranking]
    five_year: FiveYear | None
    five_year_note: str
    charts: dict
    legend: list[tuple[Progress, str]]
    activity: LastWeek  # the last complete week's first and last units by activity index
    landing: LandingSummary | None  # the year's 开工率, 投产率, 超时限未开工 (None: no rule set)


def gather_dashboard(*, period: scoring.Period, access, today: date | None = None) -> Dashboard:
    """Everything the dashboard shows for the period (raises assessment.NoRuleSet); the activity
    index is the last complete week's before `today` (default: today in Asia/Shanghai)."""
    rules = assessment.rules_for(period.year)
    results = assessment.assess(period)
    time_progress = period.time_progress
    five_year, note = five_year_progress(period=period)
    return Dashboard(
        period=period,
        totals=district_totals(results, time_progress),
        rankings=[ranking(results, kind, time_progress, access) for kind in KIND_LABELS],
        five_year=five_year,
        five_year_note=note,
        charts={
            "timeProgress": _percent(time_progress),
            "completion": completion_chart(results, time_progress),
            "quarters": quarter_chart(period=period, rules=rules),
            "groups": group_chart(period=period),
        },
        legend=legend(time_progress),
        activity=last_week_top_bottom(today=today or timezone.localdate()),
        landing=landing_summary(period, unit=access.unit if staff_unit_id(access) else None, today=today),
    )


def ranking(results: list[scoring.UnitResult], kind: str, time_progress: Decimal, access) -> Ranking:
    """One kind's ranking as assess() ordered it; indicators no unit of the kind is assessed on are left out."""
    same_kind = [r for r in results if r.unit.kind == kind]
    shown = assessed_indicators(same_kind)
    rows = [
        RankingRow(r, [indicator_figure(r.indicators[i], time_progress) for i in shown], sees_unit(access, r.unit.id))
        for r in same_kind
    ]
    return Ranking(kind, KIND_LABELS[kind], shown, [i for i in scoring.Indicator if i not in shown], rows)


# --- Charts: plain data for static/js/charts.js -----------------------------------------


def _percent(rate: Decimal | None) -> str | None:
    """A rate as a percentage string with 2 decimals ("21.63"), the chart's number."""
    return None if rate is None else display.rate(rate).rstrip("%")


def completion_chart(results: list[scoring.UnitResult], time_progress: Decimal) -> dict:
    """Agreement-capital completion of every unit that has that target, in ranking order."""
    rows = [r for r in results if r.indicators[scoring.Indicator.AGREEMENT_CAPITAL].target is not None]
    return {
        "units": [r.unit.name for r in rows],
        "kinds": [KIND_LABELS.get(r.unit.kind, "") for r in rows],
        "rates": [_percent(r.indicators[scoring.Indicator.AGREEMENT_CAPITAL].rate) for r in rows],
        "progress": [progress_of(r.indicators[scoring.Indicator.AGREEMENT_CAPITAL].rate, time_progress).value for r in rows],
    }


def quarter_chart(*, period: scoring.Period, rules: scoring.Rules) -> dict:
    """Credited agreement capital of the counted projects signed in each quarter up to the period (1 query).

    The district's credit of a project is its money × origin weight (the lead's and the
    cooperating units' shares add up to the whole), so the quarters add up to the
    district total of the table above.
    """
    quarters = range(1, period.quarter + 1)
    by_origin = (
        Project.objects.filter(counted_condition(rules, period.end), signed_on__gte=period.start)
        .values("origin")
        .order_by()
        .annotate(
            **{f"q{q}": exact_sum("agreement_capital", Q(signed_on__range=_quarter(period.year, q))) for q in quarters}
        )
    )
    credited = {q: ZERO for q in quarters}
    for row in by_origin:
        weight = rules.origin_weights[scoring.Origin(row["origin"])]
        for q in quarters:
            credited[q] += from_ten_thousandths(row[f"q{q}"]) * weight
    return {
        "labels": [f"第{q}季度" for q in range(1, 5)],
        "values": [display.money(credited[q]) if q in credited else None for q in range(1, 5)],
    }


def _quarter(year: int, quarter: int) -> tuple[date, date]:
    return date(year, quarter * 3 - 2, 1), scoring.Period(year, quarter).end


def group_chart(*, period: scoring.Period) -> dict:
    """Approved projects signed in the period per special group: count and own agreement capital (2 queries)."""
    per_group = {
        row["group_id"]: row
        for row in Project.objects.filter(status=Status.APPROVED, signed_on__range=(period.start, period.end))
        .values("group_id")
        .order_by()
        .annotate(projects=Count("pk"), money=exact_sum("agreement_capital"))
    }
    names = list(SpecialGroup.objects.order_by("number").values_list("id", "name"))
    if None in per_group:
        names.append((None, "未归属专项组"))
    rows = [(name, per_group.get(pk, {})) for pk, name in names]
    return {
        "groups": [name for name, _ in rows],
        "projects": [row.get("projects", 0) for _, row in rows],
        "capital": [display.money(from_ten_thousandths(row.get("money"))) for _, row in rows],
    }
