"""The special groups' quarterly reports (domain.md §12, 附件1): the groups × quarters of a year,
and one group's report of one quarter, written by its first commissioner's unit or a reviewer
with the group's figures attached and frozen at submission."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from access import permissions
from access.decorators import refuse_unless
from access.roles import access_of, display_name
from figures.assessment import NoRuleSet, rules_for
from figures.supervision import GroupFigures, group_figures, group_report_state, group_reports_of_year
from fuling_invest.errors import get_or_404
from groups.models import SpecialGroup
from targets.periods import FIRST_YEAR, LAST_YEAR, period_from_request

from .. import services
from ..forms import GroupReportForm
from ..models import GroupReport, due_date, quarter_start

NOT_THE_WRITER = "专项招商组季报由本组第一位招商专员所在单位的填报员或招商局审核员报送。"


def first_commissioner_unit_id(group: SpecialGroup) -> int | None:
    """The unit of the group's first commissioner (expects `with_people`)."""
    seats = list(group.seats.all())
    return seats[0].person.unit_id if seats else None


@require_GET
def group_report_list(request: HttpRequest) -> HttpResponse:
    choice = period_from_request(request)
    year = choice.period.year
    today = timezone.localdate()
    context = {
        "nav": "group_reports",
        "year": year,
        "period_choice": choice,
        "rows": group_reports_of_year(year=year, today=today),
        "due_dates": [due_date(year, quarter) for quarter in (1, 2, 3, 4)],
    }
    return render(request, "supervision/group_report_list.html", context)


def _rules(year: int):
    try:
        return rules_for(year)
    except NoRuleSet:
        return None


@require_http_methods(["GET", "POST"])
def group_report_detail(request: HttpRequest, pk: int, year: int, quarter: int) -> HttpResponse:
    """The report as submitted with its frozen figures; before it is, the figures as they stand
    today. Its writers submit it (POST) or correct its text; the figures never change."""
    if quarter not in (1, 2, 3, 4) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("没有这个季度。")
    group = get_or_404(SpecialGroup.objects.with_people(), "没有这个专项招商组。", pk=pk)
    access = access_of(request.user)
    may_write = permissions.can_write_group_report(access, first_commissioner_unit_id(group))
    if request.method == "POST":
        refuse_unless(may_write, NOT_THE_WRITER)
    report = GroupReport.objects.filter(group=group, year=year, quarter=quarter).select_related("submitted_by").first()
    today = timezone.localdate()
    started = quarter_start(year, quarter) <= today
    form = GroupReportForm(request.POST if request.method == "POST" else None, initial={"text": report.text} if report else None)
    figures = None if report or not started else group_figures(group, year=year, quarter=quarter, rules=_rules(year), today=today)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.submit_group_report(
                group=group, year=year, quarter=quarter, user=request.user, text=form.cleaned_data["text"],
                figures=figures.as_json() if figures else {},
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"{group.name}{year}年第{quarter}季度季报已报送，本组数据已随季报固定。")
            return redirect("group_report_detail", pk=group.pk, year=year, quarter=quarter)
    context = {
        "nav": "group_reports",
        "group": group,
        "year": year,
        "quarter": quarter,
        "due_on": due_date(year, quarter),
        "report": report,
        "writer": display_name(report.submitted_by) if report else "",
        "state": group_report_state(report, year=year, quarter=quarter, today=today),
        "figures": GroupFigures.from_json(report.figures) if report else figures,
        "form": form if may_write and (started or form.errors) else None,
        "started": started,
    }
    return render(request, "supervision/group_report_detail.html", context, status=400 if form.errors else 200)
