"""The district's totals per kind of unit and the five-year goal's progress (docs/scoring.md,
"首页汇总口径", states what each total sums)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from lib import display
from lib.sql import exact_sum, from_ten_thousandths
from projects.models import Arrival, Project, Status
from targets import scoring
from targets.models import FiveYearGoal, UnitKind

from .progress import Figure

ZERO = Decimal(0)
# The "5311" goal counts newly brought-in enterprises with an expected output of 100亿 or more.
ENTERPRISE_OUTPUT = Decimal(100)
KIND_LABELS = {UnitKind.PARK: "园区", UnitKind.DEPARTMENT: "区级部门"}


@dataclass(frozen=True)
class TotalRow:
    indicator: scoring.Indicator
    parks: Figure
    departments: Figure
    district: Figure

    @property
    def figures(self) -> list[Figure]:
        return [self.parks, self.departments, self.district]


@dataclass(frozen=True)
class GoalRow:
    figure: Figure
    unit: str  # 亿元 or 个
    basis: str  # what the actual sums


@dataclass(frozen=True)
class FiveYear:
    goal: FiveYearGoal
    rows: list[GoalRow]
    progress: Decimal  # share of the five years elapsed at the period's end

    @property
    def progress_text(self) -> str:
        return display.rate(self.progress)


def units_total(indicator: scoring.Indicator, units: list[scoring.UnitResult], time_progress: Decimal) -> Figure:
    """The units' credited actuals summed, against the sum of the targets that are set (附件2's 合计)."""
    actual = sum((r.indicators[indicator].actual for r in units), ZERO)
    targets = [r.indicators[indicator].target for r in units if r.indicators[indicator].target is not None]
    target = sum(targets, ZERO) if targets else None
    return Figure.of(indicator.label, actual, target, time_progress, indicator.is_count)


def assessed_indicators(units: list[scoring.UnitResult]) -> list[scoring.Indicator]:
    """The indicators at least one of the units has a target for, in order."""
    return [i for i in scoring.Indicator if any(r.indicators[i].target is not None for r in units)]


def district_totals(results: list[scoring.UnitResult], time_progress: Decimal) -> list[TotalRow]:
    """Per indicator: credited actuals summed over all units of a kind, against the sum of the targets set."""
    parks = [r for r in results if r.unit.kind == UnitKind.PARK]
    departments = [r for r in results if r.unit.kind == UnitKind.DEPARTMENT]
    return [TotalRow(i, units_total(i, parks, time_progress), units_total(i, departments, time_progress), units_total(i, results, time_progress)) for i in scoring.Indicator]


def five_year_progress(*, period: scoring.Period) -> tuple[FiveYear | None, str]:
    """The five-year goal covering the period's year, against the district's own figures (3 queries)."""
    goal = FiveYearGoal.objects.filter(start_year__lte=period.year, end_year__gte=period.year).first()
    if goal is None:
        return None, f"{period.year}年不在任何五年目标（如“5311”）的期限内，不显示五年目标进度。"
    since = date(goal.start_year, 1, 1)
    signed = Project.objects.filter(status=Status.APPROVED, signed_on__range=(since, period.end)).aggregate(
        this_year=exact_sum("agreement_capital", Q(signed_on__gte=period.start)),
        cumulative=exact_sum("agreement_capital"),
        enterprises=Count("pk", filter=Q(expected_output__gte=ENTERPRISE_OUTPUT)),
    )
    arrived = Arrival.objects.counted().filter(
        project__status=Status.APPROVED,
        project__signed_on__lte=period.end,
        arrived_on__range=(since, period.end),
    ).aggregate(total=exact_sum("amount"))
    years = goal.end_year - goal.start_year + 1
    elapsed = (Decimal(period.year - goal.start_year) + period.time_progress) / years
    time_progress = period.time_progress
    end = period.end
    span = f"{goal.start_year}年1月1日至{end.year}年{end.month}月{end.day}日"
    rows = [
        GoalRow(
            Figure.of(f"{period.year}年协议资金", from_ten_thousandths(signed["this_year"]), goal.annual_agreement_capital, time_progress),
            "亿元",
            f"{period.year}年1月1日至{end.month}月{end.day}日签约",
        ),
        GoalRow(
            Figure.of("累计协议资金", from_ten_thousandths(signed["cumulative"]), goal.total_agreement_capital, elapsed),
            "亿元",
            span + "签约",
        ),
        GoalRow(
            Figure.of("累计到位资金", from_ten_thousandths(arrived["total"]), goal.total_arrived_capital, elapsed),
            "亿元",
            span + "到位",
        ),
        GoalRow(
            Figure.of(
                "产值100亿级企业",
                Decimal(signed["enterprises"]),
                Decimal(goal.enterprises_over_100yi),
                elapsed,
                is_count=True,
            ),
            "个",
            span + "签约、预计产值 ≥ 100亿元",
        ),
    ]
    return FiveYear(goal, rows, elapsed), ""
