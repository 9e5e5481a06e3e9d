"""What the dashboard (首页) and the unit page show, gathered in a constant number of queries.

The figures stay Decimal; the `*_text` properties round them for display (lib.display).
docs/scoring.md, "首页汇总口径", states what each district total sums.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.db.models import Count, Q

from groups.models import SpecialGroup
from lib import display
from lib.sql import exact_sum, from_ten_thousandths
from projects.models import Arrival, Origin, Project, Status, counted_condition
from targets import scoring
from targets.models import FiveYearGoal, Unit, UnitKind

from . import assessment

I = scoring.Indicator
ZERO = Decimal(0)
ONE = Decimal(1)
# Below this share of time progress a rate is "far behind" (严重滞后).
FAR_BEHIND_SHARE = Decimal("0.8")
# The "5311" goal counts newly brought-in enterprises with an expected output of 100亿 or more.
ENTERPRISE_OUTPUT = Decimal(100)
KIND_LABELS = {UnitKind.PARK: "园区", UnitKind.DEPARTMENT: "区级部门"}


# --- The colour rule -------------------------------------------------------------------


class Progress(StrEnum):
    """A completion rate against time progress (序时进度); the value is the CSS class."""

    AHEAD = "progress-ahead"
    BEHIND = "progress-behind"
    FAR_BEHIND = "progress-far-behind"
    NONE = "progress-none"

    @property
    def label(self) -> str:
        return PROGRESS_LABELS[self]


PROGRESS_LABELS = {
    Progress.AHEAD: "达到序时进度",
    Progress.BEHIND: "落后序时进度",
    Progress.FAR_BEHIND: "严重滞后",
    Progress.NONE: "无目标",
}


def progress_of(rate: Decimal | None, time_progress: Decimal) -> Progress:
    """Ahead at or above time progress, behind down to 80% of it, far behind below; none without a target."""
    if rate is None:
        return Progress.NONE
    if rate >= time_progress:
        return Progress.AHEAD
    if rate >= time_progress * FAR_BEHIND_SHARE:
        return Progress.BEHIND
    return Progress.FAR_BEHIND


def legend(time_progress: Decimal) -> list[tuple[Progress, str]]:
    """The colour rule in words, with this period's thresholds."""
    far = time_progress * FAR_BEHIND_SHARE
    return [
        (Progress.AHEAD, f"达到序时进度：完成率 ≥ {display.rate(time_progress)}"),
        (Progress.BEHIND, f"落后序时进度：{display.rate(far)} ≤ 完成率 < {display.rate(time_progress)}"),
        (Progress.FAR_BEHIND, f"严重滞后：完成率 < {display.rate(far)}（序时进度的80%）"),
        (Progress.NONE, "– 未设目标，不考核"),
    ]


def sees_unit(access, unit_id: int) -> bool:
    """The unit page is open to those who see everything, and to a unit's own staff."""
    return access.sees_everything or access.is_staff_of(unit_id)


# --- One figure: actual against target -------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    actual: Decimal
    target: Decimal | None
    progress: Progress
    is_count: bool = False

    @classmethod
    def of(cls, label: str, actual: Decimal, target: Decimal | None, time_progress: Decimal, is_count: bool = False):
        return cls(label, actual, target, progress_of(_rate(actual, target), time_progress), is_count)

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.actual, self.target)

    @property
    def actual_text(self) -> str:
        return display.amount(self.actual, self.is_count)

    @property
    def target_text(self) -> str:
        return display.amount(self.target, self.is_count)

    @property
    def rate_text(self) -> str:
        return display.rate(self.rate)


def _rate(actual: Decimal, target: Decimal | None) -> Decimal | None:
    return actual / target if target else None


def indicator_figure(result: scoring.IndicatorResult, time_progress: Decimal) -> Figure:
    indicator = result.indicator
    return Figure.of(indicator.label, result.actual, result.target, time_progress, indicator.is_count)


# --- The dashboard ---------------------------------------------------------------------


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


