"""The scoring engine: approved projects in, each unit's results against its targets out.

Pure functions over plain data (docs/scoring.md states the rules they implement):
no ORM, no request, no settings. Every number of the rules arrives in a `Rules` value,
so another year or another district changes data, not code.

Money is Decimal in 亿元 with full precision; nothing here rounds. The one inexact step
is the equal split of the cooperating units' share (20% / n), which Decimal carries to
28 significant digits.

Two ways in, one tally:
- `tally_projects` takes whole projects and also returns, per unit and indicator, the
  credit lines (which project gave how much, and why) that explain each actual;
- `tally_groups` takes the same facts already summed per group of like projects (what
  one SQL GROUP BY returns), which is how the ranking stays fast at any size.
Both end in `_credit`, so they agree by construction; tests check it over random data.

One module although over 500 lines: the rules are read together (a tier, a share, a rate and
the score are one computation), and both ways in must stay side by side to stay in agreement.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from lib import display

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


class Tier(StrEnum):
    MAJOR = "major"
    LARGE = "large"
    KEY = "key"
    GENERAL = "general"
    BELOW = "below"

    @property
    def label(self) -> str:
        return TIER_LABELS[self]


TIER_LABELS = {
    Tier.MAJOR: "重大项目",
    Tier.LARGE: "较大项目",
    Tier.KEY: "重点项目",
    Tier.GENERAL: "一般项目",
    Tier.BELOW: "未达标准",
}


class Origin(StrEnum):
    OUTSIDE_CITY = "outside_city"  # 市外, incl. abroad
    INSIDE_CITY = "inside_city"  # 区外市内
    INSIDE_DISTRICT = "inside_district"  # 区内

    @property
    def label(self) -> str:
        return ORIGIN_LABELS[self]


ORIGIN_LABELS = {
    Origin.OUTSIDE_CITY: "市外",
    Origin.INSIDE_CITY: "区外市内",
    Origin.INSIDE_DISTRICT: "区内",
}


class Indicator(StrEnum):
    MAJOR_PROJECTS = "major_projects"
    LARGE_PROJECTS = "large_projects"
    KEY_PROJECTS = "key_projects"
    AGREEMENT_CAPITAL = "agreement_capital"
    NON_INDUSTRIAL_AGREEMENT_CAPITAL = "non_industrial_agreement_capital"
    ARRIVED_CAPITAL = "arrived_capital"

    @property
    def label(self) -> str:
        return INDICATOR_LABELS[self]

    @property
    def is_count(self) -> bool:
        return self in COUNT_INDICATORS


INDICATOR_LABELS = {
    Indicator.MAJOR_PROJECTS: "重大项目",
    Indicator.LARGE_PROJECTS: "较大项目",
    Indicator.KEY_PROJECTS: "重点项目",
    Indicator.AGREEMENT_CAPITAL: "协议资金",
    Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL: "其中：非工业",
    Indicator.ARRIVED_CAPITAL: "到位资金",
}
COUNT_INDICATORS = (Indicator.MAJOR_PROJECTS, Indicator.LARGE_PROJECTS, Indicator.KEY_PROJECTS)
TIER_COUNTED_AS = {
    Tier.MAJOR: Indicator.MAJOR_PROJECTS,
    Tier.LARGE: Indicator.LARGE_PROJECTS,
    Tier.KEY: Indicator.KEY_PROJECTS,
}


@dataclass(frozen=True)
class Rules:
    """One year's rule set (domain.md §2–§5). Thresholds are inclusive, money in 亿元."""

    year: int
    major_investment: Decimal
    major_output: Decimal
    large_investment: Decimal
    large_output: Decimal
    key_investment: Decimal
    general_industrial_investment: Decimal
    general_non_industrial_investment: Decimal
    origin_weights: Mapping[Origin, Decimal]
    lead_share: Decimal
    indicator_weights: Mapping[Indicator, Decimal]
    rate_cap: Decimal

    def counted_origins(self) -> tuple[Origin, ...]:
        return tuple(origin for origin, weight in self.origin_weights.items() if weight > 0)


