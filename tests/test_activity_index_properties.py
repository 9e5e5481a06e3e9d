"""Properties of the pure activity index (targets/activity_index.py) over random weeks: no database."""

import datetime
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from targets import scoring
from targets.activity_index import PARTS, Week, compute
from targets.models import UnitKind

KINDS = st.sampled_from([UnitKind.PARK, UnitKind.DEPARTMENT])
WEIGHTS = st.fixed_dictionaries({part: st.integers(0, 40).map(D) for part in PARTS})


@st.composite
def weeks(draw):
    """Units of both kinds, random counts (often 0) and weights."""
    kinds = draw(st.lists(KINDS, min_size=1, max_size=8))
    units = [scoring.Unit(n, f"单位{n}", kind) for n, kind in enumerate(kinds, start=1)]
    count = st.integers(0, 3) | st.just(0)
    counts = {part: {unit.id: draw(count) for unit in units} for part in PARTS}
    return units, counts, draw(WEIGHTS)


@given(weeks())
def test_every_index_lies_between_0_and_100(week):
    for result in compute(*week):
        assert 0 <= result.index <= 100
        assert all(0 <= part.score <= 100 for part in result.parts.values())


@given(weeks())
def test_the_unit_with_the_highest_count_of_its_kind_scores_100_in_that_part(week):
    units, counts, weights = week
    results = compute(units, counts, weights)
    for kind in {unit.kind for unit in units}:
        same_kind = [r for r in results if r.unit.kind == kind]
        for part in PARTS:
            highest = max(r.parts[part].count for r in same_kind)
            for r in same_kind:
                if highest and r.parts[part].count == highest:
                    assert r.parts[part].score == 100
                if not highest:
                    assert r.parts[part].score == 0


@given(weeks())
def test_ranks_follow_the_index_and_equal_indexes_share_a_rank(week):
    results = compute(*week)
    assert len(results) == len(week[0])
    for kind in {r.unit.kind for r in results}:
        same_kind = [r for r in results if r.unit.kind == kind]
        assert [r.index for r in same_kind] == sorted((r.index for r in same_kind), reverse=True)
        for position, r in enumerate(same_kind):
            assert r.rank == 1 + sum(1 for other in same_kind if other.index > r.index)
            if position:
                before = same_kind[position - 1]
                assert (r.rank == before.rank) == (r.index == before.index)


@given(weeks())
def test_a_kind_is_listed_together_in_the_order_it_first_appears(week):
    units = week[0]
    kinds = [r.unit.kind for r in compute(*week)]
    assert kinds == sorted(kinds, key=list(dict.fromkeys(unit.kind for unit in units)).index)


@given(st.dates(datetime.date(2000, 1, 10), datetime.date(2999, 12, 20)))
def test_every_day_falls_in_exactly_its_iso_week_monday_to_sunday(day):
    week = Week.of(day)
    assert day in week and week.start.isoweekday() == 1 and week.end.isoweekday() == 7
    assert (week.end - week.start).days == 6
    assert day not in week.previous() and day not in week.next()
    assert week.next().previous() == week
