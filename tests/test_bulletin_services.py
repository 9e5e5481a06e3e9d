"""Generating, publishing and scheduling bulletins (reports.services), with tasks run in-process."""

import datetime
import threading
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from access.roles import Role
from figures.assessment import assess
from projects.models import Project
from reports import jobs, services
from reports.models import Bulletin, GenerationJob, Notification
from reports.snapshot import take_snapshot
from reports.tasks import draft_due_bulletin_task, generate_bulletin_task
from targets.models import RuleSet, Unit
from targets.scoring import Indicator, Period
from tests.factories import domain_example, user_with_role

D = Decimal
I = Indicator
Q2 = Period(2021, 2)


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


@pytest.fixture
def projects(fuling_2021):
    return domain_example()


@pytest.fixture
def reviewer(db):
    return user_with_role(Role.REVIEWER, username="shenhe")


# --- Generating ----------------------------------------------------------------------------------


def test_generating_stores_a_draft_whose_figures_are_the_engines(projects):
    generated = services.generate_bulletin(year=2021, quarter=2, today=datetime.date(2021, 7, 5))

    bulletin = Bulletin.objects.get()
    assert generated.changed and generated.bulletin == bulletin and bulletin.state == Bulletin.State.DRAFT
    snapshot = bulletin.read_snapshot()
    assert snapshot == take_snapshot(period=Q2, issued_on=datetime.date(2021, 7, 5))
    rows = {row.name: row for section in snapshot.sections for row in section.rows}
    for result in assess(Q2):
        row = rows[result.unit.name]
        assert row.rank == result.rank and row.score == result.score
        for indicator in I:
            assert row.cells[indicator].actual == result.indicators[indicator].actual
            assert row.cells[indicator].target == result.indicators[indicator].target
    assert rows["临港经济区"].cells[I.AGREEMENT_CAPITAL].actual == D("1.92")
    assert rows["区商务委"].cells[I.AGREEMENT_CAPITAL].actual == D("0.48")
    assert bytes(bulletin.pdf).startswith(b"%PDF") and bytes(bulletin.xlsx).startswith(b"PK")


def test_the_quarter_lists_its_major_and_large_projects_only(projects):
    q1 = services.generate_bulletin(year=2021, quarter=1).bulletin.read_snapshot()
    q2 = services.generate_bulletin(year=2021, quarter=2).bulletin.read_snapshot()

    assert [(p.code, p.tier) for p in q1.projects] == [(projects["first"].code, "重大项目")]
    assert [(p.code, p.tier, p.cooperating_units) for p in q2.projects] == [(projects["joint"].code, "较大项目", "区商务委")]


def test_generating_again_replaces_the_draft_with_the_new_figures(projects):
    first = services.generate_bulletin(year=2021, quarter=2).bulletin
    Project.objects.filter(pk=projects["first"].pk).update(agreement_capital=D("40"))

    second = services.generate_bulletin(year=2021, quarter=2).bulletin

    assert second.pk == first.pk and Bulletin.objects.count() == 1
    park = next(r for r in second.read_snapshot().sections[0].rows if r.name == "涪陵新城区")
    assert park.cells[I.AGREEMENT_CAPITAL].actual == 40


def test_a_published_bulletin_never_changes_whatever_is_edited_or_regenerated(projects, reviewer):
    bulletin = services.publish_bulletin(bulletin=services.generate_bulletin(year=2021, quarter=2).bulletin, user=reviewer)
    before = Bulletin.objects.get(pk=bulletin.pk)
    Project.objects.filter(pk=projects["first"].pk).update(agreement_capital=D("99"))
    RuleSet.objects.filter(year=2021).update(lead_share=D("0.5"))

    again = services.generate_bulletin(year=2021, quarter=2)

    assert not again.changed and "已发布" in again.outcome
    after = Bulletin.objects.get(pk=bulletin.pk)
    assert (after.snapshot, bytes(after.pdf), bytes(after.xlsx)) == (before.snapshot, bytes(before.pdf), bytes(before.xlsx))
    assert after.generated_at == before.generated_at and after.state == Bulletin.State.PUBLISHED


def test_the_database_refuses_a_second_bulletin_for_the_same_quarter(projects):
    bulletin = services.generate_bulletin(year=2021, quarter=2).bulletin
    with pytest.raises(IntegrityError), transaction.atomic():
        Bulletin.objects.create(
            year=2021, quarter=2, snapshot=bulletin.snapshot, pdf=b"", xlsx=b"", generated_at=timezone.now()
        )


