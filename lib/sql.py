"""Exact decimal arithmetic in SQL, the same on SQLite and PostgreSQL.

SQLite keeps decimals as floats, so a plain SUM of money drifts; these helpers sum whole
ten-thousandths as integers and turn them back into Decimal.
"""

from collections.abc import Iterator
from decimal import Decimal

from django.db import models
from django.db.models import BigIntegerField, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Cast, Round

TEN_THOUSAND = Value(10000)
MONEY = {"max_digits": 14, "decimal_places": 4}  # 亿元 to 1万元: every money column (targets.models)


def exact_sum(field: str, condition: Q | None = None) -> Sum:
    """Sum money as whole 万元 (1e-4 亿元), over the rows meeting `condition` if given.

    SQLite keeps decimals as floats, so a plain SUM drifts; a sum of integers does not,
    and on PostgreSQL the same SQL is exact numeric arithmetic.
    """
    scaled = models.ExpressionWrapper(F(field) * TEN_THOUSAND, output_field=DecimalField(**MONEY))
    return Sum(Cast(Round(scaled), BigIntegerField()), filter=condition)


def from_ten_thousandths(value) -> Decimal:
    return Decimal(int(value or 0)).scaleb(-4)


def grouped(queryset: models.QuerySet, **keys) -> models.QuerySet:
    """`queryset` grouped by `keys`, in the order given; aggregates annotated next go per group.

    The order matters on SQLite: Django groups in the order the keys are annotated, and
    when the unit comes first SQLite's planner walks the unit's foreign-key index, i.e.
    the projects in random order, and the ranking takes 25% longer at 500k projects
    (docs/performance.md). So the unit goes last. A key may be a column of the
    queryset's own model (`origin=F("origin")`); Django groups by those first.
    """
    own = {name for name, key in keys.items() if isinstance(key, F) and key.name == name}
    return queryset.annotate(**{name: key for name, key in keys.items() if name not in own}).values(*keys).order_by()


def chunks(items: list, size: int = 500) -> Iterator[list]:
    """Slices small enough for any database's limit on query parameters (`pk__in=` a slice)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
