"""The weekly activity index (domain.md §11) from the facts: counted in SQL, computed by the
pure module targets/activity_index.py, stored per week in leads.WeeklyIndex.

What each part counts, for a unit and an ISO week (Monday–Sunday):
- signed (项目签约): projects the unit leads signed that week, submitted or approved (any
  origin; drafts, returned and withdrawn projects are not);
- started (项目开工): the 开工 milestones dated that week of projects the unit leads, counted ones
  only (verified by a reviewer, landing.models.COUNTED_MILESTONE);
- visits_out, visits_in, events, publicity: the unit's activities of that kind dated that week
  (洽谈 and 考察 are not in the index).

`compute_week` reads a constant number of queries whatever the data (5), `store_week` replaces
the week's stored rows in one transaction (so running it again changes nothing but the time).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q

from landing.models import COUNTED_MILESTONE, Milestone, MilestoneKind
from leads.models import Activity, ActivityKind, Lead, LeadStage, WeeklyIndex
from lib import display
from projects.models import Project, Status
from targets import scoring
from targets.activity_index import PARTS, Part, UnitIndex, Week, compute
from targets.models import RuleSet, Unit, UnitKind

from .assessment import NoRuleSet
from .totals import KIND_LABELS

SIGNED_STATUSES = (Status.SUBMITTED, Status.APPROVED)
ACTIVITY_PARTS = {
    ActivityKind.VISIT_OUT: "visits_out",
    ActivityKind.VISIT_IN: "visits_in",
    ActivityKind.EVENT: "events",
    ActivityKind.PUBLICITY: "publicity",
}
KIND_ORDER = (UnitKind.PARK, UnitKind.DEPARTMENT)
STORED_PLACES = Decimal("0.000001")  # WeeklyIndex.index's decimal places
HISTORY_WEEKS = 8


@dataclass(frozen=True)
class WeekIndex:
    """One week's index of every unit, parks first, each kind by rank."""

    week: Week
    results: list[UnitIndex]
    stored_at: datetime.datetime | None  # None: computed now, not stored
    rules_year: int  # the year of the rule set whose weights were used (see weights_for)

    @property
    def borrows_rules(self) -> bool:
        """Whether the week's own year had no rule set, so an earlier year's weights were used."""
        return self.rules_year != self.week.year

    def of_kind(self, kind: str) -> list[UnitIndex]:
        return [r for r in self.results if r.unit.kind == kind]


# --- Counting and computing ---------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    values: dict[str, Decimal]  # part → weight
    year: int  # the rule set's year


def weights_for(year: int) -> Weights:
    """The weights of the rule set of the week's ISO year or, when that year has none yet (the
    first weeks of a year, before the bureau sets its rules), of the latest year before it; the
    week says whose it used. Raises NoRuleSet when no year up to `year` has one. One query."""
    rule_set = RuleSet.objects.filter(year__lte=year).order_by("-year").first()
    if rule_set is None:
        raise NoRuleSet(year)
    return Weights(rule_set.index_weights(), rule_set.year)


def assessed_units() -> list[scoring.Unit]:
    """The active parks, then the active departments, each in the units' order."""
    units = [unit.as_scoring_unit() for unit in Unit.objects.assessed()]
    return sorted(units, key=lambda unit: KIND_ORDER.index(unit.kind))


def count_parts(week: Week) -> dict[str, dict[int, int]]:
    """part → unit id → count for the week, every unit with something (3 queries)."""
    counts: dict[str, dict[int, int]] = {part: {} for part in PARTS}
    in_week = (week.start, week.end)
    signed = Project.objects.filter(status__in=SIGNED_STATUSES, signed_on__range=in_week)
    counts["signed"] = _per_unit(signed, "lead_unit_id")
    started = Milestone.objects.filter(COUNTED_MILESTONE, kind=MilestoneKind.STARTED, actual_on__range=in_week)
    counts["started"] = _per_unit(started, "project__lead_unit_id")
    activities = Activity.objects.filter(date__range=in_week, kind__in=list(ACTIVITY_PARTS))
    # COUNT(*), not COUNT(id): the rows are then read from the index activity_week_count alone.
    for row in activities.order_by().values("kind", "unit_id").annotate(n=Count("*")):
        counts[ACTIVITY_PARTS[row["kind"]]][row["unit_id"]] = row["n"]
    return counts


def _per_unit(queryset, unit_field: str) -> dict[int, int]:
    return dict(queryset.order_by().values_list(unit_field).annotate(n=Count("pk")))


def compute_week(week: Week) -> WeekIndex:
    """The week's index of every assessed unit, computed now (raises NoRuleSet): 5 queries."""
    weights = weights_for(week.year)
    results = compute(assessed_units(), count_parts(week), weights.values)
    return WeekIndex(week, results, stored_at=None, rules_year=weights.year)


# --- Storing and reading back -------------------------------------------------------------------


def store_week(week: Week) -> WeekIndex:
    """Compute the week and replace its stored rows in one transaction: idempotent, and a unit no
    longer assessed loses its row of that week."""
    computed = compute_week(week)
    rows = [
        WeeklyIndex(
            year=week.year,
            week=week.week,
            unit_id=result.unit.id,
            index=result.index.quantize(STORED_PLACES, ROUND_HALF_UP),
            rank=result.rank,
            parts={part: {"count": p.count, "score": display.plain(p.score)} for part, p in result.parts.items()},
            rules_year=computed.rules_year,
        )
        for result in computed.results
    ]
    with transaction.atomic():
        WeeklyIndex.objects.filter(year=week.year, week=week.week).delete()
        WeeklyIndex.objects.bulk_create(rows)
    return computed


