"""The projects list and the review queue in a real browser, at an office screen's width."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from fuling_invest.roles import Role
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
