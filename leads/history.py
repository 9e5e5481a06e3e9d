"""A lead's change history as people read it: when, who, what (新建, 修改, or the stage it moved
to), which field, old → new, with labels and names rather than codes and ids. At most one query
for the records, one for the users and one per kind of object a change names."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from access.roles import display_name
from chains.models import ChainNode
from groups.models import SpecialGroup
from lib import display
from projects.models import Project
from targets.history import changed_fields
from targets.models import Unit

from .models import Lead, LeadStage, TargetEnterprise

FIELDS = (
    "code", "name", "enterprise", "owner_unit", "responsible_person", "group", "chain_link", "channel", "stage",
    "intended_investment", "next_step", "deadline", "resume_on", "stop_reason", "project",
)  # fmt: skip
RELATED = {"enterprise": TargetEnterprise, "owner_unit": Unit, "group": SpecialGroup, "chain_link": ChainNode, "project": Project}
EMPTY = "（空）"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    when: datetime.datetime
    who: str
    action: str  # 新建, 修改, 删除, or 阶段改为「暂缓」
    changes: tuple[FieldChange, ...]


def lead_history(lead: Lead) -> list[HistoryRow]:
    """Newest first."""
    records = list(lead.history.order_by("history_date", "history_id"))
    pairs = [(previous, record, _changed(previous, record)) for previous, record in zip([None, *records], records)]
    names = _names(pairs)
    users = get_user_model().objects.in_bulk({record.history_user_id for record in records if record.history_user_id})
    rows = []
    for previous, record, changed in pairs:
        changes = tuple(
            FieldChange(Lead._meta.get_field(name).verbose_name, _value(previous, name, names), _value(record, name, names))
            for name in changed
        )
        rows.append(HistoryRow(record.history_date, display_name(users.get(record.history_user_id)), _action(previous, record), changes))
    return rows[::-1]


def _changed(previous, record) -> list[str]:
    """The fields that changed; for the first record those with a value (read by their column,
    so a foreign key costs no query)."""
    if previous is None:
        return [name for name in FIELDS if getattr(record, Lead._meta.get_field(name).attname) not in (None, "")]
    return changed_fields(previous, record, FIELDS)


def _action(previous, record) -> str:
    if record.history_type == "+":
        return "新建"
    if record.history_type == "-":
        return "删除"
    if previous is not None and previous.stage != record.stage:
        return f"阶段改为「{LeadStage(record.stage).label}」"
    return "修改"


def _names(pairs) -> dict[str, dict[int, object]]:
    wanted: dict[str, set[int]] = {}
    for previous, record, changed in pairs:
        for name in changed:
            if name in RELATED:
                wanted.setdefault(name, set()).update(
                    getattr(side, f"{name}_id") for side in (previous, record) if side is not None and getattr(side, f"{name}_id")
                )
    return {name: RELATED[name].objects.in_bulk(ids) for name, ids in wanted.items()}


def _value(record, name: str, names: dict) -> str:
    if record is None:
        return ""
    if name in RELATED:
        pk = getattr(record, f"{name}_id")
        return str(names[name].get(pk, pk)) if pk else EMPTY
    value = getattr(record, name)
    if value in (None, ""):
        return EMPTY
    if name in ("channel", "stage"):
        return dict(Lead._meta.get_field(name).choices).get(value, value)
    if name == "intended_investment":
        return f"{display.money(value)} 亿元"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return str(value)
