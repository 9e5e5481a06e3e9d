"""The pipeline's story in a real browser.

Park staff starts a lead from a target enterprise's page, logs a visit for it, moves it to 洽谈
and sees it on the board, then converts it into a signed project (the project form prefilled
from the lead). A reviewer finds the lead signed and linked to its project, and the week of the
visit in the activity index, where the park counts the visit and the signing.

The visit and the signing are dated in 2021, the year the reference data has a rule set for
(the index's weights are the year's rules).
"""

import datetime
import os
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from access.roles import Role
from chains.models import ChainNode, Level
from leads.models import Lead, LeadStage, TargetEnterprise
from projects.models import Project, Status
from targets.models import Unit
from tests.e2e.conftest import log_in, log_out
from tests.factories import user_with_role

PASSWORD = "演示-Fuling-2021"
SCREENSHOTS = settings.BASE_DIR / "docs" / "screenshots"

ENTERPRISE = "深圳某某微电子股份有限公司"
LEAD_NAME = f"{ENTERPRISE}投资项目"  # what the lead form proposes for a lead from this enterprise
VISIT = datetime.date(2021, 6, 8)  # a Tuesday: ISO week 23 of 2021 (7–13 June)
SIGNED = datetime.date(2021, 6, 10)  # the same week
WEEK = VISIT.isocalendar()
VISIT_SUMMARY = "赴深圳拜访某某微电子，洽谈芯片封测基地落户"

# The index table's columns: rank, unit, index, then a count and a score for each part in the
# order of targets.activity_index.PART_LABELS (项目签约, 项目开工, 外出拜访, …).
SIGNED_COUNT, VISITS_OUT_COUNT, VISITS_OUT_SCORE = 3, 7, 8


@pytest.fixture
def pipeline(transactional_db):
    call_command("loaddata", "fuling_2021", "chains_2021", verbosity=0)
    park = Unit.objects.get(name="涪陵新城区")
    link = ChainNode.objects.filter(level=Level.LINK, name="芯片设计").first()
    enterprise = TargetEnterprise.objects.create(name=ENTERPRISE, province="广东省", city="深圳市")
    enterprise.chain_links.add(link)
    return {
        "park": park,
        "link": link,
        "enterprise": enterprise,
        "staff": user_with_role(Role.STAFF, park, username="xinchengqu", password=PASSWORD),
        "reviewer": user_with_role(Role.REVIEWER, username="shenhe", password=PASSWORD),
    }