@dataclass(frozen=True)
class Period:
    """Quarter Q of a year, year to date: 1 January to the quarter's last day, inclusive."""

    year: int
    quarter: int

    def __post_init__(self):
        if self.quarter not in (1, 2, 3, 4):
            raise ValueError(f"季度必须是 1–4，收到 {self.quarter}")

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        month = self.quarter * 3
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def time_progress(self) -> Decimal:
        """序时进度: the share of the year's targets due by the quarter's end."""
        return Decimal(self.quarter) / 4

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


# --- One project -----------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    """The facts of one project that the rules read."""

    id: int
    lead_unit: int
    cooperating_units: tuple[int, ...]
    industrial: bool
    origin: Origin
    agreement_capital: Decimal
    expected_output: Decimal | None
    signed_on: date | None
    approved: bool
    arrivals: tuple[tuple[date, Decimal], ...] = ()
    # Supplementary agreements (补充协议, domain.md §8): dated changes of agreement capital, ± .
    agreements: tuple[tuple[date, Decimal], ...] = ()
    code: str = ""
    name: str = ""


def tier_of(*, agreement_capital: Decimal, expected_output: Decimal | None, industrial: bool, rules: Rules) -> Tier:
    """The highest tier whose inclusive threshold the project's own figures reach."""
    output = expected_output if expected_output is not None else ZERO
    if agreement_capital >= rules.major_investment or output >= rules.major_output:
        return Tier.MAJOR
    if agreement_capital >= rules.large_investment or output >= rules.large_output:
        return Tier.LARGE
    if agreement_capital >= rules.key_investment:
        return Tier.KEY
    general = rules.general_industrial_investment if industrial else rules.general_non_industrial_investment
    return Tier.GENERAL if agreement_capital >= general else Tier.BELOW


def project_tier(project: Project, rules: Rules) -> Tier:
    return tier_of(
        agreement_capital=project.agreement_capital,
        expected_output=project.expected_output,
        industrial=project.industrial,
        rules=rules,
    )


def is_counted(project: Project, rules: Rules, as_of: date) -> bool:
    """Approved, signed by `as_of`, at least a general project, from a weighted origin."""
    return (
        project.approved
        and project.signed_on is not None
        and project.signed_on <= as_of
        and rules.origin_weights[project.origin] > 0
        and project_tier(project, rules) is not Tier.BELOW
    )


def why_not_counted(project: Project, rules: Rules, period: Period, *, status: str = "未审核") -> str | None:
    """Why `project` gave no credit in `period`, in Chinese; None when it gave some.

    The reasons are those of `is_counted` and of the period (a project's agreement capital
    belongs to its signing year, each arrival and supplementary agreement to its own date), all of them, joined by "；",
    so a reader sees everything that would have to change. `status` names the review status
    (草稿, 待审核…) of a project that is not approved.
    """
    reasons = []
    if not project.approved:
        reasons.append(f"状态为“{status}”，未经审核通过的项目不计入")
    signed = project.signed_on
    if signed is None:
        reasons.append("未填签约日期，签约后才计入")
    elif signed > period.end:
        later = "" if signed.year == period.year else f"{signed.year}年"
        reasons.append(f"签约日期 {signed.isoformat()} 在本期截止日之后，计入{later}第{_quarter_of(signed)}季度")
    if rules.origin_weights[project.origin] <= 0:
        reasons.append(f"{project.origin.label}项目不计入（来源权重为0）")
    if project_tier(project, rules) is Tier.BELOW:
        kind, threshold = (
            ("工业", rules.general_industrial_investment)
            if project.industrial
            else ("非工业", rules.general_non_industrial_investment)
        )
        reasons.append(
            f"协议资金 {display.money(project.agreement_capital)} 亿元，"
            f"低于{kind}项目一般项目标准 {display.plain(threshold)} 亿元"
        )
    if signed is not None and signed < period.start:
        # As in tally_projects: arrivals and supplementary agreements count only when the period's sum is not zero.
        arrived = any(sum((amount for day, amount in entries if day in period), ZERO) for entries in (project.arrivals, project.agreements))
        if reasons or not arrived:
            reasons.append(_earlier_year(signed, project, period, arrived))
    return "；".join(reasons) or None


