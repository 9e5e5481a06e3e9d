"""`manage.py bootstrap`: what `make run` does before serving."""

import collections
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from access.roles import access_of
from figures import activity_index
from figures.assessment import assess, rules_for
from figures.signing_events import cohort_rules, events_of_year
from figures.supervision import GroupFigures, group_figures, group_reports_of_year, task_matrix
from landing.demo import remove_demo_events
from landing.models import EVENT_SIGNING_TOLERANCE_DAYS, SigningEvent, SigningEventProject
from leads.demo import remove_demo_pipeline
from leads.models import Activity, Lead, TargetEnterprise, WeeklyIndex
from projects.models import Project
from supervision.demo import remove_demo_reports
from supervision.models import GroupReport, ReportState, TaskReport, due_date, quarter_end
from targets.activity_index import Week
from targets.scoring import Period

from targets.management.commands import bootstrap
from supervision.models import KeyTask
from targets.models import RuleSet, Unit, UnitTarget
from tests.factories import client_for


def test_it_loads_the_reference_data_and_creates_an_admin_with_a_printed_login(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    call_command("bootstrap")
    out = capsys.readouterr().out
    assert Unit.objects.assessed().count() == 22 and RuleSet.objects.filter(year=2021).exists()
    assert KeyTask.objects.filter(year=2021).count() == 15
    password = (tmp_path / "admin-login.txt").read_text()
    assert f"用户名 admin，密码 {password}" in out
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)


