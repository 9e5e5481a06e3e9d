"""A year's targets in the layout of 附件2, its rule set for reading, and the history of both.

The 合计 rows are derived here, never stored: a unit without a target for an indicator
shows "–" and is left out of the sum (domain.md §1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from lib import display

from . import scoring
from .history import BASELINE, changed_fields
from .models import RuleSet, Unit, UnitKind, UnitTarget

Indicator = scoring.Indicator
COUNTS = [Indicator.MAJOR_PROJECTS, Indicator.LARGE_PROJECTS, Indicator.KEY_PROJECTS]
MONEY = [Indicator.AGREEMENT_CAPITAL, Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL, Indicator.ARRIVED_CAPITAL]
# Departments have no arrived-capital or non-industrial targets in 2021; a year that gives
# them one shows the column (the columns follow the data, not the code).
ALWAYS_SHOWN = {
    UnitKind.PARK: COUNTS + MONEY,
    UnitKind.DEPARTMENT: COUNTS + [Indicator.AGREEMENT_CAPITAL],
}
TITLES = {UnitKind.PARK: "（一）园区", UnitKind.DEPARTMENT: "（二）区级部门"}


def _shown(value, indicator: Indicator) -> str:
    return display.amount(value, indicator.is_count)


@dataclass
class TargetRow:
    unit: Unit
    cells: list[str]
    values: list[Decimal | None] = field(default_factory=list)  # the cells' numbers, unrounded


@dataclass
class KindTable:
    """One kind's table: two header rows (项目个数 / 资金 over the indicators), a row per unit, 合计."""

    kind: str
    title: str
    counts: list[Indicator]
    money: list[Indicator]
    rows: list[TargetRow] = field(default_factory=list)
    total: list[str] = field(default_factory=list)
    total_values: list[Decimal | None] = field(default_factory=list)

    @property
    def columns(self) -> list[Indicator]:
        return self.counts + self.money


def units_for(year: int) -> list[Unit]:
    """The assessed units, and any other park or department that has targets that year (1 query)."""
    kinds = [UnitKind.PARK, UnitKind.DEPARTMENT]
    return list(Unit.objects.filter(Q(is_active=True) | Q(targets__year=year), kind__in=kinds).distinct())


def target_tables(year: int) -> list[KindTable]:
    """The parks' table and the departments' table for `year`: 2 queries."""
    units = units_for(year)
    targets = {t.unit_id: t for t in UnitTarget.objects.filter(year=year)}
    tables = []
    for kind in (UnitKind.PARK, UnitKind.DEPARTMENT):
        members = [unit for unit in units if unit.kind == kind]
        values = {unit.pk: _values(targets.get(unit.pk)) for unit in members}
        columns = [
            indicator
            for indicator in COUNTS + MONEY
            if indicator in ALWAYS_SHOWN[kind] or any(v[indicator] is not None for v in values.values())
        ]
        table = KindTable(kind, TITLES[kind], [c for c in columns if c.is_count], [c for c in columns if not c.is_count])
        for unit in members:
            numbers = [values[unit.pk][c] for c in table.columns]
            table.rows.append(TargetRow(unit, [_shown(n, c) for n, c in zip(numbers, table.columns)], numbers))
        table.total_values = [_sum(v[c] for v in values.values()) for c in table.columns]
        table.total = [_shown(n, c) for n, c in zip(table.total_values, table.columns)]
        tables.append(table)
    return tables


def _values(target: UnitTarget | None) -> dict[Indicator, Decimal | None]:
    return target.as_scoring_targets() if target else {indicator: None for indicator in Indicator}


def _sum(values) -> Decimal | None:
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) if present else None


# --- The rule set, for reading -----------------------------------------------------------------


@dataclass
class RuleLine:
    label: str
    value: str


