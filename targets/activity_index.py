"""The weekly activity index (招商活跃指数, domain.md §11): counts per unit in, scores and ranks out.

Pure functions over plain data, like the scoring engine: no ORM, no request, no settings.
For one ISO week (Monday to Sunday) each unit has a count of each part; a part's score is
100 × the unit's count ÷ the highest count of that part among units of the same kind (0 when
that highest count is 0); the index is Σ wᵢ·partᵢ ÷ Σ wᵢ with the rule set's weights. Units are
ranked within their kind as assessment scores are (scoring.rank: equal indexes share a rank,
1, 2, 2, 4). Nothing here rounds.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import scoring

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# The parts in the order the district publishes them; the keys of RuleSet.index_weights().
PART_LABELS = {
    "signed": "项目签约",
    "started": "项目开工",
    "visits_out": "外出拜访",
    "visits_in": "企业来访",
    "events": "招商活动",
    "publicity": "新闻宣传",
}
PARTS = tuple(PART_LABELS)

# Years a week may be asked for: the stored year is a small integer, and a week's Sunday must
# still be a date.
FIRST_YEAR, LAST_YEAR = 2000, 2999


class BadWeek(ValueError):
    """A year and week that name no ISO week; the message is for the user, in Chinese."""


def weeks_in(year: int) -> int:
    """52 or 53: 28 December is always in the ISO year's last week."""
    return datetime.date(year, 12, 28).isocalendar().week


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week: Monday `start` to Sunday `end`, numbered within its ISO year."""

    year: int
    week: int

    def __post_init__(self):
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise BadWeek(f"年份必须在 {FIRST_YEAR}–{LAST_YEAR} 之间，收到 {self.year}。")
        if not 1 <= self.week <= weeks_in(self.year):
            raise BadWeek(f"{self.year}年没有第{self.week}周：该年共 {weeks_in(self.year)} 周（按 ISO 周，周一至周日）。")

    @classmethod
    def of(cls, day: datetime.date) -> Week:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def parse(cls, year: str | int | None, week: str | int | None) -> Week:
        """The week named by two texts (a form's or a command's), else BadWeek in Chinese."""
        numbers = []
        for name, text in (("年份", year), ("周次", week)):
            text = str(text if text is not None else "").strip()
            if not text.isascii() or not text.isdigit():
                raise BadWeek(f"{name}必须是整数，收到“{text}”。")
            numbers.append(int(text))
        return cls(*numbers)

    @property
    def start(self) -> datetime.date:
        return datetime.date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date.fromisocalendar(self.year, self.week, 7)

    def previous(self) -> Week:
        return Week.of(self.start - datetime.timedelta(days=7))

    def next(self) -> Week:
        return Week.of(self.start + datetime.timedelta(days=7))

    def back(self, weeks: int) -> list[Week]:
        """This week and the `weeks` − 1 before it, oldest first."""
        found = [self]
        while len(found) < weeks:
            found.insert(0, found[0].previous())
        return found

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.year}年第{self.week}周"


@dataclass(frozen=True)
class Part:
    count: int
    score: Decimal  # 0–100, unrounded


@dataclass(frozen=True)
class UnitIndex:
    unit: scoring.Unit
    parts: dict[str, Part]  # every part, in PARTS order
    index: Decimal  # 0–100, unrounded
    rank: int | None = None  # within the unit's kind


def part_scores(counts: Mapping[int, int]) -> dict[int, Decimal]:
    """unit id → 100 × count ÷ the highest count (all 0 when the highest is 0). The units given
    are those compared: one kind's."""
    highest = max(counts.values(), default=0)
    if highest == 0:
        return {unit_id: ZERO for unit_id in counts}
    return {unit_id: HUNDRED * count / highest for unit_id, count in counts.items()}


def weighted_index(scores: Mapping[str, Decimal], weights: Mapping[str, Decimal]) -> Decimal:
    """Σ wᵢ·partᵢ ÷ Σ wᵢ; 0 when every weight is 0. One division, so equal parts give equal indexes."""
    total = sum((weights[part] for part in PARTS), ZERO)
    if not total:
        return ZERO
    return sum((weights[part] * scores[part] for part in PARTS), ZERO) / total


def compute(
    units: Sequence[scoring.Unit], counts: Mapping[str, Mapping[int, int]], weights: Mapping[str, Decimal]
) -> list[UnitIndex]:
    """Every unit's parts, index and rank within its kind, kinds in the order they first appear
    in `units` and units by rank, then as given. `counts`: part → unit id → count (missing is 0)."""
    scores: dict[int, dict[str, Decimal]] = {unit.id: {} for unit in units}
    for kind in dict.fromkeys(unit.kind for unit in units):
        same_kind = [unit.id for unit in units if unit.kind == kind]
        for part in PARTS:
            for unit_id, score in part_scores({u: counts.get(part, {}).get(u, 0) for u in same_kind}).items():
                scores[unit_id][part] = score
    unranked = [
        UnitIndex(
            unit,
            {part: Part(counts.get(part, {}).get(unit.id, 0), scores[unit.id][part]) for part in PARTS},
            weighted_index(scores[unit.id], weights),
        )
        for unit in units
    ]
    return rank(unranked)


def rank(indexes: Sequence[UnitIndex]) -> list[UnitIndex]:
    """Ranked within each kind as the assessment ranks scores (§5): scoring.rank, the one rule."""
    by_unit = {item.unit.id: item for item in indexes}
    ranked = scoring.rank([scoring.UnitResult(item.unit, {}, item.index) for item in indexes])
    return [UnitIndex(r.unit, by_unit[r.unit.id].parts, r.score, r.rank) for r in ranked]
