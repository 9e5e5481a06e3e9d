"""The industry-chain tree with what stands on each link (domain.md §10): local enterprises,
signed projects, target enterprises and open leads, and the weak links (补链) among them.

A weak link has no local enterprise, no signed project and no open lead: nothing anchors it
yet. The whole tree is one query, whatever the number of nodes, enterprises, projects or
leads: each count is a correlated subquery on the node's row. The counts are the district's,
whoever looks (the link page lists only what the user may open).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from chains.models import ChainNode, Level
from leads.models import OPEN_STAGES, Lead, TargetEnterprise
from projects.models import Project

EnterpriseLink = TargetEnterprise.chain_links.through


def signed_projects() -> QuerySet:
    """The projects that stand on a link: approved by the bureau (an approved project is signed:
    a database constraint)."""
    return Project.objects.approved()


def open_leads() -> QuerySet:
    return Lead.objects.filter(stage__in=OPEN_STAGES)


@dataclass(frozen=True)
class LinkFigures:
    local_enterprises: int = 0
    target_enterprises: int = 0  # enterprises courted for the link, not (yet) local
    signed_projects: int = 0
    open_leads: int = 0

    @property
    def is_weak(self) -> bool:
        """补链: nothing here yet, nor anything on its way."""
        return not (self.local_enterprises or self.signed_projects or self.open_leads)


@dataclass
class TreeNode:
    node: ChainNode
    figures: LinkFigures | None = None  # links only
    children: list[TreeNode] = field(default_factory=list)

    @property
    def weak_links(self) -> int:
        """The weak links at or below this node."""
        if self.figures is not None:
            return int(self.figures.is_weak)
        return sum(child.weak_links for child in self.children)

    @property
    def links(self) -> int:
        if self.figures is not None:
            return 1
        return sum(child.links for child in self.children)


def _count(queryset: QuerySet, key: str) -> Coalesce:
    rows = queryset.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(count=Count("*")).values("count")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_figures(nodes: QuerySet) -> QuerySet:
    """`nodes` with the four counts annotated (meaningful on links; 0 elsewhere).

    The courted enterprises are the link's enterprises not among the local ones, and the local
    ones all of the link's minus those: the database reads the (few) local enterprises once,
    instead of joining every one of a link's enterprises to its row."""
    local = TargetEnterprise.objects.filter(is_local=True).values("pk")
    return nodes.annotate(
        enterprise_count=_count(EnterpriseLink.objects.all(), "chainnode_id"),
        target_count=_count(EnterpriseLink.objects.exclude(targetenterprise_id__in=local), "chainnode_id"),
        local_count=F("enterprise_count") - F("target_count"),
        project_count=_count(signed_projects(), "chain_link_id"),
        lead_count=_count(open_leads(), "chain_link_id"),
    )


def _figures_of(node: ChainNode) -> LinkFigures:
    return LinkFigures(node.local_count, node.target_count, node.project_count, node.lead_count)


def link_figures(link: ChainNode) -> LinkFigures:
    """One link's counts: one query."""
    return _figures_of(with_figures(ChainNode.objects.filter(pk=link.pk)).get())


def chain_tree(*, active_only: bool = True) -> list[TreeNode]:
    """The leading industries in order, each with its chains and their links (and each link's
    figures): one query. `active_only=False` keeps the deactivated nodes (for reviewers)."""
    nodes = ChainNode.objects.select_related("group")
    if active_only:
        nodes = nodes.filter(is_active=True)
    tree: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    for node in with_figures(nodes.order_by("parent_path", "sort_order", "name")):
        item = TreeNode(node, _figures_of(node) if node.level == Level.LINK else None)
        tree[node.pk] = item
        parent = tree.get(node.parent_id) if node.parent_id else None
        if node.parent_id is None:
            roots.append(item)
        elif parent is not None:  # a node under a deactivated one is hidden with it
            parent.children.append(item)
    return roots