def test_the_database_refuses_a_published_bulletin_without_its_date(projects):
    bulletin = services.generate_bulletin(year=2021, quarter=2).bulletin
    with pytest.raises(IntegrityError), transaction.atomic():
        Bulletin.objects.filter(pk=bulletin.pk).update(state=Bulletin.State.PUBLISHED)


def test_a_year_without_rules_cannot_be_generated(db):
    with pytest.raises(Exception, match="2030年尚未设置考核规则"):
        services.generate_bulletin(year=2030, quarter=1)
    assert not Bulletin.objects.exists()


# --- Publishing --------------------------------------------------------------------------------


def test_publishing_records_when_and_by_whom(projects, reviewer):
    bulletin = services.generate_bulletin(year=2021, quarter=2).bulletin
    published = services.publish_bulletin(bulletin=bulletin, user=reviewer)

    stored = Bulletin.objects.get(pk=bulletin.pk)
    assert stored.state == Bulletin.State.PUBLISHED and stored.published_by == reviewer
    assert stored.published_at == published.published_at and stored.published_at is not None


def test_a_bulletin_cannot_be_published_twice(projects, reviewer):
    bulletin = services.publish_bulletin(bulletin=services.generate_bulletin(year=2021, quarter=2).bulletin, user=reviewer)
    with pytest.raises(services.BulletinError, match="已于.*发布"):
        services.publish_bulletin(bulletin=bulletin, user=reviewer)


# --- Jobs ------------------------------------------------------------------------------------------


def test_a_request_is_queued_and_runs_once_the_transaction_commits(projects, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.request_bulletin(year=2021, quarter=2, user=reviewer)
    assert job.state == GenerationJob.State.QUEUED and not Bulletin.objects.exists()

    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert job.state == GenerationJob.State.DONE and job.bulletin == Bulletin.objects.get()
    assert job.started_at and job.finished_at and job.outcome == "已生成草稿，待审核员发布。"


def test_a_job_the_broker_cannot_take_fails_with_a_message_instead_of_waiting(
    projects, reviewer, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(generate_bulletin_task, "delay", broker_down)  # Redis is outside the project
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.request_bulletin(year=2021, quarter=2, user=reviewer)

    job.refresh_from_db()
    assert job.state == GenerationJob.State.FAILED and job.finished_at is not None
    assert job.error == "无法连接任务队列（ConnectionRefusedError），请稍后重试或联系系统管理员。"
    assert not Bulletin.objects.exists()


def test_a_second_request_for_a_period_being_generated_returns_the_same_job(projects, reviewer):
    first = jobs.request_bulletin(year=2021, quarter=2, user=reviewer)
    assert jobs.request_bulletin(year=2021, quarter=2, user=reviewer) == first
    assert GenerationJob.objects.count() == 1


@pytest.mark.parametrize(
    "year, quarter, message",
    [
        (2030, 1, "2030年尚未设置考核规则"),
        (2021, 5, "季度须为1–4"),
    ],
)
def test_a_request_for_an_impossible_period_is_refused_with_the_reason(projects, reviewer, year, quarter, message):
    with pytest.raises(services.BulletinError, match=message):
        jobs.request_bulletin(year=year, quarter=quarter, user=reviewer)
    assert not GenerationJob.objects.exists()


def test_a_quarter_that_has_not_begun_is_refused(projects):
    with pytest.raises(services.BulletinError, match="尚未开始"):
        services.check_period(year=2021, quarter=3, today=datetime.date(2021, 6, 30))
    services.check_period(year=2021, quarter=3, today=datetime.date(2021, 7, 1))


def test_a_job_that_never_finished_is_given_up_so_the_period_can_be_asked_for_again(projects, reviewer):
    lost = jobs.request_bulletin(year=2021, quarter=2, user=reviewer)  # its message never reached a worker
    GenerationJob.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=1))

    again = jobs.request_bulletin(year=2021, quarter=2, user=reviewer)

    lost.refresh_from_db()
    assert again != lost and again.state == GenerationJob.State.QUEUED
    assert lost.state == GenerationJob.State.FAILED and "长时间未完成" in lost.error
    assert generate_bulletin_task.apply(args=[lost.pk]).get() == GenerationJob.State.FAILED  # a late delivery does nothing
    assert not Bulletin.objects.exists()


def test_a_request_for_a_published_period_is_refused(projects, reviewer):
    services.publish_bulletin(bulletin=services.generate_bulletin(year=2021, quarter=2).bulletin, user=reviewer)
    with pytest.raises(services.BulletinError, match="已发布"):
        jobs.request_bulletin(year=2021, quarter=2, user=reviewer)