@dataclass(frozen=True)
class Dashboard:
    period: scoring.Period
    totals: list[TotalRow]
    rankings: list[Ranking]
    five_year: FiveYear | None
    five_year_note: str
    charts: dict
    legend: list[tuple[Progress, str]]


def gather_dashboard(*, period: scoring.Period, access) -> Dashboard:
    """Everything the dashboard shows for the period (raises assessment.NoRuleSet)."""
    rules = assessment.rules_for(period.year)
    results = assessment.assess(period)
    tp = period.time_progress
    five_year, note = five_year_progress(period=period)
    return Dashboard(
        period=period,
        totals=district_totals(results, tp),
        rankings=[ranking(results, kind, tp, access) for kind in KIND_LABELS],
        five_year=five_year,
        five_year_note=note,
        charts={
            "timeProgress": _percent(tp),
            "completion": completion_chart(results, tp),
            "quarters": quarter_chart(period=period, rules=rules),
            "groups": group_chart(period=period),
        },
        legend=legend(tp),
    )


def units_total(indicator: scoring.Indicator, units: list[scoring.UnitResult], time_progress: Decimal) -> Figure:
    """The units' credited actuals summed, against the sum of the targets that are set (附件2's 合计)."""
    actual = sum((r.indicators[indicator].actual for r in units), ZERO)
    targets = [r.indicators[indicator].target for r in units if r.indicators[indicator].target is not None]
    target = sum(targets, ZERO) if targets else None
    return Figure.of(indicator.label, actual, target, time_progress, indicator.is_count)


def assessed_indicators(units: list[scoring.UnitResult]) -> list[scoring.Indicator]:
    """The indicators at least one of the units has a target for, in order."""
    return [i for i in I if any(r.indicators[i].target is not None for r in units)]


def district_totals(results: list[scoring.UnitResult], time_progress: Decimal) -> list[TotalRow]:
    """Per indicator: credited actuals summed over all units of a kind, against the sum of the targets set."""
    parks = [r for r in results if r.unit.kind == UnitKind.PARK]
    departments = [r for r in results if r.unit.kind == UnitKind.DEPARTMENT]
    tp = time_progress
    return [TotalRow(i, units_total(i, parks, tp), units_total(i, departments, tp), units_total(i, results, tp)) for i in I]


