"""A project's supplementary agreements (补充协议, domain.md §8): adding, correcting, verifying,
deleting and the evidence download, as the arrived-capital ledger (the page's section:
agreement_section.py).

Who may see the project: Project.objects.visible_to (else 404); an agreement not of the project is
404 too; what they may do: access.permissions (else 403). State changes are POST only.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from access import permissions
from access.decorators import object_permission
from fuling_invest.errors import get_or_404
from lib import display, uploads

from .. import agreements as services
from ..forms import AgreementForm
from ..models import Project, SupplementaryAgreement
from .editing import _next_page, get_project_for_user, show_errors


def _project_and_agreement(request: HttpRequest, pk: int, agreement_pk: int | None = None):
    project = get_project_for_user(request, pk)
    return project if agreement_pk is None else (project, _agreement_of(project, agreement_pk))


def _agreement_of(project: Project, agreement_pk: int) -> SupplementaryAgreement:
    return get_or_404(SupplementaryAgreement.objects.filter(project=project), "该项目没有这份补充协议。", pk=agreement_pk)


def agreement_action(rule, *, methods: tuple[str, ...] | None = ("POST",)):
    """As editing.project_action, for a project and one of its agreements (`agreement_pk`)."""
    return object_permission(_project_and_agreement, rule, methods=methods)


def _what(agreement: SupplementaryAgreement) -> str:
    change = "减资" if agreement.is_reduction else "增资"
    return f"{agreement.signed_on:%Y-%m-%d} 签订的补充协议（{change} {display.money(abs(agreement.amount))} 亿元）"


@require_http_methods(["GET", "POST"])
@agreement_action(permissions.can_add_agreement, methods=None)
def agreement_add(request: HttpRequest, project: Project) -> HttpResponse:
    form = AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_agreement(project=project, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"已登记{_what(added)}，待招商局审核员核实后计入考核。")
            return redirect("project_detail", pk=project.pk)
    return _render_form(request, project, form, agreement=None)


@require_http_methods(["GET", "POST"])
@agreement_action(permissions.can_edit_agreement, methods=None)
def agreement_edit(request: HttpRequest, project: Project, agreement: SupplementaryAgreement) -> HttpResponse:
    form = AgreementForm(request.POST or None, request.FILES or None, instance=copy.copy(agreement))
    if request.method == "POST" and form.is_valid():
        try:
            corrected = services.correct_agreement(agreement=agreement, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"已修改为{_what(corrected)}。")
            return redirect("project_detail", pk=project.pk)
    return _render_form(request, project, form, agreement=agreement)


def _render_form(request, project: Project, form: AgreementForm, *, agreement) -> HttpResponse:
    context = {"nav": "projects", "project": project, "agreement": agreement, "form": form}
    return render(request, "projects/agreement_form.html", context)


@agreement_action(permissions.can_verify_agreement)
def agreement_verify(request: HttpRequest, project: Project, agreement: SupplementaryAgreement) -> HttpResponse:
    try:
        services.verify_agreement(agreement=agreement, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"未核实 {project.code} {_what(agreement)}：{message}")
    else:
        messages.success(request, f"已核实 {project.code} {_what(agreement)}，已计入考核。")
    return redirect(_next_page(request) or reverse("project_detail", args=[project.pk]))


@agreement_action(permissions.can_delete_agreement)
def agreement_delete(request: HttpRequest, project: Project, agreement: SupplementaryAgreement) -> HttpResponse:
    what = _what(agreement)
    try:
        services.delete_agreement(agreement=agreement, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        evidence = "，凭证文件一并删除" if agreement.evidence else ""
        messages.success(request, f"已删除{what}{evidence}；删除记录保留在变更历史中。")
    return redirect("project_detail", pk=project.pk)


@require_GET
def agreement_evidence(request: HttpRequest, pk: int, agreement_pk: int) -> FileResponse:
    """The evidence file, to whoever may see the project (a download, or shown with `?inline=1`)."""
    agreement = _agreement_of(get_project_for_user(request, pk), agreement_pk)
    return uploads.serve(request, agreement.evidence, agreement.evidence_name)
