"""Arrived capital in a real browser: staff enter an entry, it waits as 待核实 and counts nowhere;
a reviewer sees the count in the menu, opens the evidence inline from the queue, verifies it, and
the unit's figure moves."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from access.roles import Role
from targets.models import Unit
from tests.e2e.conftest import log_in, log_out
from tests.factories import ProjectFactory, user_with_role

PASSWORD = "演示-Fuling-2021"
PNG = (  # a 1×1 image
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("loaddata", "fuling_2021", verbosity=0)
    park = Unit.objects.get(name="涪陵新城区")
    project = ProjectFactory(lead_unit=park, name="页岩气装备制造基地", agreement_capital=Decimal("25"), signed_on=datetime.date(2021, 3, 15))
    user_with_role(Role.STAFF, park, username="xinchengqu", password=PASSWORD)
    user_with_role(Role.REVIEWER, username="shenhe", password=PASSWORD)
    return {"project": project}


def arrived_cell(page):
    """The unit page's arrived-capital actual."""
    return page.locator("table.unit-indicators tr", has_text="到位资金").locator("td").nth(1)


def test_an_entry_counts_once_a_reviewer_has_verified_it(open_page, world, tmp_path):
    project = world["project"]
    page = open_page()
    page.on("dialog", lambda dialog: dialog.accept())
    slip = tmp_path / "回单.png"
    slip.write_bytes(PNG)

    log_in(page, "xinchengqu", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_label("到位日期").fill("2021-06-30")
    page.get_by_label("到位金额（亿元）").fill("3")
    page.get_by_label("凭证（可选）", exact=True).set_input_files(str(slip))
    page.get_by_role("button", name="登记到位资金").click()
    expect(page.locator("section[aria-label='到位资金'] h2")).to_contain_text("待核实 3.00 亿元（1 笔）")
    page.get_by_role("link", name="本单位").click()
    expect(page.locator("#pending")).to_contain_text("3.00 亿元（1 笔）")
    page.goto(page.url.split("#")[0].split("?")[0] + "?year=2021&quarter=2")
    expect(arrived_cell(page)).to_have_text("0.00")
    log_out(page)

    log_in(page, "shenhe", PASSWORD)
    menu = page.get_by_role("navigation", name="主导航").get_by_role("link", name="核实", exact=True)
    expect(menu.locator(".badge.count")).to_have_text("1")
    expect(page.locator("section.todo")).to_contain_text("待核实到位资金")
    menu.click()
    row = page.locator("table.verification-queue tbody tr", has_text=project.code)
    with page.expect_popup() as popup:
        row.get_by_role("link", name="回单.png").click()
    evidence = popup.value
    expect(evidence.locator("img")).to_be_visible()  # shown in the browser, not downloaded
    evidence.close()
    row.get_by_role("button", name="核实").click()
    expect(page.get_by_text("没有待核实的到位资金")).to_be_visible()
    page.goto(f"/units/{project.lead_unit_id}/?year=2021&quarter=2")
    expect(arrived_cell(page)).to_have_text("3.00")
