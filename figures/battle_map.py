"""The battle map (招商作战图): what stands on each link of the industry-chain tree, rolled up per
chain and per leading industry, and where the target enterprises and the leads come from.

Per node: local and target enterprises (the shared library: the same for everyone), leads by
stage and signed projects of a year with their agreement capital (what the user may see:
`visible_to`). A chain's or an industry's figure counts what is on it or under it, as the
lists' `chain_link` filter does, so a number and the list it links to agree. Per province: the
target enterprises there and the leads of enterprises there (a lead without an enterprise, or
an enterprise without a province, is 「未填地区」).

Each figure is one GROUP BY query, whatever the number of nodes or records; the weak links
(补链) are those of the chain tree page (figures/chains.py), the district's whoever looks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from chains.models import ChainNode, Level, at_or_under
from leads import regions
from leads.filters import NO_PROVINCE, NO_PROVINCE_LABEL
from leads.models import OPEN_STAGES, Lead, LeadStage, TargetEnterprise
from lib.sql import exact_sum, from_ten_thousandths
from lib.text import whole_number
from targets.models import RuleSet

from . import chains as chain_figures

EnterpriseLink = TargetEnterprise.chain_links.through

# The stage columns: the open stages, then signed.
STAGES = (*OPEN_STAGES, LeadStage.SIGNED)
# A node and its ancestors: link, chain, industry.
LINEAGE = 3


# --- The year of the signed projects ----------------------------------------------------------


@dataclass(frozen=True)
class YearChoice:
    year: int
    years: list[int]  # years with a rule set, newest first: the projects list filters by these
    note: str = ""  # why the page shows another year than the one asked for


def year_choice(asked: str | None) -> YearChoice:
    """The year asked for if it has a rule set; else this year if it has one, else the latest
    that has one (the projects list's year filter offers those only); without any rule set,
    this year. One query."""
    years = sorted(RuleSet.objects.values_list("year", flat=True), reverse=True)
    this_year = timezone.localdate().year
    default = this_year if this_year in years or not years else years[0]
    if asked in (None, ""):
        return YearChoice(default, years)
    if whole_number(asked) in years:
        return YearChoice(int(asked), years)
    return YearChoice(default, years, f"{asked}年尚未设置考核规则，已显示{default}年签约的项目。")


# --- Per node -----------------------------------------------------------------------------------


@dataclass
class NodeFigures:
    local_enterprises: int = 0
    target_enterprises: int = 0  # enterprises courted, not (yet) local
    leads: Counter = field(default_factory=Counter)  # stage → leads, every stage
    signed_projects: int = 0
    agreement_capital: Decimal = Decimal(0)  # of the signed projects, 亿元, exact

    @property
    def all_leads(self) -> int:
        return sum(self.leads.values())

    @property
    def by_stage(self) -> list[tuple[str, int]]:
        """(stage, leads) for the stage columns, in order."""
        return [(stage.value, self.leads[stage]) for stage in STAGES]


@dataclass(frozen=True)
class MapRow:
    node: ChainNode
    figures: NodeFigures
    weak: bool  # a weak link (补链); never for a chain or an industry
    weak_links: int  # the weak links at or below
    links: int


@dataclass(frozen=True)
class ChainMap:
    year: YearChoice
    industries: list[ChainNode]  # every active industry, for the picker
    focus: ChainNode | None  # the industry shown alone, if one is
    rows: list[MapRow]  # industry, its chains, each chain's links: the tree's order
    chart: dict

    @property
    def weak_links(self) -> int:
        return sum(row.weak_links for row in self.rows if row.node.level == Level.INDUSTRY)


def chain_map(*, user, year: YearChoice, industry_id: int | None = None) -> ChainMap:
    """The active tree (or one industry of it) with each node's figures: 5 queries."""
    # The whole tree, deactivated nodes too: a lead or a project on a deactivated link still
    # counts on its active chain and industry. The map shows the active part.
    whole = chain_figures.chain_tree(active_only=False)
    parents = {item.node.pk: item.node.parent_id for item in _every(whole)}
    tree = [_active(item) for item in whole if item.node.is_active]
    industries = [item.node for item in tree]
    focused = [item for item in tree if item.node.pk == industry_id]
    shown = focused or tree
    figures: dict[int, NodeFigures] = {}
    _add_enterprises(figures)
    _add_leads(figures, Lead.objects.visible_to(user), parents)
    _add_projects(figures, chain_figures.signed_projects().visible_to(user).filter(signed_on__year=year.year), parents)
    rows = [row for industry in shown for row in _rows(industry, figures)]
    return ChainMap(year, industries, focused[0].node if focused else None, rows, _chain_chart(rows))


def _every(items: list[chain_figures.TreeNode]):
    """Every node of the tree, each before its children."""
    for item in items:
        yield item
        yield from _every(item.children)


def _active(item: chain_figures.TreeNode) -> chain_figures.TreeNode:
    """The node with its active children only, and theirs: what chain_tree() gives by default
    (a node under a deactivated one is hidden with it)."""
    children = [_active(child) for child in item.children if child.node.is_active]
    return chain_figures.TreeNode(item.node, item.figures, children)


def _rows(item: chain_figures.TreeNode, figures: dict[int, NodeFigures]):
    own = figures.get(item.node.pk, NodeFigures())
    if item.figures is not None:  # a link: its enterprises as the tree counts them
        own.local_enterprises = item.figures.local_enterprises
        own.target_enterprises = item.figures.target_enterprises
    weak = item.figures is not None and item.figures.is_weak
    yield MapRow(item.node, own, weak, item.weak_links, item.links)
    for child in item.children:
        yield from _rows(child, figures)


def _add_enterprises(figures: dict[int, NodeFigures]) -> None:
    """Distinct enterprises per chain and per industry (one may fit several of its links): 2 queries.
    A link's own come with the tree."""
    # As the tree does: the courted are those not among the (few) local enterprises, read once,
    # and the local ones all minus those; no enterprise row is joined.
    courted = ~Q(targetenterprise_id__in=TargetEnterprise.objects.filter(is_local=True).values("pk"))
    for key in ("chainnode__parent", "chainnode__parent__parent"):
        rows = (
            EnterpriseLink.objects.filter(chainnode__level=Level.LINK)
            .order_by()
            .values(key)
            .annotate(
                every=Count("targetenterprise_id", distinct=True),
                courted=Count("targetenterprise_id", distinct=True, filter=courted),
            )
        )
        for row in rows:
            node = figures.setdefault(row[key], NodeFigures())
            node.local_enterprises, node.target_enterprises = row["every"] - row["courted"], row["courted"]


def _lineage(node_id: int, parents: dict[int, int | None]) -> list[int]:
    """The node, its parent and its parent's parent (those there are)."""
    lineage = []
    while node_id is not None and len(lineage) < LINEAGE:
        lineage.append(node_id)
        node_id = parents.get(node_id)
    return lineage


def _per_link(queryset):
    """`queryset`'s rows on a link, to group by the link alone: the ancestors come from the tree,
    not from joining the nodes (so the leads are counted from the index lead_chain_stage alone)."""
    return queryset.filter(chain_link__isnull=False).order_by()


def _add_leads(figures: dict[int, NodeFigures], leads, parents: dict[int, int | None]) -> None:
    """Leads per stage on each node, and on each of its ancestors: 1 query."""
    for row in _per_link(leads).values("chain_link", "stage").annotate(n=Count("*")):
        for node_id in _lineage(row["chain_link"], parents):
            figures.setdefault(node_id, NodeFigures()).leads[row["stage"]] += row["n"]


def _add_projects(figures: dict[int, NodeFigures], projects, parents: dict[int, int | None]) -> None:
    """Signed projects and their agreement capital on each node and its ancestors: 1 query."""
    rows = _per_link(projects).values("chain_link").annotate(n=Count("*"), money=exact_sum("agreement_capital"))
    for row in rows:
        capital = from_ten_thousandths(row["money"])
        for node_id in _lineage(row["chain_link"], parents):
            node = figures.setdefault(node_id, NodeFigures())
            node.signed_projects += row["n"]
            node.agreement_capital += capital


def _chain_chart(rows: list[MapRow]) -> dict:
    """Leads by stage per chain, for the stacked bars (static/js/battle_map.js)."""
    chains = [row for row in rows if row.node.level == Level.CHAIN]
    return {
        "kind": "chains",
        "names": [row.node.name for row in chains],
        "industries": [row.node.parent_path for row in chains],
        "series": [
            {"name": stage.label, "values": [row.figures.leads[stage] for row in chains]} for stage in STAGES
        ],
    }


# --- Per province -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvinceRow:
    province: str  # "" for 「未填地区」
    target_enterprises: int
    leads: Counter  # stage → leads, every stage

    @property
    def label(self) -> str:
        return self.province or NO_PROVINCE_LABEL

    @property
    def param(self) -> str:
        """The lists' `province` filter value."""
        return self.province or NO_PROVINCE

    @property
    def all_leads(self) -> int:
        return sum(self.leads.values())

    @property
    def by_stage(self) -> list[tuple[str, int]]:
        return [(stage.value, self.leads[stage]) for stage in STAGES]


@dataclass(frozen=True)
class RegionMap:
    industries: list[ChainNode]
    focus: ChainNode | None
    rows: list[ProvinceRow]  # most leads first, then most targets; 「未填地区」 last
    chart: dict


def industries() -> list[ChainNode]:
    """The active leading industries in the tree's order: 1 query."""
    return list(ChainNode.objects.filter(level=Level.INDUSTRY, is_active=True).order_by("sort_order", "name"))


def region_map(*, user, industry_id: int | None = None) -> RegionMap:
    """Target enterprises (not local) and the leads the user may see, per province; with an
    industry, those on its links only: 3 queries."""
    choices = industries()
    focus = next((node for node in choices if node.pk == industry_id), None)
    enterprises = TargetEnterprise.objects.filter(is_local=False)
    leads = Lead.objects.visible_to(user)
    if focus is not None:
        linked = EnterpriseLink.objects.filter(at_or_under(focus, "chainnode"))
        enterprises = enterprises.filter(pk__in=linked.values("targetenterprise_id"))
        leads = leads.filter(at_or_under(focus))
    targets = Counter()
    for province, n in enterprises.order_by().values_list("province").annotate(n=Count("pk")):
        targets[province or ""] += n
    per_stage: dict[str, Counter] = {}
    for province, stage, n in leads.order_by().values_list("enterprise__province", "stage").annotate(n=Count("pk")):
        per_stage.setdefault(province or "", Counter())[stage] += n
    rows = [ProvinceRow(p, targets[p], per_stage.get(p, Counter())) for p in set(targets) | set(per_stage)]
    rows.sort(key=_province_order)
    return RegionMap(choices, focus, rows, _province_chart(rows))


def _province_order(row: ProvinceRow) -> tuple:
    official = regions.PROVINCES.index(row.province) if row.province in regions.PROVINCES else len(regions.PROVINCES)
    return (row.province == "", -row.all_leads, -row.target_enterprises, official, row.province)


def _province_chart(rows: list[ProvinceRow]) -> dict:
    return {
        "kind": "provinces",
        "names": [row.label for row in rows],
        "series": [
            {"name": "目标企业", "values": [row.target_enterprises for row in rows]},
            {"name": "线索", "values": [row.all_leads for row in rows]},
        ],
    }
