"""The error pages in a real browser: another unit's project answers the Chinese 404 page in
the site's layout, with the app's own message and a way home."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from access.roles import Role
from targets.models import Unit
from tests.e2e.conftest import log_in
from tests.factories import ProjectFactory, user_with_role

PASSWORD = "演示-Fuling-2021"


@pytest.fixture
def fuling(transactional_db):
    call_command("loaddata", "fuling_2021", verbosity=0)
    user_with_role(Role.STAFF, Unit.objects.get(name="涪陵新城区"), username="xinchengqu", password=PASSWORD)
    return ProjectFactory(lead_unit=Unit.objects.get(name="白涛园区"), name="别的单位的项目")


def test_another_units_project_shows_the_chinese_404_page_in_the_layout(open_page, fuling):
    page = open_page()
    log_in(page, "xinchengqu", PASSWORD)
    response = page.goto(f"/projects/{fuling.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(page.locator(".error-message")).to_have_text("没有这个项目，或您无权查看。")
    expect(page.get_by_text("别的单位的项目")).to_have_count(0)
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()
    expect(page.locator(".error-page")).to_have_css("max-width", "460px")  # the site's stylesheet applies
    page.get_by_role("link", name="返回首页").click()
    page.wait_for_url("**/")
    expect(page.locator("table.ranking").first).to_be_visible()
