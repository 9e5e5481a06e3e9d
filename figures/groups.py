"""Projects and money per special group: what the groups pages report (domain.md §1).

Groups are not ranked and get no weighted credit: a group's figures are its projects'
own, unweighted amounts, counting the projects that count anywhere (approved, signed,
above the threshold, from a weighted origin).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q

from lib.sql import exact_sum, from_ten_thousandths, grouped
from projects.models import Arrival, Project, Status, counted_condition
from targets import scoring

ZERO = Decimal(0)


@dataclass(frozen=True)
class GroupTotals:
    projects: int = 0
    agreement_capital: Decimal = ZERO  # of the projects signed in the period
    arrived_capital: Decimal = ZERO  # arrived in the period, whenever the project was signed

    def __add__(self, other: GroupTotals) -> GroupTotals:
        return GroupTotals(
            self.projects + other.projects,
            self.agreement_capital + other.agreement_capital,
            self.arrived_capital + other.arrived_capital,
        )


def counted(rules: scoring.Rules | None, as_of, prefix: str = "") -> Q:
    """The projects a group's figures count as of `as_of` (the groups' pages and their quarterly
    reports alike): counted ones under the year's rules, or approved and signed without rules."""
    if rules is None:  # a year without rules: approved and signed is all that can be said
        return Q(**{f"{prefix}status": Status.APPROVED, f"{prefix}signed_on__lte": as_of})
    return counted_condition(rules, as_of, prefix)


def group_totals(*, period: scoring.Period, rules: scoring.Rules | None) -> dict[int, GroupTotals]:
    """Each group's counted projects signed in the period, their agreement capital, and the
    capital arrived in the period: 2 queries whatever the number of projects."""
    signed = grouped(
        Project.objects.filter(counted(rules, period.end), signed_on__gte=period.start, group__isnull=False),
        group_id=F("group_id"),
    ).annotate(projects=Count("pk"), money=exact_sum("agreement_capital"))
    arrived = grouped(
        Arrival.objects.counted().filter(
            counted(rules, period.end, "project__"),
            project__group__isnull=False,
            arrived_on__range=(period.start, period.end),
        ),
        group_id=F("project__group_id"),
    ).annotate(money=exact_sum("amount"))
    totals: dict[int, GroupTotals] = {}
    for row in signed:
        totals[row["group_id"]] = GroupTotals(projects=row["projects"], agreement_capital=from_ten_thousandths(row["money"]))
    for row in arrived:
        totals[row["group_id"]] = totals.get(row["group_id"], GroupTotals()) + GroupTotals(arrived_capital=from_ten_thousandths(row["money"]))
    return totals


def arrived_per_project(projects, *, period: scoring.Period) -> dict[int, Decimal]:
    """Verified capital arrived in the period for each of `projects` (a queryset): 1 query."""
    rows = grouped(
        Arrival.objects.counted().filter(project__in=projects.values("pk"), arrived_on__range=(period.start, period.end)),
        project_id=F("project_id"),
    ).annotate(money=exact_sum("amount"))
    return {row["project_id"]: from_ten_thousandths(row["money"]) for row in rows}
