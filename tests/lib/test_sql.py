"""lib/sql.py: money summed as whole ten-thousandths, grouping keys in the order given."""

from decimal import Decimal

from django.db.models import BigIntegerField, F, Q
from django.db.models.functions import Cast

from lib.sql import exact_sum, from_ten_thousandths, grouped


def test_ten_thousandths_come_back_as_exact_money():
    assert from_ten_thousandths(12345) == Decimal("1.2345")
    assert from_ten_thousandths(None) == Decimal("0.0000")


def test_the_sum_adds_whole_ten_thousandths_as_integers_over_the_rows_meeting_the_condition():
    condition = Q(verified=True)
    total = exact_sum("amount", condition)
    cast = total.source_expressions[0]
    assert isinstance(cast, Cast) and isinstance(cast.output_field, BigIntegerField)
    assert total.filter == condition


class _Recorder:
    """Stands in for a queryset: records what `grouped` asks of it."""

    def __init__(self):
        self.calls = []

    def annotate(self, **kwargs):
        self.calls.append(("annotate", list(kwargs)))
        return self

    def values(self, *names):
        self.calls.append(("values", list(names)))
        return self

    def order_by(self, *names):
        self.calls.append(("order_by", list(names)))
        return self


def test_grouped_keeps_the_keys_in_the_order_given_and_clears_the_ordering():
    queryset = _Recorder()
    grouped(queryset, origin=F("origin"), unit=F("lead_unit_id"))
    assert queryset.calls == [("annotate", ["unit"]), ("values", ["origin", "unit"]), ("order_by", [])]
