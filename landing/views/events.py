"""Signing events (集中签约活动, domain.md §9): the year's list with each cohort today, one event with
its cohort over the quarters since it was held, its form, linking and unlinking projects, and
choosing a project's event from the project's page.

Every signed-in role reads the events and their cohort figures: the whole cohort, whoever looks
(figures.signing_events); the projects listed on an event's page are those the user may see.
Who enters an event: permissions.enters_signing_events (reviewers, a unit's staff for their own
unit); who corrects it: can_edit_signing_event (reviewers, the organiser unit's staff); who links
or unlinks a project: can_link_signing_event (reviewers, the lead unit's staff; another unit's
project answers 404 on the project's route and is refused by code on the event's page).
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import permissions
from access.decorators import object_permission, refuse_unless, requires
from access.roles import access_of
from figures import signing_events as figures
from fuling_invest.errors import get_or_404
from lib.text import whole_number
from projects.models import Project
from projects.views.editing import show_errors

from .. import signing
from ..models import EVENT_SIGNING_TOLERANCE_DAYS, SigningEvent, SigningEventProject
from .event_forms import LinkProjectForm, ProjectEventForm, SigningEventForm

NOT_FOUND = "没有这个集中签约活动。"
NOT_ENTERING = "只有单位填报员和招商局审核员可以登记集中签约活动。"
NOT_EDITING = "只有招商局审核员和主办单位的填报员可以修改该活动。"
NOT_LINKING = "只有招商局审核员和项目牵头单位的填报员可以为项目关联或取消关联集中签约活动；已撤回的项目不能。"
NOT_LINKED = "该项目没有关联这个活动，或您无权查看。"


def get_event(request: HttpRequest, pk: int) -> SigningEvent:
    """Any event (every signed-in role reads them), else 404."""
    return get_or_404(SigningEvent.objects.select_related("organiser", "created_by"), NOT_FOUND, pk=pk)


def _event_and_link(request: HttpRequest, pk: int, project_pk: int) -> tuple[SigningEvent, SigningEventProject]:
    """The event and its link to a project the user may see, else 404."""
    event = get_event(request, pk)
    links = event.project_links.filter(project__in=Project.objects.visible_to(request.user)).select_related("project")
    return event, get_or_404(links, NOT_LINKED, project_id=project_pk)


def _get_project(request: HttpRequest, pk: int) -> Project:
    projects = Project.objects.visible_to(request.user).select_related("signing_event_link__event")
    return get_or_404(projects, "没有这个项目，或您无权查看。", pk=pk)


# --- The list -------------------------------------------------------------------------------------


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    held = {day.year for day in SigningEvent.objects.dates("date", "year")}
    years = sorted(held | {today.year}, reverse=True)
    # Without a year asked: this year, or the latest year with events when this year has none yet.
    default = today.year if today.year in held or not held else max(held)
    asked = request.GET.get("year", "")
    year = number if (number := whole_number(asked)) in years else default
    rules = figures.cohort_rules(year)
    context = {
        "nav": "signing_events",
        "year": year,
        "years": years,
        "note": f"{asked}年没有集中签约活动，已显示{year}年的活动。" if asked and asked != str(year) else "",
        "rules": rules,
        "rows": figures.events_of_year(year, rules, today),
        "today": today,
        "enters": permissions.enters_signing_events(access_of(request.user)),
    }
    return render(request, "landing/signing_event_list.html", context)


# --- One event ------------------------------------------------------------------------------------


@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event(request, pk)
    return _render_detail(request, event, link_form=LinkProjectForm(user=request.user))


def _render_detail(request: HttpRequest, event: SigningEvent, *, link_form: LinkProjectForm) -> HttpResponse:
    access = access_of(request.user)
    today = timezone.localdate()
    rules = figures.cohort_rules(event.date.year)
    points = figures.over_quarters(event, rules, today)
    visible = Project.objects.visible_to(request.user)
    links = list(
        event.project_links.filter(project__in=visible).select_related("project__lead_unit").order_by("project__code")
    )
    context = {
        "nav": "signing_events",
        "event": event,
        "rules": rules,
        "points": points,
        "now": points[-1] if points else None,
        "chart": figures.chart(points),
        "links": links,
        "hidden": event.project_links.count() - len(links),
        "unlinkable": {link.pk for link in links if permissions.can_link_signing_event(access, link.project)},
        "can_edit": permissions.can_edit_signing_event(access, event),
        "link_form": link_form if permissions.enters_projects(access) else None,
        "tolerance": EVENT_SIGNING_TOLERANCE_DAYS,
    }
    return render(request, "landing/signing_event_detail.html", context)


@require_http_methods(["GET", "POST"])
@requires(permissions.enters_signing_events, NOT_ENTERING)
def event_create(request: HttpRequest) -> HttpResponse:
    form = SigningEventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = signing.create_event(user=request.user, facts=form.facts())
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"已登记集中签约活动「{event.name}」：可在下方关联在活动上签约的项目。")
            return redirect("signing_event_detail", pk=event.pk)
    return render(request, "landing/signing_event_form.html", {"nav": "signing_events", "form": form, "event": None})


@require_http_methods(["GET", "POST"])
@object_permission(get_event, permissions.can_edit_signing_event, NOT_EDITING)
def event_edit(request: HttpRequest, event: SigningEvent) -> HttpResponse:
    # The form works on a copy: `event` stays as stored, for the page around the form and the date check.
    form = SigningEventForm(request.POST or None, instance=copy.copy(event), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            signing.update_event(event=event, user=request.user, facts=form.facts())
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "集中签约活动的修改已保存。")
            return redirect("signing_event_detail", pk=event.pk)
    return render(request, "landing/signing_event_form.html", {"nav": "signing_events", "form": form, "event": event})


# --- Linking projects -----------------------------------------------------------------------------


@require_POST
def event_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a project by its code; a code the user may not link is refused like an unknown one."""
    event = get_event(request, pk)
    refuse_unless(permissions.enters_projects(access_of(request.user)), NOT_LINKING)
    form = LinkProjectForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            link = signing.link_project(event=event, project=form.project, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            _say_linked(request, link)
            return redirect("signing_event_detail", pk=event.pk)
    return _render_detail(request, event, link_form=form)


def _say_linked(request: HttpRequest, link: SigningEventProject) -> None:
    project = link.project
    messages.success(request, f"已将项目「{project.code} {project.name}」关联到「{link.event.name}」。")
    if link.days_off:
        messages.warning(
            request,
            f"注意：该项目签约日期 {project.signed_on:%Y-%m-%d} 与活动日期相差 {link.days_off} 天，请确认它是在该活动上签约的。",
        )


def _links_rule(access, event: SigningEvent, link: SigningEventProject) -> bool:
    return permissions.can_link_signing_event(access, link.project)


@object_permission(_event_and_link, _links_rule, NOT_LINKING, methods=("POST",))
def event_unlink(request: HttpRequest, event: SigningEvent, link: SigningEventProject) -> HttpResponse:
    signing.unlink_project(link=link, user=request.user)
    messages.success(request, f"已取消项目「{link.project.code} {link.project.name}」与该活动的关联。")
    return redirect("signing_event_detail", pk=event.pk)


# --- A project's event, from the project's page ---------------------------------------------------


@require_http_methods(["GET", "POST"])
@object_permission(_get_project, permissions.can_link_signing_event, NOT_LINKING)
def project_event(request: HttpRequest, project: Project) -> HttpResponse:
    current = getattr(project, "signing_event_link", None)
    initial = {"event": current.event if current else None}
    form = ProjectEventForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["event"]
        try:
            if chosen is not None and current is not None and chosen.pk == current.event_id:
                pass  # kept as it was
            elif chosen is not None:
                link = signing.link_project(event=chosen, project=project, user=request.user, replace=True)
                _say_linked(request, link)
            elif current is not None:
                signing.unlink_project(link=current, user=request.user)
                messages.success(request, f"已取消该项目与「{current.event.name}」的关联。")
        except ValidationError as error:
            show_errors(form, error)
        else:
            return redirect("project_detail", pk=project.pk)
    context = {"nav": "projects", "project": project, "current": current, "form": form, "tolerance": EVENT_SIGNING_TOLERANCE_DAYS}
    return render(request, "landing/project_signing_event.html", context)
