"""The industry-chain tree (产业链图谱), one link's page, and the reviewers' node form.

Everyone signed in sees the tree and its links; what a link's page lists is what the user may
open (projects and leads by their visibility). Reviewers add, rename, move and deactivate
nodes (chains.services.save_node).
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from access import permissions
from access.decorators import requires
from access.roles import access_of
from figures import chains as chain_figures
from fuling_invest.errors import get_or_404
from leads.models import OPEN_STAGES, Lead
from lib.text import whole_number

from .. import services
from ..forms import ChainNodeForm
from ..models import ChainNode, Level
from .history import node_history

NOT_A_REVIEWER = "只有招商局审核员可以维护产业链图谱。"


@require_GET
def chain_tree(request: HttpRequest) -> HttpResponse:
    edits = permissions.edits_chains(access_of(request.user))
    industries = chain_figures.chain_tree(active_only=not edits)
    context = {
        "nav": "chains",
        "industries": industries,
        "weak_links": sum(industry.weak_links for industry in industries),
        "links": sum(industry.links for industry in industries),
        "edits": edits,
    }
    return render(request, "chains/tree.html", context)


@require_GET
def chain_link_detail(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_or_404(ChainNode.objects.links().select_related("group", "parent"), "没有这个产业链环节。", pk=pk)
    enterprises = list(link.enterprises.order_by("name"))
    projects = (
        chain_figures.signed_projects().visible_to(request.user).filter(chain_link=link).select_related("lead_unit")
    )
    leads = (
        Lead.objects.visible_to(request.user)
        .filter(stage__in=OPEN_STAGES, chain_link=link)
        .select_related("owner_unit", "enterprise")
        .order_by("deadline", "pk")
    )
    edits = permissions.edits_chains(access_of(request.user))
    context = {
        "nav": "chains",
        "link": link,
        "figures": chain_figures.link_figures(link),
        "local_enterprises": [enterprise for enterprise in enterprises if enterprise.is_local],
        "target_enterprises": [enterprise for enterprise in enterprises if not enterprise.is_local],
        "projects": list(projects.order_by("-signed_on", "pk")),
        "leads": list(leads),
        "edits": edits,
        "history": node_history(link) if edits else [],
    }
    return render(request, "chains/link_detail.html", context)


@require_http_methods(["GET", "POST"])
@requires(permissions.edits_chains, NOT_A_REVIEWER)
def chain_node_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    parent = ChainNode.objects.exclude(level=Level.LINK).filter(pk=whole_number(request.GET.get("parent"))).first()
    if parent is not None:
        initial = {"parent": parent, "level": Level.CHAIN if parent.level == Level.INDUSTRY else Level.LINK}
    form = ChainNodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        node = _saved(request, form)
        if node is not None:
            messages.success(request, f"已新增{node.get_level_display()}「{node.label}」。")
            return redirect("chain_tree")
    return render(request, "chains/node_form.html", {"nav": "chains", "form": form, "node": None})


@require_http_methods(["GET", "POST"])
@requires(permissions.edits_chains, NOT_A_REVIEWER)
def chain_node_edit(request: HttpRequest, pk: int) -> HttpResponse:
    node = get_or_404(ChainNode.objects.all(), "没有这个产业链节点。", pk=pk)
    # The form works on a copy: `node` stays as stored, for the page around the form.
    form = ChainNodeForm(request.POST or None, instance=copy.copy(node))
    if request.method == "POST" and form.is_valid():
        saved = _saved(request, form)
        if saved is not None:
            messages.success(request, f"「{saved.label}」的修改已保存。")
            return redirect("chain_link_detail", pk=saved.pk) if saved.level == Level.LINK else redirect("chain_tree")
    context = {"nav": "chains", "form": form, "node": node, "history": node_history(node)}
    return render(request, "chains/node_form.html", context)


def _saved(request: HttpRequest, form: ChainNodeForm) -> ChainNode | None:
    """The node saved through the service, or None with its objections on the form."""
    node = form.save(commit=False)
    try:
        return services.save_node(node=node, user=request.user)
    except ValidationError as error:
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return None