def stored_week(week: Week) -> WeekIndex | None:
    """The week as stored, or None when it never was (1 query)."""
    rows = list(_stored(Q(year=week.year, week=week.week)))
    if not rows:
        return None
    results = [_from_row(row) for row in rows]
    return WeekIndex(week, results, stored_at=max(row.computed_at for row in rows), rules_year=rows[0].rules_year)


def week_index(week: Week) -> WeekIndex:
    """As stored, else computed now (raises NoRuleSet then)."""
    return stored_week(week) or compute_week(week)


def _stored(condition: Q):
    """Stored rows, parks first, each kind by rank, then in the units' order."""
    rows = [row for row in WeeklyIndex.objects.filter(condition).select_related("unit") if row.unit.kind in KIND_ORDER]
    return sorted(rows, key=lambda row: (KIND_ORDER.index(row.unit.kind), row.rank, row.unit.sort_order, row.unit.name))


def _from_row(row: WeeklyIndex) -> UnitIndex:
    parts = {part: Part(int(p["count"]), Decimal(p["score"])) for part, p in row.parts.items()}
    return UnitIndex(row.unit.as_scoring_unit(), parts, row.index, row.rank)


@dataclass(frozen=True)
class HistoryRow:
    unit: scoring.Unit
    cells: list[UnitIndex | None]  # one per week of the history, None where nothing is stored


@dataclass(frozen=True)
class History:
    weeks: list[Week]  # oldest first
    rows: list[HistoryRow]  # the units of the chosen week, in its order


def history(shown: WeekIndex, weeks: int = HISTORY_WEEKS) -> History:
    """The stored index of the shown week's units over the `weeks` weeks up to it (1 query); the
    shown week itself as shown, stored or not."""
    span = shown.week.back(weeks)
    earlier = Q()
    for week in span[:-1]:
        earlier |= Q(year=week.year, week=week.week)
    found = {(row.year, row.week, row.unit_id): _from_row(row) for row in _stored(earlier)} if earlier else {}
    rows = [
        HistoryRow(result.unit, [found.get((w.year, w.week, result.unit.id)) for w in span[:-1]] + [result])
        for result in shown.results
    ]
    return History(span, rows)


# --- The dashboard's block ----------------------------------------------------------------------


@dataclass(frozen=True)
class TopBottom:
    kind: str
    label: str
    top: list[UnitIndex]  # those sharing the first rank
    bottom: list[UnitIndex]  # those sharing the last rank; empty when every unit has the same index


@dataclass(frozen=True)
class LastWeek:
    week: Week
    kinds: list[TopBottom]  # empty when the week was not stored


def last_week_top_bottom(*, today: datetime.date) -> LastWeek:
    """The last complete week's first and last units of each kind, as stored by the Monday job
    (1 query). Not computed here, so the dashboard reads the same number of queries either way."""
    week = Week.of(today).previous()
    stored = stored_week(week)
    if stored is None:
        return LastWeek(week, [])
    return LastWeek(week, [_top_bottom(kind, stored.of_kind(kind)) for kind in KIND_ORDER if stored.of_kind(kind)])


def _top_bottom(kind: str, results: list[UnitIndex]) -> TopBottom:
    top = [r for r in results if r.rank == results[0].rank]
    bottom = [r for r in results if r.rank == results[-1].rank]
    return TopBottom(kind, KIND_LABELS[kind], top, [] if bottom == top else bottom)


# --- The bulletin's 招商活动 section ---------------------------------------------------------------


@dataclass(frozen=True)
class UnitActivity:
    unit: scoring.Unit
    activities: dict[str, int]  # ActivityKind value → activities dated in the span, every kind
    leads: dict[str, int]  # LeadStage value → the unit's leads at that stage now, every stage


def activity_per_unit(*, start: datetime.date, end: datetime.date) -> list[UnitActivity]:
    """Each unit's activities of each kind dated from `start` to `end`, and its leads by their
    stage at the time of asking (a lead keeps no stage per date): the assessed units, and any
    other unit with an activity or a lead; parks, departments, then the others (3 queries)."""
    activities = Activity.objects.filter(date__range=(start, end)).order_by().values_list("unit_id", "kind")
    leads = Lead.objects.order_by().values_list("owner_unit_id", "stage")
    activity_counts = _count_pairs(activities.annotate(n=Count("pk")))
    lead_counts = _count_pairs(leads.annotate(n=Count("pk")))
    with_data = {unit_id for unit_id, _ in (*activity_counts, *lead_counts)}
    order = (*KIND_ORDER, UnitKind.OTHER)
    units = sorted(Unit.objects.all(), key=lambda u: (order.index(u.kind), u.sort_order, u.name))
    return [
        UnitActivity(
            unit.as_scoring_unit(),
            {kind.value: activity_counts.get((unit.pk, kind.value), 0) for kind in ActivityKind},
            {stage.value: lead_counts.get((unit.pk, stage.value), 0) for stage in LeadStage},
        )
        for unit in units
        if (unit.is_active and unit.kind in KIND_ORDER) or unit.pk in with_data
    ]


def _count_pairs(rows) -> dict[tuple[int, str], int]:
    return {(unit_id, key): n for unit_id, key, n in rows}
