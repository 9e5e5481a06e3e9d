"""The plan's key tasks (domain.md §12): the list, a unit's quarterly reports, filing one, a
report with its return, and the bureau's tasks × units matrix.

Who may see a report: TaskReport.objects.visible_to (else 404, so nothing leaks); what they may
do: access.permissions, declared on each view (else 403).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from access import permissions
from access.decorators import object_permission, requires
from access.roles import access_of, display_name
from figures.supervision import task_matrix as compute_matrix
from fuling_invest.errors import get_or_404
from targets.models import Unit

from .. import services
from ..forms import ReturnForm, TaskReportForm
from ..models import KeyTask, ReportState, TaskReport, due_date, quarter_end, quarter_start

NOT_A_REPORTING_UNIT = "只有该任务的牵头单位和责任单位的填报员可以报送本单位的季报。"


# --- Which year and quarter a page shows ---------------------------------------------------------


@dataclass(frozen=True)
class QuarterChoice:
    year: int
    quarter: int
    years: list[int]  # years that have key tasks, newest first
    note: str = ""

    @property
    def due_on(self) -> datetime.date:
        return due_date(self.year, self.quarter)

    @property
    def start(self) -> datetime.date:
        return quarter_start(self.year, self.quarter)

    @property
    def end(self) -> datetime.date:
        return quarter_end(self.year, self.quarter)


def reporting_quarter(today: datetime.date) -> tuple[int, int]:
    """The quarter being reported on: the last one that has ended (Q4 of last year in January)."""
    ended = (today.month - 1) // 3
    return (today.year, ended) if ended else (today.year - 1, 4)


def choose_quarter(request: HttpRequest) -> QuarterChoice:
    """?year=&quarter= when valid, else the quarter being reported on; a year without key tasks
    falls back to the latest year with them, and the page says so. One query."""
    years = list(KeyTask.objects.order_by("-year").values_list("year", flat=True).distinct())
    default_year, default_quarter = reporting_quarter(timezone.localdate())
    if years and default_year not in years:
        default_year, default_quarter = years[0], 4
    year, quarter, notes = _int(request.GET.get("year"), default_year), _int(request.GET.get("quarter"), default_quarter), []
    if years and year not in years:
        notes.append(f"{year}年没有重点任务，已显示{default_year}年。")
        year = default_year
    if quarter not in (1, 2, 3, 4):
        notes.append(f"季度须为1–4，已显示第{default_quarter}季度。")
        quarter = default_quarter
    return QuarterChoice(year, quarter, years or [year], "".join(notes))


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text not in (None, "") else default
    except ValueError:
        return default


# --- The tasks --------------------------------------------------------------------------------------


@require_GET
def key_task_list(request: HttpRequest) -> HttpResponse:
    """The plan's tasks under their actions, with the lead and responsible units as the plan
    writes them and what they stand for; a unit's staff see which ones their unit reports on."""
    choice = choose_quarter(request)
    tasks = list(KeyTask.objects.filter(year=choice.year).with_units())
    unit_id = permissions.staff_unit_id(access_of(request.user))
    actions: dict[tuple[int, str], list] = {}
    for task in tasks:
        actions.setdefault((task.action_number, task.action), []).append((task, unit_id in task.reporting_unit_ids()))
    context = {"nav": "key_tasks", "choice": choice, "actions": actions, "task_count": len(tasks)}
    return render(request, "supervision/key_task_list.html", context)


# --- A unit's reports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    task: KeyTask
    report: TaskReport | None
    overdue: bool  # missing after the due date


@require_GET
def unit_task_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's tasks and its report on each for the quarter: its own staff, reviewers, leaders."""
    access = access_of(request.user)
    if not permissions.sees_unit(access, pk):
        raise Http404("没有这个单位，或您无权查看。")
    unit = get_or_404(Unit.objects, "没有这个单位，或您无权查看。", pk=pk)
    choice = choose_quarter(request)
    today = timezone.localdate()
    reports = {r.task_id: r for r in TaskReport.objects.filter(unit=unit).of_quarter(choice.year, choice.quarter)}
    overdue = today > choice.due_on
    rows = []
    for task in KeyTask.objects.filter(year=choice.year).reported_by(unit.pk).order_by("number"):
        report = reports.get(task.pk)
        rows.append(UnitRow(task, report, overdue and (report is None or report.state == ReportState.DUE)))
    context = {
        "nav": "key_tasks",
        "unit": unit,
        "choice": choice,
        "rows": rows,
        "may_file": permissions.is_staff_of(access, unit.pk),
        "started": choice.start <= today,
    }
    return render(request, "supervision/unit_task_reports.html", context)


# --- Filing a report -------------------------------------------------------------------------------------


def get_task(request: HttpRequest, pk: int, quarter: int) -> tuple[KeyTask, int]:
    """The task (every signed-in user may read it) and a valid quarter, else 404."""
    if quarter not in (1, 2, 3, 4):
        raise Http404("季度须为1–4。")
    return get_or_404(KeyTask.objects, "没有这项重点任务。", pk=pk), quarter


