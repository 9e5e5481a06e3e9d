"""A project's milestones (注册/开工/投产/达产, domain.md §9): entering them, verifying one, its evidence.

The project is looked up as every project page looks it up (projects.views.editing: another
unit's project answers 404, whatever the method); then 405 for a wrong method; what the user
may do is access.permissions (else 403). The
timeline and its form are shown on the project's page; the form page here is where an entry
with errors comes back to, and where the 节点 link of the page leads.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from access import permissions
from access.decorators import object_permission
from fuling_invest.errors import get_or_404
from lib import uploads
from projects.models import Project
from projects.views.editing import get_project_for_user, show_errors

from .. import services
from ..forms import MilestonesForm
from ..models import Milestone
from ..stages import timeline_of


def _project(request: HttpRequest, pk: int) -> Project:
    return get_project_for_user(request, pk)


def _project_and_milestone(request: HttpRequest, pk: int, milestone_pk: int) -> tuple[Project, Milestone]:
    project = get_project_for_user(request, pk)
    milestones = Milestone.objects.filter(project=project)
    return project, get_or_404(milestones, "该项目没有这个节点记录。", pk=milestone_pk)


@object_permission(
    _project,
    permissions.can_edit_milestones,
    "只有项目牵头单位的填报员和招商局审核员可以填报已审核项目的节点。",
    methods=("GET", "POST"),
)
def milestone_edit(request: HttpRequest, project: Project) -> HttpResponse:
    timeline = timeline_of(project)
    form = MilestonesForm(request.POST or None, request.FILES or None, milestones=timeline.by_kind, signed_on=project.signed_on)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_milestones(project=project, user=request.user, entries=form.entries())
        except ValidationError as error:
            show_errors(form, error)
        else:
            if saved:
                unverified = [m for m in saved if m.actual_on is not None and not m.verified]
                pending = "；实际日期待招商局审核员核实后计入" if unverified else ""
                kinds = "、".join(m.get_kind_display() for m in saved)
                messages.success(request, f"已保存节点：{kinds}{pending}。")
            else:
                messages.info(request, "节点没有变化，未保存。")
            return redirect("project_detail", pk=project.pk)
    context = {"nav": "projects", "project": project, "timeline": timeline, "milestone_form": form}
    return render(request, "landing/milestone_form.html", context)


@object_permission(
    _project_and_milestone,
    permissions.can_verify_milestone,
    "只有招商局审核员可以核实已审核项目中已填实际日期的节点。",
    methods=("POST",),
)
def milestone_verify(request: HttpRequest, project: Project, milestone: Milestone) -> HttpResponse:
    try:
        services.verify_milestone(milestone=milestone, user=request.user, seen_on=_seen_on(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"已核实 {project.code} 的{milestone.get_kind_display()}日期 {milestone.actual_on:%Y-%m-%d}，该节点已计入。",
        )
    return redirect(_next_page(request) or reverse("project_detail", args=[project.pk]))


def _seen_on(request: HttpRequest) -> datetime.date | None:
    """The actual date the verifying page showed, when it sent one."""
    try:
        return datetime.date.fromisoformat(request.POST["actual_on"])
    except (KeyError, ValueError):
        return None


def _next_page(request: HttpRequest) -> str | None:
    """Back to the verification queue when it asked (only a path of this site)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return None


@require_GET
def milestone_evidence(request: HttpRequest, pk: int, milestone_pk: int) -> FileResponse:
    """The evidence file, to whoever may see the project, served as arrival evidence is."""
    _, milestone = _project_and_milestone(request, pk, milestone_pk)
    return uploads.serve(request, milestone.evidence, milestone.evidence_name)
