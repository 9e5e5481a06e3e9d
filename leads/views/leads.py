"""Leads (招商线索): the stage board, the list, one lead, its form, its stage change and its
conversion into a signed project.

Who may see a lead: Lead.objects.visible_to (else 404, so nothing leaks); what they may do:
access.permissions, declared on each view (else 403). Overdue and stale are computed live
(LeadQuerySet.with_marks); the daily job only records since when.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2 import RequestConfig

from access import permissions
from access.decorators import object_permission, requires
from access.roles import access_of
from fuling_invest.errors import get_or_404
from lib.text import whole_number
from projects.forms import ProjectForm
from projects.views.editing import SUBMIT_BUTTON, render_form_for_lead, show_errors
from targets.context import organisation_of

from .. import services
from ..filters import LeadFilter
from ..forms import LeadForm, StageForm
from ..history import lead_history
from ..models import (
    EARLY_STAGES,
    OPEN_STAGES,
    Activity,
    Lead,
    LeadStage,
    StaleDays,
    TargetEnterprise,
)
from ..tables import LeadTable

PER_PAGE = 25
CARDS_PER_COLUMN = 30  # the board shows this many cards a column; the list shows them all
CLOSED_STAGES = (LeadStage.PAUSED, LeadStage.STOPPED, LeadStage.SIGNED)


def get_lead_for_user(request: HttpRequest, pk: int) -> Lead:
    """The lead if the user may see it, else 404."""
    leads = Lead.objects.visible_to(request.user).select_related(
        "owner_unit", "group", "chain_link", "enterprise", "project", "created_by"
    )
    return get_or_404(leads, "没有这条线索，或您无权查看。", pk=pk)


def _marked(leads, today: datetime.date, days: StaleDays):
    return leads.with_marks(today, days).select_related("owner_unit", "group", "chain_link", "enterprise")


# --- The board --------------------------------------------------------------------------------


@dataclass
class Column:
    stage: LeadStage
    count: int
    cards: list[Lead]

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


@require_GET
def lead_board(request: HttpRequest) -> HttpResponse:
    """The open stages as columns, per unit (?unit=) or per special group (?group=), with the
    counts of the closed stages; reviewers and leaders also see each unit's overdue and stale leads."""
    today = timezone.localdate()
    days = StaleDays.for_day(today)
    scope = LeadFilter(request.GET, Lead.objects.visible_to(request.user), today=today, days=days, request=request)
    leads = scope.qs
    counts = leads.count_per_stage()
    columns = [
        Column(stage, counts.get(stage, 0), list(_marked(leads.filter(stage=stage), today, days)[:CARDS_PER_COLUMN]))
        for stage in OPEN_STAGES
    ]
    access = access_of(request.user)
    context = {
        "nav": "leads",
        "filter": scope,
        "unit": scope.form.cleaned_data.get("unit") if scope.form.is_valid() else None,
        "group": scope.form.cleaned_data.get("group") if scope.form.is_valid() else None,
        "columns": columns,
        "closed": [(stage, counts.get(stage, 0)) for stage in CLOSED_STAGES],
        "per_unit": Lead.objects.alerts_per_unit(today, days) if permissions.sees_everything(access) else None,
        "days": days,
        "today": today,
    }
    return render(request, "leads/lead_board.html", context)


# --- The list ------------------------------------------------------------------------------------


@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    days = StaleDays.for_day(today)
    leads = _marked(Lead.objects.visible_to(request.user), today, days)
    filterset = LeadFilter(request.GET, leads, today=today, days=days, request=request)
    table = LeadTable(filterset.qs)
    RequestConfig(request, paginate=False).configure(table)
    table.paginate(page=1, per_page=PER_PAGE)
    table.page = table.paginator.get_page(request.GET.get("page"))
    enterprise_id = filterset.form.cleaned_data.get("enterprise") if filterset.form.is_valid() else None
    context = {
        "nav": "leads",
        "filter": filterset,
        "table": table,
        "sort": request.GET.get("sort", ""),
        "enterprise_id": enterprise_id,
        "days": days,
    }
    return render(request, "leads/lead_list.html", context)


# --- One lead -----------------------------------------------------------------------------------


@require_GET
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_lead_for_user(request, pk))


