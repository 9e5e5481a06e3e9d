"""History helpers shared by every app that shows what changed (django-simple-history records).

`changed_fields` is the one diff of two consecutive records of an object, built on the
library's `diff_against`; `record_baseline` records reference data loaded without history, so
that its first change reads old → new. No domain here: projects.history and
targets.target_table name the fields and render the values.
"""

from __future__ import annotations

from collections.abc import Sequence

BASELINE = "初始数据"


def changed_fields(previous, record, fields: Sequence[str]) -> list[str]:
    """The names among `fields` whose stored values differ between two historical records of one
    object (foreign keys compared by id, no query), in the order of `fields`. One side may be
    None (before a creation, after a deletion): then every field with a value on the other differs."""
    if previous is None or record is None:
        present = previous if record is None else record
        return [name for name in fields if present is not None and getattr(present, name) is not None]
    changed = set(record.diff_against(previous, included_fields=fields).changed_fields)
    return [name for name in fields if name in changed]


def record_baseline(model, ids: list[int]) -> None:
    """Record the stored values of rows that have no history yet (reference data is loaded
    without it), so that their first change reads old → new. Not shown as a change itself."""
    if not ids:
        return
    recorded = set(model.history.filter(id__in=ids).values_list("id", flat=True))
    rows = list(model.objects.filter(pk__in=[pk for pk in ids if pk not in recorded]))
    for row in rows:
        row._history_user = None
    model.history.bulk_history_create(rows, default_change_reason=BASELINE)
