"""Landing figures (domain.md §9): each unit's 开工率 and 投产率 at a date, the projects past their
start deadline, and each project's colour in SQL (the pure rules: targets/landing_rules.py).

The cohort of a unit at `as_of`: the approved, counted projects it leads (counted_condition of the
year's rules), signed from 1 January of the year to `as_of`. Started and producing: a counted
开工 / 投产 milestone (landing.models.COUNTED_MILESTONE) with its actual date on or before `as_of`.
Those dates and each project's last update are read off the project's own row, where
projects/landing_facts.py keeps them. Everything here reads a constant number of queries, whatever the
number of projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from lib.paging import Rows
from projects.models import Project, Status, counted_condition
from targets import scoring
from targets.landing_rules import Colour, LandingRules, days_overdue, start_deadline, started_by
from targets.models import RuleSet, Unit, UnitKind

from .assessment import NoRuleSet

KIND_ORDER = [UnitKind.PARK, UnitKind.DEPARTMENT]


def rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole, None when nothing was signed."""
    return Decimal(part) / Decimal(whole) if whole else None


def rule_set_for(year: int, rule_sets: list[RuleSet]) -> RuleSet | None:
    """The rule set of `year`, else the latest earlier one (None: none at or before it)."""
    earlier = [rule_set for rule_set in rule_sets if rule_set.year <= year]
    return max(earlier, key=lambda rule_set: rule_set.year, default=None)


# --- Rates and the projects past their deadline, per unit ------------------------------------


@dataclass(frozen=True)
class OverdueProject:
    """超时限未开工: a project of the cohort past its start deadline without a counted 开工."""

    pk: int
    code: str
    name: str
    signed_on: date
    deadline: date
    days_overdue: int


@dataclass(frozen=True)
class UnitLanding:
    unit: Unit | None  # None: the district
    signed: int
    started: int
    producing: int
    overdue_count: int
    overdue: list[OverdueProject]

    @property
    def start_rate(self) -> Decimal | None:
        """开工率 = started ÷ signed."""
        return rate(self.started, self.signed)

    @property
    def produce_rate(self) -> Decimal | None:
        """投产率 = producing ÷ signed."""
        return rate(self.producing, self.signed)


@dataclass(frozen=True)
class Landing:
    period: scoring.Period
    as_of: date
    rules: LandingRules
    units: list[UnitLanding]  # parks first, then departments, each in the units' order

    @property
    def district(self) -> UnitLanding:
        """The sums over the assessed units (the overdue list left empty)."""
        rows = self.units
        return UnitLanding(
            unit=None,
            signed=sum(r.signed for r in rows),
            started=sum(r.started for r in rows),
            producing=sum(r.producing for r in rows),
            overdue_count=sum(r.overdue_count for r in rows),
            overdue=[],
        )


def landing_as_of(period: scoring.Period, today: date | None = None) -> date:
    """The day a page measures a quarter at: its last day, or today while it runs."""
    return min(period.end, today or timezone.localdate())


def _cohort(rule_set: RuleSet, period: scoring.Period, as_of: date) -> QuerySet:
    """The approved, counted projects signed from 1 January of the period's year to `as_of`."""
    return Project.objects.filter(counted_condition(rule_set.as_rules(), as_of), signed_on__gte=period.start)


def _reached(column: str, as_of: date) -> Q:
    """A counted milestone (its date in `column`: projects.landing_facts) dated on or before `as_of`."""
    return Q(**{f"{column}__lte": as_of})


def _conditions(rules: LandingRules, as_of: date) -> dict[str, Q]:
    """Which projects of a cohort are started, producing, and past the start deadline without
    开工, at `as_of` (deadline < as_of ⇔ signed_on < as_of − limit)."""
    started = _reached("started_on", as_of)
    return {
        "started": started,
        "producing": _reached("producing_on", as_of),
        "overdue": Q(signed_on__lt=as_of - timedelta(days=rules.start_limit_days)) & ~started,
    }


