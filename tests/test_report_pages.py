"""The reports pages: the list, generating and watching a job, one bulletin, downloads, publishing."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from access.roles import Role
from lib import display
from projects.models import Project
from reports import services
from reports.models import Bulletin, GenerationJob, Notification
from targets.models import Unit
from leads.models import ActivityKind
from tests.factories import ActivityFactory, ArrivalFactory, LeadFactory, ProjectFactory, client_for, user_with_role

D = Decimal


@pytest.fixture
def world(fuling_2021):
    park = Unit.objects.get(name="涪陵新城区")
    project = ProjectFactory(
        lead_unit=park, name="<b>页岩气</b>装备基地", agreement_capital=D("25"), signed_on=datetime.date(2021, 4, 15)
    )
    ArrivalFactory(project=project, amount=D("3"), arrived_on=datetime.date(2021, 5, 15))
    reviewer = user_with_role(Role.REVIEWER, username="shenhe")
    return {
        "park": park,
        "project": project,
        "reviewer": reviewer,
        "leader": user_with_role(Role.LEADER, username="lingdao"),
        "staff": user_with_role(Role.STAFF, park, username="tianbao"),
    }


def draft(quarter=2):
    return services.generate_bulletin(year=2021, quarter=quarter).bulletin


def published(world, quarter=1):
    return services.publish_bulletin(bulletin=draft(quarter), user=world["reviewer"])


def text_of(response) -> str:
    return response.content.decode()


# --- The list -----------------------------------------------------------------------------------


def test_reviewers_see_drafts_and_published_bulletins_with_the_generate_form(world):
    q1, q2 = published(world), draft()
    page = text_of(client_for(world["reviewer"]).get(reverse("report_list")))
    assert q1.title in page and q2.title in page
    assert "生成通报" in page and 'action="/reports/generate/"' in page


@pytest.mark.parametrize("who", ["leader", "staff"])
def test_leaders_and_unit_staff_see_only_published_bulletins_and_no_form(world, who):
    q1, q2 = published(world), draft()
    page = text_of(client_for(world[who]).get(reverse("report_list")))
    assert q1.title in page and q2.title not in page
    assert "生成通报" not in page and "/reports/generate/" not in page
    assert reverse("bulletin_pdf", args=[q1.pk]) in page


# session, user, role (groups), recent jobs (with requester and bulletin), reminders, bulletins,
# the menu's unread count, the years that have rules (the form), the menu's to-do counts, the
# organisation (the page's title)
LIST_QUERIES = 10


def test_the_list_reads_a_constant_number_of_queries(world, django_assert_num_queries):
    client = client_for(world["reviewer"])
    published(world, 1)
    draft(2)
    GenerationJob.objects.create(year=2021, quarter=2, requested_by=world["reviewer"])
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("report_list"))
    draft(3)
    for _ in range(5):
        GenerationJob.objects.create(year=2021, quarter=3, requested_by=world["reviewer"])
    Notification.objects.create(user=world["reviewer"], message="提醒", link="/reports/")
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("report_list"))


# --- Generating and watching -------------------------------------------------------------------------


def test_generating_queues_a_job_and_says_so(world, django_capture_on_commit_callbacks):
    client = client_for(world["reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bulletin_generate"), {"year": "2021", "quarter": "2"})
    assert response.status_code == 302 and response["Location"] == reverse("report_list")
    job = GenerationJob.objects.get()
    assert job.requested_by == world["reviewer"] and job.state == GenerationJob.State.DONE
    page = text_of(client.get(reverse("report_list")))
    assert f"已提交生成 2021年第2季度通报（任务 {job.pk}）" in page
    assert "已完成" in page and reverse("bulletin_detail", args=[job.bulletin_id]) in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"year": "2030", "quarter": "1"}, "该年度尚未设置考核规则，无法生成通报。"),
        ({"year": "2021", "quarter": "5"}, "季度须为1–4。"),
        ({"year": "", "quarter": ""}, "这个字段是必填项。"),
    ],
)
def test_a_bad_period_is_refused_with_a_message_and_nothing_queued(world, data, message):
    client = client_for(world["reviewer"])
    response = client.post(reverse("bulletin_generate"), data, follow=True)
    assert message in text_of(response)
    assert not GenerationJob.objects.exists()


def test_a_published_period_is_not_generated_again(world):
    q1 = published(world)
    response = client_for(world["reviewer"]).post(reverse("bulletin_generate"), {"year": 2021, "quarter": 1}, follow=True)
    assert "2021年第1季度的通报已发布，内容不再改变，不能重新生成。" in text_of(response)
    assert not GenerationJob.objects.exists() and Bulletin.objects.get(pk=q1.pk).snapshot == q1.snapshot


def test_a_job_still_running_is_marked_for_the_page_to_watch(world):
    job = GenerationJob.objects.create(year=2021, quarter=2, requested_by=world["reviewer"])
    page = text_of(client_for(world["reviewer"]).get(reverse("report_list")))
    assert f'data-job-url="{reverse("job_status", args=[job.pk])}" data-pending' in page
    assert "排队中" in page and "js/jobs.js" in page


def test_a_job_that_never_finished_is_shown_as_interrupted_and_not_watched(world):
    job = GenerationJob.objects.create(year=2021, quarter=2, requested_by=world["reviewer"])
    GenerationJob.objects.filter(pk=job.pk).update(requested_at=job.requested_at - datetime.timedelta(hours=1))
    page = text_of(client_for(world["reviewer"]).get(reverse("report_list")))
    assert "长时间未完成，后台任务可能已中断" in page and "data-pending" not in page


def test_the_job_status_answers_its_state_as_json(world):
    job = GenerationJob.objects.create(year=2021, quarter=2, requested_by=world["reviewer"])
    client = client_for(world["reviewer"])
    assert json.loads(client.get(reverse("job_status", args=[job.pk])).content) == {
        "id": job.pk, "state": "queued", "label": "排队中", "finished": False, "outcome": "", "error": "",
        "bulletin_url": None,
    }  # fmt: skip
    services.run_job(job_id=job.pk)
    answer = json.loads(client.get(reverse("job_status", args=[job.pk])).content)
    assert answer["state"] == "done" and answer["finished"] and answer["label"] == "已完成"
    assert answer["bulletin_url"] == reverse("bulletin_detail", args=[Bulletin.objects.get().pk])


def job_row(page: str, job: GenerationJob) -> str:
    row = page[page.index(f'<tr data-job="{job.pk}"') :]
    return row[: row.index("</tr>")]


def test_once_its_bulletin_is_published_the_job_row_says_so_and_no_longer_awaits_publication(world):
    job = services.run_job(job_id=GenerationJob.objects.create(year=2021, quarter=2, requested_by=world["reviewer"]).pk)
    client = client_for(world["reviewer"])
    assert "已生成草稿，待审核员发布。" in job_row(text_of(client.get(reverse("report_list"))), job)

    services.publish_bulletin(bulletin=job.bulletin, user=world["reviewer"])

    row = job_row(text_of(client.get(reverse("report_list"))), job)
    assert "待审核员发布" not in row
    assert "通报已发布。" in row and reverse("bulletin_detail", args=[job.bulletin_id]) in row
    answer = json.loads(client.get(reverse("job_status", args=[job.pk])).content)
    assert answer["outcome"] == "通报已发布。"  # what static/js/jobs.js writes into the row


def test_a_job_that_finishes_while_the_page_is_read_is_never_shown_done_beside_a_list_without_its_bulletin(world):
    """The page reads the jobs and the bulletins one after the other; the job may finish in between."""
    job = GenerationJob.objects.create(year=2021, quarter=2, requested_by=world["reviewer"])
    client = client_for(world["reviewer"])
    worker = {"ran": False}

    def the_worker_finishes_after_the_first_of_the_two_reads(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        reads = ('FROM "reports_generationjob"', 'FROM "reports_bulletin"')
        if not worker["ran"] and sql.lstrip().startswith("SELECT") and any(table in sql for table in reads):
            worker["ran"] = True  # the worker's own queries pass through here too
            services.run_job(job_id=job.pk)
        return result

    with connection.execute_wrapper(the_worker_finishes_after_the_first_of_the_two_reads):
        page = text_of(client.get(reverse("report_list")))
    job.refresh_from_db()
    assert worker["ran"] and job.state == GenerationJob.State.DONE
    row = job_row(page, job)
    listed = "涪陵区招商引资工作2021年第2季度通报" in page[page.index('id="bulletin-list"') :]
    # Either the job is still watched (the page lists the bulletin when it finishes) or the list has it.
    assert "data-pending" in row or listed


def test_a_failed_job_shows_its_error(world):
    job = GenerationJob.objects.create(
        year=2021, quarter=2, requested_by=world["reviewer"], state=GenerationJob.State.FAILED, error="字体<损坏>"
    )
    page = text_of(client_for(world["reviewer"]).get(reverse("report_list")))
    assert "失败" in page and "字体&lt;损坏&gt;" in page
    assert json.loads(client_for(world["reviewer"]).get(reverse("job_status", args=[job.pk])).content)["error"] == "字体<损坏>"


# --- One bulletin -------------------------------------------------------------------------------------


def test_the_web_view_shows_the_snapshots_figures(world):
    bulletin = draft()
    snapshot = bulletin.read_snapshot()
    page = text_of(client_for(world["reviewer"]).get(reverse("bulletin_detail", args=[bulletin.pk])))
    assert snapshot.title in page and snapshot.summary[0] in page
    park = next(row for row in snapshot.sections[0].rows if row.name == "涪陵新城区")
    assert f'<td class="num">{park.rank}</td>\n          <td class="unit-name">涪陵新城区</td>' in page
    assert "25.00" in page and "160.00" in page and "15.63%" in page  # 25 of 160
    assert f'{display.rate(park.overall_rate)}</td>' in page and "综合完成率" in page
    assert "草稿" in page and "发布" in page


def test_the_web_view_escapes_what_users_typed(world):
    bulletin = draft()
    page = text_of(client_for(world["reviewer"]).get(reverse("bulletin_detail", args=[bulletin.pk])))
    assert "&lt;b&gt;页岩气&lt;/b&gt;装备基地" in page and "<b>页岩气</b>" not in page


def test_the_web_view_reads_the_snapshot_not_the_database(world):
    bulletin = draft()
    Project.objects.filter(pk=world["project"].pk).update(agreement_capital=D("77"))
    page = text_of(client_for(world["reviewer"]).get(reverse("bulletin_detail", args=[bulletin.pk])))
    assert "25.00" in page and "77.00" not in page


def test_a_published_bulletin_says_when_and_by_whom_and_offers_no_publish_or_regenerate(world):
    bulletin = published(world)
    page = text_of(client_for(world["reviewer"]).get(reverse("bulletin_detail", args=[bulletin.pk])))
    assert "已发布：" in page and "发布人 shenhe" in page and "都不会改变本通报" in page
    assert reverse("bulletin_publish", args=[bulletin.pk]) not in page and "重新生成</button>" not in page


def test_leaders_see_a_published_bulletin_without_the_reviewers_buttons(world):
    bulletin = published(world)
    page = text_of(client_for(world["leader"]).get(reverse("bulletin_detail", args=[bulletin.pk])))
    assert bulletin.title in page and "下载 PDF" in page
    assert "<form" not in page.split("</header>", 1)[1]  # nothing to post but the logout in the header


def test_the_year_end_assessment_shows_points_scores_and_the_five_year_goal(world):
    bulletin = draft(quarter=4)
    page = text_of(client_for(world["reviewer"]).get(reverse("bulletin_detail", args=[bulletin.pk])))
    assert "2021年度考核通报" in page and "考核得分与排名" in page and "“5311”目标进度" in page
    assert page.count('<th class="num">得分</th>') >= 6


def test_the_bulletin_page_shows_the_quarters_activities_and_leads(world):
    ActivityFactory(unit=world["park"], kind=ActivityKind.PUBLICITY, date=datetime.date(2021, 5, 20))
    LeadFactory(owner_unit=world["park"])
    page = text_of(client_for(world["reviewer"]).get(reverse("bulletin_detail", args=[draft().pk])))
    assert "招商活动（2021年4月1日至2021年6月30日）" in page
    assert "<th class=\"num\">新闻宣传</th>" in page and "<th class=\"num\">拟签约</th>" in page
    assert '<tr><td>涪陵新城区</td><td class="num">0</td><td class="num">0</td><td class="num">0</td><td class="num">0</td><td class="num">0</td><td class="num">1</td><td class="num">1</td></tr>' in page


def test_a_bulletin_generated_before_the_activity_section_shows_none(world):
    bulletin = draft()
    stored = dict(bulletin.snapshot)
    del stored["activities"]
    Bulletin.objects.filter(pk=bulletin.pk).update(snapshot=stored)
    page = text_of(client_for(world["reviewer"]).get(reverse("bulletin_detail", args=[bulletin.pk])))
    assert "专项招商组" in page and "招商活动（" not in page


BULLETIN_PAGE_QUERIES = 7  # was 5: the menu's to-do counts (审核, 核实) and the organisation (the title) came on top


def test_the_bulletin_page_reads_a_constant_number_of_queries(world, django_assert_num_queries):
    client = client_for(world["reviewer"])
    small = draft()
    client.get(reverse("bulletin_detail", args=[small.pk]))
    with django_assert_num_queries(BULLETIN_PAGE_QUERIES):
        client.get(reverse("bulletin_detail", args=[small.pk]))
    for n in range(30):
        ProjectFactory(lead_unit=world["park"], agreement_capital=D("30"), signed_on=datetime.date(2021, 5, 1))
    large = services.generate_bulletin(year=2021, quarter=2).bulletin
    assert len(large.read_snapshot().projects) == 31
    with django_assert_num_queries(BULLETIN_PAGE_QUERIES):
        client.get(reverse("bulletin_detail", args=[large.pk]))


# --- Downloads ---------------------------------------------------------------------------------------------


def test_the_pdf_download_is_the_stored_file_with_a_chinese_name(world):
    bulletin = published(world)
    response = client_for(world["staff"]).get(reverse("bulletin_pdf", args=[bulletin.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(bulletin.pdf)
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "%E7%AC%AC1%E5%AD%A3%E5%BA%A6" in response["Content-Disposition"]  # 第1季度


def test_the_excel_download_is_the_stored_workbook(world):
    bulletin = draft()
    response = client_for(world["reviewer"]).get(reverse("bulletin_xlsx", args=[bulletin.pk]))
    assert response.content == bytes(bulletin.xlsx)
    assert "%EF%BC%88%E8%8D%89%E7%A8%BF%EF%BC%89" in response["Content-Disposition"]  # （草稿）
    assert "园区" in load_workbook(io.BytesIO(response.content)).sheetnames


# --- Publishing ----------------------------------------------------------------------------------------------


def test_publishing_from_the_page_freezes_the_bulletin(world):
    bulletin = draft()
    response = client_for(world["reviewer"]).post(reverse("bulletin_publish", args=[bulletin.pk]), follow=True)
    assert "已发布。此后内容不再改变" in text_of(response)
    stored = Bulletin.objects.get(pk=bulletin.pk)
    assert stored.state == Bulletin.State.PUBLISHED and stored.published_by == world["reviewer"]


def test_publishing_twice_says_it_is_already_published(world):
    bulletin = published(world)
    response = client_for(world["reviewer"]).post(reverse("bulletin_publish", args=[bulletin.pk]), follow=True)
    assert "不能再次发布" in text_of(response)


# --- Notifications -----------------------------------------------------------------------------------------------


def test_a_reviewer_sees_unread_notifications_in_the_menu_and_can_mark_them_read(world):
    services.draft_due_bulletin(today=datetime.date(2021, 7, 5))
    client = client_for(world["reviewer"])
    page = text_of(client.get(reverse("dashboard")))
    assert '<span class="badge unread" title="未读提醒">1</span>' in page
    assert "2021年第2季度通报草稿已自动生成，请核对后发布。" in text_of(client.get(reverse("report_list")))

    client.post(reverse("notifications_read"))

    assert 'class="badge unread"' not in text_of(client.get(reverse("dashboard")))
    assert not Notification.objects.unread_for(world["reviewer"]).exists()


def test_leaders_have_no_notification_badge_nor_the_reviewers_reminders(world):
    services.draft_due_bulletin(today=datetime.date(2021, 7, 5))
    page = text_of(client_for(world["leader"]).get(reverse("report_list")))
    assert "badge unread" not in page and "提醒" not in page