def shoot(page, name: str) -> None:
    """docs/screenshots/<name>, refreshed on demand (SCREENSHOTS=1) so a test run leaves the tree clean."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def fact(page, term: str):
    """The <dd> after the <dt> `term` in a facts list (线索信息, 项目信息)."""
    return page.locator("dl.facts dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def test_a_lead_goes_from_an_enterprise_through_a_visit_and_talks_into_a_signed_project(open_page, pipeline):
    page = open_page()
    page.on("dialog", lambda dialog: dialog.accept())
    deadline = timezone.localdate() + datetime.timedelta(days=30)

    # Staff find the enterprise in the library and start a lead from its page.
    log_in(page, "xinchengqu", PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="目标企业").click()
    page.get_by_role("link", name=ENTERPRISE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ENTERPRISE)
    page.get_by_role("link", name="新建线索").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建线索")
    # The form starts from the enterprise: its name, the enterprise, its chain link.
    expect(page.get_by_label("线索名称")).to_have_value(LEAD_NAME)
    expect(page.get_by_label("目标企业")).to_have_value(ENTERPRISE)
    expect(page.get_by_label("产业链环节")).to_have_value(str(pipeline["link"].pk))
    expect(page.get_by_text("责任单位：涪陵新城区")).to_be_visible()
    page.get_by_label("责任人").fill("王五")
    page.get_by_label("渠道").select_option(label="拜访招商")
    page.get_by_label("阶段", exact=True).select_option(label="线索")
    page.get_by_label("意向投资额（亿元）").fill("8.5")
    page.get_by_label("下一步").fill("安排企业高层来涪考察园区")
    page.get_by_label("截止日期").fill(f"{deadline:%Y-%m-%d}")
    shoot(page, "pipeline-1-lead-form.png")
    page.get_by_role("button", name="保存").click()

    lead = Lead.objects.get(name=LEAD_NAME)
    expect(page.locator(".messages")).to_contain_text(f"线索「{LEAD_NAME}」已保存（编号 {lead.code}）")
    expect(page.get_by_role("heading", level=1)).to_contain_text(LEAD_NAME)
    expect(page.locator("h1 .badge.stage-clue")).to_have_text("线索")
    expect(fact(page, "目标企业")).to_have_text(ENTERPRISE)
    expect(fact(page, "责任单位")).to_have_text("涪陵新城区")
    expect(fact(page, "意向投资额")).to_have_text("8.50 亿元")
    expect(fact(page, "截止日期")).to_have_text(f"{deadline:%Y-%m-%d}")
    expect(fact(page, "最近活动")).to_have_text("尚无")
    expect(page.get_by_text("尚无招商活动记录。")).to_be_visible()

    # They log the visit from the lead's page, dated in 2021.
    page.get_by_role("link", name="登记活动").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记招商活动")
    expect(page.get_by_text(f"为线索 {lead.code} {LEAD_NAME} 登记活动")).to_be_visible()
    expect(page.get_by_label("线索", exact=True)).to_have_value(lead.code)
    expect(page.get_by_label("目标企业")).to_have_value(ENTERPRISE)
    page.get_by_label("类型").select_option(label="外出拜访")
    page.get_by_label("日期").fill(f"{VISIT:%Y-%m-%d}")
    page.get_by_label("事由").fill(VISIT_SUMMARY)
    page.get_by_label("参加人员").fill("张三（园区主任）、王五")
    page.get_by_label("地点").fill("深圳市南山区")
    shoot(page, "pipeline-2-activity-form.png")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(rf"/leads/{lead.pk}/$"))
    expect(page.locator(".messages")).to_contain_text(f"已登记招商活动：{VISIT:%Y-%m-%d} 外出拜访「{VISIT_SUMMARY}」")
    activities = page.locator("section", has=page.locator("#activities-title"))
    expect(activities.locator("h2")).to_contain_text("1 次")
    visit_row = activities.locator("tbody tr")
    expect(visit_row).to_have_count(1)
    expect(visit_row).to_contain_text(f"{VISIT:%Y-%m-%d}")
    expect(visit_row).to_contain_text("外出拜访")
    expect(visit_row).to_contain_text("涪陵新城区")
    expect(visit_row.get_by_role("link", name=VISIT_SUMMARY)).to_be_visible()
    expect(fact(page, "最近活动")).to_have_text(f"{VISIT:%Y-%m-%d}")

    # They move it to 洽谈.
    stage_card = page.get_by_role("region", name="改变阶段")
    stage_card.get_by_label("新阶段").select_option(label="洽谈")
    stage_card.get_by_role("button", name="保存阶段").click()
    expect(page.locator(".messages")).to_contain_text("线索阶段已改为「洽谈」。")
    expect(page.locator("h1 .badge.stage-negotiating")).to_have_text("洽谈")
    # The visit was months ago: the lead in talks is marked stale, the visit's date as the last sign of life.
    expect(page.locator("p.message.warning", has_text="已停滞")).to_contain_text(f"自 {VISIT:%Y-%m-%d} 起")
    expect(page.locator("table.history")).to_contain_text("洽谈")
    shoot(page, "pipeline-3-lead-negotiating.png")

    # Their unit's board shows it in the 洽谈 column.
    page.get_by_role("link", name="看板").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("涪陵新城区")
    talks = page.get_by_role("region", name="洽谈", exact=True)
    expect(talks.locator(".badge.count")).to_have_text("1")
    card = talks.locator("li.lead-card", has_text=LEAD_NAME)
    expect(card).to_contain_text(lead.code)
    expect(card).to_contain_text("王五")
    expect(card).to_contain_text("下一步：安排企业高层来涪考察园区")
    expect(page.get_by_role("region", name="线索", exact=True).locator(".badge.count")).to_have_text("0")
    shoot(page, "pipeline-4-board.png")

    # They convert it into a signed project: the project form comes prefilled from the lead.
    card.get_by_role("link", name=LEAD_NAME).click()
    page.get_by_role("link", name="转为签约项目").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("录入项目")
    expect(page.get_by_role("note")).to_contain_text(f"由线索 {lead.code} {LEAD_NAME} 转为签约项目")
    expect(page.get_by_label("项目名称")).to_have_value(LEAD_NAME)
    expect(page.get_by_label("投资方")).to_have_value(ENTERPRISE)
    expect(page.get_by_label("协议资金（亿元）")).to_have_value("8.5")
    expect(page.get_by_label("产业链环节")).to_have_value(str(pipeline["link"].pk))
    expect(page.get_by_text("牵头单位：涪陵新城区")).to_be_visible()
    page.get_by_label("产业类型").select_option(label="工业")
    page.get_by_label("项目来源").select_option(label="市外")
    page.get_by_label("签约日期").fill(f"{SIGNED:%Y-%m-%d}")
    page.get_by_role("button", name="预览计分").click()
    expect(page.locator(".score-preview")).to_contain_text("8.50")
    # The preview keeps what the lead prefilled.
    expect(page.get_by_label("投资方")).to_have_value(ENTERPRISE)
    shoot(page, "pipeline-5-project-form.png")
    page.get_by_role("button", name="保存并提交").click()

    project = Project.objects.get(name=LEAD_NAME)
    assert project.status == Status.SUBMITTED and project.agreement_capital == 8.5
    assert project.investor == ENTERPRISE and project.chain_link == pipeline["link"]
    expect(page.locator(".messages")).to_contain_text(f"线索「{LEAD_NAME}」已转为签约项目（编号 {project.code}")
    expect(page.locator(".messages")).to_contain_text("线索改为「已签约」")
    expect(page.get_by_role("heading", level=1)).to_contain_text(LEAD_NAME)
    expect(page.locator(".badge.submitted").first).to_be_visible()
    page.get_by_role("link", name=f"{lead.code} {LEAD_NAME}").click()

    # The lead is signed, names its project and cannot move any more.
    expect(page.locator("h1 .badge.stage-signed")).to_have_text("已签约")
    expect(fact(page, "签约项目").get_by_role("link")).to_have_text(f"{project.code} {LEAD_NAME}")
    expect(page.get_by_role("region", name="改变阶段")).to_have_count(0)
    expect(page.get_by_role("link", name="转为签约项目")).to_have_count(0)
    expect(page.locator("p.message.warning", has_text="已停滞")).to_have_count(0)
    shoot(page, "pipeline-6-lead-signed.png")
    log_out(page)

    # A reviewer sees it among the signed leads on the board, and in the list.
    log_in(page, "shenhe", PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="线索", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("线索看板")
    expect(page.locator("p.hint", has_text="已签约")).to_contain_text("已签约 1 条")
    expect(page.get_by_role("region", name="洽谈", exact=True).locator(".badge.count")).to_have_text("0")
    page.get_by_role("link", name="列表", exact=True).click()
    row = page.locator("table.lead-table tbody tr", has_text=lead.code)
    expect(row).to_contain_text("已签约")
    expect(row).to_contain_text(ENTERPRISE)
    expect(row).to_contain_text(f"{VISIT:%Y-%m-%d}")
    row.get_by_role("link", name=LEAD_NAME).click()
    expect(fact(page, "签约项目").get_by_role("link")).to_have_text(f"{project.code} {LEAD_NAME}")
    fact(page, "签约项目").get_by_role("link").click()
    expect(fact(page, "来源线索").get_by_role("link")).to_have_text(f"{lead.code} {LEAD_NAME}")

    # The activity index of the visit's week counts the park's visit and its signing.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="活跃指数").click()
    picker = page.get_by_role("form", name="选择周次")
    picker.get_by_label("ISO 年份").fill(str(WEEK.year))
    picker.get_by_label("第").fill(str(WEEK.week))
    picker.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"招商活跃指数 · {WEEK.year}年第{WEEK.week}周")
    expect(picker).to_contain_text("2021年6月7日（周一）至 2021年6月13日（周日）")
    parks = page.locator("section", has=page.get_by_role("heading", name="园区活跃指数排名"))
    park = parks.locator("tbody tr", has=page.locator("td.unit-name", has_text="涪陵新城区"))
    cells = park.locator("td")
    expect(cells.nth(0)).to_have_text("1")
    expect(cells.nth(SIGNED_COUNT)).to_have_text("1")
    expect(cells.nth(VISITS_OUT_COUNT)).to_have_text("1")
    expect(cells.nth(VISITS_OUT_SCORE)).not_to_have_text("0.00")
    # Another park did nothing that week.
    other = parks.locator("tbody tr", has=page.locator("td.unit-name", has_text="白涛园区"))
    expect(other.locator("td").nth(VISITS_OUT_COUNT)).to_have_text("0")
    shoot(page, "pipeline-7-activity-index.png")

    lead.refresh_from_db()
    assert lead.stage == LeadStage.SIGNED and lead.project == project and lead.last_activity_on == VISIT
