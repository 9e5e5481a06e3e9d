"""The writes of the chain tree (the node pages' only way to the database)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from targets.history import record_baseline

from .models import ChainNode


def save_node(*, node: ChainNode, user: AbstractBaseUser) -> ChainNode:
    """Save a new or changed node as `user`'s change, after the model's checks. A renamed (or
    moved) node takes its descendants' `parent_path` along in the same transaction, so the
    tree's labels and natural keys never disagree."""
    node.parent_path = node.parent.path if node.parent_id else ""
    _refuse_a_sibling_of_the_same_name(node)
    node.full_clean()
    with transaction.atomic():
        old_path = None
        if node.pk:
            stored = ChainNode.objects.select_for_update().get(pk=node.pk)
            old_path = stored.path
            record_baseline(ChainNode, [node.pk])
        node._history_user = user
        node.save()
        if old_path is not None and old_path != node.path:
            _move_descendants(old_path, node.path)
    return node


def _refuse_a_sibling_of_the_same_name(node: ChainNode) -> None:
    if "/" in node.name:
        raise ValidationError({"name": "名称中不能有“/”（它分隔上下级）。"})
    siblings = ChainNode.objects.filter(parent_path=node.parent_path, name=node.name).exclude(pk=node.pk)
    if siblings.exists():
        where = f"「{node.parent.label}」下" if node.parent_id else "主导产业中"
        raise ValidationError({"name": f"{where}已有名为「{node.name}」的节点，请换一个名称。"})


def _move_descendants(old_path: str, new_path: str) -> None:
    """Rewrite the path of every node below `old_path` (its children and their children)."""
    below = ChainNode.objects.filter(parent_path=old_path) | ChainNode.objects.filter(parent_path__startswith=f"{old_path}/")
    descendants = list(below.select_for_update())
    for descendant in descendants:
        descendant.parent_path = new_path + descendant.parent_path[len(old_path) :]
    ChainNode.objects.bulk_update(descendants, ["parent_path"])