def _quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def _earlier_year(signed: date, project: Project, period: Period, arrived: bool) -> str:
    text = f"{signed.year}年签约，协议资金计入{signed.year}年，{period.year}年只计到位资金和补充协议"
    if arrived:
        return text
    later = sorted(day for day, _ in project.arrivals if period.end < day and day.year == period.year)
    if later:
        return f"{text}；本年到位在本期截止日之后（{later[0].isoformat()}），计入第{_quarter_of(later[0])}季度"
    return f"{text}；本期没有到位资金或补充协议"


def share_of(*, lead: bool, cooperating_count: int, origin: Origin, rules: Rules) -> Decimal:
    """The fraction of a project's money credited to one unit: origin weight × joint share.

    The lead keeps everything when nobody cooperates, else `lead_share`; the
    cooperating units split the rest equally.
    """
    weight = rules.origin_weights[origin]
    if lead:
        return weight * (rules.lead_share if cooperating_count else ONE)
    return weight * (ONE - rules.lead_share) / cooperating_count


def credit_shares(project: Project, rules: Rules) -> list[tuple[int, Decimal]]:
    """(unit, share) for the lead first, then each cooperating unit."""
    n = len(project.cooperating_units)
    shares = [(project.lead_unit, share_of(lead=True, cooperating_count=n, origin=project.origin, rules=rules))]
    for unit in project.cooperating_units:
        shares.append((unit, share_of(lead=False, cooperating_count=n, origin=project.origin, rules=rules)))
    return shares


# --- Summed facts: what a GROUP BY returns -----------------------------------------


@dataclass(frozen=True)
class SigningGroup:
    """Counted projects signed in the period that credit `unit` alike, summed."""

    unit: int
    lead: bool
    cooperating_count: int
    origin: Origin
    industrial: bool
    tier: Tier
    projects: int
    agreement_capital: Decimal


@dataclass(frozen=True)
class ArrivalGroup:
    """Arrivals in the period, of counted projects, that credit `unit` alike, summed."""

    unit: int
    lead: bool
    cooperating_count: int
    origin: Origin
    amount: Decimal


@dataclass(frozen=True)
class AgreementGroup:
    """Supplementary agreements in the period, of counted projects, that credit `unit` alike, summed.

    Credited as agreement capital (and 非工业) with the project's shares; never a count, and the
    project's tier stays that of its original agreement (domain.md §8).
    """

    unit: int
    lead: bool
    cooperating_count: int
    origin: Origin
    industrial: bool
    amount: Decimal


@dataclass(frozen=True)
class CreditLine:
    """One project's contribution to one unit's indicator: the answer to "why this number"."""

    project_id: int
    code: str
    name: str
    tier: Tier
    origin: Origin
    origin_weight: Decimal
    lead: bool
    cooperating_count: int  # the project's cooperating units, who split (1 − lead_share)
    share: Decimal  # origin weight × joint share
    amount: Decimal  # the project's own figure (money) or 1 (a count)
    credit: Decimal
    supplementary: bool = False  # the period's supplementary agreements (补充协议), not the original


@dataclass
class Actuals:
    """A unit's actual per indicator, with the credit lines behind each when known."""

    values: dict[Indicator, Decimal] = field(default_factory=lambda: {i: ZERO for i in Indicator})
    lines: dict[Indicator, list[CreditLine]] = field(default_factory=lambda: defaultdict(list))

    def add(self, indicator: Indicator, credit: Decimal) -> None:
        self.values[indicator] += credit


def _credit_signing(actuals: dict[int, Actuals], group: SigningGroup, rules: Rules) -> Decimal:
    share = share_of(lead=group.lead, cooperating_count=group.cooperating_count, origin=group.origin, rules=rules)
    credit = group.agreement_capital * share
    unit = actuals.setdefault(group.unit, Actuals())
    unit.add(Indicator.AGREEMENT_CAPITAL, credit)
    if not group.industrial:
        unit.add(Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL, credit)
    if group.lead and group.tier in TIER_COUNTED_AS:
        # Counts go to the lead only and are not weighted.
        unit.add(TIER_COUNTED_AS[group.tier], Decimal(group.projects))
    return share


