"""The target-enterprise library (目标企业库): the list with its filters and Excel export, one
enterprise's page, and the form that adds or edits one.

Every signed-in role reads the library; staff and reviewers add (access.permissions.
adds_enterprises); reviewers edit any enterprise, staff those their unit added
(can_edit_enterprise); leaders read only. What an enterprise's page lists of leads and
activities is what the user may see (Lead.objects.visible_to, Activity.objects.visible_to).
"""

from __future__ import annotations

import copy

import django_tables2 as tables
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2 import RequestConfig

from access import permissions
from access.decorators import object_permission, requires
from access.roles import access_of
from fuling_invest.errors import get_or_404
from lib.xlsx import XLSX_CONTENT_TYPE, write_xlsx
from projects.views.listing import paginate, query_without
from targets.context import organisation_of

from ..enterprises import EXPORT_COLUMNS, export_rows, for_export
from ..forms.enterprises import EnterpriseFilter, EnterpriseForm, MembershipFormSet
from ..models import Activity, Lead, TargetEnterprise

NOT_ADDING = "区领导只能查看企业库，不能添加企业。"
NOT_EDITING = "只有招商局审核员和录入该企业的单位可以修改它。"


# --- The list ---------------------------------------------------------------------------------


class EnterpriseTable(tables.Table):
    """Rows need `memberships` and `chain_links` prefetched."""

    name = tables.Column(linkify=("enterprise_detail", {"pk": tables.A("pk")}), order_by=("name", "pk"))
    credit_code = tables.Column(order_by=("credit_code", "pk"))
    region = tables.Column(verbose_name="所在地区", accessor="province", order_by=("province", "city", "pk"))
    is_local = tables.BooleanColumn(yesno="是,否", order_by=("is_local", "name"))
    lists = tables.Column(verbose_name="榜单", accessor="pk", orderable=False)
    links = tables.Column(verbose_name="产业链环节", accessor="pk", orderable=False)
    updated_at = tables.DateColumn(format="Y-m-d", order_by=("updated_at", "pk"))

    class Meta:
        model = TargetEnterprise
        fields = ()
        sequence = ("name", "credit_code", "region", "is_local", "lists", "links", "updated_at")
        template_name = "projects/_project_table.html"
        attrs = {"class": "project-table enterprise-table"}
        default = "–"
        empty_text = "没有符合条件的企业。"

    def render_region(self, record):
        return f"{record.province}{record.city}"

    def render_lists(self, record):
        return format_html_join("", '<span class="badge">{}</span> ', ((str(m),) for m in record.memberships.all())) or "–"

    def render_links(self, record):
        return "；".join(link.label for link in record.chain_links.all()) or "–"


def listed_enterprises(request: HttpRequest) -> tuple[EnterpriseFilter, EnterpriseTable]:
    """The library filtered and ordered by the query string: the page and the export both read it."""
    enterprises = TargetEnterprise.objects.prefetch_related("memberships", "chain_links")
    filterset = EnterpriseFilter(request.GET, enterprises, request=request)
    table = EnterpriseTable(filterset.qs)
    RequestConfig(request, paginate=False).configure(table)
    return filterset, table


@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    filterset, table = listed_enterprises(request)
    paginate(table, request)
    context = {
        "nav": "enterprises",
        "filter": filterset,
        "table": table,
        "export_query": query_without(request, "page"),
        "sort": request.GET.get("sort", ""),
        "adds": permissions.adds_enterprises(access_of(request.user)),
    }
    return render(request, "leads/enterprise_list.html", context)


@require_GET
def enterprise_export(request: HttpRequest) -> HttpResponse:
    filterset, table = listed_enterprises(request)
    if not filterset.form.is_valid():
        messages.error(request, "筛选条件有误，未能导出；请按提示改正后再导出。")
        return redirect(f"{reverse('enterprise_list')}?{query_without(request, 'page')}")
    organisation = organisation_of(request)
    rows = export_rows(for_export(table.data.data))
    body = write_xlsx(
        title="目标企业库",
        columns=EXPORT_COLUMNS,
        rows=rows,
        autofilter=True,
        document_title=f"{organisation.system_title} 目标企业库",
        creator=organisation.issuer,
    )
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    filename = f"目标企业库-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- One enterprise ---------------------------------------------------------------------------


def get_enterprise(request: HttpRequest, pk: int) -> TargetEnterprise:
    enterprises = TargetEnterprise.objects.select_related("parent", "created_by_unit", "created_by")
    return get_or_404(enterprises, "企业库中没有这家企业。", pk=pk)


@require_GET
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_enterprise(request, pk)
    leads = Lead.objects.visible_to(request.user).filter(enterprise=enterprise).select_related("owner_unit", "chain_link")
    activities = Activity.objects.visible_to(request.user).filter(enterprise=enterprise).select_related("unit")
    context = {
        "nav": "enterprises",
        "enterprise": enterprise,
        "memberships": list(enterprise.memberships.all()),
        "links": list(enterprise.chain_links.order_by("parent_path", "sort_order", "name")),
        "subsidiaries": list(enterprise.subsidiaries.order_by("name")),
        "leads": list(leads.order_by("deadline", "pk")),
        "activities": list(activities.order_by("-date", "-pk")[:50]),
        "can_edit": permissions.can_edit_enterprise(access_of(request.user), enterprise),
    }
    return render(request, "leads/enterprise_detail.html", context)


@require_http_methods(["GET", "POST"])
@requires(permissions.adds_enterprises, NOT_ADDING)
def enterprise_create(request: HttpRequest) -> HttpResponse:
    form = EnterpriseForm(request.POST or None)
    formset = MembershipFormSet(request.POST or None, instance=TargetEnterprise(), prefix="memberships")
    if request.method == "POST" and _valid(form, formset):
        access = access_of(request.user)
        form.instance.created_by = request.user
        form.instance.created_by_unit = access.unit if permissions.staff_unit_id(access) else None
        enterprise = _save(form, formset)
        messages.success(request, f"已将「{enterprise.name}」加入目标企业库。")
        return redirect("enterprise_detail", pk=enterprise.pk)
    return _render_form(request, form, formset)


@require_http_methods(["GET", "POST"])
@object_permission(get_enterprise, permissions.can_edit_enterprise, NOT_EDITING)
def enterprise_edit(request: HttpRequest, enterprise: TargetEnterprise) -> HttpResponse:
    # The forms work on a copy: `enterprise` stays as stored, for the page around the form.
    editing = copy.copy(enterprise)
    form = EnterpriseForm(request.POST or None, instance=editing)
    formset = MembershipFormSet(request.POST or None, instance=editing, prefix="memberships")
    if request.method == "POST" and _valid(form, formset):
        _save(form, formset)
        messages.success(request, f"「{form.cleaned_data['name']}」的修改已保存。")
        return redirect("enterprise_detail", pk=enterprise.pk)
    return _render_form(request, form, formset, enterprise=enterprise)


def _valid(form: EnterpriseForm, formset) -> bool:
    return all([form.is_valid(), formset.is_valid()])  # both asked, so both show their errors


def _save(form: EnterpriseForm, formset) -> TargetEnterprise:
    with transaction.atomic():
        enterprise = form.save()
        formset.instance = enterprise
        formset.save()
    return enterprise


def _render_form(request, form, formset, *, enterprise: TargetEnterprise | None = None) -> HttpResponse:
    context = {"nav": "enterprises", "form": form, "formset": formset, "enterprise": enterprise}
    return render(request, "leads/enterprise_form.html", context)
