"""One project: the form, the detail page, the review workflow and the arrived-capital ledger.

Who may see a project: Project.objects.visible_to (else 404, so nothing leaks); what they
may do: Project.can_* (else 403). State changes are POST only and end on the detail page.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from fuling_invest.roles import access_of
from targets.context import organisation_of

from .. import services
from ..forms import ArrivalForm, ProjectForm, ReturnForm
from ..history import project_history
from ..models import Arrival, Cooperation, Project, Status


def get_project_for_user(request: HttpRequest, pk: int) -> Project:
    """The project if the user may see it, else 404."""
    cooperations = Cooperation.objects.select_related("unit").order_by("pk")
    projects = Project.objects.visible_to(request.user).select_related("lead_unit", "group", "reviewed_by", "created_by")
    return get_object_or_404(projects.prefetch_related(Prefetch("cooperations", queryset=cooperations)), pk=pk)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- The form --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    access = access_of(request.user)
    _require(access.enters_projects)
    form = ProjectForm(request.POST or None, user=request.user, organisation=organisation_of(request))
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        try:
            project = services.create_project(
                user=request.user,
                facts=form.facts(),
                cooperating_unit_ids=form.cooperating_unit_ids(),
                submit_at_once=access.reviews,
            )
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            if project.status == Status.SUBMITTED:
                messages.success(request, f"项目「{project.name}」已录入（编号 {project.code}），已进入审核队列。")
            else:
                messages.success(request, f"项目「{project.name}」已保存为草稿（编号 {project.code}）。核对无误后请提交审核。")
            return redirect("project_detail", pk=project.pk)
    return _render_form(request, form)


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk)
    _require(project.can_edit(request.user))
    # The form works on a copy: `project` stays as stored, for the page around the form.
    form = ProjectForm(
        request.POST or None, instance=copy.copy(project), user=request.user, organisation=organisation_of(request)
    )
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        try:
            services.update_project(
                project=project,
                user=request.user,
                facts=form.facts(),
                cooperating_unit_ids=form.cooperating_unit_ids(),
                version=form.submitted_version(),
            )
        except services.EditConflict as conflict:
            # The user's input stays on the page; the version stays theirs, so saving again is refused too.
            form.add_error(None, str(conflict))
            return _render_form(request, form, project=project, status=409)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, f"项目「{form.cleaned_data['name']}」的修改已保存。")
            return redirect("project_detail", pk=project.pk)
    return _render_form(request, form, project=project)


def _render_form(request, form: ProjectForm, *, project: Project | None = None, status: int = 200) -> HttpResponse:
    preview = duplicates = None
    previewing = request.method == "POST" and "preview" in request.POST
    if previewing and form.is_valid():
        preview = _preview_of_form(form)
    if form.is_bound and form.is_valid():
        duplicates = _duplicates(request, form.cleaned_data["investor"], form.cleaned_data["signed_on"], project)
    elif not form.is_bound and project is not None:
        duplicates = _duplicates(request, project.investor, project.signed_on, project)
    context = {
        "nav": "projects",
        "form": form,
        "project": project,
        "previewing": previewing,
        "preview": preview,
        "duplicates": duplicates,
    }
    return render(request, "projects/project_form.html", context, status=status)


def _preview_of_form(form: ProjectForm) -> services.ScorePreview:
    data = form.cleaned_data
    return services.score_preview(
        lead_unit=form.lead_unit,
        cooperating_units=list(data["cooperating_units"]),
        sector=data["sector"],
        origin=data["origin"],
        agreement_capital=data["agreement_capital"],
        expected_output=data.get("expected_output"),
        signed_on=data.get("signed_on"),
    )


def _duplicates(request, investor, signed_on, project) -> list[tuple[Project, bool]] | None:
    """(project, may the user open it) for the same investor's other projects of the signing year."""
    if not investor or signed_on is None:
        return None
    matches = services.same_investor_same_year(
        investor=investor, year=signed_on.year, exclude_pk=project.pk if project else None
    )
    if not matches:
        return None
    if access_of(request.user).sees_everything:
        visible = {match.pk for match in matches}
    else:
        visible_ones = Project.objects.visible_to(request.user).filter(pk__in=[match.pk for match in matches])
        visible = set(visible_ones.values_list("pk", flat=True))
    return [(match, match.pk in visible) for match in matches]


