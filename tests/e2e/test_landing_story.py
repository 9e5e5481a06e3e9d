"""Landing and supervision in a real browser.

(a) Park staff record the actual 开工 of one of their approved projects with an evidence file; it
waits as 待核实 and counts nowhere. A reviewer verifies it from the verification queue; the unit's
and the district's 开工率 on 落地跟踪, and the dashboard's 项目落地 block, move by one project.

(b) A responsible unit's staff file a quarterly report on a key task; the reviewer finds it in the
tasks × units matrix and returns it with a comment; the staff see the comment on the report and
in their to-do, refile, and the matrix shows the refiled status.

Both stories also walk the pages as a hurried clerk would: dates in the wrong order or year, an
empty report, another unit's project or unit in the URL. The figures are measured at the end of
2021 (the year the reference data has rules and key tasks for).
"""

import datetime
import os
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from access.roles import Role
from landing.models import Milestone, MilestoneKind
from lib import display
from projects.models import Status
from supervision.models import FIELD_REQUIRED, KeyTask, ReportState, TaskReport
from supervision.services import RETURN_COMMENT_REQUIRED
from targets.models import Unit
from tests.e2e.conftest import log_in, log_out
from tests.factories import MilestoneFactory, ProjectFactory, user_with_role

PASSWORD = "演示-Fuling-2021"
SCREENSHOTS = settings.BASE_DIR / "docs" / "screenshots"
PERIOD = "year=2021&quarter=4"
AS_OF = datetime.date(2021, 12, 31)  # the quarter's last day: what 落地跟踪 and the dashboard measure at
START_LIMIT_DAYS = 180  # the 2021 rule set's 开工时限
# A minimal PDF: what the evidence check reads is its first bytes.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

PROJECT = "页岩气装备制造基地"
SIGNED = datetime.date(2021, 3, 15)
STARTED = datetime.date(2021, 9, 1)


