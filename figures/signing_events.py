"""A signing event's cohort (domain.md §9): the projects signed at it, followed over time.

The cohort is the event's linked projects that are approved and counted (counted_condition, the
one definition figures/landing.py uses for a unit's cohort): drafts, projects in review, returned
or withdrawn ones, 区内 projects (weight 0) and those below the general-project threshold count
nowhere. The rules are those of the event's year, else of the latest earlier year that has them
(as figures.landing.rule_set_for chooses); without any rule set, every approved project counts. It is the
whole cohort whoever looks; the list of projects on the event's page is what the user may see.

At a date: 签约数 and 签约额 (the projects' own agreement capital, exact Decimal 亿元) of the
cohort's projects signed by then; 开工率 and 投产率 = cohort projects with a counted 开工 / 投产
milestone (landing.models.COUNTED_MILESTONE: verified, with an actual date) on or before the date ÷
签约数; 到位资金 = the cohort's verified arrivals (projects.models.COUNTED_ARRIVAL) on or before it.
Measured at each quarter end from the event's quarter, the current quarter at today.

Each figure is one aggregate query whatever the cohort's size or the number of quarters.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from landing.models import COUNTED_MILESTONE, Milestone, MilestoneKind, SigningEvent
from lib.sql import exact_sum, from_ten_thousandths
from projects.models import COUNTED_ARRIVAL, Arrival, Project, Status, counted_condition
from targets import scoring
from targets.models import RuleSet

from .landing import rate


@dataclass(frozen=True)
class CohortFigures:
    """The cohort at one date."""

    as_of: datetime.date
    label: str
    signed: int
    agreement_capital: Decimal
    started: int
    producing: int
    arrived_capital: Decimal

    @property
    def started_rate(self) -> Decimal | None:
        """开工率: None while nothing is signed (no rate of nothing)."""
        return rate(self.started, self.signed)

    @property
    def producing_rate(self) -> Decimal | None:
        return rate(self.producing, self.signed)


@dataclass(frozen=True)
class CohortRules:
    """Which rules decide whether a linked project counts."""

    rules: scoring.Rules | None  # None: no rule set at or before the year, every approved project counts
    year: int | None  # the rule set's year

    def counted(self, as_of: datetime.date, prefix: str = "") -> Q:
        """The projects that count at `as_of` (signed by then), as a condition on their columns."""
        if self.rules is None:
            return Q(**{f"{prefix}status": Status.APPROVED, f"{prefix}signed_on__lte": as_of})
        return counted_condition(self.rules, as_of, prefix)


def cohort_rules(year: int) -> CohortRules:
    """The rules of `year`, else of the latest earlier year that has them: one query."""
    rule_set = RuleSet.objects.filter(year__lte=year).order_by("-year").first()
    return CohortRules(rule_set.as_rules(), rule_set.year) if rule_set else CohortRules(None, None)


def cohort(event: SigningEvent, rules: CohortRules, as_of: datetime.date) -> QuerySet:
    """The event's cohort at `as_of`: its linked projects that count then."""
    return Project.objects.filter(rules.counted(as_of), signing_event_link__event=event)


def measuring_dates(held_on: datetime.date, today: datetime.date) -> list[tuple[datetime.date, str]]:
    """(date, label) for each quarter from the event's to today's: the quarter's last day, the
    current quarter's at today. None before the event is held."""
    dates = []
    year, quarter = held_on.year, (held_on.month - 1) // 3 + 1
    while held_on <= today:
        end = scoring.Period(year, quarter).end
        label = f"{year}年第{quarter}季度"
        if end >= today:
            dates.append((today, f"{label}（截至{today:%m-%d}）"))
            break
        dates.append((end, label))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return dates


