"""The battle map in a real browser: both views draw their chart from the page's JSON with the
local ECharts, without an inline script (the CSP) or a script error (tests/e2e/conftest.py)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from access.roles import Role
from projects.demo import load_demo_data
from tests.e2e.conftest import log_in
from tests.factories import user_with_role

PASSWORD = "演示-Fuling-2021"


@pytest.fixture
def leader(transactional_db):
    call_command("loaddata", "fuling_2021", "chains_2021", verbosity=0)
    load_demo_data(year=2021)
    return user_with_role(Role.LEADER, username="lingdao", password=PASSWORD)


def test_both_views_draw_their_chart(open_page, leader):
    page = open_page()
    log_in(page, "lingdao", PASSWORD)
    page.get_by_role("link", name="作战图").click()
    expect(page.locator("#chart-battle[data-rendered] canvas")).to_be_attached()
    expect(page.locator("table.battle-map tr.level-industry").first).to_be_visible()

    page.get_by_role("link", name="按地区").click()
    expect(page.locator("#chart-battle[data-rendered] canvas")).to_be_attached()
    expect(page.locator("table.battle-map.regions")).to_be_visible()
