"""The projects list and the review queue in a real browser, at an office screen's width."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from access.roles import Role
from projects.demo import load_demo_data
from projects.models import Project, Status
from tests.e2e.conftest import log_in
from tests.factories import user_with_role

PASSWORD = "演示-Review-2021"

# For each cell of the column headed `header`: the height of its text and of one line of it
# (the first character's box). A cell's own box is as tall as its row, so the text is measured.
LINES_OF_COLUMN = """header => {
  const table = document.querySelector("table.project-table");
  const index = [...table.tHead.rows[0].cells].findIndex(th => th.textContent.trim() === header);
  return [...table.tBodies[0].rows].map(row => {
    const cell = row.cells[index];
    const whole = document.createRange();
    whole.selectNodeContents(cell);
    const text = [...cell.childNodes].find(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    const first = document.createRange();
    const start = text.textContent.search(/\\S/);
    first.setStart(text, start);
    first.setEnd(text, start + 1);
    return {text: cell.textContent.trim(), height: whole.getBoundingClientRect().height,
            line: first.getBoundingClientRect().height};
  });
}"""


@pytest.fixture
def demo(transactional_db):
    call_command("loaddata", "fuling_2021", verbosity=0)
    load_demo_data(year=2021)
    return {
        "reviewer": user_with_role(Role.REVIEWER, username="shenhe", password=PASSWORD),
        "leader": user_with_role(Role.LEADER, username="lingdao", password=PASSWORD),
    }


def test_the_lead_unit_never_wraps_on_a_1440_pixel_screen(open_page, demo):
    page = open_page(width=1440, height=900)
    log_in(page, "lingdao", PASSWORD)
    page.goto("/projects/")

    cells = page.evaluate(LINES_OF_COLUMN, "牵头单位")

    assert len(cells) == 25
    assert max(len(cell["text"]) for cell in cells) >= 5  # names long enough to wrap if they could
    wrapped = [cell for cell in cells if cell["height"] > cell["line"] * 1.5]
    assert not wrapped, wrapped


def test_a_reviewer_approves_two_ticked_projects_at_once_after_confirming(open_page, demo):
    waiting = list(Project.objects.filter(status=Status.SUBMITTED).order_by("submitted_at", "pk"))
    assert len(waiting) >= 3
    page = open_page(width=1440, height=900)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "shenhe", PASSWORD)
    page.get_by_role("link", name="审核", exact=True).click()
    first, second = waiting[:2]

    page.get_by_label(f"选择 {first.code}").check()
    page.get_by_label(f"选择 {second.code}").check()
    expect(page.locator("#bulk-approve")).to_have_attribute("data-confirm", "确定审核通过选中的 2 个项目吗？")
    expect(page.get_by_label("全选本页")).to_be_visible()
    page.get_by_role("button", name="批量审核通过").click()

    expect(page.locator(".message.success")).to_contain_text(f"已审核通过 2 个项目（{first.code}、{second.code}）")
    expect(page.locator("table.review-queue")).not_to_contain_text(first.code)
    assert [p.status for p in Project.objects.filter(pk__in=[first.pk, second.pk])] == [Status.APPROVED] * 2
    assert Project.objects.get(pk=waiting[2].pk).status == Status.SUBMITTED

    page.get_by_label("全选本页").check()
    expect(page.locator("#bulk-approve")).to_have_attribute(
        "data-confirm", f"确定审核通过选中的 {len(waiting) - 2} 个项目吗？"
    )