def ranking(results: list[scoring.UnitResult], kind: str, time_progress: Decimal, access) -> Ranking:
    """One kind's ranking as assess() ordered it; indicators no unit of the kind is assessed on are left out."""
    same_kind = [r for r in results if r.unit.kind == kind]
    shown = assessed_indicators(same_kind)
    rows = [
        RankingRow(r, [indicator_figure(r.indicators[i], time_progress) for i in shown], sees_unit(access, r.unit.id))
        for r in same_kind
    ]
    return Ranking(kind, KIND_LABELS[kind], shown, [i for i in I if i not in shown], rows)


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
    tp = period.time_progress
    end = period.end
    span = f"{goal.start_year}年1月1日至{end.year}年{end.month}月{end.day}日"
    rows = [
        GoalRow(
            Figure.of(f"{period.year}年协议资金", from_ten_thousandths(signed["this_year"]), goal.annual_agreement_capital, tp),
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


# --- Charts: plain data for static/js/charts.js -----------------------------------------


def _percent(rate: Decimal | None) -> str | None:
    """A rate as a percentage string with 2 decimals ("21.63"), the chart's number."""
    return None if rate is None else display.rate(rate).rstrip("%")


def completion_chart(results: list[scoring.UnitResult], time_progress: Decimal) -> dict:
    """Agreement-capital completion of every unit that has that target, in ranking order."""
    rows = [r for r in results if r.indicators[I.AGREEMENT_CAPITAL].target is not None]
    return {
        "units": [r.unit.name for r in rows],
        "kinds": [KIND_LABELS.get(r.unit.kind, "") for r in rows],
        "rates": [_percent(r.indicators[I.AGREEMENT_CAPITAL].rate) for r in rows],
        "progress": [progress_of(r.indicators[I.AGREEMENT_CAPITAL].rate, time_progress).value for r in rows],
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


# --- The unit page ---------------------------------------------------------------------


@dataclass(frozen=True)
class LineView:
    """A credit line with the words and the formula that explain it."""

    line: scoring.CreditLine
    indicator: scoring.Indicator
    role: str
    origin: str
    formula: str

    @property
    def origin_weight_text(self) -> str:
        return "不折算" if self.indicator.is_count else display.percent(self.line.origin_weight)

    @property
    def amount_text(self) -> str:
        return display.amount(self.line.amount, self.indicator.is_count)

    @property
    def credit_text(self) -> str:
        return display.amount(self.line.credit, self.indicator.is_count)


@dataclass(frozen=True)
class IndicatorView:
    figure: Figure
    indicator: scoring.Indicator
    weight: Decimal
    scored_rate: Decimal | None  # min(rate, cap), what the score reads
    points: Decimal | None
    lines: list[LineView]

    @property
    def weight_text(self) -> str:
        return display.plain(self.weight)

    @property
    def scored_rate_text(self) -> str:
        return display.rate(self.scored_rate)

    @property
    def points_text(self) -> str:
        return display.score(self.points)


@dataclass(frozen=True)
class NotCountedView:
    """A project of the unit that gave no credit in the period, with its facts and the reason."""

    item: assessment.NotCounted

    @property
    def project(self) -> scoring.Project:
        return self.item.project

    @property
    def role(self) -> str:
        return "牵头" if self.item.lead else "配合"

    @property
    def origin(self) -> str:
        return self.project.origin.label

    @property
    def sector(self) -> str:
        return "工业" if self.project.industrial else "非工业"

    @property
    def agreement_capital_text(self) -> str:
        return display.money(self.project.agreement_capital)

    @property
    def signed_on_text(self) -> str:
        return self.project.signed_on.isoformat() if self.project.signed_on else "未签约"


@dataclass(frozen=True)
class PendingArrivals:
    """The unit's arrived capital waiting for a reviewer (待核实): shown apart, counted nowhere."""

    entries: list[Arrival]  # with `project` loaded, oldest arrival first

    @property
    def total(self) -> Decimal:
        return sum((entry.amount for entry in self.entries), ZERO)

    @property
    def total_text(self) -> str:
        return display.money(self.total)


def pending_arrivals(unit: Unit, period: scoring.Period, projects) -> PendingArrivals:
    """Unverified entries dated in the period of the unit's projects (led or cooperated in) among
    `projects`, withdrawn ones apart: 1 query."""
    entries = (
        Arrival.objects.awaiting_verification()
        .filter(project__in=projects.filter(assessment.of_unit(unit)), arrived_on__range=(period.start, period.end))
        .select_related("project")
        .order_by("arrived_on", "pk")
    )
    return PendingArrivals(list(entries))


@dataclass(frozen=True)
class UnitPage:
    unit: Unit
    period: scoring.Period
    result: scoring.UnitResult
    indicators: list[IndicatorView]
    score_formula: str
    rules_summary: str
    rate_cap: Decimal
    units_of_kind: int
    legend: list[tuple[Progress, str]]
    not_counted: list[NotCountedView]
    pending: PendingArrivals

    @property
    def score_text(self) -> str:
        return display.score(self.result.score)

    @property
    def max_score_text(self) -> str:
        return display.score(100 * self.rate_cap)

    @property
    def rate_cap_text(self) -> str:
        return display.percent(self.rate_cap)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.unit.kind, self.unit.get_kind_display())


def gather_unit_page(*, unit: Unit, period: scoring.Period, viewer) -> UnitPage:
    """One unit's figures with the credit lines and formulas behind them (raises assessment.NoRuleSet).

    Also the unit's projects that gave no credit, among those `viewer` may see.
    """
    rules = assessment.rules_for(period.year)
    result = assessment.explain(unit, period)
    visible = Project.objects.visible_to(viewer)
    tp = period.time_progress
    indicators = []
    for indicator, item in result.indicators.items():
        scored = None if item.rate is None else min(item.rate, rules.rate_cap)
        lines = [explain_line(line, indicator, rules) for line in item.lines]
        indicators.append(
            IndicatorView(indicator_figure(item, tp), indicator, rules.indicator_weights[indicator], scored, item.points, lines)
        )
    return UnitPage(
        unit=unit,
        period=period,
        result=result,
        indicators=indicators,
        score_formula=score_formula(result, rules),
        rules_summary=rules_summary(rules),
        rate_cap=rules.rate_cap,
        units_of_kind=Unit.objects.assessed().filter(kind=unit.kind).count(),
        legend=legend(tp),
        not_counted=[NotCountedView(item) for item in assessment.not_counted(unit, period, rules, projects=visible)],
        pending=pending_arrivals(unit, period, visible),
    )


def explain_line(line: scoring.CreditLine, indicator: scoring.Indicator, rules: scoring.Rules) -> LineView:
    origin = Origin(line.origin.value).label
    if indicator.is_count:
        return LineView(line, indicator, "牵头", origin, "牵头单位计 1 个（项目个数不按来源、联合招商折算）")
    joint, cooperating = joint_share(line, rules)
    if line.lead:
        role = "牵头（联合招商）" if cooperating else "牵头（独立招商）"
        joint_text = display.percent(joint)
    else:
        role = f"配合（{cooperating}家配合单位平分）"
        joint_text = f"{display.percent(ONE - rules.lead_share)} ÷ {cooperating}"
    formula = (
        f"{display.money(line.amount)} × {display.percent(line.origin_weight)} × {joint_text} = {display.money(line.credit)}"
    )
    return LineView(line, indicator, role, origin, formula)


def joint_share(line: scoring.CreditLine, rules: scoring.Rules) -> tuple[Decimal, int]:
    """The joint share in a line's share, and the number of cooperating units it implies (0: none).

    A line carries share = origin weight × joint share; the joint share is 100% for a lead
    alone, `lead_share` for a lead with partners, (1 − lead_share) / n for each of n partners.
    """
    joint = line.share / line.origin_weight
    if line.lead:
        return joint, 0 if joint == ONE else 1
    return joint, int(((ONE - rules.lead_share) / joint).to_integral_value())


def rules_summary(rules: scoring.Rules) -> str:
    weights = "、".join(f"{Origin(o.value).label} {display.percent(w)}" for o, w in rules.origin_weights.items())
    lead = display.percent(rules.lead_share)
    rest = display.percent(ONE - rules.lead_share)
    return (
        f"{rules.year}年规则：来源权重 {weights}；联合招商牵头单位得 {lead}，配合单位平分 {rest}，"
        f"独立招商的牵头单位得 100%；项目个数只计牵头单位、不折算；完成率计分上限 {display.percent(rules.rate_cap)}。"
    )


def score_formula(result: scoring.UnitResult, rules: scoring.Rules) -> str:
    """得分 = 100 × Σ wᵢ·min(rateᵢ, cap) ÷ Σ wᵢ, written out with this unit's numbers."""
    targeted = [i for i, item in result.indicators.items() if item.target is not None]
    if not targeted:
        return "未设任何考核目标：不计得分，不参与排名。"
    terms = " + ".join(
        f"{display.plain(rules.indicator_weights[i])} × {display.rate(min(result.indicators[i].rate, rules.rate_cap))}"
        for i in targeted
        if rules.indicator_weights[i]
    )
    weights = " + ".join(display.plain(rules.indicator_weights[i]) for i in targeted if rules.indicator_weights[i])
    if not weights:
        return "有目标的指标权重均为0：不计得分，不参与排名。"
    return f"得分 = 100 × ({terms}) ÷ ({weights}) = {display.score(result.score)}"