def _render_detail(request, lead: Lead, *, stage_form: StageForm | None = None, status: int = 200) -> HttpResponse:
    access = access_of(request.user)
    today = timezone.localdate()
    days = StaleDays.for_day(today)
    can = {
        "edit": permissions.can_edit_lead(access, lead),
        "convert": permissions.can_convert_lead(access, lead),
    }
    can["change_stage"] = can["edit"] and lead.stage != LeadStage.SIGNED
    if can["change_stage"] and stage_form is None:
        stage_form = StageForm(lead=lead)
    context = {
        "nav": "leads",
        "lead": lead,
        "marks": lead.marks(today=today, days=days),
        "stale_after": days.early if lead.stage in EARLY_STAGES else days.late,
        "activities": list(Activity.objects.filter(lead=lead).select_related("unit").order_by("-date", "-pk")),
        "history": lead_history(lead),
        "can": can,
        "stage_form": stage_form,
    }
    return render(request, "leads/lead_detail.html", context, status=status)


def lead_action(rule, *, methods: tuple[str, ...] | None = ("POST",)):
    """A view of one lead that needs `rule`: 404 when the user may not see the lead, 405 unless
    the method is one of `methods`, 403 unless `rule(access, lead)`."""
    return object_permission(get_lead_for_user, rule, methods=methods)


@require_http_methods(["GET", "POST"])
@requires(permissions.enters_leads, "只有单位填报员和招商局审核员可以录入线索。")
def lead_create(request: HttpRequest) -> HttpResponse:
    """A new lead; `?enterprise=<id>` starts from a target enterprise (its name prefilled)."""
    form = LeadForm(request.POST or None, user=request.user, initial=_initial_from_enterprise(request))
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.create_lead(user=request.user, facts=form.facts())
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"线索「{lead.name}」已保存（编号 {lead.code}）。")
            return redirect("lead_detail", pk=lead.pk)
    return render(request, "leads/lead_form.html", {"nav": "leads", "form": form, "lead": None})


def _initial_from_enterprise(request) -> dict:
    enterprise_id = whole_number(request.GET.get("enterprise"))
    if enterprise_id is None:
        return {}
    from_enterprise = TargetEnterprise.objects.filter(pk=enterprise_id).first()
    if from_enterprise is None:
        return {}
    initial = {"enterprise": from_enterprise.pk, "name": f"{from_enterprise.name}投资项目"}
    first_link = from_enterprise.chain_links.order_by("pk").first()
    return {**initial, "chain_link": first_link.pk} if first_link else initial


@require_http_methods(["GET", "POST"])
@lead_action(permissions.can_edit_lead, methods=None)
def lead_edit(request: HttpRequest, lead: Lead) -> HttpResponse:
    form = LeadForm(request.POST or None, instance=copy.copy(lead), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_lead(lead=lead, user=request.user, facts=form.facts())
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"线索「{form.cleaned_data['name']}」的修改已保存。")
            return redirect("lead_detail", pk=lead.pk)
    return render(request, "leads/lead_form.html", {"nav": "leads", "form": form, "lead": lead})


@lead_action(permissions.can_edit_lead)
def lead_stage(request: HttpRequest, lead: Lead) -> HttpResponse:
    """Move the lead to another stage (POST, from its page), with the stage's extra field."""
    form = StageForm(request.POST, lead=lead)
    if not form.is_valid():
        return _render_detail(request, lead, stage_form=form, status=400)
    data = form.cleaned_data
    try:
        services.change_stage(
            lead=lead, user=request.user, stage=data["stage"], resume_on=data["resume_on"], stop_reason=data["stop_reason"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"线索阶段已改为「{LeadStage(data['stage']).label}」。")
    return redirect("lead_detail", pk=lead.pk)


# --- 转为签约项目 -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@lead_action(permissions.can_convert_lead, methods=None)
def lead_convert(request: HttpRequest, lead: Lead) -> HttpResponse:
    """The project form, prefilled from the lead; saving creates the project, links it to the lead
    and moves the lead to 已签约 in one transaction (leads.services.convert_lead)."""
    access = access_of(request.user)
    form = ProjectForm(
        request.POST or None,
        user=request.user,
        organisation=organisation_of(request),
        initial=services.project_facts_of(lead),
    )
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        reviews = permissions.reviews(access)
        try:
            project = services.convert_lead(
                lead=lead,
                user=request.user,
                facts=form.facts(),
                cooperating_unit_ids=form.cooperating_unit_ids(),
                submit_at_once=reviews,
                then_submit=SUBMIT_BUTTON in request.POST and not reviews,
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(
                request, f"线索「{lead.name}」已转为签约项目（编号 {project.code}，{project.get_status_display()}），线索改为「已签约」。"
            )
            return redirect("project_detail", pk=project.pk)
    return render_form_for_lead(request, form, lead=lead)