def _counts(conditions: dict[str, Q], among: Q | None = None, prefix: str = "") -> dict[str, Count]:
    """signed, started, producing, overdue as counts (of the projects `among`, when given)."""
    counts = {f"{prefix}signed": Count("pk", filter=among)}
    for name, condition in conditions.items():
        counts[f"{prefix}{name}"] = Count("pk", filter=condition & among if among is not None else condition)
    return counts


def landing(
    period: scoring.Period,
    *,
    as_of: date | None = None,
    rule_sets: list[RuleSet] | None = None,
    units: list[Unit] | None = None,
    with_overdue_list: bool = True,
    overdue_per_unit: int | None = None,
) -> Landing:
    """Every assessed unit's (or `units`') cohort figures at `as_of` (default: the quarter's last day).

    Raises NoRuleSet when the period's year has no rule set. Queries: the rule sets unless given,
    the units unless given, the counts, and the overdue projects when asked for (at most 4): all of
    them, or each unit's first `overdue_per_unit` (the oldest signed, the longest overdue).
    """
    as_of = as_of or period.end
    rule_sets = list(RuleSet.objects.all()) if rule_sets is None else rule_sets
    rule_set = next((r for r in rule_sets if r.year == period.year), None)
    if rule_set is None:
        raise NoRuleSet(period.year)
    rules = rule_set.as_landing_rules()
    units = list(Unit.objects.assessed()) if units is None else units
    units.sort(key=lambda unit: KIND_ORDER.index(unit.kind) if unit.kind in KIND_ORDER else len(KIND_ORDER))
    cohort = _cohort(rule_set, period, as_of).filter(lead_unit__in=[unit.pk for unit in units])
    conditions = _conditions(rules, as_of)
    counts = {row["lead_unit_id"]: row for row in cohort.values("lead_unit_id").order_by().annotate(**_counts(conditions))}
    overdue: dict[int, list[OverdueProject]] = {}
    if with_overdue_list:
        rows = _overdue_rows(cohort, rules, as_of)
        if overdue_per_unit is not None:  # each unit's first ones: the longest overdue
            place = Window(RowNumber(), partition_by=F("lead_unit"), order_by=[F("signed_on").asc(), F("code").asc()])
            rows = rows.annotate(place=place).filter(place__lte=overdue_per_unit)
        for row in rows:
            overdue.setdefault(row["lead_unit_id"], []).append(_overdue(row, rules, as_of))
    rows = []
    for unit in units:
        count = counts.get(unit.pk, {})
        rows.append(
            UnitLanding(
                unit=unit,
                signed=count.get("signed", 0),
                started=count.get("started", 0),
                producing=count.get("producing", 0),
                overdue_count=count.get("overdue", 0),
                overdue=overdue.get(unit.pk, []),
            )
        )
    return Landing(period, as_of, rules, rows)


def _overdue_rows(cohort: QuerySet, rules: LandingRules, as_of: date) -> QuerySet:
    """The cohort's projects past their start deadline at `as_of`, the oldest signed first."""
    overdue = cohort.filter(_conditions(rules, as_of)["overdue"]).order_by("signed_on", "code")
    return overdue.values("pk", "code", "name", "signed_on", "lead_unit_id")


def _overdue(row: dict, rules: LandingRules, as_of: date) -> OverdueProject:
    deadline = start_deadline(row["signed_on"], rules)
    return OverdueProject(row["pk"], row["code"], row["name"], row["signed_on"], deadline, days_overdue(deadline, as_of))


def overdue_projects(unit: Unit, period: scoring.Period, as_of: date, rule_set: RuleSet, known: int | None = None) -> Rows:
    """`unit`'s projects of the cohort past their start deadline at `as_of`, the oldest signed first,
    to read a page at a time (`known`: their number, when counted already)."""
    rules = rule_set.as_landing_rules()
    rows = _overdue_rows(_cohort(rule_set, period, as_of).filter(lead_unit=unit), rules, as_of)
    return Rows(rows, lambda row: _overdue(row, rules, as_of), known)


@dataclass(frozen=True)
class LandingSummary:
    """The dashboard's block: the district's cohort figures and, for a unit's staff, their unit's."""

    period: scoring.Period
    as_of: date
    district: UnitLanding
    unit: UnitLanding | None

    @property
    def rows(self) -> list[tuple[str, UnitLanding]]:
        rows = [("全区", self.district)]
        return rows + [(self.unit.unit.name, self.unit)] if self.unit is not None else rows


