"""Bulletins in a real browser: a reviewer generates and publishes one, the page follows a job
without being reloaded by hand, a leader downloads the PDF."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from access.roles import Role
from reports import services
from reports.models import Bulletin, GenerationJob
from targets.models import Unit
from tests.e2e.conftest import log_in, log_out
from tests.factories import ProjectFactory, user_with_role

PASSWORD = "演示-Fuling-2021"


@pytest.fixture
def fuling(transactional_db):
    call_command("loaddata", "fuling_2021", verbosity=0)
    park = Unit.objects.get(name="涪陵新城区")
    ProjectFactory(lead_unit=park, name="页岩气装备制造基地", agreement_capital=Decimal("25"), signed_on=datetime.date(2021, 4, 15))
    return {
        "reviewer": user_with_role(Role.REVIEWER, username="shenhe", password=PASSWORD),
        "leader": user_with_role(Role.LEADER, username="lingdao", password=PASSWORD),
    }


def test_a_reviewer_generates_and_publishes_a_bulletin_and_a_leader_downloads_it(open_page, fuling, tmp_path):
    page = open_page()
    page.on("dialog", lambda dialog: dialog.accept())  # publishing asks first (static/js/confirm.js)
    log_in(page, "shenhe", PASSWORD)
    page.get_by_role("link", name="通报", exact=True).click()
    page.locator("select[name=year]").select_option("2021")
    page.locator("select[name=quarter]").select_option("2")
    page.get_by_role("button", name="生成").click()
    expect(page.locator(".messages")).to_contain_text("已提交生成 2021年第2季度通报")
    job_row = page.locator("table.jobs tbody tr").first
    expect(job_row).to_contain_text("已完成")

    job_row.get_by_role("link", name="查看").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("涪陵区招商引资工作2021年第2季度通报")
    expect(page.locator(".bulletin-state")).to_contain_text("草稿")
    expect(page.locator("table.bulletin-table tr", has_text="涪陵新城区").first).to_contain_text("25.00")
    expect(page.locator("table", has_text="页岩气装备制造基地")).to_contain_text("重大项目")
    page.get_by_role("button", name="发布").click()
    expect(page.locator(".bulletin-state")).to_contain_text("已发布")
    expect(page.get_by_role("button", name="发布")).to_have_count(0)
    log_out(page)

    log_in(page, "lingdao", PASSWORD)
    page.get_by_role("link", name="通报", exact=True).click()
    expect(page.get_by_role("button", name="生成")).to_have_count(0)
    page.get_by_role("link", name="涪陵区招商引资工作2021年第2季度通报").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename == "涪陵区招商引资2021年第2季度通报.pdf"
    saved = tmp_path / "bulletin.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == bytes(Bulletin.objects.get().pdf)
    text = subprocess.run(["pdftotext", "-layout", str(saved), "-"], capture_output=True, check=True, text=True).stdout
    assert "涪陵新城区" in text and "页岩气装备制造基地" in text


def test_the_reports_page_follows_a_job_and_lists_its_bulletin_without_a_reload(open_page, fuling):
    job = GenerationJob.objects.create(year=2021, quarter=2, requested_by=fuling["reviewer"])  # waiting for a worker
    page = open_page()
    log_in(page, "shenhe", PASSWORD)
    page.goto("/reports/")
    state = page.locator(f'tr[data-job="{job.pk}"] [data-job-state]')
    expect(state).to_have_text("排队中")
    expect(page.locator("#bulletin-list")).to_contain_text("还没有生成任何通报")
    # What the reviewer is doing meanwhile stays as it is: the page is not reloaded.
    page.locator("select[name=quarter]").select_option("3")
    page.evaluate("window.notReloaded = true")

    services.run_job(job_id=job.pk)  # the worker's turn

    expect(state).to_have_text("已完成", timeout=20_000)
    expect(page.locator("#bulletin-list table.bulletins")).to_contain_text("涪陵区招商引资工作2021年第2季度通报", timeout=20_000)
    expect(page.locator("#bulletin-list")).not_to_contain_text("还没有生成任何通报")
    expect(page.locator("#jobs-live")).to_have_text("生成已结束，通报列表已更新。")
    assert page.evaluate("window.notReloaded === true")
    expect(page.locator("select[name=quarter]")).to_have_value("3")


def test_each_job_s_bulletin_is_listed_as_soon_as_that_job_finishes(open_page, fuling):
    first = GenerationJob.objects.create(year=2021, quarter=1, requested_by=fuling["reviewer"])
    second = GenerationJob.objects.create(year=2021, quarter=2, requested_by=fuling["reviewer"])
    page = open_page()
    log_in(page, "shenhe", PASSWORD)
    page.goto("/reports/")
    expect(page.locator(f'tr[data-job="{second.pk}"] [data-job-state]')).to_have_text("排队中")

    services.run_job(job_id=first.pk)  # the second one waits for the worker

    expect(page.locator("#bulletin-list")).to_contain_text("涪陵区招商引资工作2021年第1季度通报", timeout=20_000)
    expect(page.locator(f'tr[data-job="{second.pk}"] [data-job-state]')).to_have_text("排队中")


def test_after_publishing_the_job_row_says_published(open_page, fuling):
    job = services.run_job(job_id=GenerationJob.objects.create(year=2021, quarter=2, requested_by=fuling["reviewer"]).pk)
    page = open_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "shenhe", PASSWORD)
    page.goto("/reports/")
    row = page.locator(f'tr[data-job="{job.pk}"]')
    expect(row).to_contain_text("待审核员发布")
    row.get_by_role("link", name="查看").click()
    page.get_by_role("button", name="发布").click()
    expect(page.locator(".bulletin-state")).to_contain_text("已发布")
    page.get_by_role("link", name="通报", exact=True).click()
    expect(row).to_contain_text("通报已发布")
    expect(row).not_to_contain_text("待审核员发布")


def test_a_failed_job_shows_its_error_on_the_page(open_page, fuling):
    job = GenerationJob.objects.create(year=2021, quarter=2, requested_by=fuling["reviewer"])
    page = open_page()
    log_in(page, "shenhe", PASSWORD)
    page.goto("/reports/")
    expect(page.locator(f'tr[data-job="{job.pk}"] [data-job-state]')).to_have_text("排队中")

    GenerationJob.objects.filter(pk=job.pk).update(state=GenerationJob.State.FAILED, error="2021年尚未设置考核规则（年度规则），无法计算。")

    row = page.locator(f'tr[data-job="{job.pk}"]')
    expect(row.locator("[data-job-state]")).to_have_text("失败", timeout=20_000)
    expect(row).to_contain_text("2021年尚未设置考核规则")


def test_the_reports_pages_fit_a_phone(open_page, fuling):
    bulletin = services.generate_bulletin(year=2021, quarter=4).bulletin
    phone = open_page(width=375, height=800)
    log_in(phone, "shenhe", PASSWORD)
    for url in ["/reports/", f"/reports/{bulletin.pk}/"]:
        phone.goto(url)
        # Wide tables scroll inside their own box; the page itself never scrolls sideways.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, url
