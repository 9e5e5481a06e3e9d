"""A signing event's page in a real browser: the cohort's chart is drawn from the page's JSON with
the local ECharts, without an inline script (the CSP) or a script error (tests/e2e/conftest.py)."""

import datetime

import pytest
from playwright.sync_api import expect

from access.roles import Role
from landing.models import MilestoneKind
from tests.e2e.conftest import log_in
from tests.factories import ArrivalFactory, MilestoneFactory, SigningEventProjectFactory, user_with_role

PASSWORD = "演示-Fuling-2021"


@pytest.fixture
def event(transactional_db):
    user_with_role(Role.LEADER, username="lingdao", password=PASSWORD)
    link = SigningEventProjectFactory(event__name="一季度重大项目集中签约")
    MilestoneFactory(project=link.project, kind=MilestoneKind.STARTED, actual_on=datetime.date(2021, 6, 30))
    ArrivalFactory(project=link.project)
    return link.event


def test_the_event_page_draws_its_cohort_over_the_quarters(open_page, event):
    page = open_page()
    log_in(page, "lingdao", PASSWORD)
    page.get_by_role("link", name="签约活动").click()
    page.goto(f"/signing-events/?year={event.date.year}")
    page.get_by_role("link", name="一季度重大项目集中签约").click()
    expect(page.locator("#chart-signing-event[data-rendered] canvas")).to_be_attached()
    expect(page.locator("table.cohort-quarters tbody tr").first).to_contain_text("2021年第1季度")