def test_a_finished_job_delivered_again_does_nothing(projects):
    job = GenerationJob.objects.create(year=2021, quarter=2)
    assert generate_bulletin_task.apply(args=[job.pk]).get() == GenerationJob.State.DONE
    generated_at = Bulletin.objects.get().generated_at

    assert generate_bulletin_task.apply(args=[job.pk]).get() == GenerationJob.State.DONE

    assert Bulletin.objects.get().generated_at == generated_at


def test_a_failed_generation_is_recorded_with_its_error(projects):
    job = GenerationJob.objects.create(year=2021, quarter=2)
    RuleSet.objects.filter(year=2021).delete()

    generate_bulletin_task.apply(args=[job.pk])

    job.refresh_from_db()
    assert job.state == GenerationJob.State.FAILED and "2021年尚未设置考核规则" in job.error
    assert job.finished_at is not None and not Bulletin.objects.exists()


def test_a_job_that_no_longer_exists_is_ignored(db):
    assert generate_bulletin_task.apply(args=[12345]).get() is None


def test_without_a_broker_a_requested_task_runs_in_a_thread_of_its_own(settings):
    settings.TASKS_IN_THREAD = True
    started = threading.Event()
    ran_in = []

    class Task:
        name = "probe"

        def apply(self, args):
            ran_in.append((threading.current_thread().name, args))
            started.set()

    jobs.enqueue(Task(), 7)

    assert started.wait(10)
    assert ran_in == [("task-probe", (7,))]


# --- The schedule ------------------------------------------------------------------------------------


def test_the_beat_drafts_at_two_on_the_fifth_day_after_each_quarter():
    entry = settings.CELERY_BEAT_SCHEDULE["draft-quarterly-bulletin"]
    assert entry["task"] == draft_due_bulletin_task.name
    assert entry["schedule"] == crontab(minute=0, hour=2, day_of_month=5, month_of_year="1,4,7,10")
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    schedule = entry["schedule"]
    assert (schedule.minute, schedule.hour, schedule.day_of_month) == ({0}, {2}, {5})
    assert schedule.month_of_year == {1, 4, 7, 10}


@pytest.mark.parametrize(
    "today, period",
    [
        (datetime.date(2021, 4, 5), (2021, 1)),
        (datetime.date(2021, 7, 5), (2021, 2)),
        (datetime.date(2021, 10, 5), (2021, 3)),
        (datetime.date(2022, 1, 5), (2021, 4)),
    ],
)
def test_the_scheduled_draft_is_of_the_quarter_that_just_ended(today, period):
    assert services.previous_quarter(today) == period


def test_the_scheduled_draft_is_generated_and_the_reviewers_are_told(projects, reviewer):
    admin = user_with_role(Role.ADMINISTRATOR, username="admin1")
    user_with_role(Role.LEADER, username="lingdao")
    user_with_role(Role.STAFF, unit("涪陵新城区"), username="tianbao")

    job = services.draft_due_bulletin(today=datetime.date(2021, 7, 5))

    assert job.state == GenerationJob.State.DONE and job.requested_by is None
    bulletin = Bulletin.objects.get(year=2021, quarter=2)
    assert bulletin.state == Bulletin.State.DRAFT and bulletin.read_snapshot().issued_on == timezone.localdate()
    notes = Notification.objects.order_by("user__username")
    assert [n.user.username for n in notes] == ["admin1", "shenhe"]
    assert notes[0].message == "2021年第2季度通报草稿已自动生成，请核对后发布。"
    assert notes[0].link == f"/reports/{bulletin.pk}/"
    assert admin.notifications.count() == 1


def test_a_scheduled_draft_run_twice_tells_each_reviewer_once(projects, reviewer):
    services.draft_due_bulletin(today=datetime.date(2021, 7, 5))
    services.draft_due_bulletin(today=datetime.date(2021, 7, 5))

    assert Bulletin.objects.count() == 1
    assert Notification.objects.filter(user=reviewer).count() == 1


def test_the_schedule_leaves_a_published_bulletin_and_a_year_without_rules_alone(projects, reviewer):
    services.publish_bulletin(bulletin=services.generate_bulletin(year=2021, quarter=2).bulletin, user=reviewer)

    assert services.draft_due_bulletin(today=datetime.date(2021, 7, 5)) is None
    assert services.draft_due_bulletin(today=datetime.date(2031, 1, 5)) is None
    assert not Notification.objects.exists()