def shoot(target, name: str) -> None:
    """docs/screenshots/<name> of a page or one of its parts, refreshed on demand (SCREENSHOTS=1)
    so a test run leaves the tree clean."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if hasattr(target, "goto"):
        target.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    else:
        target.screenshot(path=str(SCREENSHOTS / name))


def rate(part: int, whole: int) -> str:
    """A rate as the pages print it: 1 of 3 → "33.33%"; "–" when nothing was signed."""
    return display.rate(Decimal(part) / Decimal(whole) if whole else None)


@dataclass(frozen=True)
class Cohort:
    """What a unit's (or the district's) landing figures should be at AS_OF, from the projects the
    test made: (signing date, date of a verified 开工 or None) each."""

    projects: list[tuple[datetime.date, datetime.date | None]]

    @property
    def signed(self) -> int:
        return len(self.projects)

    @property
    def started(self) -> int:
        return sum(1 for _, started in self.projects if started is not None and started <= AS_OF)

    @property
    def overdue(self) -> int:
        return sum(
            1
            for signed, started in self.projects
            if signed + datetime.timedelta(days=START_LIMIT_DAYS) < AS_OF and (started is None or started > AS_OF)
        )

    @property
    def start_rate(self) -> str:
        return rate(self.started, self.signed)

    def with_start(self, signed_on: datetime.date, started_on: datetime.date) -> "Cohort":
        """The cohort once the project signed on `signed_on` (and not started) has a verified 开工."""
        projects = list(self.projects)
        projects[projects.index((signed_on, None))] = (signed_on, started_on)
        return Cohort(projects)


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("loaddata", "fuling_2021", "key_tasks_2021", verbosity=0)
    park = Unit.objects.get(name="涪陵新城区")
    other = Unit.objects.get(name="白涛园区")
    target = ProjectFactory(lead_unit=park, name=PROJECT, agreement_capital=Decimal("25"), signed_on=SIGNED)
    earlier = ProjectFactory(lead_unit=park, name="智能终端产业园", signed_on=datetime.date(2021, 2, 1))
    MilestoneFactory(project=earlier, kind=MilestoneKind.STARTED, actual_on=datetime.date(2021, 6, 1), verified=True)
    ProjectFactory(lead_unit=park, name="冷链物流中心", signed_on=datetime.date(2021, 10, 20))  # its deadline is in 2022
    ProjectFactory(lead_unit=park, name="未审核的项目", signed_on=datetime.date(2021, 4, 1), status=Status.SUBMITTED)
    elsewhere = ProjectFactory(lead_unit=other, name="白涛化工新材料项目", signed_on=datetime.date(2021, 4, 1))
    park_cohort = Cohort(
        [(SIGNED, None), (datetime.date(2021, 2, 1), datetime.date(2021, 6, 1)), (datetime.date(2021, 10, 20), None)]
    )
    other_cohort = Cohort([(datetime.date(2021, 4, 1), None)])
    return {
        "park": park,
        "other": other,
        "project": target,
        "elsewhere": elsewhere,
        "park_cohort": park_cohort,
        "district_cohort": Cohort(park_cohort.projects + other_cohort.projects),
        "staff": user_with_role(Role.STAFF, park, username="xinchengqu", password=PASSWORD),
        "reviewer": user_with_role(Role.REVIEWER, username="shenhe", password=PASSWORD),
    }


def stat(page, label: str):
    """The value of a stat block (落地跟踪's figures) by its label."""
    return page.locator(".stats .stat", has=page.locator(".label", has_text=label)).locator(".value")


def tracking_row(page, unit: str):
    return page.locator("table.landing-rates tbody tr", has=page.locator("td.unit-name", has_text=unit))


def landing_block_row(page, label: str):
    """A row of the dashboard's 项目落地 block: 签约, 开工率, 投产率, 超时限未开工."""
    block = page.get_by_role("region", name="项目落地")
    return block.locator("table.landing-summary tbody tr", has=page.locator("th", has_text=label))


def expect_tracking(page, unit: str, cohort: Cohort, district: Cohort) -> None:
    """The district view of 落地跟踪 shows these figures for `unit` and the district."""
    expect(stat(page, "全区开工率")).to_have_text(district.start_rate)
    expect(page.locator(".stats .stat", has_text="全区开工率").locator(".sub")).to_have_text(
        f"{district.started} / {district.signed} 个"
    )
    expect(stat(page, "超时限未开工")).to_have_text(f"{district.overdue} 个")
    cells = tracking_row(page, unit).locator("td")
    expect(cells.nth(1)).to_have_text(str(cohort.signed))
    expect(cells.nth(2)).to_have_text(str(cohort.started))
    expect(cells.nth(3)).to_have_text(cohort.start_rate)
    expect(cells.nth(6)).to_have_text(str(cohort.overdue))


def expect_landing_block(page, unit: str, cohort: Cohort, district: Cohort) -> None:
    for label, figures in (("全区", district), (unit, cohort)):
        cells = landing_block_row(page, label).locator("td")
        expect(cells.nth(0)).to_have_text(str(figures.signed))
        expect(cells.nth(1)).to_have_text(figures.start_rate)
        expect(cells.nth(3)).to_have_text(str(figures.overdue))


def test_a_verified_start_moves_the_start_rate(open_page, world, tmp_path):
    project, park = world["project"], world["park"]
    before_unit, before_district = world["park_cohort"], world["district_cohort"]
    after_unit, after_district = before_unit.with_start(SIGNED, STARTED), before_district.with_start(SIGNED, STARTED)
    assert (before_unit.start_rate, after_unit.start_rate) == ("33.33%", "66.67%")  # the data says what it should
    page = open_page()
    page.on("dialog", lambda dialog: dialog.accept())
    report = tmp_path / "开工报告.pdf"
    report.write_bytes(PDF)

    # Before: the staff's own view of 落地跟踪 and their dashboard.
    log_in(page, "xinchengqu", PASSWORD)
    page.goto(f"/?{PERIOD}")
    expect_landing_block(page, park.name, before_unit, before_district)
    page.goto(f"/landing/tracking/?{PERIOD}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"落地跟踪 · {park.name} · 2021年第4季度")
    expect(stat(page, "开工率")).to_have_text(before_unit.start_rate)
    expect(stat(page, "超时限未开工")).to_have_text(f"{before_unit.overdue} 个")
    deadline = SIGNED + datetime.timedelta(days=START_LIMIT_DAYS)
    expect(page.locator("table.landing-overdue tbody tr", has_text=PROJECT)).to_contain_text(f"{deadline:%Y-%m-%d}")

    # A hurried clerk: another unit's project, and another unit's 落地跟踪, by their ids.
    response = page.goto(f"/landing/projects/{world['elsewhere'].pk}/milestones/")
    assert response.status == 404
    response = page.goto(f"/landing/tracking/?unit={world['other'].pk}")
    assert response.status == 404

    # The project's page: section 项目节点.
    page.goto(f"/projects/{project.pk}/")
    milestones = page.get_by_role("region", name="项目节点")
    started_row = milestones.locator("table.milestones tbody tr", has=page.locator("th", has_text="开工"))
    expect(started_row.locator("td").nth(1)).to_have_text("未达到")

    # First, in a hurry: 开工 the day before the signing.
    milestones.get_by_label("开工实际日期").fill(f"{SIGNED - datetime.timedelta(days=1):%Y-%m-%d}")
    milestones.get_by_role("button", name="保存节点").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("项目节点")
    form = page.locator("form.milestone-form")
    expect(form.locator(".field", has=page.get_by_label("开工实际日期")).locator("p.error")).to_contain_text(
        f"早于项目的签约日期 {SIGNED:%Y-%m-%d}"
    )

    # 投产 before 开工 with 开工 after the signing; then a future date; then a year typed as 0021.
    form.get_by_label("开工实际日期").fill(f"{STARTED:%Y-%m-%d}")
    form.get_by_label("投产实际日期").fill("2021-08-01")
    form.get_by_role("button", name="保存节点").click()
    expect(form.locator(".field", has=page.get_by_label("投产实际日期")).locator("p.error")).to_contain_text(
        f"早于开工实际日期 {STARTED:%Y-%m-%d}：节点不能早于前一个节点"
    )
    expect(form.locator(".field", has=page.get_by_label("开工实际日期")).locator("p.error")).to_have_count(0)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form.get_by_label("投产实际日期").fill("")
    form.get_by_label("开工实际日期").fill(f"{tomorrow:%Y-%m-%d}")
    form.get_by_label("开工凭证（可选）").set_input_files(str(report))
    form.get_by_role("button", name="保存节点").click()
    expect(form.locator(".field", has=page.get_by_label("开工实际日期")).locator("p.error")).to_contain_text(
        f"晚于今天（{timezone.localdate():%Y-%m-%d}）"
    )
    # The file chosen is not kept by a refused entry: the page says so.
    expect(form.locator("p.message.warning")).to_contain_text("请重新选择凭证文件")
    form.get_by_label("开工实际日期").fill("0021-09-01")
    form.get_by_role("button", name="保存节点").click()
    expect(form.locator(".field", has=page.get_by_label("开工实际日期")).locator("p.error")).to_contain_text("不能早于 2000 年")
    expect(form.locator("p.message.warning")).to_have_count(0)  # no file chosen this time
    assert not Milestone.objects.filter(project=project).exists()

    # Back on the project's page, now right: 开工 on its day, with the report as evidence.
    page.get_by_role("link", name="返回项目").click()
    milestones = page.get_by_role("region", name="项目节点")
    milestones.get_by_label("开工计划日期").fill("2021-08-15")
    milestones.get_by_label("开工实际日期").fill(f"{STARTED:%Y-%m-%d}")
    milestones.get_by_label("开工凭证（可选）").set_input_files(str(report))
    shoot(milestones, "landing-1-milestone-form.png")
    milestones.get_by_role("button", name="保存节点").click()

    expect(page.locator(".messages")).to_contain_text("已保存节点：开工；实际日期待招商局审核员核实后计入。")
    milestones = page.get_by_role("region", name="项目节点")
    started_row = milestones.locator("table.milestones tbody tr", has=page.locator("th", has_text="开工"))
    expect(started_row.locator("td").nth(0)).to_have_text("2021-08-15")
    expect(started_row.locator("td").nth(1)).to_have_text(f"{STARTED:%Y-%m-%d}")
    expect(started_row.locator(".badge.pending")).to_have_text("待核实")
    expect(started_row.get_by_role("link", name="开工报告.pdf")).to_be_visible()
    expect(started_row.get_by_role("button", name="核实")).to_have_count(0)  # staff do not verify
    milestone = Milestone.objects.get(project=project, kind=MilestoneKind.STARTED)
    assert milestone.actual_on == STARTED and not milestone.verified and milestone.evidence_name == "开工报告.pdf"

    # Unverified, it counts nowhere yet.
    page.goto(f"/landing/tracking/?{PERIOD}")
    expect(stat(page, "开工率")).to_have_text(before_unit.start_rate)
    log_out(page)

    # The reviewer: the queue lists it with its evidence; 核实.
    log_in(page, "shenhe", PASSWORD)
    page.goto(f"/landing/tracking/?{PERIOD}")
    expect(page.get_by_role("heading", level=1)).to_have_text("落地跟踪 · 2021年第4季度")
    expect_tracking(page, park.name, before_unit, before_district)
    # A unit id that is not one (a digit Python's isdigit() accepts and int() refuses) is no unit.
    assert page.goto("/landing/tracking/?unit=²").status == 404
    assert page.goto("/signing-events/?year=²").status == 200
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="核实", exact=True).click()
    queue = page.get_by_role("region", name="待核实项目节点")
    row = queue.locator("tbody tr", has_text=project.code)
    expect(row.locator("td").nth(2)).to_have_text(park.name)
    expect(row.locator("td").nth(3)).to_have_text("开工")
    expect(row.locator("td").nth(4)).to_have_text(f"{STARTED:%Y-%m-%d}")
    expect(row.locator("td").nth(5)).to_have_text("2021-08-15")
    evidence = row.get_by_role("link", name="开工报告.pdf")
    served = page.request.get(evidence.get_attribute("href"))
    assert served.status == 200 and served.headers["content-type"] == "application/pdf" and served.body() == PDF
    shoot(page, "landing-2-verification-queue.png")
    row.get_by_role("button", name="核实").click()
    expect(page.locator(".messages")).to_contain_text(f"已核实 {project.code} 的开工日期 {STARTED:%Y-%m-%d}，该节点已计入。")
    expect(page.get_by_text("没有待核实的项目节点。")).to_be_visible()
    milestone.refresh_from_db()
    assert milestone.verified and milestone.verified_by == world["reviewer"]

    # 落地跟踪, district-wide and the unit's view: one more project started, one fewer overdue.
    page.goto(f"/landing/tracking/?{PERIOD}")
    expect_tracking(page, park.name, after_unit, after_district)
    shoot(page, "landing-3-tracking.png")
    tracking_row(page, park.name).get_by_role("link", name=park.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"落地跟踪 · {park.name} · 2021年第4季度")
    expect(stat(page, "签约")).to_have_text(f"{after_unit.signed} 个")
    expect(stat(page, "开工率")).to_have_text(after_unit.start_rate)
    expect(page.locator(".stats .stat", has_text="开工率").locator(".sub")).to_have_text(f"开工 {after_unit.started} 个")
    expect(stat(page, "超时限未开工")).to_have_text(f"{after_unit.overdue} 个")
    expect(page.locator("table.landing-overdue tbody tr", has_text=PROJECT)).to_have_count(0)
    log_out(page)

    # The staff's dashboard block moved with it.
    log_in(page, "xinchengqu", PASSWORD)
    page.goto(f"/?{PERIOD}")
    expect_landing_block(page, park.name, after_unit, after_district)
    shoot(page.get_by_role("region", name="项目落地"), "landing-4-dashboard.png")


# --- (b) A key task's quarterly report: filed, returned, refiled -----------------------------------

TASK_NUMBER = 2  # 实施专业招商: 各园区 are among its responsible units
QUARTER = 2  # due 2021-07-05: filed today, it is late
PROGRESS = "本季度赴长三角开展专业招商 3 次，对接芯片封测企业 5 家，签约项目 2 个。"
PROBLEMS = "专业招商人员不足，产业链图谱尚未更新。"
NEXT_STEPS = "下季度组织珠三角专题招商活动，完成产业链图谱更新。"
RETURN_COMMENT = "进展与签约数据不符：本季度本单位只签约 1 个项目，请核实并如实选择推进状态。"


def matrix_cell(page, unit: str, task_number: int):
    """The matrix's cell of `unit` for the task numbered `task_number` (one column per task, in order)."""
    row = page.locator("table.task-matrix tbody tr", has=page.locator("th.unit", has_text=unit))
    return row.locator("td").nth(task_number - 1)


def legend_count(page, label: str):
    return page.get_by_role("list", name="图例").locator("li", has_text=label).locator(".swatch")


def open_matrix(page, year: int, quarter: int) -> None:
    """The reviewer's way in: the menu, then the quarter picker."""
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="重点任务").click()
    picker = page.get_by_role("form", name="选择年度和季度")
    picker.get_by_label("年度").select_option(str(year))
    picker.get_by_label("季度").select_option(label=f"第{quarter}季度")
    picker.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"重点任务推进情况总表 · {year}年第{quarter}季度")


