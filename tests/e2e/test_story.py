"""The whole story in a real browser (issue 3's proof).

Park staff enters a project and submits it; a reviewer returns it with a reason; the staff
member sees the reason, fixes the project and resubmits; the reviewer approves; the dashboard
ranking and the unit page change accordingly; a leader sees it all and has no edit button.
"""

import os

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from access.roles import Role
from projects.demo import load_demo_data
from projects.models import Project, Status
from targets.models import Unit
from tests.e2e.conftest import log_in, log_out
from tests.factories import user_with_role

PASSWORD = "演示-Fuling-2021"
SCREENSHOTS = settings.BASE_DIR / "docs" / "screenshots"


@pytest.fixture
def fuling(transactional_db):
    call_command("loaddata", "fuling_2021", verbosity=0)
    park = Unit.objects.get(name="涪陵新城区")
    return {
        "park": park,
        "staff": user_with_role(Role.STAFF, park, username="xinchengqu", password=PASSWORD),
        "reviewer": user_with_role(Role.REVIEWER, username="shenhe", password=PASSWORD),
        "leader": user_with_role(Role.LEADER, username="lingdao", password=PASSWORD),
    }


def park_row(page):
    return page.locator("table.ranking tbody tr", has_text="涪陵新城区")


def test_a_project_goes_from_entry_through_return_and_approval_into_the_ranking(open_page, fuling):
    page = open_page()
    # Returning and approving ask first (static/js/confirm.js): the users agree.
    page.on("dialog", lambda dialog: dialog.accept())

    # Park staff enters a project and submits it.
    log_in(page, "xinchengqu", PASSWORD)
    expect(park_row(page)).to_contain_text("0.00")
    page.get_by_role("link", name="项目", exact=True).click()
    page.get_by_role("link", name="新建项目").click()
    page.get_by_label("项目名称").fill("页岩气装备制造基地")
    page.get_by_label("投资方").fill("上海某某装备集团有限公司")
    page.get_by_label("产业类型").select_option(label="工业")
    page.get_by_label("项目来源").select_option(label="市外")
    page.get_by_label("协议资金（亿元）").fill("25")
    page.get_by_label("签约日期").fill("2021-03-15")
    page.get_by_role("button", name="预览计分").click()
    expect(page.locator(".score-preview")).to_contain_text("重大项目")
    expect(page.locator(".score-preview")).to_contain_text("25.00")
    page.get_by_role("button", name="保存并提交").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("页岩气装备制造基地")
    expect(page.locator(".badge.submitted").first).to_be_visible()
    log_out(page)

    # A reviewer returns it with a reason.
    log_in(page, "shenhe", PASSWORD)
    page.get_by_role("link", name="审核", exact=True).click()
    row = page.locator("tr", has_text="页岩气装备制造基地")
    row.locator("summary", has_text="退回").click()
    row.get_by_label("退回原因").fill("请补充投资协议扫描件，并核实协议资金。")
    row.get_by_role("button", name="确认退回").click()
    expect(page.get_by_text("目前没有待审核的项目")).to_be_visible()
    log_out(page)

    # The staff member sees it on the dashboard, under 已退回 with the reason, fixes the amount and resubmits.
    log_in(page, "xinchengqu", PASSWORD)
    todo = page.locator("section.todo")
    expect(todo.locator("li.todo-item", has_text="已退回的项目")).to_contain_text("请补充投资协议扫描件，并核实协议资金。")
    expect(page.locator("nav .badge.count")).to_have_text("1")
    todo.get_by_role("link", name="页岩气装备制造基地").click()
    expect(page.get_by_role("alert")).to_contain_text("请补充投资协议扫描件，并核实协议资金。")
    page.get_by_role("link", name="编辑").click()
    page.get_by_label("协议资金（亿元）").fill("26")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".badge.submitted").first).to_be_visible()
    log_out(page)

    # The reviewer approves.
    log_in(page, "shenhe", PASSWORD)
    page.get_by_role("link", name="审核", exact=True).click()
    page.locator("tr", has_text="页岩气装备制造基地").get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("目前没有待审核的项目")).to_be_visible()
    project = Project.objects.get(name="页岩气装备制造基地")
    assert project.status == Status.APPROVED and project.agreement_capital == 26

    # The dashboard ranking and the unit page now count it.
    page.get_by_role("link", name="首页").click()
    expect(park_row(page).locator("td").first).to_have_text("1")
    expect(park_row(page)).to_contain_text("26.00")
    park_row(page).get_by_role("link", name="涪陵新城区").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("涪陵新城区")
    credit_lines = page.locator("section", has_text="协议资金：完成 26.00 亿元")
    expect(credit_lines.get_by_role("link", name=project.code)).to_be_visible()
    expect(credit_lines).to_contain_text("26.00 × 100% × 100% = 26.00")
    log_out(page)

    # A leader sees it all and cannot change anything.
    log_in(page, "lingdao", PASSWORD)
    expect(park_row(page)).to_contain_text("26.00")
    page.get_by_role("link", name="项目", exact=True).click()
    page.get_by_role("link", name="页岩气装备制造基地").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("页岩气装备制造基地")
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)
    expect(page.get_by_role("button", name="审核通过")).to_have_count(0)
    expect(page.get_by_role("link", name="新建项目")).to_have_count(0)


def test_the_dashboard_with_the_demo_data_renders_its_charts_in_chinese(open_page, fuling):
    load_demo_data(year=2021)
    page = open_page()
    log_in(page, "lingdao", PASSWORD)
    expect(page.locator(".chart canvas").first).to_be_visible()
    assert page.locator(".chart canvas").count() == 3
    expect(park_row(page)).to_be_visible()
    # README's screenshot, refreshed on demand (SCREENSHOTS=1 make test) so a test run leaves the tree clean.
    shot = page.screenshot(full_page=True)
    assert shot.startswith(b"\x89PNG")
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / "dashboard.png").write_bytes(shot)

    phone = open_page(width=375, height=800)
    log_in(phone, "lingdao", PASSWORD)
    expect(phone.locator(".chart canvas").first).to_be_visible()
    project = Project.objects.filter(status=Status.APPROVED).first()
    for url in ["/", "/projects/", f"/projects/{project.pk}/", f"/units/{fuling['park'].pk}/", "/groups/", "/targets/2021/"]:
        phone.goto(url)
        # Wide tables scroll inside their own box; the page itself never scrolls sideways.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, url
