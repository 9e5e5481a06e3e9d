"""The unit page: one unit's figures with the credit lines and the formulas behind them, its
projects that gave no credit, and its arrivals waiting for a reviewer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lib import display
from projects.models import Arrival, Origin, Project
from targets import scoring
from targets.models import Unit

from . import assessment
from .progress import Figure, Progress, indicator_figure, legend
from .totals import KIND_LABELS

ZERO = Decimal(0)
ONE = Decimal(1)


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
    time_progress = period.time_progress
    indicators = []
    for indicator, item in result.indicators.items():
        scored = None if item.rate is None else min(item.rate, rules.rate_cap)
        lines = [explain_line(line, indicator, rules) for line in item.lines]
        indicators.append(
            IndicatorView(indicator_figure(item, time_progress), indicator, rules.indicator_weights[indicator], scored, item.points, lines)
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
        legend=legend(time_progress),
        not_counted=[NotCountedView(item) for item in assessment.not_counted(unit, period, rules, projects=visible)],
        pending=pending_arrivals(unit, period, visible),
    )


def explain_line(line: scoring.CreditLine, indicator: scoring.Indicator, rules: scoring.Rules) -> LineView:
    origin = Origin(line.origin.value).label
    if indicator.is_count:
        return LineView(line, indicator, "牵头", origin, "牵头单位计 1 个（项目个数不按来源、联合招商折算）")
    cooperating = line.cooperating_count
    if line.lead:
        role = "牵头（联合招商）" if cooperating else "牵头（独立招商）"
        joint_text = display.percent(rules.lead_share if cooperating else ONE)
    else:
        role = f"配合（{cooperating}家配合单位平分）"
        joint_text = f"{display.percent(ONE - rules.lead_share)} ÷ {cooperating}"
    formula = (
        f"{display.money(line.amount)} × {display.percent(line.origin_weight)} × {joint_text} = {display.money(line.credit)}"
    )
    return LineView(line, indicator, role, origin, formula)


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
