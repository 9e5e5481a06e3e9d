"""The project form in a real browser: 保存并提交 with an amount above the unit's target, and the
「金额已核对」 tick that an edited amount takes off (static/js/amount-check.js)."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from access.roles import Role
from projects.models import Project, Status
from targets.models import Unit
from tests.e2e.conftest import log_in
from tests.factories import ProjectFactory, user_with_role

PASSWORD = "演示-Fuling-2021"


@pytest.fixture
def park(transactional_db):
    call_command("loaddata", "fuling_2021", verbosity=0)  # 涪陵新城区: 协议资金 target 160 亿元 in 2021
    park = Unit.objects.get(name="涪陵新城区")
    user_with_role(Role.STAFF, park, username="xinchengqu", password=PASSWORD)
    return park


def test_an_amount_above_the_target_is_submitted_once_ticked_as_checked(open_page, park):
    page = open_page()
    log_in(page, "xinchengqu", PASSWORD)
    page.goto("/projects/new/")
    page.get_by_label("项目名称").fill("超大项目")
    page.get_by_label("投资方").fill("某某集团有限公司")
    page.get_by_label("产业类型").select_option(label="工业")
    page.get_by_label("项目来源").select_option(label="市外")
    page.get_by_label("协议资金（亿元）").fill("170")
    page.get_by_label("签约日期").fill("2021-03-15")
    page.get_by_role("button", name="保存并提交").click()

    expect(page.locator(".field.has-error")).to_contain_text("超过牵头单位2021年全年协议资金目标 160.00 亿元")
    assert Project.objects.get().status == Status.DRAFT
    page.get_by_label("金额已核对").check()
    page.get_by_role("button", name="保存并提交").click()

    expect(page.locator(".badge.submitted").first).to_be_visible()
    project = Project.objects.get()
    assert project.status == Status.SUBMITTED and project.confirmed_amount == Decimal(170)


def test_editing_the_amount_takes_the_tick_off(open_page, park):
    project = ProjectFactory(
        lead_unit=park, status=Status.DRAFT, agreement_capital=Decimal(170), confirmed_amount=Decimal(170)
    )
    page = open_page()
    log_in(page, "xinchengqu", PASSWORD)
    page.goto(f"/projects/{project.pk}/edit/")
    tick = page.get_by_label("金额已核对")
    expect(tick).to_be_checked()
    page.get_by_label("协议资金（亿元）").fill("1700")
    expect(tick).not_to_be_checked()