def landing_summary(period: scoring.Period, *, unit: Unit | None = None, today: date | None = None) -> LandingSummary | None:
    """The year's cohort at the period's end (today while it runs), over the assessed units' projects,
    and `unit`'s; None when the year has no rule set. 2 queries."""
    rule_set = RuleSet.objects.filter(year=period.year).first()
    if rule_set is None:
        return None
    as_of = landing_as_of(period, today)
    conditions = _conditions(rule_set.as_landing_rules(), as_of)
    counts = {**_counts(conditions)}
    if unit is not None:
        counts |= _counts(conditions, Q(lead_unit=unit), prefix="unit_")
    row = _cohort(rule_set, period, as_of).filter(lead_unit__in=Unit.objects.assessed()).aggregate(**counts)

    def figures(of: Unit | None, prefix: str = "") -> UnitLanding:
        return UnitLanding(of, *(row[f"{prefix}{name}"] for name in ("signed", "started", "producing", "overdue")), overdue=[])

    return LandingSummary(period, as_of, figures(None), figures(unit, "unit_") if unit is not None else None)


# --- Colours (domain.md §9) in SQL --------------------------------------------------------------


def _updated_before(day: date) -> datetime:
    """The first moment of `day` in the site's time zone: an update before it was on an earlier day."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _quiet_for(days: int, as_of: date) -> Q:
    """No update for `days` days or more on `as_of`: the last one (`last_update_at`, projects.landing_facts:
    the project's own change, a change of one of its milestones, an arrival entered) was on
    as_of − days or earlier."""
    return Q(last_update_at__lt=_updated_before(as_of - timedelta(days=days - 1)))


def _signed_under(rule_sets: list[RuleSet]) -> list[tuple[RuleSet, Q]]:
    """Each rule set with the signing dates it governs: from its year to the next rule set's."""
    ordered = sorted(rule_sets, key=lambda rule_set: rule_set.year)
    spans = []
    for rule_set, following in zip(ordered, ordered[1:] + [None]):
        span = Q(signed_on__gte=date(rule_set.year, 1, 1))
        if following is not None:
            span &= Q(signed_on__lt=date(following.year, 1, 1))
        spans.append((rule_set, span))
    return spans


@dataclass(frozen=True)
class ColourConditions:
    """Which projects are red, yellow, quiet (no update for the yellow days) and never coloured on
    a day, as conditions on the projects' own columns."""

    red: Q
    yellow: Q
    quiet: Q
    never: Q


def _colour_conditions(rule_sets: list[RuleSet], as_of: date) -> ColourConditions:
    """As targets.landing_rules.colour decides, each project under the rule set of its signing year
    (else the latest earlier one; a project signed before every rule set is not coloured)."""
    started = _reached("started_on", as_of)
    red, yellow, quiet = Q(pk__in=[]), Q(pk__in=[]), Q(pk__in=[])
    for rule_set, span in _signed_under(rule_sets):
        rules = rule_set.as_landing_rules()
        deadline_passed = Q(signed_on__lt=as_of - timedelta(days=rules.start_limit_days))
        deadline_near = Q(signed_on__lte=as_of + timedelta(days=rules.deadline_warning_days - rules.start_limit_days))
        quiet_yellow = _quiet_for(rules.quiet_yellow_days, as_of)
        red |= span & ((deadline_passed & ~started) | _quiet_for(rules.quiet_red_days, as_of))
        yellow |= span & ((deadline_near & ~started) | quiet_yellow)
        quiet |= span & quiet_yellow
    never = Q(signed_on__isnull=True) | Q(status=Status.WITHDRAWN) | _reached("full_production_on", as_of)
    return ColourConditions(red=red, yellow=yellow, quiet=quiet, never=never)


def _colour(conditions: ColourConditions) -> Case:
    return Case(
        When(conditions.never, then=Value(None)),
        When(conditions.red, then=Value(Colour.RED.value)),
        When(conditions.yellow, then=Value(Colour.YELLOW.value)),
        default=Value(None),
        output_field=CharField(),
    )


def with_colour(projects: QuerySet, rule_sets: list[RuleSet], as_of: date) -> QuerySet:
    """Annotate `landing_colour` ("red", "yellow" or None) on `as_of`, as targets.landing_rules.colour
    decides, each project under the rule set of its signing year (else the latest earlier one; a
    project signed before every rule set, or not signed, is not coloured). No query of its own."""
    return projects.annotate(landing_colour=_colour(_colour_conditions(rule_sets, as_of)))


# --- One unit's follow-up: its coloured projects -------------------------------------------------


@dataclass(frozen=True)
class ColouredProject:
    pk: int
    code: str
    name: str
    status: str  # the review status, in Chinese
    signed_on: date
    deadline: date
    started_on: date | None
    last_update: date
    quiet_days: int  # days since the last update
    quiet: bool  # no update for the rule set's quiet_yellow_days or more
    colour: Colour
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ColourCounts:
    red: int
    yellow: int
    quiet: int


class UnitColours:
    """One unit's projects that are red or yellow on `as_of` and those gone quiet, as counts (one
    query) and as lists to read a page at a time (lib.paging.Rows: one query a page), whatever the
    number of projects."""

    FIELDS = ("pk", "code", "name", "status", "signed_on", "started_on", "last_update_at", "landing_colour")

    def __init__(self, unit: Unit, rule_sets: list[RuleSet], as_of: date):
        self.rule_sets, self.as_of = rule_sets, as_of
        self.conditions = _colour_conditions(rule_sets, as_of)
        projects = Project.objects.filter(lead_unit=unit, signed_on__isnull=False)
        self.coloured = projects.annotate(landing_colour=_colour(self.conditions)).filter(landing_colour__isnull=False)

    def counts(self) -> ColourCounts:
        row = self.coloured.aggregate(
            red=Count("pk", filter=Q(landing_colour=Colour.RED.value)),
            yellow=Count("pk", filter=Q(landing_colour=Colour.YELLOW.value)),
            quiet=Count("pk", filter=self.conditions.quiet),
        )
        return ColourCounts(**row)

    def red_and_yellow(self, known: int | None = None) -> Rows:
        """Red first ("red" sorts before "yellow"), then by signing date."""
        return self._rows(self.coloured, ("landing_colour", "signed_on", "code"), known)

    def quiet(self, known: int | None = None) -> Rows:
        """The longest quiet first."""
        return self._rows(self.coloured.filter(self.conditions.quiet), ("last_update_at", "code"), known)

    def _rows(self, projects: QuerySet, order: tuple[str, ...], known: int | None) -> Rows:
        projects = projects.order_by(*order)
        return Rows(projects.values(*self.FIELDS), lambda row: _coloured(row, self.rule_sets, self.as_of), known)


def _coloured(row: dict, rule_sets: list[RuleSet], as_of: date) -> ColouredProject:
    rules = rule_set_for(row["signed_on"].year, rule_sets).as_landing_rules()
    deadline = start_deadline(row["signed_on"], rules)
    updated = timezone.localdate(row["last_update_at"])
    quiet_days = (as_of - updated).days
    quiet = quiet_days >= rules.quiet_yellow_days
    reasons = []
    if not started_by(row["started_on"], as_of):
        if deadline < as_of:
            reasons.append(f"超过开工时限 {days_overdue(deadline, as_of)} 天未开工")
        elif (deadline - as_of).days <= rules.deadline_warning_days:
            reasons.append(f"距开工时限还有 {(deadline - as_of).days} 天")
    if quiet:
        reasons.append(f"{quiet_days} 天无更新")
    return ColouredProject(
        pk=row["pk"],
        code=row["code"],
        name=row["name"],
        status=Status(row["status"]).label,
        signed_on=row["signed_on"],
        deadline=deadline,
        started_on=row["started_on"],
        last_update=updated,
        quiet_days=quiet_days,
        quiet=quiet,
        colour=Colour(row["landing_colour"]),
        reasons=tuple(reasons),
    )
