"""The activity ledger (招商活动台账): the list with its filters and Excel export, one activity,
its form (from a lead's or an enterprise's page too), its deletion and its attachment.

Who may see an activity: Activity.objects.visible_to (else 404, so nothing leaks); who may
record one: access.permissions.records_activities; who may correct or delete it:
can_edit_activity (else 403). Leaders read. Which unit and which lead a user may record for:
leads.forms.activities (a lead's owner unit and reviewers record for it). A lead's last-activity
date follows its activities (leads.services).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator

import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2 import RequestConfig

from access import permissions
from access.decorators import object_permission, requires
from access.roles import access_of, display_name
from fuling_invest.errors import get_or_404
from lib import uploads
from lib.text import whole_number
from lib.xlsx import XLSX_CONTENT_TYPE, Column, write_xlsx
from projects.views.editing import show_errors
from projects.views.listing import paginate, query_without
from targets.context import organisation_of

from .. import services
from ..forms import ActivityFilter, ActivityForm, leads_to_record_for
from ..models import Activity, Lead, TargetEnterprise

NOT_RECORDING = "只有单位填报员和招商局审核员可以登记招商活动。"
NOT_EDITING = "只有招商局审核员和开展该活动的单位可以修改或删除它。"
NOT_FOUND = "没有这条活动记录，或您无权查看。"
NOWRAP = {"td": {"class": "nowrap"}}
WIDE = {"td": {"class": "wide"}}


def get_activity_for_user(request: HttpRequest, pk: int) -> Activity:
    """The activity if the user may see it, else 404."""
    activities = Activity.objects.visible_to(request.user).select_related("unit", "lead", "enterprise", "created_by")
    return get_or_404(activities, NOT_FOUND, pk=pk)


def activity_action(rule, *, methods: tuple[str, ...] | None = ("POST",)):
    """A view of one activity that needs `rule`: 404 unless the user sees it, 405 unless the
    method is one of `methods`, 403 unless `rule(access, activity)`."""
    return object_permission(get_activity_for_user, rule, NOT_EDITING, methods=methods)


# --- The list -------------------------------------------------------------------------------------


class ActivityTable(tables.Table):
    """Rows need the unit, lead and enterprise selected."""

    date = tables.DateColumn(
        format="Y-m-d", linkify=("activity_detail", {"pk": tables.A("pk")}), order_by=("date", "pk"), attrs=NOWRAP
    )
    kind = tables.Column(order_by=("kind", "-date", "pk"), attrs=NOWRAP)
    unit = tables.Column(order_by=("unit__sort_order", "unit__name", "-date", "pk"), attrs=NOWRAP)
    summary = tables.Column(linkify=("activity_detail", {"pk": tables.A("pk")}), orderable=False, attrs=WIDE)
    participants = tables.Column(orderable=False)
    place = tables.Column(orderable=False)
    lead = tables.Column(order_by=("lead__code", "pk"), attrs=WIDE)
    enterprise = tables.Column(order_by=("enterprise__name", "pk"), attrs=WIDE)
    attachment = tables.Column(verbose_name="附件", orderable=False, attrs=NOWRAP)

    class Meta:
        model = Activity
        fields = ()
        sequence = ("date", "kind", "unit", "summary", "participants", "place", "lead", "enterprise", "attachment")
        template_name = "projects/_project_table.html"
        attrs = {"class": "project-table activity-table"}
        default = "–"
        empty_text = "没有符合条件的招商活动。"

    def render_lead(self, record):
        return f"{record.lead.code} {record.lead.name}"

    def render_attachment(self, record):
        return "有"


def listed_activities(request: HttpRequest) -> tuple[ActivityFilter, ActivityTable]:
    """The activities the user sees, filtered and ordered by the query string: the page and the
    export both read it."""
    activities = Activity.objects.visible_to(request.user).select_related("unit", "lead", "enterprise")
    filterset = ActivityFilter(request.GET, activities, request=request)
    table = ActivityTable(filterset.qs)
    RequestConfig(request, paginate=False).configure(table)
    return filterset, table


@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    filterset, table = listed_activities(request)
    paginate(table, request)
    valid = filterset.form.is_valid()
    lead_id = filterset.form.cleaned_data.get("lead") if valid else None
    enterprise_id = filterset.form.cleaned_data.get("enterprise") if valid else None
    context = {
        "nav": "activities",
        "filter": filterset,
        "table": table,
        "export_query": query_without(request, "page"),
        "sort": request.GET.get("sort", ""),
        "records": permissions.records_activities(access_of(request.user)),
        "for_lead": Lead.objects.visible_to(request.user).filter(pk=lead_id).first() if lead_id else None,
        "for_enterprise": TargetEnterprise.objects.filter(pk=enterprise_id).first() if enterprise_id else None,
    }
    return render(request, "leads/activity_list.html", context)


EXPORT_COLUMNS = [
    Column("日期", 12, "yyyy-mm-dd"),
    Column("类型", 10),
    Column("单位", 16),
    Column("事由", 48),
    Column("参加人员", 30),
    Column("地点", 20),
    Column("线索编号", 16),
    Column("线索名称", 30),
    Column("目标企业", 30),
    Column("附件", 24),
]


def export_rows(activities: Iterable[Activity]) -> Iterator[list[object]]:
    for activity in activities:
        lead = activity.lead
        yield [
            activity.date,
            activity.get_kind_display(),
            activity.unit.name,
            activity.summary,
            activity.participants,
            activity.place,
            lead.code if lead else "",
            lead.name if lead else "",
            activity.enterprise.name if activity.enterprise else "",
            activity.attachment_name if activity.attachment else "",
        ]


@require_GET
def activity_export(request: HttpRequest) -> HttpResponse:
    filterset, table = listed_activities(request)
    if not filterset.form.is_valid():
        messages.error(request, "筛选条件有误，未能导出；请按提示改正后再导出。")
        return redirect(f"{reverse('activity_list')}?{query_without(request, 'page')}")
    organisation = organisation_of(request)
    body = write_xlsx(
        title="招商活动台账",
        columns=EXPORT_COLUMNS,
        rows=export_rows(table.data.data.iterator(chunk_size=2000)),
        autofilter=True,
        document_title=f"{organisation.system_title} 招商活动台账",
        creator=organisation.issuer,
    )
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"招商活动台账-{timezone.localdate():%Y%m%d}.xlsx")
    return response


# --- One activity -----------------------------------------------------------------------------------


@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request, pk)
    access = access_of(request.user)
    records = activity.history.select_related("history_user").order_by("-history_date", "-history_id")
    context = {
        "nav": "activities",
        "activity": activity,
        "can_edit": permissions.can_edit_activity(access, activity),
        "sees_lead": Lead.objects.visible_to(request.user).filter(pk=activity.lead_id).exists() if activity.lead_id else False,
        "history": [
            {"when": record.history_date, "who": display_name(record.history_user), "action": HISTORY_ACTIONS[record.history_type]}
            for record in records
        ],
    }
    return render(request, "leads/activity_detail.html", context)


HISTORY_ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}


@require_http_methods(["GET", "POST"])
@requires(permissions.records_activities, NOT_RECORDING)
def activity_create(request: HttpRequest) -> HttpResponse:
    """A new activity; `?lead=<id>` (a lead the user may record for) or `?enterprise=<id>` prefill it, and
    saving goes back to that lead's or enterprise's page."""
    lead, enterprise = _coming_from(request)
    initial = {"lead": lead, "enterprise": enterprise or (lead.enterprise if lead else None), "date": timezone.localdate()}
    form = ActivityForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.record_activity(
                user=request.user, facts=form.facts(), attachment=form.cleaned_data.get("attachment")
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"已登记招商活动：{activity.date:%Y-%m-%d} {activity.get_kind_display()}「{activity.summary}」。")
            if lead is not None and activity.lead_id == lead.pk:
                return redirect("lead_detail", pk=lead.pk)
            if enterprise is not None and activity.enterprise_id == enterprise.pk:
                return redirect("enterprise_detail", pk=enterprise.pk)
            return redirect("activity_detail", pk=activity.pk)
    return _render_form(request, form, lead=lead, enterprise=enterprise)


def _coming_from(request: HttpRequest) -> tuple[Lead | None, TargetEnterprise | None]:
    """The lead (if the user may record for it) and the enterprise the query string names."""
    lead_id, enterprise_id = whole_number(request.GET.get("lead")), whole_number(request.GET.get("enterprise"))
    leads = leads_to_record_for(request.user).select_related("enterprise")
    lead = leads.filter(pk=lead_id).first() if lead_id is not None else None
    enterprise = TargetEnterprise.objects.filter(pk=enterprise_id).first() if enterprise_id is not None else None
    return lead, enterprise


@require_http_methods(["GET", "POST"])
@activity_action(permissions.can_edit_activity, methods=None)
def activity_edit(request: HttpRequest, activity: Activity) -> HttpResponse:
    # The form works on a copy: `activity` stays as stored, for the page around the form.
    form = ActivityForm(request.POST or None, request.FILES or None, instance=copy.copy(activity), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(
                activity=activity, user=request.user, facts=form.facts(), attachment=form.cleaned_data.get("attachment")
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "招商活动的修改已保存。")
            return redirect("activity_detail", pk=activity.pk)
    return _render_form(request, form, activity=activity)


def _render_form(request, form, *, activity=None, lead=None, enterprise=None) -> HttpResponse:
    context = {"nav": "activities", "form": form, "activity": activity, "lead": lead, "enterprise": enterprise}
    return render(request, "leads/activity_form.html", context)


@activity_action(permissions.can_edit_activity)
def activity_delete(request: HttpRequest, activity: Activity) -> HttpResponse:
    try:
        services.delete_activity(activity=activity, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已删除招商活动：{activity.date:%Y-%m-%d}「{activity.summary}」；删除记录保留在变更历史中。")
    return redirect("activity_list")


@require_GET
def activity_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """The attachment, to whoever may see the activity, served as arrival evidence is
    (projects.views.editing.arrival_evidence): a download, or with `?inline=1` shown in the
    browser when it truly is a PDF or an image."""
    activity = get_activity_for_user(request, pk)
    return uploads.serve(request, activity.attachment, activity.attachment_name, what="附件")
