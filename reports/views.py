"""The reports page: bulletins to read and download; reviewers generate and publish them.

Who sees a bulletin: Bulletin.objects.visible_to (a draft is the reviewers' alone; anyone
else gets 404). Generating and publishing are POST only and for reviewers (403 otherwise).
Generation never runs in the request: it is queued (reports.jobs.request_bulletin).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from access import permissions
from access.decorators import object_permission, requires
from access.roles import access_of
from figures.assessment import NoRuleSet
from fuling_invest.errors import get_or_404
from lib.xlsx import XLSX_CONTENT_TYPE
from targets.context import organisation_of
from targets.periods import period_from_request

from . import jobs as generation_jobs
from . import services
from .dashboard_export import dashboard_filename, dashboard_workbook
from .forms import GenerateForm
from .models import Bulletin, GenerationJob, Notification


RECENT_JOBS = 10


def get_bulletin_for_user(request: HttpRequest, pk: int, *, documents: bool = True) -> Bulletin:
    """The bulletin if the user may see it, else 404 (a draft does not exist for non-reviewers)."""
    bulletins = Bulletin.objects.visible_to(request.user).select_related("generated_by", "published_by")
    if not documents:
        bulletins = bulletins.without_documents()
    return get_or_404(bulletins, "没有这份通报，或您无权查看。", pk=pk)


NOT_A_REVIEWER = "只有区招商投资局审核员可以生成和发布通报。"


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    reviews = permissions.reviews(access_of(request.user))
    context = {"nav": "reports", "reviews": reviews}
    if reviews:
        # The jobs are read before the bulletins: a job that finishes in between is then seen
        # still running (the page watches it), never seen finished with its bulletin missing.
        jobs = list(GenerationJob.objects.for_display()[:RECENT_JOBS])
        stale_before = generation_jobs.stale_before()
        for job in jobs:
            job.stale = not job.is_finished and job.requested_at < stale_before
        context["jobs"] = jobs
        context["form"] = GenerateForm()
        context["notifications"] = list(Notification.objects.unread_for(request.user)[:20])
    bulletins = Bulletin.objects.visible_to(request.user).without_documents().select_related("published_by")
    context["bulletins"] = list(bulletins)
    return render(request, "reports/report_list.html", context)


@require_POST
@requires(permissions.reviews, NOT_A_REVIEWER)
def bulletin_generate(request: HttpRequest) -> HttpResponse:
    form = GenerateForm(request.POST)
    if form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
        try:
            job = generation_jobs.request_bulletin(year=year, quarter=quarter, user=request.user)
        except services.BulletinError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"已提交生成 {year}年第{quarter}季度通报（任务 {job.pk}），完成后本页自动更新。")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("report_list")


@require_GET
@requires(permissions.reviews, NOT_A_REVIEWER)
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """One job's state, for the reports page to poll (static/js/jobs.js)."""
    job = get_object_or_404(GenerationJob.objects.for_display(), pk=pk)
    return JsonResponse(
        {
            "id": job.pk,
            "state": job.state,
            "label": job.get_state_display(),
            "finished": job.is_finished,
            "outcome": job.result,
            "error": job.error,
            "bulletin_url": reverse("bulletin_detail", args=[job.bulletin_id]) if job.bulletin_id else None,
        }
    )


@require_GET
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_bulletin_for_user(request, pk)
    context = {
        "nav": "reports",
        "bulletin": bulletin,
        "snapshot": bulletin.read_snapshot(),
        "reviews": permissions.reviews(access_of(request.user)),
    }
    return render(request, "reports/bulletin_detail.html", context)


@require_GET
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_bulletin_for_user(request, pk)
    return _download(bytes(bulletin.pdf), "application/pdf", bulletin.filename("pdf"))


@require_GET
def bulletin_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_bulletin_for_user(request, pk)
    return _download(bytes(bulletin.xlsx), XLSX_CONTENT_TYPE, bulletin.filename("xlsx"))


@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables for ?year=&quarter= (the period the dashboard shows) as .xlsx;
    whoever sees the dashboard may download them."""
    period = period_from_request(request).period
    try:
        content = dashboard_workbook(period=period, organisation=organisation_of(request))
    except NoRuleSet as error:
        raise Http404(str(error)) from None
    return _download(content, XLSX_CONTENT_TYPE, dashboard_filename(period, organisation=organisation_of(request)))


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _bulletin_without_documents(request: HttpRequest, pk: int) -> Bulletin:
    return get_bulletin_for_user(request, pk, documents=False)


@require_POST
@object_permission(_bulletin_without_documents, permissions.can_publish, NOT_A_REVIEWER)
def bulletin_publish(request: HttpRequest, bulletin: Bulletin) -> HttpResponse:
    try:
        services.publish_bulletin(bulletin=bulletin, user=request.user)
    except services.BulletinError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{bulletin.title}已发布。此后内容不再改变，区领导和各单位可查看下载。")
    return redirect("bulletin_detail", pk=bulletin.pk)


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=request.user)
    return redirect("report_list")
