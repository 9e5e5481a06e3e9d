"""A chain node's change history as its page shows it: who changed what, old → new."""

from __future__ import annotations

from access.roles import display_name
from groups.models import SpecialGroup
from targets.history import BASELINE, changed_fields

from ..models import ChainNode, Position

FIELDS = ("name", "parent", "position", "group", "sort_order", "is_active")
LABELS = {"name": "名称", "parent": "上级", "position": "环节位置", "group": "专项招商组", "sort_order": "排序", "is_active": "启用"}


def node_history(node: ChainNode) -> list[dict]:
    """Newest first: {when, who, label, changes: [{label, old, new}]}. Three queries."""
    records = list(node.history.select_related("history_user").order_by("history_date", "history_id"))
    parents = {parent.pk: parent.label for parent in ChainNode.objects.filter(pk__in={r.parent_id for r in records if r.parent_id})}
    groups = dict(SpecialGroup.objects.filter(pk__in={r.group_id for r in records if r.group_id}).values_list("pk", "name"))

    def shown(record, name: str) -> str:
        value = getattr(record, f"{name}_id" if name in ("parent", "group") else name)
        if name == "parent":
            return parents.get(value, "") if value else ""
        if name == "group":
            return groups.get(value, "") if value else ""
        if name == "position":
            return Position(value).label if value else ""
        if name == "is_active":
            return "是" if value else "否"
        return str(value)

    rows, previous = [], None
    for record in records:
        if record.history_change_reason == BASELINE:
            previous = record
            continue
        names = changed_fields(previous, record, FIELDS) if previous is not None else []
        rows.append(
            {
                "when": record.history_date,
                "who": display_name(record.history_user),
                "label": "新增" if record.history_type == "+" else "修改",
                "changes": [
                    {"label": LABELS[name], "old": shown(previous, name), "new": shown(record, name)} for name in names
                ],
            }
        )
        previous = record
    return rows[::-1]

