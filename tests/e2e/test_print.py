"""The dashboard and the unit page on paper: A4 landscape, no navigation, filters or buttons,
the charts redrawn inside the page (static/css/app.css @media print, static/js/charts.js)."""

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from access.roles import Role
from projects.demo import load_demo_data
from targets.models import Unit
from tests.e2e.conftest import log_in
from tests.factories import user_with_role

PASSWORD = "演示-Fuling-2021"
# A4 landscape (297 mm) less the 10 mm margins of app.css's @page, in CSS pixels (96 per inch).
PRINTABLE_WIDTH = round((297 - 2 * 10) / 25.4 * 96)
QUERY = "?year=2021&quarter=4"


@pytest.fixture
def leader(transactional_db):
    call_command("loaddata", "fuling_2021", verbosity=0)
    load_demo_data(year=2021)
    return user_with_role(Role.LEADER, username="lingdao", password=PASSWORD)


REDRAWN = """() => [...document.querySelectorAll('.chart')].every(
    c => Math.abs(c.querySelector('canvas').getBoundingClientRect().width - c.getBoundingClientRect().width) <= 1)"""


def widths(page, selector: str) -> list[float]:
    return page.eval_on_selector_all(selector, "elements => elements.map(e => e.getBoundingClientRect().width)")


def chart_widths(page) -> list[tuple[float, float]]:
    """(container, drawing) widths of each chart: ECharts' canvas keeps the size of its last draw."""
    return page.eval_on_selector_all(
        ".chart",
        "charts => charts.map(c => [c.getBoundingClientRect().width, c.querySelector('canvas').getBoundingClientRect().width])",
    )


def test_printing_the_dashboard_hides_navigation_filters_and_buttons(open_page, leader):
    page = open_page()
    log_in(page, "lingdao", PASSWORD)
    page.goto("/" + QUERY)
    expect(page.locator("#chart-groups[data-rendered]")).to_be_attached()

    page.emulate_media(media="print")

    for hidden in ["nav.nav", ".topbar", ".period-picker select", ".period-picker button", ".page-head .actions", "footer"]:
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator("table.ranking").first).to_be_visible()
    expect(page.locator(".period-picker .hint")).to_contain_text("序时进度 100.00%")


def test_the_charts_are_redrawn_at_the_printed_width(open_page, leader):
    page = open_page(width=1366)
    log_in(page, "lingdao", PASSWORD)
    page.goto("/" + QUERY)
    expect(page.locator("#chart-groups[data-rendered]")).to_be_attached()
    on_screen = chart_widths(page)
    assert on_screen[0][0] < 700  # two charts side by side on the screen

    page.emulate_media(media="print")  # the layout changes, the window does not: only the print listener redraws
    page.wait_for_function(REDRAWN, timeout=5_000)

    printed = chart_widths(page)
    for container, drawing in printed:
        assert container > 1000  # one chart per row on paper
        assert abs(drawing - container) <= 1


def test_the_charts_and_tables_fit_the_a4_landscape_page(open_page, leader):
    page = open_page(width=1366)
    log_in(page, "lingdao", PASSWORD)
    page.goto("/" + QUERY)
    expect(page.locator("#chart-groups[data-rendered]")).to_be_attached()

    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINTABLE_WIDTH, "height": 900})
    page.wait_for_function(REDRAWN, timeout=5_000)  # the resize listener redraws after the event

    for container, drawing in chart_widths(page):
        assert 0 < container <= PRINTABLE_WIDTH and 0 < drawing <= PRINTABLE_WIDTH
    for width in widths(page, "table"):
        assert width <= PRINTABLE_WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= PRINTABLE_WIDTH


def test_the_dashboard_prints_on_a4_landscape_without_the_menu(open_page, leader):
    page = open_page()
    log_in(page, "lingdao", PASSWORD)
    page.goto("/" + QUERY)
    expect(page.locator("#chart-groups[data-rendered]")).to_be_attached()

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)

    info, text = poppler(pdf)
    width, height = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups())
    assert abs(width - 842) < 1 and abs(height - 595) < 1  # A4 landscape: 297 × 210 mm
    assert "园区排名" in text and "涪陵新城区" in text
    for absent in ("专项招商组\n目标", "退出", "导出 Excel", "查看\n"):
        assert absent not in text


def test_the_unit_page_prints_without_the_menu_and_the_period_picker(open_page, leader):
    page = open_page()
    log_in(page, "lingdao", PASSWORD)
    page.goto(f"/units/{Unit.objects.get(name='涪陵新城区').pk}/" + QUERY)

    page.emulate_media(media="print")

    for hidden in ["nav.nav", ".period-picker select", ".page-head .actions"]:
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator("table.unit-indicators")).to_be_visible()
    page.set_viewport_size({"width": PRINTABLE_WIDTH, "height": 900})
    for width in widths(page, "table"):
        assert width <= PRINTABLE_WIDTH


def poppler(pdf: bytes) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
        text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return info, text