def rule_sections(rule_set: RuleSet) -> list[tuple[str, list[RuleLine]]]:
    """The rule set's values grouped as the work plan states them (no query)."""

    def lines(names, show):
        return [RuleLine(RuleSet._meta.get_field(name).verbose_name, show(getattr(rule_set, name))) for name in names]

    return [
        ("项目等级门槛（含本数）", lines(
            ["major_investment", "major_output", "large_investment", "large_output", "key_investment",
             "general_industrial_investment", "general_non_industrial_investment"], display.plain)),
        ("项目来源权重", lines(["weight_outside_city", "weight_inside_city", "weight_inside_district"], display.percent)),
        ("联合招商", lines(["lead_share"], display.percent)),
        ("计分权重", lines(
            ["score_agreement_capital", "score_arrived_capital", "score_major_projects", "score_large_projects",
             "score_key_projects", "score_non_industrial"], display.plain)),
        ("完成率上限", lines(["rate_cap"], display.percent)),
        ("落地跟踪", lines(["start_limit_days", "deadline_warning_days", "quiet_yellow_days", "quiet_red_days"], str)),
        ("招商线索", lines(["lead_stale_days_early", "lead_stale_days_late"], str)),
        ("招商活跃指数权重", lines(list(RuleSet.INDEX_WEIGHTS.values()), display.plain)),
    ]  # fmt: skip


# --- History of targets and rules ------------------------------------------------------------------


@dataclass
class Change:
    when: datetime
    who: str
    subject: str  # the unit, or 年度规则
    field: str
    old: str
    new: str


TARGET_FIELDS = [indicator.value for indicator in Indicator]
RULE_FIELDS = [f.name for f in RuleSet._meta.concrete_fields if f.name not in ("id", "year")]


def changes(year: int, *, limit: int = 200) -> list[Change]:
    """Every change of the year's targets and rule set, field by field, newest first: 2 queries."""
    targets = UnitTarget.history.filter(year=year).select_related("history_user", "unit")
    rules = RuleSet.history.filter(year=year).select_related("history_user")
    found = _diff(targets, TARGET_FIELDS, UnitTarget, subject=lambda record: record.unit.name)
    found += _diff(rules, RULE_FIELDS, RuleSet, subject=lambda record: "年度规则")
    found.sort(key=lambda change: change.when, reverse=True)
    return found[:limit]


def _diff(records, names: list[str], model, *, subject) -> list[Change]:
    """Compare each historical record with the previous one of the same object."""
    found, previous = [], {}
    for record in records.order_by("history_date", "history_id"):
        if record.history_change_reason == BASELINE:
            previous[record.id] = record
            continue
        before = previous.get(record.id)
        after = None if record.history_type == "-" else record
        who = record.history_user.get_username() if record.history_user else "系统"
        for name in changed_fields(before, after, names):
            old, new = (getattr(side, name) if side is not None else None for side in (before, after))
            label = model._meta.get_field(name).verbose_name
            found.append(Change(record.history_date, who, subject(record), label, _plain(old), _plain(new)))
        previous[record.id] = after
    return found


def _plain(value) -> str:
    if value is None:
        return "–"
    return display.plain(value) if isinstance(value, Decimal) else str(value)


def latest_year() -> int:
    """The latest year that has targets, else the current year (1 query)."""
    year = UnitTarget.objects.order_by("-year").values_list("year", flat=True).first()
    return year or timezone.localdate().year


# --- What the edit pages start from ------------------------------------------------------------------


def targets_for_editing(year: int) -> list[UnitTarget]:
    """A row per unit of the table, parks first: the stored one, or a new empty one (not saved)."""
    stored = {t.unit_id: t for t in UnitTarget.objects.filter(year=year).select_related("unit")}
    units = sorted(units_for(year), key=lambda unit: (unit.kind != UnitKind.PARK, unit.sort_order, unit.name))
    return [stored.get(unit.pk) or UnitTarget(year=year, unit=unit) for unit in units]


def rule_set_for_editing(year: int) -> RuleSet:
    """The year's rule set; for a new year, an unsaved copy of the latest year's values."""
    rule_set = RuleSet.objects.filter(year=year).first()
    if rule_set is not None:
        return rule_set
    latest = RuleSet.objects.order_by("-year").first()
    copied = {name: getattr(latest, name) for name in RULE_FIELDS} if latest else {}
    return RuleSet(year=year, **copied)
