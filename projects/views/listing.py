"""The projects list, its Excel export, and the review queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django_tables2 import RequestConfig

from access import permissions
from access.decorators import requires
from access.roles import access_of
from figures.landing import with_colour
from lib import display
from targets import scoring
from targets.context import organisation_of
from lib.xlsx import XLSX_CONTENT_TYPE
from targets.models import RuleSet

from ..exporting import export_filename, projects_workbook
from ..filters import ProjectFilter, with_tier
from ..models import Cooperation, Project, Status
from ..tables import ProjectTable

PER_PAGE = 25

def listed_projects(request: HttpRequest) -> tuple[ProjectFilter, ProjectTable]:
    """What the user may see, filtered and ordered by the query string; the page and the
    export both read this, so the export holds exactly the rows the list shows."""
    projects = (
        Project.objects.visible_to(request.user)
        .select_related("lead_unit", "group")
        .prefetch_related(Prefetch("cooperations", queryset=Cooperation.objects.select_related("unit").order_by("pk")))
    )
    rule_sets = list(RuleSet.objects.order_by("-year"))
    # Reviewers and leaders filter by, and see, each project's colour today (domain.md §9): an
    # annotation of the list's own query, no query of its own.
    colours = permissions.sees_everything(access_of(request.user))
    if colours:
        projects = with_colour(projects, rule_sets, timezone.localdate())
    filterset = ProjectFilter(request.GET, projects, rule_sets=rule_sets, colours=colours, request=request)
    table = ProjectTable(filterset.qs, exclude=() if colours else ("landing_colour",))
    RequestConfig(request, paginate=False).configure(table)  # ordering only: the list paginates itself
    return filterset, table


def paginate(table: ProjectTable, request: HttpRequest) -> None:
    """25 rows a page; a page number that is not one (or out of range) shows the nearest page."""
    table.paginate(page=1, per_page=PER_PAGE)
    table.page = table.paginator.get_page(request.GET.get("page"))


def query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def project_list(request, **kwargs):
    filterset, table = listed_projects(request)
    paginate(table, request)
    context = {
        "nav": "projects",
        "filter": filterset,
        "table": table,
        "export_query": query_without(request, "page"),
        "sort": request.GET.get("sort", ""),
    }
    return render(request, "projects/project_list.html", context)


def project_export(request, **kwargs):
    filterset, table = listed_projects(request)
    if not filterset.form.is_valid():
        messages.error(request, "筛选条件有误，未能导出；请按提示改正后再导出。")
        return redirect(f"{reverse('project_list')}?{query_without(request, 'page')}")
    organisation = organisation_of(request)
    response = HttpResponse(projects_workbook(table.data.data, organisation=organisation), content_type=XLSX_CONTENT_TYPE)
    filename = export_filename(timezone.localdate(), organisation=organisation)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


REVIEW_PAGE_SIZE = 50


@requires(permissions.sees_everything, "审核队列只对招商局审核员和区领导开放。")
def review_queue(request, **kwargs):
    queue = (
        with_tier(Project.objects.review_queue(), list(RuleSet.objects.order_by("-year")))
        .select_related("lead_unit", "created_by")
        .prefetch_related(Prefetch("cooperations", queryset=Cooperation.objects.select_related("unit").order_by("pk")))
        .annotate(submitter_id=Subquery(submission_records().values("history_user_id")[:1]))
    )
    # A page at a time, read off the queue's partial index (docs/performance.md).
    page = Paginator(queue, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    projects = list(page.object_list)
    submitters = get_user_model().objects.in_bulk({p.submitter_id for p in projects if p.submitter_id})
    for project in projects:
        project.submitter = submitters.get(project.submitter_id) or project.created_by
        project.capital_display = display.money(project.agreement_capital)
        project.tier_label = scoring.Tier(project.tier).label if project.tier else "–"
        project.cooperating_names = "、".join(cooperation.unit.name for cooperation in project.cooperations.all())
    context = {"nav": "review", "projects": projects, "page": page, "reviews": permissions.reviews(access_of(request.user))}
    return render(request, "projects/review_queue.html", context)


def submission_records():
    """The history row of each project's current submission: the first one in status
    submitted since its `submitted_at` (later rows may be reviewers' edits)."""
    return Project.history.filter(
        id=OuterRef("pk"), status=Status.SUBMITTED, history_date__gte=OuterRef("submitted_at")
    ).order_by("history_date", "history_id")
