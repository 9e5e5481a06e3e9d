"""The district's industry chains (domain.md §10): a tree 主导产业 → 产业链 → 环节, reference data."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Level(models.TextChoices):
    INDUSTRY = "industry", "主导产业"
    CHAIN = "chain", "产业链"
    LINK = "link", "环节"


class Position(models.TextChoices):
    """Where a link sits on its chain; only links have one."""

    UPSTREAM = "upstream", "上游"
    MIDSTREAM = "midstream", "中游"
    DOWNSTREAM = "downstream", "下游"


# The level a node's parent must have (an industry has none).
PARENT_LEVEL = {Level.INDUSTRY: None, Level.CHAIN: Level.INDUSTRY, Level.LINK: Level.CHAIN}


class ChainNodeQuerySet(models.QuerySet):
    def links(self) -> "ChainNodeQuerySet":
        return self.filter(level=Level.LINK)

    def offered_links(self, *keep: int | None) -> "ChainNodeQuerySet":
        """The links a form offers: active, on an active chain of an active industry; and any the
        object already names (an old record stays editable), in the tree's order."""
        active = Q(is_active=True, parent__is_active=True, parent__parent__is_active=True)
        named = Q(pk__in=[pk for pk in keep if pk])
        order = ("parent__parent__sort_order", "parent__parent__name", "parent__sort_order", "parent__name", "sort_order", "name")
        return self.links().filter(active | named).order_by(*order)

    def get_by_natural_key(self, parent_path, name):
        return self.get(parent_path=parent_path, name=name)


class ChainNode(models.Model):
    """One node of the tree: a leading industry, one of its chains, or a link of a chain."""

    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级")
    # The parent's names from the root, "数字经济/集成电路": a natural key and a label without queries.
    parent_path = models.CharField("上级路径", max_length=120, blank=True, editable=False)
    position = models.CharField("环节位置", max_length=10, choices=Position.choices, blank=True)
    group = models.ForeignKey(
        "groups.SpecialGroup", models.SET_NULL, null=True, blank=True, related_name="chain_nodes", verbose_name="专项招商组"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    history = HistoricalRecords()
    objects = ChainNodeQuerySet.as_manager()

    class Meta:
        verbose_name = "产业链节点"
        verbose_name_plural = "产业链节点"
        ordering = ["parent_path", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent_path", "name"], name="chain_node_name_once_per_parent"),
            models.CheckConstraint(
                condition=Q(level=Level.LINK) | Q(position=""), name="chain_node_only_links_have_a_position"
            ),
        ]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.parent_path, self.name)

    @property
    def label(self) -> str:
        """The node with its ancestors: 数字经济 › 集成电路 › 芯片设计."""
        return " › ".join([*filter(None, self.parent_path.split("/")), self.name])

    def clean(self):
        wanted = PARENT_LEVEL.get(self.level)
        parent = self.parent if self.parent_id else None
        if wanted is None and parent is not None:
            raise ValidationError({"parent": "主导产业没有上级。"})
        if wanted is not None and (parent is None or parent.level != wanted):
            raise ValidationError({"parent": f"{self.get_level_display()}的上级必须是{Level(wanted).label}。"})
        if self.level != Level.LINK and self.position:
            raise ValidationError({"position": "只有环节才有上游、中游、下游之分。"})

    def save(self, *args, **kwargs):
        self.parent_path = self.parent.path if self.parent_id else ""
        super().save(*args, **kwargs)

    @property
    def path(self) -> str:
        return f"{self.parent_path}/{self.name}" if self.parent_path else self.name


def at_or_under(node, field: str = "chain_link") -> Q:
    """Records whose `field` is the chain node, or a node below it (a chain's links, an
    industry's chains and links): what a chain or an industry "has". The tree is three deep."""
    return Q(**{field: node}) | Q(**{f"{field}__parent": node}) | Q(**{f"{field}__parent__parent": node})