def test_a_returned_task_report_is_refiled_and_the_matrix_shows_it(open_page, world):
    park, other = world["park"], world["other"]
    task = KeyTask.objects.get(year=2021, number=TASK_NUMBER)
    not_ours = next(t for t in KeyTask.objects.filter(year=2021).with_units() if not t.is_reported_by(park.pk))
    # Every cell of the quarter is 逾期未报 but the one the story files: the due date passed long ago.
    cells = sum(len(t.reporting_unit_ids()) for t in KeyTask.objects.filter(year=2021).with_units())
    assert task.is_reported_by(park.pk) and cells > 1
    page = open_page()
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, "xinchengqu", PASSWORD)
    # A hurried clerk: another unit's reports, a task the unit does not report on, quarter 5, the matrix.
    assert page.goto(f"/supervision/units/{other.pk}/?year=2021&quarter={QUARTER}").status == 404
    assert page.goto(f"/supervision/tasks/{not_ours.pk}/file/{QUARTER}/").status == 403
    assert page.goto(f"/supervision/tasks/{task.pk}/file/5/").status == 404
    assert page.goto("/supervision/tasks/matrix/").status == 403

    # The menu leads to the unit's reports; the quarter picker to 2021 Q2.
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="重点任务").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{park.name} · 重点任务季报")
    picker = page.get_by_role("form", name="选择年度和季度")
    picker.get_by_label("年度").select_option("2021")
    picker.get_by_label("季度").select_option(label=f"第{QUARTER}季度")
    picker.get_by_role("button", name="查看").click()
    row = page.locator("table.unit-task-reports tbody tr").filter(has_text=task.title)
    expect(row.locator(".badge")).to_have_text("逾期未报")
    row.get_by_role("link", name="填报").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"任务{TASK_NUMBER}「{task.title}」· 2021年第{QUARTER}季度季报")

    # An empty report first: each required field says so, nothing is filed.
    page.get_by_role("button", name="报送").click()
    expect(page.locator(".field", has=page.get_by_label("进展情况")).locator("p.error")).to_have_text(FIELD_REQUIRED["progress"])
    expect(page.locator(".field", has=page.get_by_label("下步计划")).locator("p.error")).to_have_text(FIELD_REQUIRED["next_steps"])
    expect(page.locator(".field.has-error", has_text="推进状态").locator("p.error")).to_have_text(FIELD_REQUIRED["status"])
    expect(page.locator(".field", has=page.get_by_label("存在问题")).locator("p.error")).to_have_count(0)  # optional
    assert not TaskReport.objects.filter(task=task, unit=park).exists()
    # Blanks only are as empty as nothing.
    page.get_by_label("进展情况").fill("   ")
    page.get_by_label("下步计划").fill("\n")
    page.get_by_label("正常推进").check()
    page.get_by_role("button", name="报送").click()
    expect(page.locator(".field", has=page.get_by_label("进展情况")).locator("p.error")).to_have_text(FIELD_REQUIRED["progress"])
    expect(page.locator(".field", has=page.get_by_label("下步计划")).locator("p.error")).to_have_text(FIELD_REQUIRED["next_steps"])
    expect(page.get_by_label("正常推进")).to_be_checked()  # what was chosen stays
    assert not TaskReport.objects.filter(task=task, unit=park).exists()

    page.get_by_label("进展情况").fill(PROGRESS)
    page.get_by_label("存在问题").fill(PROBLEMS)
    page.get_by_label("下步计划").fill(NEXT_STEPS)
    page.get_by_label("正常推进").check()
    page.get_by_role("button", name="报送").click()
    expect(page.locator(".messages")).to_contain_text(
        f"任务{TASK_NUMBER}「{task.title}」2021年第{QUARTER}季度季报已报送（已过报送截止日期，记为迟报）。"
    )
    report = TaskReport.objects.get(task=task, unit=park, year=2021, quarter=QUARTER)
    assert report.state == ReportState.SUBMITTED and report.is_late and report.progress == PROGRESS
    facts = page.get_by_role("region", name="季报")
    expect(facts).to_contain_text("正常推进")
    expect(facts).to_contain_text(PROBLEMS)
    log_out(page)

    # The reviewer finds it in the matrix: 正常, filed late; every other cell of the quarter is overdue.
    log_in(page, "shenhe", PASSWORD)
    open_matrix(page, 2021, QUARTER)
    cell = matrix_cell(page, park.name, TASK_NUMBER)
    expect(cell).to_have_class("cell-on_track")
    expect(cell).to_have_text("正常迟")
    expect(legend_count(page, "正常推进")).to_have_text("1")
    expect(legend_count(page, "逾期未报")).to_have_text(str(cells - 1))
    expect(matrix_cell(page, other.name, TASK_NUMBER)).to_have_class("cell-overdue")
    shoot(page, "landing-5-task-matrix.png")
    cell.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"任务{TASK_NUMBER}「{task.title}」· {park.name} · 2021年第{QUARTER}季度")

    # Returned without a comment: refused. With one: 已退回.
    returning = page.get_by_role("region", name="退回")
    returning.get_by_role("button", name="退回").click()
    expect(page.get_by_role("region", name="退回").locator("p.error")).to_have_text(RETURN_COMMENT_REQUIRED)
    page.get_by_role("region", name="退回").get_by_label("退回意见").fill(RETURN_COMMENT)
    page.get_by_role("region", name="退回").get_by_role("button", name="退回").click()
    expect(page.locator(".messages")).to_contain_text(f"已退回{park.name}的季报，该单位将在待办事项中看到退回意见。")
    expect(page.locator(".return-reason")).to_contain_text(RETURN_COMMENT)
    expect(page.get_by_role("region", name="退回")).to_have_count(0)  # returned once, not twice
    page.get_by_role("link", name="推进情况总表").click()
    expect(matrix_cell(page, park.name, TASK_NUMBER)).to_have_class("cell-returned")
    expect(legend_count(page, "已退回，待重报")).to_have_text("1")
    log_out(page)

    # The staff: the comment in their to-do, then on the form, which starts from what they filed.
    log_in(page, "xinchengqu", PASSWORD)
    todo = page.locator("section.todo li.todo-item", has_text="被退回的重点任务季报")
    expect(todo.locator(".badge.count")).to_have_text("1")
    expect(todo).to_contain_text(f"退回意见：{RETURN_COMMENT}")
    expect(todo.get_by_role("link", name=f"2021年第{QUARTER}季度 任务{TASK_NUMBER}「{task.title}」")).to_have_attribute(
        "href", f"/supervision/tasks/{task.pk}/file/{QUARTER}/"
    )
    # The unit's reports of the quarter say it too; the report's page has the comment and 重新报送.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="重点任务").click()
    picker = page.get_by_role("form", name="选择年度和季度")
    picker.get_by_label("年度").select_option("2021")
    picker.get_by_label("季度").select_option(label=f"第{QUARTER}季度")
    picker.get_by_role("button", name="查看").click()
    row = page.locator("table.unit-task-reports tbody tr").filter(has_text=task.title)
    expect(row.locator(".badge").first).to_have_text("已退回")
    expect(row.locator(".return-reason-text")).to_have_text(f"退回意见：{RETURN_COMMENT}")
    row.get_by_role("link", name="查看").click()
    expect(page.locator(".return-reason")).to_contain_text("已退回（shenhe，")
    expect(page.locator(".return-reason")).to_contain_text(RETURN_COMMENT)
    shoot(page, "landing-6-report-returned.png")
    page.locator(".page-head").get_by_role("link", name="重新报送").click()
    expect(page.locator(".return-reason")).to_contain_text(RETURN_COMMENT)
    expect(page.get_by_label("进展情况")).to_have_value(PROGRESS)
    expect(page.get_by_label("正常推进")).to_be_checked()
    page.get_by_label("进展情况").fill(PROGRESS.replace("签约项目 2 个", "签约项目 1 个"))
    page.get_by_label("滞后").check()
    page.get_by_role("button", name="重新报送").click()
    expect(page.locator(".messages")).to_contain_text(f"2021年第{QUARTER}季度季报已报送（已过报送截止日期，记为迟报）")
    history = page.locator("table.history tbody tr")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("重新报送（滞后）")
    expect(history.nth(1)).to_contain_text(f"退回：{RETURN_COMMENT}")
    expect(history.nth(2)).to_contain_text("报送（正常推进）")
    page.goto("/")
    expect(page.locator("section.todo li.todo-item", has_text="被退回的重点任务季报")).to_have_count(0)
    log_out(page)

    # The matrix shows the refiled status, still late.
    log_in(page, "shenhe", PASSWORD)
    open_matrix(page, 2021, QUARTER)
    cell = matrix_cell(page, park.name, TASK_NUMBER)
    expect(cell).to_have_class("cell-behind")
    expect(cell).to_have_text("滞后迟")
    expect(legend_count(page, "已退回，待重报")).to_have_text("0")
    expect(legend_count(page, "滞后")).to_have_text("1")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.status == "behind" and report.is_late