def test_it_never_overwrites_targets_edited_since(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    call_command("bootstrap")
    UnitTarget.objects.filter(unit__name="白涛园区").update(agreement_capital=151)
    call_command("bootstrap")
    assert UnitTarget.objects.get(unit__name="白涛园区").agreement_capital == 151
    assert get_user_model().objects.count() == 1
    assert "基础数据已存在" in capsys.readouterr().out


def test_it_prints_the_address_the_server_will_listen_on(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    call_command("bootstrap", address="127.0.0.1:8123")
    assert "管理后台：http://127.0.0.1:8123/admin/" in capsys.readouterr().out


def test_demo_creates_one_account_per_role_with_printed_passwords(db, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    monkeypatch.setattr(bootstrap, "DEMO_LOGIN_DIR", tmp_path / "demo")
    call_command("bootstrap", demo=True)
    out = capsys.readouterr().out
    User = get_user_model()
    for username, role, has_unit, _ in bootstrap.DEMO_ACCOUNTS:
        password = (tmp_path / "demo" / username).read_text()
        assert f"用户名 {username}，密码 {password}" in out
        user = User.objects.get(username=username)
        assert user.check_password(password)
        access = access_of(user)
        assert access.role is role
        assert (access.unit.name if access.unit else None) == ("涪陵新城区" if has_unit else None)  # the first park


def test_demo_data_is_labelled_and_counts_in_the_ranking(db, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    monkeypatch.setattr(bootstrap, "DEMO_LOGIN_DIR", tmp_path / "demo")
    call_command("bootstrap", demo=True)
    projects = Project.objects.all()
    assert projects.count() > 50
    assert all(p.name.startswith("【演示】") and p.code.startswith("DEMO") and p.investor.startswith("演示") for p in projects)
    results = assess(Period(2021, 4))
    assert sum(1 for r in results if r.score) >= 20
    call_command("bootstrap", demo=True)
    assert Project.objects.count() == projects.count()
    assert "演示数据已存在" in capsys.readouterr().out


def test_demo_is_refused_on_a_database_given_by_database_url(db, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://somewhere/production")
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    monkeypatch.setattr(bootstrap, "DEMO_LOGIN_DIR", tmp_path / "demo")
    with pytest.raises(CommandError, match="DATABASE_URL"):
        call_command("bootstrap", demo=True)
    assert not Project.objects.exists()
    assert not get_user_model().objects.exists()
    assert not Unit.objects.exists()


def test_demo_pipeline_is_labelled_and_spread_over_the_last_weeks(db, tmp_path, monkeypatch):
    """The board, the map and the weekly index show something on first start: demo enterprises,
    leads and activities, every one labelled, with activity in each of the last weeks."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    monkeypatch.setattr(bootstrap, "DEMO_LOGIN_DIR", tmp_path / "demo")
    call_command("bootstrap", demo=True)
    enterprises, leads, activities = TargetEnterprise.objects.all(), Lead.objects.all(), Activity.objects.all()
    assert enterprises.count() >= 20 and leads.count() >= 50 and activities.count() >= 100
    assert all(e.name.startswith("【演示】") for e in enterprises)
    assert all(lead.code.startswith("DEMO") and lead.name.startswith("【演示】") for lead in leads)
    assert all(a.summary.startswith("【演示】") for a in activities)
    today = timezone.localdate()
    last_monday = today - datetime.timedelta(days=today.weekday() + 7)
    weeks = {(today - a.date).days // 7 for a in activities if a.date >= last_monday - datetime.timedelta(weeks=3)}
    assert len(weeks) >= 3, "activity in several of the last weeks"
    assert {lead.stage for lead in leads} >= {"clue", "contact", "negotiating"}
    assert all(lead.next_step and lead.deadline and lead.responsible_person for lead in leads if lead.is_open)
    last_week = Week.of(today).previous()
    stored = activity_index.stored_week(last_week)
    assert stored is not None and stored.rules_year == 2021, "stored with the latest rules' weights"
    assert any(r.index > 0 for r in stored.results) and activity_index.last_week_top_bottom(today=today).kinds
    assert WeeklyIndex.objects.values("year", "week").distinct().count() == 8
    call_command("bootstrap", demo=True)
    assert Lead.objects.count() == leads.count()
    assert remove_demo_pipeline() > 0 and not Lead.objects.exists() and not TargetEnterprise.objects.exists()


@pytest.fixture
def demo_run(db, tmp_path, monkeypatch, capsys):
    """`bootstrap --demo` on an empty database; returns a function running it again (its output)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    monkeypatch.setattr(bootstrap, "DEMO_LOGIN_DIR", tmp_path / "demo")

    def run() -> str:
        call_command("bootstrap", demo=True)
        return capsys.readouterr().out

    run.first_output = run()
    return run


def test_demo_signing_events_hold_demo_projects_signed_near_them(demo_run):
    events = list(SigningEvent.objects.order_by("date"))
    assert [e.date for e in events] == [datetime.date(2021, 3, 26), datetime.date(2021, 6, 18), datetime.date(2021, 9, 28)]
    assert all(e.name.startswith("【演示】2021年") for e in events)
    links = list(SigningEventProject.objects.select_related("event", "project", "linked_by"))
    per_event = collections.Counter(link.event_id for link in links)
    assert [per_event[e.pk] for e in events] == [8, 6, 7], "as many of the nearest projects as each event takes"
    assert f"已载入演示集中签约活动 3 场，关联演示项目 {len(links)} 个" in demo_run.first_output
    for link in links:
        assert link.project.code.startswith("DEMO") and link.project.status != Project.Status.WITHDRAWN
        assert abs((link.project.signed_on - link.event.date).days) <= EVENT_SIGNING_TOLERANCE_DAYS
        assert link.linked_by.username == "admin" and link.history.get().history_user == link.linked_by
    # Each event took the demo projects signed nearest to it: none left out was nearer.
    linked = {link.project_id for link in links}
    for event in events:
        farthest = max(abs((link.project.signed_on - event.date).days) for link in links if link.event_id == event.pk)
        closer = datetime.timedelta(days=farthest - 1)
        nearer = Project.objects.filter(code__startswith="DEMO", signed_on__range=(event.date - closer, event.date + closer))
        assert not nearer.exclude(status=Project.Status.WITHDRAWN).exclude(pk__in=linked).exists()
    today = timezone.localdate()
    rows = events_of_year(2021, cohort_rules(2021), today)
    assert [row.linked for row in reversed(rows)] == [8, 6, 7]
    assert all(row.today.signed > 0 and row.today.agreement_capital > 0 for row in rows)
    reviewer = get_user_model().objects.get(username="demo_reviewer")
    page = client_for(reviewer).get(reverse("signing_event_list"), {"year": 2021}).content.decode()
    assert all(event.name in page for event in events)
    first = events[0]
    page = client_for(reviewer).get(reverse("signing_event_detail", args=[first.pk])).content.decode()
    assert all(link.project.code in page for link in links if link.event_id == first.pk)


def test_demo_task_reports_fill_the_matrix_with_a_mix_of_states(demo_run):
    today = timezone.localdate()
    reports = TaskReport.objects.all()
    assert reports.exists() and all(r.progress.startswith("【演示】") for r in reports)
    pairs = sum(len(task.reporting_units()) for task in KeyTask.objects.filter(year=2021).with_units())
    filed_per_quarter = collections.Counter(reports.values_list("quarter", flat=True))
    assert f"重点任务季报 {reports.count()} 份（其中 1 份已退回待重报，{4 * pairs - reports.count()} 份未报）" in demo_run.first_output
    latest = task_matrix(year=2021, quarter=4, today=today)
    assert latest.counts["overdue"] == pairs - filed_per_quarter[4] > 0
    assert latest.counts["returned"] == 1
    assert latest.counts["on_track"] > latest.counts["behind"] > 0 and latest.counts["done"] > 0
    for quarter in (1, 2, 3):
        matrix = task_matrix(year=2021, quarter=quarter, today=today)
        assert 0 < matrix.counts["overdue"] == pairs - filed_per_quarter[quarter] < latest.counts["overdue"]
    # Filed around each quarter's due date, a few (迟报) after it; the history says the same.
    late = [r for r in reports if r.is_late]
    assert 0 < len(late) < reports.count() * 0.1
    for report in reports:
        filed_on = timezone.localdate(report.first_submitted_at)
        assert quarter_end(2021, report.quarter) - datetime.timedelta(days=6) <= filed_on
        assert filed_on <= due_date(2021, report.quarter) + datetime.timedelta(days=20)
    returned = TaskReport.objects.get(state=ReportState.RETURNED)
    assert returned.quarter == 4 and returned.unit.name == "涪陵新城区", "in the demo staff member's to-do"
    assert returned.return_comment.startswith("【演示】") and not returned.is_late
    refiled = TaskReport.objects.exclude(return_comment="").get(state=ReportState.SUBMITTED)
    history = list(refiled.history.order_by("history_id"))
    assert [h.state for h in history] == ["submitted", "returned", "submitted"] and refiled.quarter == 3
    assert [h.history_date for h in history] == sorted(h.history_date for h in history)
    assert history[0].history_date == refiled.first_submitted_at < refiled.returned_at < refiled.submitted_at
    assert refiled.submitted_at.year == 2021 and all(h.history_user.username == "admin" for h in history)
    page = client_for(get_user_model().objects.get(username="demo_staff")).get(reverse("task_report_detail", args=[returned.pk]))
    assert returned.return_comment in page.content.decode()


def test_demo_group_reports_freeze_the_figures_of_the_day_they_were_written(demo_run):
    demo_groups = collections.Counter(
        Project.objects.filter(code__startswith="DEMO", group__isnull=False).values_list("group__number", flat=True)
    )
    busiest = sorted(demo_groups, key=lambda number: (-demo_groups[number], number))[:2]
    reports = GroupReport.objects.select_related("group", "submitted_by").order_by("group__number", "quarter")
    assert sorted({r.group.number for r in reports}) == sorted(busiest)
    assert len(reports) == 7 and "专项招商组季报 7 份" in demo_run.first_output
    rules = rules_for(2021)
    for report in reports:
        frozen = GroupFigures.from_json(report.figures)
        assert frozen.as_of == timezone.localdate(report.submitted_at)
        assert frozen == group_figures(report.group, year=2021, quarter=report.quarter, rules=rules, today=frozen.as_of)
        assert report.text.startswith("【演示】") and report.submitted_by.username == "admin"
    assert sum(GroupFigures.from_json(r.figures).year_projects.count for r in reports if r.quarter == 4) > 0
    of_year = group_reports_of_year(year=2021, today=timezone.localdate())
    states = {group.number: [quarter.state for quarter in quarters] for group, quarters in of_year}
    first, second = busiest
    assert states[first] == ["submitted", "late", "submitted", "submitted"]
    assert states[second] == ["submitted", "submitted", "submitted", "overdue"]
    assert all(state == ["overdue"] * 4 for number, state in states.items() if number not in busiest)


def demo_counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Project, SigningEvent, SigningEventProject, TaskReport, GroupReport))


def test_demo_events_and_reports_load_once_and_are_removed(demo_run):
    projects, events, links, task_reports, group_reports = counts = demo_counts()
    again = demo_run()
    assert "演示集中签约活动" not in again and "演示季报" not in again
    assert demo_counts() == counts
    assert remove_demo_events() == events == 3
    assert not SigningEventProject.objects.exists() and Project.objects.count() == projects
    assert remove_demo_reports() == task_reports + group_reports
    assert not TaskReport.objects.exists() and not GroupReport.objects.exists()
    assert demo_run().count("已载入演示") == 2, "the events and the reports, not the projects, load again"
    assert demo_counts() == counts