def _credit_arrival(actuals: dict[int, Actuals], group: ArrivalGroup, rules: Rules) -> Decimal:
    share = share_of(lead=group.lead, cooperating_count=group.cooperating_count, origin=group.origin, rules=rules)
    actuals.setdefault(group.unit, Actuals()).add(Indicator.ARRIVED_CAPITAL, group.amount * share)
    return share


def _credit_agreement(actuals: dict[int, Actuals], group: AgreementGroup, rules: Rules) -> Decimal:
    share = share_of(lead=group.lead, cooperating_count=group.cooperating_count, origin=group.origin, rules=rules)
    unit = actuals.setdefault(group.unit, Actuals())
    unit.add(Indicator.AGREEMENT_CAPITAL, group.amount * share)
    if not group.industrial:
        unit.add(Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL, group.amount * share)
    return share


def tally_groups(
    signings: Iterable[SigningGroup],
    arrivals: Iterable[ArrivalGroup],
    rules: Rules,
    agreements: Iterable[AgreementGroup] = (),
) -> dict[int, Actuals]:
    """Each unit's actuals from facts already restricted to the period and counted projects."""
    actuals: dict[int, Actuals] = {}
    weighted = set(rules.counted_origins())
    for group in signings:
        if group.tier is not Tier.BELOW and group.origin in weighted:
            _credit_signing(actuals, group, rules)
    for group in arrivals:
        if group.origin in weighted:
            _credit_arrival(actuals, group, rules)
    for group in agreements:
        if group.origin in weighted:
            _credit_agreement(actuals, group, rules)
    return actuals


def tally_projects(projects: Iterable[Project], period: Period, rules: Rules) -> dict[int, Actuals]:
    """Each unit's actuals for the period, with the credit lines that explain them."""
    actuals: dict[int, Actuals] = {}
    for project in projects:
        if not is_counted(project, rules, period.end):
            continue
        tier = project_tier(project, rules)
        n = len(project.cooperating_units)
        arrived = sum((amount for day, amount in project.arrivals if day in period), ZERO)
        agreed = sum((amount for day, amount in project.agreements if day in period), ZERO)
        signed_in_period = project.signed_on in period
        for position, unit in enumerate((project.lead_unit, *project.cooperating_units)):
            lead = position == 0
            if signed_in_period:
                group = SigningGroup(unit, lead, n, project.origin, project.industrial, tier, 1, project.agreement_capital)
                share = _credit_signing(actuals, group, rules)
                _explain_signing(actuals[unit], project, tier, lead, share, rules)
            if arrived:
                share = _credit_arrival(actuals, ArrivalGroup(unit, lead, n, project.origin, arrived), rules)
                actuals[unit].lines[Indicator.ARRIVED_CAPITAL].append(
                    _line(project, tier, lead, share, arrived, arrived * share, rules)
                )
            if agreed:
                group = AgreementGroup(unit, lead, n, project.origin, project.industrial, agreed)
                share = _credit_agreement(actuals, group, rules)
                _explain_agreements(actuals[unit], project, tier, lead, share, agreed, rules)
    return actuals


def _line(project: Project, tier: Tier, lead: bool, share: Decimal, amount: Decimal, credit: Decimal, rules: Rules):
    return CreditLine(
        project_id=project.id,
        code=project.code,
        name=project.name,
        tier=tier,
        origin=project.origin,
        origin_weight=rules.origin_weights[project.origin],
        lead=lead,
        cooperating_count=len(project.cooperating_units),
        share=share,
        amount=amount,
        credit=credit,
    )


def _explain_signing(unit: Actuals, project: Project, tier: Tier, lead: bool, share: Decimal, rules: Rules) -> None:
    money = project.agreement_capital
    unit.lines[Indicator.AGREEMENT_CAPITAL].append(_line(project, tier, lead, share, money, money * share, rules))
    if not project.industrial:
        unit.lines[Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL].append(
            _line(project, tier, lead, share, money, money * share, rules)
        )
    if lead and tier in TIER_COUNTED_AS:
        unit.lines[TIER_COUNTED_AS[tier]].append(_line(project, tier, lead, ONE, ONE, ONE, rules))