def over_quarters(event: SigningEvent, rules: CohortRules, today: datetime.date) -> list[CohortFigures]:
    """The cohort at each measuring date, oldest first; the last one is today's. 3 queries (none
    before the event is held)."""
    dates = measuring_dates(event.date, today)
    if not dates:
        return []
    projects = cohort(event, rules, today)
    signed = projects.aggregate(
        **{f"n{i}": Count("pk", filter=Q(signed_on__lte=day)) for i, (day, _) in enumerate(dates)},
        **{f"m{i}": exact_sum("agreement_capital", Q(signed_on__lte=day)) for i, (day, _) in enumerate(dates)},
    )
    reached = Milestone.objects.filter(COUNTED_MILESTONE, project__in=projects).aggregate(
        **{
            f"{kind}{i}": Count("pk", filter=Q(kind=kind, actual_on__lte=day))
            for i, (day, _) in enumerate(dates)
            for kind in (MilestoneKind.STARTED, MilestoneKind.PRODUCING)
        }
    )
    arrived = Arrival.objects.filter(COUNTED_ARRIVAL, project__in=projects).aggregate(
        **{f"a{i}": exact_sum("amount", Q(arrived_on__lte=day)) for i, (day, _) in enumerate(dates)}
    )
    return [
        CohortFigures(
            as_of=day,
            label=label,
            signed=signed[f"n{i}"],
            agreement_capital=from_ten_thousandths(signed[f"m{i}"]),
            started=reached[f"{MilestoneKind.STARTED}{i}"],
            producing=reached[f"{MilestoneKind.PRODUCING}{i}"],
            arrived_capital=from_ten_thousandths(arrived[f"a{i}"]),
        )
        for i, (day, label) in enumerate(dates)
    ]


def chart(points: list[CohortFigures]) -> dict:
    """The page's chart data: money as decimal strings, rates as percentages (strings, 2 decimals)."""

    def percent(rate: Decimal | None) -> str | None:
        return None if rate is None else str((rate * 100).quantize(Decimal("0.01")))

    return {
        "labels": [point.label for point in points],
        "signed": [point.signed for point in points],
        "agreement_capital": [str(point.agreement_capital) for point in points],
        "arrived_capital": [str(point.arrived_capital) for point in points],
        "started_rate": [percent(point.started_rate) for point in points],
        "producing_rate": [percent(point.producing_rate) for point in points],
    }


# --- The list: each event's cohort today, one query ---------------------------------------------


@dataclass(frozen=True)
class EventRow:
    event: SigningEvent
    linked: int  # every linked project, whatever its status
    today: CohortFigures


def events_of_year(year: int, rules: CohortRules, today: datetime.date) -> list[EventRow]:
    """The events held in `year`, latest first, each with its cohort as of today (`rules`:
    cohort_rules(year)): one query."""
    counted = rules.counted(today, "project_links__project__")
    events = (
        SigningEvent.objects.filter(date__year=year)
        .select_related("organiser")
        .annotate(
            linked=Count("project_links"),
            signed=Count("project_links", filter=counted),
            capital=exact_sum("project_links__project__agreement_capital", counted),
            started=_reached(MilestoneKind.STARTED, rules, today),
            producing=_reached(MilestoneKind.PRODUCING, rules, today),
            arrived=_arrived(rules, today),
        )
        .order_by("-date", "-pk")
    )
    return [
        EventRow(
            event=event,
            linked=event.linked,
            today=CohortFigures(
                as_of=today,
                label="",
                signed=event.signed,
                agreement_capital=from_ten_thousandths(event.capital),
                started=event.started,
                producing=event.producing,
                arrived_capital=from_ten_thousandths(event.arrived),
            ),
        )
        for event in events
    ]


def _of_outer_event(rules: CohortRules, today: datetime.date) -> Q:
    """Rows of the outer event's cohort today, through their `project`."""
    return rules.counted(today, "project__") & Q(project__signing_event_link__event=OuterRef("pk"))


def _reached(kind: MilestoneKind, rules: CohortRules, today: datetime.date) -> Coalesce:
    counted = Milestone.objects.filter(COUNTED_MILESTONE, _of_outer_event(rules, today), kind=kind, actual_on__lte=today)
    count = counted.order_by().values("project__signing_event_link__event").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def _arrived(rules: CohortRules, today: datetime.date) -> Coalesce:
    counted = Arrival.objects.filter(COUNTED_ARRIVAL, _of_outer_event(rules, today), arrived_on__lte=today)
    total = counted.order_by().values("project__signing_event_link__event").annotate(money=exact_sum("amount")).values("money")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))
