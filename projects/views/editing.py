"""One project: the form, the detail page, the review workflow and the arrived-capital ledger.

Who may see a project: Project.objects.visible_to (else 404, so nothing leaks); what they
may do: access.permissions, declared on each view by `requires` or `project_action` (else 403).
State changes are POST only and end on the detail page.

Past 400 lines on purpose: every view here shares the project lookup (404) and the
`project_action` decorator; the ledger views could move once they grow their own pages.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from fuling_invest.errors import get_or_404
from access import permissions
from access.decorators import object_permission, requires
from access.roles import access_of
from lib import display, uploads
from landing.forms import MilestonesForm
from landing.stages import timeline_of
from targets.context import organisation_of

from .. import services
from ..forms import ArrivalForm, ProjectForm, ReturnForm
from ..history import project_history
from ..models import Arrival, Cooperation, Project, Status
from . import agreement_section


def get_project_for_user(request: HttpRequest, pk: int) -> Project:
    """The project if the user may see it, else 404."""
    cooperations = Cooperation.objects.select_related("unit").order_by("pk")
    # "lead": the lead it was converted from (leads.Lead.project), read in the same query.
    projects = Project.objects.visible_to(request.user).select_related(
        "lead_unit", "group", "chain_link", "reviewed_by", "created_by", "lead", "signing_event_link__event"
    )
    projects = projects.prefetch_related(Prefetch("cooperations", queryset=cooperations))
    return get_or_404(projects, "没有这个项目，或您无权查看。", pk=pk)


def project_action(rule: Callable[..., bool], *, methods: tuple[str, ...] | None = ("POST",)):
    """A view of one project that needs `rule` (access.permissions): 404 when the user may not see
    the project (whatever the method, so nothing leaks), 405 unless the method is one of `methods`
    (None: the view says), then 403 unless `rule(access, project)`. A view of one ledger entry
    (`arrival_pk`) also gets 404 for an entry not of this project, and the rule is asked with the
    entry. The view gets the project (and the entry)."""
    return object_permission(_project_and_entry, rule, methods=methods)


def _project_and_entry(request: HttpRequest, pk: int, arrival_pk: int | None = None) -> Project | tuple[Project, Arrival]:
    project = get_project_for_user(request, pk)
    return project if arrival_pk is None else (project, _arrival_of(project, arrival_pk))


# --- The form --------------------------------------------------------------------------------


SUBMIT_BUTTON = "submit"  # the form's 「保存并提交」
MISSING = "missing"  # the edit page's query flag: show what the last 保存并提交 lacked


@require_http_methods(["GET", "POST"])
@requires(permissions.enters_projects)
def project_create(request: HttpRequest) -> HttpResponse:
    access = access_of(request.user)
    form = ProjectForm(request.POST or None, user=request.user, organisation=organisation_of(request))
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        reviews = permissions.reviews(access)
        then_submit = SUBMIT_BUTTON in request.POST and not reviews
        try:
            project = services.create_project(
                user=request.user,
                facts=form.facts(),
                cooperating_unit_ids=form.cooperating_unit_ids(),
                submit_at_once=reviews,
                then_submit=then_submit,
            )
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            if project.status == Status.SUBMITTED and reviews:
                messages.success(request, f"项目「{project.name}」已录入（编号 {project.code}），已进入审核队列。")
            elif project.status == Status.SUBMITTED:
                messages.success(request, f"项目「{project.name}」已保存并提交审核（编号 {project.code}），请等待招商局审核。")
            elif then_submit:
                return _not_yet_submitted(request, project)
            else:
                messages.success(request, f"项目「{project.name}」已保存为草稿（编号 {project.code}）。核对无误后请提交审核。")
            return redirect("project_detail", pk=project.pk)
    return _render_form(request, form)


@require_http_methods(["GET", "POST"])
@project_action(permissions.can_edit_project, methods=None)
def project_edit(request: HttpRequest, project: Project) -> HttpResponse:
    # The form works on a copy: `project` stays as stored, for the page around the form.
    form = ProjectForm(
        request.POST or None, instance=copy.copy(project), user=request.user, organisation=organisation_of(request)
    )
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        then_submit = SUBMIT_BUTTON in request.POST and permissions.can_submit(access_of(request.user), project)
        try:
            saved = services.update_project(
                project=project,
                user=request.user,
                facts=form.facts(),
                cooperating_unit_ids=form.cooperating_unit_ids(),
                version=form.submitted_version(),
                then_submit=then_submit,
            )
        except services.EditConflict as conflict:
            # The user's input stays on the page; the version stays theirs, so saving again is refused too.
            form.add_error(None, str(conflict))
            return _render_form(request, form, project=project, status=409)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            if then_submit and saved.status != Status.SUBMITTED:
                return _not_yet_submitted(request, saved)
            submitted = "并提交审核，请等待招商局审核" if then_submit else ""
            messages.success(request, f"项目「{form.cleaned_data['name']}」的修改已保存{submitted}。")
            return redirect("project_detail", pk=project.pk)
    return _render_form(request, form, project=project)


def _not_yet_submitted(request, project: Project) -> HttpResponse:
    """保存并提交 saved the project but it lacks what a submission needs: back to its form, which says what."""
    messages.warning(
        request, f"项目「{project.name}」已保存为草稿（编号 {project.code}），但还不能提交审核：请补全下面标出的内容后再点「保存并提交」。"
    )
    return redirect(f"{reverse('project_edit', args=[project.pk])}?{MISSING}=1")


def _render_form(
    request, form: ProjectForm, *, project: Project | None = None, status: int = 200, lead=None
) -> HttpResponse:
    """The form page; `lead`: the lead the new project is made from (leads.views.leads.lead_convert)."""
    preview = duplicates = None
    submission_problems = {}
    previewing = request.method == "POST" and "preview" in request.POST
    if previewing and form.is_valid():
        preview = _preview_of_form(form)
        submission_problems = form.submission_problems()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        duplicates = _duplicates(request, data["investor"], data["signed_on"], project)
    elif not form.is_bound and project is not None:
        duplicates = _duplicates(request, project.investor, project.signed_on, project)
        if request.GET.get(MISSING):
            form.show_problems(project.submission_problems(target=project.agreement_target()))
    access = access_of(request.user)
    context = {
        "nav": "projects",
        "form": form,
        "project": project,
        "previewing": previewing,
        "preview": preview,
        "submission_problems": submission_problems,
        "duplicates": duplicates,
        "offers_submit": permissions.can_submit(access, project) if project else not permissions.reviews(access),
        "lead": lead,
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


def _duplicates(request, investor, signed_on, project) -> services.SameInvestor | None:
    return services.same_investor_warning(
        user=request.user, investor=investor, signed_on=signed_on, exclude_pk=project.pk if project else None
    )


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
    access = access_of(request.user)
    arrivals = list(project.arrivals.select_related("verified_by", "created_by").order_by("arrived_on", "pk"))
    # Only verified entries count (domain.md §7); the others are shown apart, as 待核实.
    arrived = sum((arrival.amount for arrival in arrivals if arrival.counts), start=Decimal(0))
    pending = [arrival for arrival in arrivals if not arrival.counts]
    cooperating = [cooperation.unit for cooperation in project.cooperations.all()]
    can = {
        "edit": permissions.can_edit_project(access, project),
        "submit": permissions.can_submit(access, project),
        "withdraw": permissions.can_withdraw(access, project),
        "review": permissions.can_review(access, project),
        "add_arrival": permissions.can_add_arrival(access, project),
        "verify_arrival": permissions.can_verify_arrival(access, project),
        "link_signing_event": permissions.can_link_signing_event(access, project),
        "edit_milestones": permissions.can_edit_milestones(access, project),
        "verify_milestone": permissions.can_verify_milestone(access, project),
    }
    timeline = timeline_of(project)  # the milestones and the stage they give (landing)
    # The entries the user may correct: edit or delete (permissions.can_edit_arrival is the same rule).
    deletable = {arrival.pk for arrival in arrivals if permissions.can_delete_arrival(access, project, arrival)}
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
        "pending_total": sum((arrival.amount for arrival in pending), start=Decimal(0)),
        "pending_count": len(pending),
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
        "amount_check": project.unusual_amount(project.agreement_target()),
        "history": project_history(project),
        "can": can,
        "arrival_form": arrival_form,
        "return_form": return_form,
        **agreement_section.detail_context(access, project),  # 补充协议 (domain.md §8)
        "timeline": timeline,
        "milestone_form": (
            MilestonesForm(milestones=timeline.by_kind, signed_on=project.signed_on) if can["edit_milestones"] else None
        ),
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


@project_action(permissions.can_submit)
def project_submit(request: HttpRequest, project: Project) -> HttpResponse:
    return _workflow_action(request, project, action=services.submit, success="项目已提交审核，请等待招商局审核。")


@project_action(permissions.can_withdraw)
def project_withdraw(request: HttpRequest, project: Project) -> HttpResponse:
    return _workflow_action(
        request, project, action=services.withdraw, success="项目已撤回：不再计入考核，记录和变更历史仍保留。"
    )


@project_action(permissions.can_review)
def project_approve(request: HttpRequest, project: Project) -> HttpResponse:
    return _workflow_action(request, project, action=services.approve, success="项目已审核通过，将计入考核。")


SELECTED = re.compile(r"([0-9]{1,18}):([0-9]{1,9})")  # id:version, never without the version


@require_http_methods(["POST"])
@requires(permissions.reviews)
def review_approve_selected(request: HttpRequest) -> HttpResponse:
    """批量审核通过: the projects ticked in the review queue, each checked as `project_approve`
    checks one (reviewers only, still submitted, unchanged since the page showed it)."""
    selection = _selected_projects(request)
    queue = _next_page(request) or reverse("review_queue")
    if not selection:
        messages.error(request, "请先勾选要审核通过的项目。")
        return redirect(queue)
    done = services.approve_selected(selection=selection, user=request.user)
    if not done.approved and not done.skipped:
        messages.error(request, "所选项目已不存在。")
    if done.approved:
        codes = "、".join(project.code for project in done.approved)
        messages.success(request, f"已审核通过 {len(done.approved)} 个项目（{codes}），将计入考核。")
    for project, reason in done.skipped:
        messages.warning(request, f"未审核通过 {project.code}「{project.name}」：{reason}")
    return redirect(queue)


def _selected_projects(request) -> list[tuple[int, int]]:
    """(project id, the version the page showed) of each ticked box, sent as "id:version"; a box
    without its version is ignored, so no approval skips the "changed since shown" check."""
    matches = (SELECTED.fullmatch(value) for value in request.POST.getlist("project"))
    return [(int(match[1]), int(match[2])) for match in matches if match]


@project_action(permissions.can_review)
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


@project_action(permissions.can_add_arrival)
def arrival_add(request: HttpRequest, project: Project) -> HttpResponse:
    form = ArrivalForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_arrival(project=project, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, f"已登记到位资金 {display.money(form.cleaned_data['amount'])} 亿元。")
            return redirect("project_detail", pk=project.pk)
    return _render_detail(request, project, arrival_form=form)


def _arrival_of(project: Project, arrival_pk: int) -> Arrival:
    return get_or_404(Arrival.objects.filter(project=project), "该项目没有这笔到位资金记录。", pk=arrival_pk)


@project_action(permissions.can_verify_arrival)
def arrival_verify(request: HttpRequest, project: Project, arrival: Arrival) -> HttpResponse:
    services.verify_arrival(arrival=arrival, user=request.user)
    messages.success(
        request, f"已核实 {project.code} {arrival.arrived_on:%Y-%m-%d} 到位的 {display.money(arrival.amount)} 亿元，已计入考核。"
    )
    return redirect(_next_page(request) or reverse("project_detail", args=[project.pk]))


@require_http_methods(["GET", "POST"])
@project_action(permissions.can_edit_arrival, methods=None)
def arrival_edit(request: HttpRequest, project: Project, arrival: Arrival) -> HttpResponse:
    """Correct an unverified entry (staff of the lead unit; reviewers any entry): as adding, checked alike."""
    form = ArrivalForm(request.POST or None, request.FILES or None, instance=copy.copy(arrival))
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_arrival(arrival=arrival, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            data = form.cleaned_data
            messages.success(request, f"已修改到位资金：{data['arrived_on']:%Y-%m-%d} 到位 {display.money(data['amount'])} 亿元。")
            return redirect("project_detail", pk=project.pk)
    context = {"nav": "projects", "project": project, "arrival": arrival, "form": form}
    return render(request, "projects/arrival_form.html", context)


@project_action(permissions.can_delete_arrival)
def arrival_delete(request: HttpRequest, project: Project, arrival: Arrival) -> HttpResponse:
    what = f"{arrival.arrived_on:%Y-%m-%d} 到位的 {display.money(arrival.amount)} 亿元"
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
    """The evidence file, to whoever may see the project: a download, or with `?inline=1`
    shown in the browser when it is truly a PDF or an image (else still a download)."""
    arrival = _arrival_of(get_project_for_user(request, pk), arrival_pk)
    return uploads.serve(request, arrival.evidence, arrival.evidence_name)


# --- The form of a project made from a lead (转为签约项目, leads.views.leads.lead_convert) ---------


def render_form_for_lead(request, form: ProjectForm, *, lead) -> HttpResponse:
    """The project form as project_create shows it, saying which lead the project comes from."""
    return _render_form(request, form, lead=lead)


def show_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on the form, as project_create shows it."""
    _errors_onto(form, error)
