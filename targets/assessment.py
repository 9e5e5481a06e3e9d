"""The thin query layer between the database and the scoring engine.

`assess` ranks every unit with a constant number of queries whatever the number of
projects: the database sums like projects (one GROUP BY per kind of credit) and the
engine applies the rules to the sums. `explain` loads one unit's projects whole, so
each actual comes with the credit lines behind it.
"""

from django.db.models import Q

from projects.models import Arrival, Project

from . import scoring
from .models import RuleSet, Unit, UnitTarget


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
    actuals = scoring.tally_groups(
        Project.objects.signing_groups(period, rules),
        Arrival.objects.arrival_groups(period, rules),
        rules,
    )
    return scoring.assess(units, targets_for(period.year), actuals, rules)


def explain(unit: Unit, period: scoring.Period) -> scoring.UnitResult:
    """One unit's result with the projects behind each actual, and its rank among its kind."""
    rules = rules_for(period.year)
    projects = Project.objects.approved().filter(Q(lead_unit=unit) | Q(cooperations__unit=unit)).distinct()
    actuals = scoring.tally_projects(projects.scoring_facts(period), period, rules)
    target = UnitTarget.objects.filter(year=period.year, unit=unit).first()
    targets = target.as_scoring_targets() if target else {}
    result = scoring.evaluate_unit(unit.as_scoring_unit(), targets, actuals.get(unit.id) or scoring.Actuals(), rules)
    ranked = {r.unit.id: r.rank for r in assess(period)}
    return scoring.UnitResult(result.unit, result.indicators, result.score, ranked.get(unit.id))