@require_http_methods(["GET", "POST"])
@object_permission(get_task, lambda access, task, quarter: permissions.can_file_task_report(access, task), NOT_A_REPORTING_UNIT)
def task_report_file(request: HttpRequest, task: KeyTask, quarter: int) -> HttpResponse:
    """File the user's unit's report on the task for the quarter, correct it, or refile it after
    a return (the form starts from what was filed)."""
    unit = access_of(request.user).unit
    report = TaskReport.objects.filter(task=task, unit=unit, year=task.year, quarter=quarter).first()
    form = TaskReportForm(request.POST if request.method == "POST" else None, initial=TaskReportForm.initial_from(report))
    if request.method == "POST" and form.is_valid():
        try:
            report = services.file_report(
                task=task, unit=unit, year=task.year, quarter=quarter, user=request.user, facts=form.facts()
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            late = "（已过报送截止日期，记为迟报）" if report.is_late else ""
            messages.success(request, f"任务{task.number}「{task.title}」{task.year}年第{quarter}季度季报已报送{late}。")
            return redirect("task_report_detail", pk=report.pk)
    context = {
        "nav": "key_tasks",
        "task": task,
        "unit": unit,
        "year": task.year,
        "quarter": quarter,
        "due_on": due_date(task.year, quarter),
        "report": report,
        "form": form,
    }
    return render(request, "supervision/task_report_form.html", context, status=400 if form.errors else 200)


# --- One report ----------------------------------------------------------------------------------------


def get_report_for_user(request: HttpRequest, pk: int) -> TaskReport:
    """The report if the user may see it (reviewers, leaders, its unit's staff), else 404."""
    reports = TaskReport.objects.visible_to(request.user).select_related("task", "unit", "submitted_by", "returned_by")
    return get_or_404(reports, "没有这份季报，或您无权查看。", pk=pk)


@require_GET
def task_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_report(request, get_report_for_user(request, pk))


def _render_report(request, report: TaskReport, *, return_form: ReturnForm | None = None, status: int = 200) -> HttpResponse:
    access = access_of(request.user)
    can_return = permissions.can_return_task_report(access, report)
    today = timezone.localdate()
    context = {
        "nav": "key_tasks",
        "report": report,
        "task": report.task,
        "overdue": not report.filed and today > report.due_on,
        "can_file": permissions.can_file_task_report(access, report.task, report),
        "can_return": can_return,
        "return_form": return_form or (ReturnForm() if can_return else None),
        "history": _history(report),
        "submitted_by": display_name(report.submitted_by),
        "returned_by": display_name(report.returned_by),
    }
    return render(request, "supervision/task_report_detail.html", context, status=status)


@dataclass(frozen=True)
class HistoryRow:
    when: datetime.datetime
    who: str
    what: str


def _history(report: TaskReport) -> list[HistoryRow]:
    """When the report was marked overdue, filed, returned, refiled: who and when (1 query)."""
    records = report.history.select_related("history_user").order_by("history_date", "history_id")
    rows = [
        HistoryRow(record.history_date, display_name(record.history_user), _what(record, previous))
        for previous, record in zip([None, *records], records)
    ]
    return list(reversed(rows))


def _what(record, previous) -> str:
    if record.state == ReportState.RETURNED:
        return f"退回：{record.return_comment}"
    if record.state == ReportState.SUBMITTED:
        refiled = previous is not None and previous.state == ReportState.RETURNED
        action = "重新报送" if refiled else "修改" if previous is not None and previous.state == ReportState.SUBMITTED else "报送"
        return f"{action}（{TaskReport.Status(record.status).label}）"
    return ReportState(record.state).label


@object_permission(
    get_report_for_user, lambda access, report: permissions.reviews(access), "只有招商局审核员可以退回季报。", methods=("POST",)
)
def task_report_return(request: HttpRequest, report: TaskReport) -> HttpResponse:
    """退回 with a comment (required): the report goes back to its unit's to-do. A report no longer
    filed (returned meanwhile, by a second click or another reviewer) is left as it is, and the
    reviewer told so on its page."""
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _render_report(request, report, return_form=form, status=400)
    try:
        services.return_report(report=report, user=request.user, comment=form.cleaned_data["comment"])
    except ValidationError:
        report.refresh_from_db(fields=["state"])
        messages.warning(request, f"{services.ONLY_SUBMITTED_RETURNED}该季报现为“{ReportState(report.state).label}”，未重复退回。")
    else:
        messages.success(request, f"已退回{report.unit.name}的季报，该单位将在待办事项中看到退回意见。")
    return redirect("task_report_detail", pk=report.pk)


# --- The matrix ------------------------------------------------------------------------------------------


@require_GET
@requires(permissions.sees_task_matrix, "只有招商局审核员和区领导可以查看重点任务推进情况总表。")
def task_matrix(request: HttpRequest) -> HttpResponse:
    choice = choose_quarter(request)
    matrix = compute_matrix(year=choice.year, quarter=choice.quarter, today=timezone.localdate())
    return render(request, "supervision/task_matrix.html", {"nav": "key_tasks", "choice": choice, "matrix": matrix})

