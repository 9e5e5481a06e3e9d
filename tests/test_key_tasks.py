"""The key tasks' quarterly reports (domain.md §12): who files, the due date, the daily overdue
mark and the to-do, return and refile, the bureau's matrix."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from figures.supervision import task_matrix
from supervision import services
from supervision.models import KeyTask, ReportState, TaskReport, due_date
from supervision.tasks import mark_overdue_reports_task
from targets.models import Unit, UnitKind
from tests.factories import KeyTaskFactory, TaskReportFactory, UnitFactory, client_for, user_with_role

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
REPORT = {"progress": "走访企业12家", "problems": "用地指标紧张", "next_steps": "举办推介会", "status": "on_track"}


def at(monkeypatch, *args):
    """The clock at a Shanghai wall-clock time (pages and services read timezone.now)."""
    moment = datetime.datetime(*args, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def world():
    park_a, park_b = UnitFactory(name="甲园区"), UnitFactory(name="乙园区")
    department = UnitFactory(name="丙部门", kind=UnitKind.DEPARTMENT)
    office = UnitFactory(name="区委办公室", kind=UnitKind.OTHER)
    shared = KeyTaskFactory(number=1, title="贯彻新发展理念", units=[office, park_a, department])
    departments_only = KeyTaskFactory(number=2, title="实施专业招商", units=[department])
    return {
        "a": park_a,
        "b": park_b,
        "department": department,
        "office": office,
        "shared": shared,
        "departments_only": departments_only,
        "staff_a": user_with_role(Role.STAFF, park_a, username="staff_a"),
        "staff_b": user_with_role(Role.STAFF, park_b, username="staff_b"),
        "staff_department": user_with_role(Role.STAFF, department, username="staff_department"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def file_url(task, quarter=2):
    return reverse("task_report_file", args=[task.pk, quarter])


def report_of(task, unit, quarter=2) -> TaskReport:
    return TaskReport.objects.get(task=task, unit=unit, year=2021, quarter=quarter)


# --- The due date -------------------------------------------------------------------------------------


def test_a_report_is_due_the_5th_day_after_its_quarter():
    assert [due_date(2021, q) for q in (1, 2, 3, 4)] == [
        datetime.date(2021, 4, 5),
        datetime.date(2021, 7, 5),
        datetime.date(2021, 10, 5),
        datetime.date(2022, 1, 5),
    ]


@pytest.mark.parametrize(
    "filed_at, late",
    [((2021, 7, 5, 23, 50), False), ((2021, 7, 6, 0, 10), True), ((2021, 6, 30, 9, 0), False)],
    ids=["the 5th, late evening: on time", "the 6th, just after midnight: late", "within the quarter"],
)
def test_filed_on_the_5th_is_on_time_and_on_the_6th_late_in_shanghai_time(world, monkeypatch, filed_at, late):
    at(monkeypatch, *filed_at)
    response = client_for(world["staff_a"]).post(file_url(world["shared"]), REPORT, follow=True)
    assert report_of(world["shared"], world["a"]).is_late is late
    assert ("记为迟报" in response.content.decode()) is late


def test_a_future_quarter_cannot_be_filed(world, monkeypatch):
    at(monkeypatch, 2021, 5, 20, 9, 0)
    response = client_for(world["staff_a"]).post(file_url(world["shared"], quarter=3), REPORT)
    assert response.status_code == 400 and "该季度尚未开始，不能报送。" in response.content.decode()
    assert not TaskReport.objects.exists()


# --- Who files ---------------------------------------------------------------------------------------------


def test_the_staff_of_a_reporting_unit_file_for_their_unit(world, monkeypatch):
    at(monkeypatch, 2021, 7, 2, 10, 0)
    client = client_for(world["staff_a"])
    assert client.get(file_url(world["shared"])).status_code == 200
    response = client.post(file_url(world["shared"]), REPORT)
    report = report_of(world["shared"], world["a"])
    assert response["Location"] == reverse("task_report_detail", args=[report.pk])
    assert (report.state, report.status, report.progress, report.submitted_by) == (
        ReportState.SUBMITTED, "on_track", "走访企业12家", world["staff_a"],
    )  # fmt: skip


@pytest.mark.parametrize("who", ["staff_b", "reviewer", "leader"])
def test_nobody_else_files(world, who):
    client = client_for(world[who])
    for response in (client.get(file_url(world["shared"])), client.post(file_url(world["shared"]), REPORT)):
        assert response.status_code == 403
    assert "只有该任务的牵头单位和责任单位的填报员" in client.get(file_url(world["shared"])).content.decode()
    assert not TaskReport.objects.exists()


def test_a_unit_not_responsible_for_the_task_is_refused(world):
    response = client_for(world["staff_a"]).post(file_url(world["departments_only"]), REPORT)
    assert response.status_code == 403 and not TaskReport.objects.exists()


def test_an_unknown_task_or_quarter_answers_404(world):
    client = client_for(world["staff_a"])
    assert client.get(reverse("task_report_file", args=[999999, 2])).status_code == 404
    assert client.get(reverse("task_report_file", args=[world["shared"].pk, 5])).status_code == 404


def test_progress_next_steps_and_status_are_required(world):
    response = client_for(world["staff_a"]).post(file_url(world["shared"]), {"progress": "  ", "problems": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("请填写进展情况。") == html.count("请填写下步计划。") == html.count("请选择推进状态。") == 1
    assert not TaskReport.objects.exists()


def test_the_service_refuses_a_unit_that_does_not_report_on_the_task(world):
    with pytest.raises(Exception, match="不是这项任务的牵头单位或责任单位"):
        services.file_report(task=world["departments_only"], unit=world["a"], year=2021, quarter=2, user=None, facts=REPORT)


@pytest.mark.parametrize("who, expected", [("staff_a", 200), ("staff_b", 404), ("staff_department", 404), ("reviewer", 200), ("leader", 200)])
def test_a_report_is_seen_by_its_unit_reviewers_and_leaders_only(world, who, expected):
    report = TaskReportFactory(task=world["shared"], unit=world["a"])
    assert client_for(world[who]).get(reverse("task_report_detail", args=[report.pk])).status_code == expected


@pytest.mark.parametrize("who, expected", [("staff_a", 200), ("staff_b", 404), ("reviewer", 200), ("leader", 200)])
def test_a_units_reports_page_is_its_own_staffs_reviewers_and_leaders(world, who, expected):
    assert client_for(world[who]).get(reverse("unit_task_reports", args=[world["a"].pk])).status_code == expected


def test_the_units_page_lists_its_tasks_with_their_state(world, monkeypatch):
    at(monkeypatch, 2021, 7, 8, 9, 0)
    TaskReportFactory(task=world["shared"], unit=world["department"], status="behind")
    response = client_for(world["staff_department"]).get(reverse("unit_task_reports", args=[world["department"].pk]) + "?year=2021&quarter=2")
    html = response.content.decode()
    assert [row.task.number for row in response.context["rows"]] == [1, 2]
    assert "滞后" in html and "逾期未报" in html  # task 1 filed, task 2 missing after 5 July
    assert file_url(world["departments_only"]) in html


# --- Return and refile ---------------------------------------------------------------------------------------


def test_a_report_filed_returned_and_refiled(world, monkeypatch):
    at(monkeypatch, 2021, 7, 3, 9, 0)
    staff = client_for(world["staff_a"])
    staff.post(file_url(world["shared"]), REPORT)
    report = report_of(world["shared"], world["a"])
    first_filed = report.first_submitted_at

    at(monkeypatch, 2021, 7, 8, 9, 0)
    reviewer = client_for(world["reviewer"])
    refused = reviewer.post(reverse("task_report_return", args=[report.pk]), {"comment": "  "})
    assert refused.status_code == 400 and "请填写退回意见" in refused.content.decode()
    assert report_of(world["shared"], world["a"]).state == ReportState.SUBMITTED
    reviewer.post(reverse("task_report_return", args=[report.pk]), {"comment": "请补充签约项目名单"})
    report.refresh_from_db()
    assert (report.state, report.return_comment, report.returned_by) == (ReportState.RETURNED, "请补充签约项目名单", world["reviewer"])

    dashboard = staff.get(reverse("dashboard") + "?year=2021&quarter=2")
    item = {item.label: item for item in dashboard.context["todo"].items}["被退回的重点任务季报"]
    assert item.count == 1 and item.task_reports == [report]
    assert item.url == reverse("unit_task_reports", args=[report.unit_id]) + "?year=2021&quarter=2", "the report's quarter"
    assert "退回意见：请补充签约项目名单" in dashboard.content.decode()
    refile_form = staff.get(file_url(world["shared"])).content.decode()
    assert "招商局退回意见：" in refile_form and "走访企业12家</textarea>" in refile_form  # starts from what was filed

    at(monkeypatch, 2021, 7, 9, 9, 0)
    staff.post(file_url(world["shared"]), {**REPORT, "progress": "走访企业12家，签约3个", "status": "done"})
    report.refresh_from_db()
    assert (report.state, report.status, report.first_submitted_at) == (ReportState.SUBMITTED, "done", first_filed)
    assert not report.is_late  # the refile after a return is not lateness
    history = [row.what for row in client_for(world["reviewer"]).get(reverse("task_report_detail", args=[report.pk])).context["history"]]
    assert history == ["重新报送（已完成）", "退回：请补充签约项目名单", "报送（正常推进）"]


def test_only_reviewers_return_and_only_a_filed_report(world):
    report = TaskReportFactory(task=world["shared"], unit=world["a"])
    url = reverse("task_report_return", args=[report.pk])
    for who, expected in (("staff_a", 403), ("leader", 403), ("staff_b", 404)):
        assert client_for(world[who]).post(url, {"comment": "不行"}).status_code == expected
    assert client_for(world["reviewer"]).get(url).status_code == 405
    services.return_report(report=report, user=world["reviewer"], comment="补充材料")
    again = client_for(world["reviewer"]).post(url, {"comment": "再退一次"}, follow=True)  # a double click
    assert again.redirect_chain == [(reverse("task_report_detail", args=[report.pk]), 302)]
    assert "只有已报送的季报可以退回。该季报现为“已退回”，未重复退回。" in again.content.decode()
    report.refresh_from_db()
    assert report.return_comment == "补充材料"


# --- The daily overdue mark ---------------------------------------------------------------------------------------


def test_the_job_marks_nothing_on_the_due_day_and_the_missing_reports_the_day_after(world):
    TaskReportFactory(task=world["shared"], unit=world["a"], quarter=1)
    TaskReportFactory(task=world["shared"], unit=world["a"])

    assert services.mark_overdue_reports(today=datetime.date(2021, 4, 5)).marked == 0
    # Q1 due on 5 April: the office and the department on task 1, the department on task 2.
    assert services.mark_overdue_reports(today=datetime.date(2021, 4, 6)).marked == 3
    assert services.mark_overdue_reports(today=datetime.date(2021, 7, 5)).marked == 0
    assert services.mark_overdue_reports(today=datetime.date(2021, 7, 6)).marked == 3
    assert services.mark_overdue_reports(today=datetime.date(2021, 7, 7)).marked == 0

    due = TaskReport.objects.filter(state=ReportState.DUE)
    assert set(due.values_list("unit__name", "task__number", "quarter", "overdue_since")) == {
        ("区委办公室", 1, 1, datetime.date(2021, 4, 6)),
        ("丙部门", 1, 1, datetime.date(2021, 4, 6)),
        ("丙部门", 2, 1, datetime.date(2021, 4, 6)),
        ("区委办公室", 1, 2, datetime.date(2021, 7, 6)),
        ("丙部门", 1, 2, datetime.date(2021, 7, 6)),
        ("丙部门", 2, 2, datetime.date(2021, 7, 6)),
    }
    assert report_of(world["shared"], world["a"]).state == ReportState.SUBMITTED


def test_the_job_runs_daily_from_the_beat_schedule(world, monkeypatch):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "supervision.mark_overdue_reports")
    assert entry["schedule"].hour == {1} and settings.CELERY_TIMEZONE == "Asia/Shanghai"
    at(monkeypatch, 2021, 7, 6, 1, 45)
    assert mark_overdue_reports_task.apply().get() == {"marked": 8}  # 4 units × tasks, Q1 and Q2


def test_the_overdue_reports_are_in_their_units_to_do_and_filing_one_clears_it(world, monkeypatch):
    services.mark_overdue_reports(today=datetime.date(2021, 7, 6))
    at(monkeypatch, 2021, 7, 7, 9, 0)
    staff = client_for(world["staff_department"])
    response = staff.get(reverse("dashboard") + "?year=2021&quarter=2")
    item = {item.label: item for item in response.context["todo"].items}["逾期未报的重点任务季报"]
    assert item.count == 4 and [r.task.number for r in item.task_reports] == [1, 2, 1, 2]
    assert "自 2021-07-06 起逾期" in response.content.decode()
    other = {i.label: i for i in client_for(world["staff_b"]).get(reverse("dashboard")).context["todo"].items}
    assert other["逾期未报的重点任务季报"].count == 0

    staff.post(file_url(world["departments_only"]), REPORT)
    report = report_of(world["departments_only"], world["department"])
    assert report.state == ReportState.SUBMITTED and report.is_late and report.overdue_since == datetime.date(2021, 7, 6)
    response = staff.get(reverse("dashboard") + "?year=2021&quarter=2")
    assert {item.label: item for item in response.context["todo"].items}["逾期未报的重点任务季报"].count == 3


# --- The matrix ------------------------------------------------------------------------------------------------


def colours(matrix) -> dict[tuple[str, int], str]:
    return {(row.unit.name, task.number): cell.colour for row in matrix.rows for task, cell in zip(matrix.tasks, row.cells)}


def test_the_matrix_colours_each_cell_by_status_and_lateness(world):
    shared, only = world["shared"], world["departments_only"]
    TaskReportFactory(task=shared, unit=world["a"], status="behind")
    late = TaskReportFactory(task=shared, unit=world["department"], status="done", first_submitted_at=timezone.make_aware(datetime.datetime(2021, 7, 6, 9)))
    TaskReportFactory(task=only, unit=world["department"], state=ReportState.RETURNED, return_comment="补充")

    before_due = task_matrix(year=2021, quarter=2, today=datetime.date(2021, 7, 5))
    assert colours(before_due) == {
        ("甲园区", 1): "behind", ("甲园区", 2): "",
        ("丙部门", 1): "done", ("丙部门", 2): "returned",
        ("区委办公室", 1): "waiting", ("区委办公室", 2): "",
    }  # fmt: skip
    assert [row.unit.name for row in before_due.rows] == ["甲园区", "丙部门", "区委办公室"]  # parks, departments, others
    after_due = task_matrix(year=2021, quarter=2, today=datetime.date(2021, 7, 6))
    assert colours(after_due)[("区委办公室", 1)] == "overdue"
    late_cell = next(cell for row in after_due.rows for cell in row.cells if cell.report_id == late.pk)
    assert late_cell.late and after_due.counts == {"behind": 1, "done": 1, "returned": 1, "overdue": 1}
    TaskReportFactory(task=shared, unit=world["office"], status="on_track")
    assert colours(task_matrix(year=2021, quarter=2, today=datetime.date(2021, 7, 6)))[("区委办公室", 1)] == "on_track"


def test_a_row_the_job_wrote_is_still_missing_in_the_matrix(world):
    services.mark_overdue_reports(today=datetime.date(2021, 7, 6))
    matrix = task_matrix(year=2021, quarter=2, today=datetime.date(2021, 7, 6))
    assert set(colours(matrix).values()) == {"overdue", ""}


def test_the_matrix_page_has_a_chinese_legend_and_links_each_cell_to_its_report(world):
    report = TaskReportFactory(task=world["shared"], unit=world["a"])
    html = client_for(world["leader"]).get(reverse("task_matrix") + "?year=2021&quarter=2").content.decode()
    for label in ("正常推进", "滞后", "已完成", "已退回，待重报", "逾期未报", "未报（未到期）", "迟报"):
        assert label in html
    assert f'<a href="{reverse("task_report_detail", args=[report.pk])}">正常' in html
    assert 'class="cell-on_track"' in html


@pytest.mark.parametrize("who, expected", [("staff_a", 403), ("reviewer", 200), ("leader", 200)])
def test_the_matrix_is_for_reviewers_and_leaders(world, who, expected):
    response = client_for(world[who]).get(reverse("task_matrix"))
    assert response.status_code == expected
    if expected == 403:
        assert "只有招商局审核员和区领导可以查看重点任务推进情况总表" in response.content.decode()


def test_a_bad_quarter_is_replaced_with_a_note(world):
    response = client_for(world["reviewer"]).get(reverse("task_matrix") + "?year=1999&quarter=9")
    assert response.status_code == 200 and response.context["matrix"].year == 2021
    assert "1999年没有重点任务" in response.content.decode()


# --- Query counts ------------------------------------------------------------------------------------------------


def add_units_with_reports(task: KeyTask, n: int) -> None:
    for i in range(n):
        unit = UnitFactory(name=f"加测单位{task.number}-{i}")
        task.responsible_units.add(unit)
        TaskReportFactory(task=task, unit=unit, status=["on_track", "behind", "done"][i % 3])


# session, user, role; the page's own: the tasks' years, the tasks, their lead and responsible
# units, the quarter's reports; the organisation (title), the reviewer's menu counts and unread notifications.
MATRIX_QUERIES = 11


@pytest.mark.parametrize("extra", [0, 12])
def test_the_matrix_reads_a_constant_number_of_queries(world, django_assert_num_queries, extra):
    add_units_with_reports(world["shared"], extra)
    add_units_with_reports(world["departments_only"], extra)
    client = client_for(world["reviewer"])
    with django_assert_num_queries(MATRIX_QUERIES):
        response = client.get(reverse("task_matrix") + "?year=2021&quarter=2")
    assert len(response.context["matrix"].rows) == 3 + 2 * extra


# session, user, role (groups, membership); the page's own: the unit, the tasks' years, the
# unit's reports of the quarter, its tasks; the organisation (title) and the staff's menu counts.
UNIT_PAGE_QUERIES = 10


@pytest.mark.parametrize("extra", [0, 12])
def test_the_units_page_reads_a_constant_number_of_queries(world, django_assert_num_queries, extra):
    for i in range(extra):
        task = KeyTaskFactory(number=10 + i, units=[world["a"]])
        TaskReportFactory(task=task, unit=world["a"])
    client = client_for(world["staff_a"])
    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        response = client.get(reverse("unit_task_reports", args=[world["a"].pk]) + "?year=2021&quarter=2")
    assert len(response.context["rows"]) == 1 + extra


def test_the_menu_takes_staff_to_their_units_reports_and_reviewers_to_the_matrix(world):
    staff_html = client_for(world["staff_a"]).get(reverse("key_task_list")).content.decode()
    assert f'href="{reverse("unit_task_reports", args=[world["a"].pk])}"' in staff_html
    reviewer_html = client_for(world["reviewer"]).get(reverse("key_task_list")).content.decode()
    assert f'href="{reverse("task_matrix")}"' in reviewer_html and "贯彻新发展理念" in reviewer_html


# --- With the plan's tasks ------------------------------------------------------------------------------------------


def test_the_plans_matrix_has_every_reporting_unit_against_the_15_tasks(fuling_2021):
    reviewer = user_with_role(Role.REVIEWER, username="plan_reviewer")
    response = client_for(reviewer).get(reverse("task_matrix") + "?year=2021&quarter=2")
    matrix = response.context["matrix"]
    assert [task.number for task in matrix.tasks] == list(range(1, 16))
    names = [row.unit.name for row in matrix.rows]
    assert names[:6] == ["涪陵新城区", "白涛园区", "临港经济区", "清溪园区", "江北旅游区", "涪陵综保区"]
    assert names[-5:] == ["区委办公室", "区政府办公室", "区委组织部", "区生态环境局", "国投集团"] and len(names) == 27
    organisation = next(row for row in matrix.rows if row.unit.name == "区委组织部")
    assert [task.number for task, cell in zip(matrix.tasks, organisation.cells) if cell.colour] == [4, 15]

    group_company = Unit.objects.get(name="国投集团")
    staff = user_with_role(Role.STAFF, group_company, username="guotou")
    page = client_for(staff).get(reverse("unit_task_reports", args=[group_company.pk]) + "?year=2021&quarter=2")
    assert [row.task.number for row in page.context["rows"]] == [3, 15]