def _explain_agreements(
    unit: Actuals, project: Project, tier: Tier, lead: bool, share: Decimal, agreed: Decimal, rules: Rules
) -> None:
    """The period's supplementary agreements of the project, one line (marked `supplementary`)."""
    indicators = [Indicator.AGREEMENT_CAPITAL] + ([] if project.industrial else [Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL])
    for indicator in indicators:
        line = _line(project, tier, lead, share, agreed, agreed * share, rules)
        unit.lines[indicator].append(replace(line, supplementary=True))


# --- Targets, rates, scores, ranks ---------------------------------------------------


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    kind: str  # units are ranked only among units of the same kind


@dataclass(frozen=True)
class IndicatorResult:
    indicator: Indicator
    target: Decimal | None  # None: no target, the indicator is not assessed
    actual: Decimal
    rate: Decimal | None
    points: Decimal | None
    lines: tuple[CreditLine, ...] = ()


@dataclass(frozen=True)
class UnitResult:
    unit: Unit
    indicators: dict[Indicator, IndicatorResult]
    score: Decimal | None
    rank: int | None = None


def completion_rate(actual: Decimal, target: Decimal | None) -> Decimal | None:
    """actual ÷ target, or None without a target. A target of 0 is no target: nothing can be
    completed against it. (A unit's targets are positive or absent, a database constraint; a
    sum of targets or a five-year goal's figure may be 0, and then has no rate.)"""
    if not target:
        return None
    return actual / target


def evaluate_unit(unit: Unit, targets: Mapping[Indicator, Decimal | None], actuals: Actuals, rules: Rules) -> UnitResult:
    """Rates, points and score: 100 × Σ wᵢ·min(rateᵢ, cap) / Σ wᵢ over targeted indicators."""
    targeted = [i for i in Indicator if targets.get(i) is not None]
    total_weight = sum((rules.indicator_weights[i] for i in targeted), ZERO)
    results = {}
    weighted_sum = ZERO
    for indicator in Indicator:
        target = targets.get(indicator)
        actual = actuals.values[indicator]
        rate = completion_rate(actual, target)
        points = None
        if rate is not None and total_weight:
            weighted = rules.indicator_weights[indicator] * min(rate, rules.rate_cap)
            weighted_sum += weighted
            points = HUNDRED * weighted / total_weight
        lines = tuple(actuals.lines.get(indicator, ()))
        results[indicator] = IndicatorResult(indicator, target, actual, rate, points, lines)
    # One division for the score, so equal inputs give equal scores however the points round.
    score = HUNDRED * weighted_sum / total_weight if total_weight else None
    return UnitResult(unit, results, score)


def rank(results: Sequence[UnitResult]) -> list[UnitResult]:
    """Rank within each kind by score, highest first; equal scores share a rank (1, 2, 2, 4).

    Units without a score come last in their kind, unranked. The order of the input
    decides only among equals.
    """
    ranked = []
    for kind in dict.fromkeys(r.unit.kind for r in results):
        same_kind = [r for r in results if r.unit.kind == kind]
        scored = sorted((r for r in same_kind if r.score is not None), key=lambda r: r.score, reverse=True)
        for position, result in enumerate(scored):
            is_tie = position and result.score == scored[position - 1].score
            ranked.append(_with_rank(result, ranked[-1].rank if is_tie else position + 1))
        ranked.extend(r for r in same_kind if r.score is None)
    return ranked


def _with_rank(result: UnitResult, rank_: int) -> UnitResult:
    return UnitResult(result.unit, result.indicators, result.score, rank_)


def assess(
    units: Sequence[Unit],
    targets: Mapping[int, Mapping[Indicator, Decimal | None]],
    actuals: Mapping[int, Actuals],
    rules: Rules,
) -> list[UnitResult]:
    """Every unit's result, ranked within its kind. Units without targets are still listed."""
    results = [evaluate_unit(u, targets.get(u.id, {}), actuals.get(u.id) or Actuals(), rules) for u in units]
    return rank(results)