def _errors_onto(form, error: ValidationError) -> None:
    """A service's ValidationError, shown next to the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- The detail page -----------------------------------------------------------------------


@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk)
    return _render_detail(request, project)


def _render_detail(request, project: Project, *, arrival_form=None, return_form=None) -> HttpResponse:
    user = request.user
    arrivals = list(project.arrivals.select_related("verified_by", "created_by").order_by("arrived_on", "pk"))
    arrived = sum((arrival.amount for arrival in arrivals), start=Decimal(0))
    cooperating = [cooperation.unit for cooperation in project.cooperations.all()]
    can = {
        "edit": project.can_edit(user),
        "submit": project.can_submit(user),
        "withdraw": project.can_withdraw(user),
        "review": project.can_review(user),
        "add_arrival": project.can_add_arrival(user),
        "verify_arrival": project.can_verify_arrival(user),
    }
    deletable = {arrival.pk for arrival in arrivals if project.can_delete_arrival(user, arrival)}
    if can["add_arrival"] and arrival_form is None:
        arrival_form = ArrivalForm()
    if can["review"] and return_form is None:
        return_form = ReturnForm()
    context = {
        "nav": "projects",
        "project": project,
        "cooperating_units": cooperating,
        "arrivals": arrivals,
        "arrived_total": arrived,
        "deletable_arrivals": deletable,
        "preview": services.score_preview(
            lead_unit=project.lead_unit,
            cooperating_units=cooperating,
            sector=project.sector,
            origin=project.origin,
            agreement_capital=project.agreement_capital,
            expected_output=project.expected_output,
            signed_on=project.signed_on,
            arrived_capital=arrived,
        ),
        "duplicates": _duplicates(request, project.investor, project.signed_on, project),
        "history": project_history(project),
        "can": can,
        "arrival_form": arrival_form,
        "return_form": return_form,
        "shows_return_reason": project.status == Status.RETURNED and bool(project.return_reason),
    }
    return render(request, "projects/project_detail.html", context)


# --- The review workflow -----------------------------------------------------------------------


def _workflow_action(request, project: Project, *, action, success: str, **kwargs) -> HttpResponse:
    try:
        action(project=project, user=request.user, version=_posted_version(request), **kwargs)
    except services.EditConflict as conflict:
        messages.error(request, f"{conflict}（操作未执行）")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(_next_page(request) or reverse("project_detail", args=[project.pk]))


def _next_page(request) -> str | None:
    """Where the acting page asked to go back to (the review queue), if it is on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return None


def _posted_version(request) -> int | None:
    """The version the acting page showed, when it sent one: the action applies to what the user saw."""
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


def project_action(allowed: Callable[[Project, object], bool]):
    """A state change on one project: 404 when the user may not see it (whatever the method, so
    nothing leaks), 405 unless POST, 403 unless `allowed(project, user)`; the view gets the project."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, pk: int, **kwargs) -> HttpResponse:
            project = get_project_for_user(request, pk)
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            _require(allowed(project, request.user))
            return view(request, project, **kwargs)

        return wrapper

    return decorate


@project_action(Project.can_submit)
def project_submit(request: HttpRequest, project: Project) -> HttpResponse:
    return _workflow_action(request, project, action=services.submit, success="项目已提交审核，请等待招商局审核。")


@project_action(Project.can_withdraw)
def project_withdraw(request: HttpRequest, project: Project) -> HttpResponse:
    return _workflow_action(
        request, project, action=services.withdraw, success="项目已撤回：不再计入考核，记录和变更历史仍保留。"
    )


@project_action(Project.can_review)
def project_approve(request: HttpRequest, project: Project) -> HttpResponse:
    return _workflow_action(request, project, action=services.approve, success="项目已审核通过，将计入考核。")


@project_action(Project.can_review)
def project_return(request: HttpRequest, project: Project) -> HttpResponse:
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, project, return_form=form)
    return _workflow_action(
        request,
        project,
        action=services.return_for_changes,
        success="项目已退回，填报单位会在项目页面看到退回原因。",
        reason=form.cleaned_data["reason"],
    )


# --- The arrived-capital ledger -------------------------------------------------------------


@project_action(Project.can_add_arrival)
def arrival_add(request: HttpRequest, project: Project) -> HttpResponse:
    form = ArrivalForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_arrival(project=project, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, f"已登记到位资金 {form.cleaned_data['amount'].normalize():f} 亿元。")
            return redirect("project_detail", pk=project.pk)
    return _render_detail(request, project, arrival_form=form)


def _arrival_of(project: Project, arrival_pk: int) -> Arrival:
    return get_object_or_404(Arrival, project=project, pk=arrival_pk)


@project_action(Project.can_verify_arrival)
def arrival_verify(request: HttpRequest, project: Project, arrival_pk: int) -> HttpResponse:
    arrival = _arrival_of(project, arrival_pk)
    services.verify_arrival(arrival=arrival, user=request.user)
    messages.success(request, f"已核实 {arrival.arrived_on:%Y-%m-%d} 到位的 {arrival.amount.normalize():f} 亿元。")
    return redirect("project_detail", pk=project.pk)


@project_action(Project.can_delete_arrival)
def arrival_delete(request: HttpRequest, project: Project, arrival_pk: int) -> HttpResponse:
    arrival = _arrival_of(project, arrival_pk)
    _require(project.can_delete_arrival(request.user, arrival))
    what = f"{arrival.arrived_on:%Y-%m-%d} 到位的 {arrival.amount.normalize():f} 亿元"
    try:
        services.delete_arrival(arrival=arrival, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        evidence = "，凭证文件一并删除" if arrival.evidence else ""
        messages.success(request, f"已删除 {what}（到位资金记录{evidence}）；删除记录保留在变更历史中。")
    return redirect("project_detail", pk=project.pk)


@require_GET
def arrival_evidence(request: HttpRequest, pk: int, arrival_pk: int) -> FileResponse:
    """The evidence file, to whoever may see the project; always a download, never rendered inline."""
    arrival = _arrival_of(get_project_for_user(request, pk), arrival_pk)
    if not arrival.evidence:
        raise Http404("该笔到位资金没有上传凭证。")
    try:
        handle = arrival.evidence.open("rb")
    except FileNotFoundError:
        raise Http404("凭证文件不存在。") from None
    name = arrival.evidence_name or arrival.evidence.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
