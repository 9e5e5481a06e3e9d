"""lib/codec.py: frozen dataclasses to JSON and back, unchanged."""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

from lib import codec


@dataclass(frozen=True)
class Leaf:
    amount: Decimal
    on: datetime.date
    note: str | None = None


@dataclass(frozen=True)
class Tree:
    leaves: list[Leaf]
    by_name: dict[str, Leaf]
    best: Leaf | None
    count: int = 0
    extra: list[int] = field(default_factory=list)


TREE = Tree(
    leaves=[Leaf(Decimal("1.2300"), datetime.date(2021, 6, 30), "甲")],
    by_name={"乙": Leaf(Decimal("-0.0001"), datetime.date(2021, 1, 1))},
    best=None,
    count=3,
)


def test_a_round_trip_through_json_gives_the_same_value():
    assert codec.decode(Tree, json.loads(json.dumps(codec.encode(TREE)))) == TREE


def test_a_decimal_is_stored_as_its_exact_string_and_a_date_in_iso_form():
    stored = codec.encode(TREE)
    assert stored["leaves"][0] == {"amount": "1.2300", "on": "2021-06-30", "note": "甲"}


def test_a_field_missing_from_the_data_takes_its_default():
    stored = codec.encode(TREE)
    del stored["count"], stored["extra"]
    assert codec.decode(Tree, stored) == Tree(TREE.leaves, TREE.by_name, None)
