"""The thin query layer between the database and the scoring engine.

`assess` ranks every unit with a constant number of queries whatever the number of
projects: the database sums like projects (one GROUP BY per kind of credit) and the
engine applies the rules to the sums. `explain` loads one unit's projects whole, so
each actual comes with the credit lines behind it; `not_counted` lists the unit's projects
that gave it nothing in the period, with the reason.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from projects.models import Arrival, Cooperation, Project, SupplementaryAgreement, counted_condition
from targets import scoring
from targets.models import RuleSet, Unit, UnitTarget


class NoRuleSet(LookupError):
    def __init__(self, year: int):
        super().__init__(f"{year}年尚未设置考核规则（年度规则），无法计算。")
        self.year = year


def rules_for(year: int) -> scoring.Rules:
    try:
        return RuleSet.objects.get(year=year).as_rules()
    except RuleSet.DoesNotExist:
        raise NoRuleSet(year) from None


def targets_for(year: int) -> dict[int, dict]:
    return {t.unit_id: t.as_scoring_targets() for t in UnitTarget.objects.filter(year=year)}


def assess(period: scoring.Period) -> list[scoring.UnitResult]:
    """Every assessed unit's result for the period, ranked within its kind (7 queries)."""
    rules = rules_for(period.year)
    units = [unit.as_scoring_unit() for unit in Unit.objects.assessed()]
    agreement_capital = Project.objects.agreement_capital_groups(period, rules)
    actuals = scoring.tally_groups(
        agreement_capital.signings,
        Arrival.objects.arrival_groups(period, rules),
        rules,
        agreement_capital.agreements,
    )
    return scoring.assess(units, targets_for(period.year), actuals, rules)


def explain(unit: Unit, period: scoring.Period) -> scoring.UnitResult:
    """One unit's result with the projects behind each actual, and its rank among its kind."""
    rules = rules_for(period.year)
    # Only the projects that can credit the unit in the period: counted, and signed or with
    # arrivals or supplementary agreements in it. The engine would skip the others, but loading
    # every year's projects made the page grow with the unit's whole history (docs/performance.md).
    in_period = (period.start, period.end)
    arrived = Arrival.objects.counted().filter(arrived_on__range=in_period).values("project_id")
    agreed = SupplementaryAgreement.objects.counted().filter(signed_on__range=in_period).values("project_id")
    projects = Project.objects.filter(
        counted_condition(rules, period.end),
        of_unit(unit),
        Q(signed_on__range=in_period) | Q(pk__in=arrived) | Q(pk__in=agreed),
    )
    actuals = scoring.tally_projects(projects.scoring_facts(period), period, rules)
    target = UnitTarget.objects.filter(year=period.year, unit=unit).first()
    targets = target.as_scoring_targets() if target else {}
    result = scoring.evaluate_unit(unit.as_scoring_unit(), targets, actuals.get(unit.id) or scoring.Actuals(), rules)
    ranked = {r.unit.id: r.rank for r in assess(period)}
    return scoring.UnitResult(result.unit, result.indicators, result.score, ranked.get(unit.id))


def of_unit(unit: Unit) -> Q:
    """Projects the unit leads or cooperates in (a subquery: no join, no duplicates)."""
    return Q(lead_unit=unit) | Q(pk__in=Cooperation.objects.filter(unit=unit).values("project_id"))


@dataclass(frozen=True)
class NotCounted:
    """A project of the unit that gave it no credit in the period, and why (scoring.why_not_counted)."""

    project: scoring.Project
    status: str  # the review status, in Chinese
    lead: bool  # the unit leads it (else it cooperates)
    reason: str


def not_counted(
    unit: Unit, period: scoring.Period, rules: scoring.Rules, *, projects: QuerySet | None = None
) -> list[NotCounted]:
    """The unit's projects relevant to the period's year that gave it no credit, by code (4 queries).

    Relevant: signed in the year, not signed at all, or with counted (verified) arrivals or supplementary
    agreements in the year. `projects` narrows what is looked at, e.g. to `Project.objects.visible_to(user)`.
    """
    year_end = date(period.year, 12, 31)
    year = (period.start, year_end)
    arrived_in_year = Arrival.objects.counted().filter(arrived_on__range=year).values("project_id")
    agreed_in_year = SupplementaryAgreement.objects.counted().filter(signed_on__range=year).values("project_id")
    relevant = (
        Q(signed_on__range=year) | Q(signed_on__isnull=True) | Q(pk__in=arrived_in_year) | Q(pk__in=agreed_in_year)
    )
    candidates = (Project.objects.all() if projects is None else projects).filter(of_unit(unit), relevant).order_by("code")
    agreements = SupplementaryAgreement.objects.counted().filter(signed_on__lte=year_end).order_by("signed_on", "pk")
    candidates = candidates.select_related(None).prefetch_related(
        Prefetch("arrivals", queryset=Arrival.objects.counted().filter(arrived_on__lte=year_end).order_by("arrived_on", "pk")),
        Prefetch("agreements", queryset=agreements),
        Prefetch("cooperations", queryset=Cooperation.objects.order_by("pk")),
    )
    listed = []
    for project in candidates:
        facts = project.as_scoring_project()
        status = project.get_status_display()
        reason = scoring.why_not_counted(facts, rules, period, status=status)
        if reason is not None:
            listed.append(NotCounted(facts, status, facts.lead_unit == unit.pk, reason))
    return listed
