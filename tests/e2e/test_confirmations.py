"""Weighty actions ask first, in a real browser: static/js/confirm.js shows the browser's
confirmation for a form (or its button) carrying data-confirm; refused, nothing happens."""

import datetime
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
def fuling(transactional_db):
    call_command("loaddata", "fuling_2021", verbosity=0)
    park = Unit.objects.get(name="涪陵新城区")
    user_with_role(Role.REVIEWER, username="shenhe", password=PASSWORD)
    return ProjectFactory(
        lead_unit=park, name="页岩气装备制造基地", status=Status.SUBMITTED,
        agreement_capital=Decimal("25"), signed_on=datetime.date(2021, 4, 15),
    )  # fmt: skip


def answer_next_question(page, accept: bool) -> list[str]:
    """Answers the next dialog; the list gets its message (stays empty when none was asked)."""
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", answer)
    return asked


def test_refusing_the_question_leaves_the_project_unchanged_and_agreeing_approves_it(open_page, fuling):
    project = fuling
    page = open_page()
    log_in(page, "shenhe", PASSWORD)
    page.goto(f"/projects/{project.pk}/")

    asked = answer_next_question(page, accept=False)
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_load_state("networkidle")
    assert asked == ["确定审核通过该项目吗？通过后计入考核。"]
    expect(page.locator("h1 .badge")).to_have_text("待审核")
    assert page.url.endswith(f"/projects/{project.pk}/")
    assert Project.objects.get(pk=project.pk).status == Status.SUBMITTED

    asked = answer_next_question(page, accept=True)
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".messages")).to_contain_text("项目已审核通过")
    assert asked == ["确定审核通过该项目吗？通过后计入考核。"]
    assert Project.objects.get(pk=project.pk).status == Status.APPROVED


def test_returning_from_the_review_queue_asks_after_the_reason_is_written(open_page, fuling):
    project = fuling
    page = open_page()
    log_in(page, "shenhe", PASSWORD)
    page.get_by_role("link", name="审核", exact=True).click()
    row = page.locator("tr", has_text="页岩气装备制造基地")
    row.locator("summary", has_text="退回").click()
    row.get_by_label("退回原因").fill("请补充投资协议扫描件。")

    asked = answer_next_question(page, accept=False)
    row.get_by_role("button", name="确认退回").click()
    page.wait_for_load_state("networkidle")
    assert asked == ["确定退回「页岩气装备制造基地」吗？填报单位将看到退回原因。"]
    assert Project.objects.get(pk=project.pk).status == Status.SUBMITTED
    expect(row.get_by_label("退回原因")).to_have_value("请补充投资协议扫描件。")  # still on the page, as written

    answer_next_question(page, accept=True)
    row.get_by_role("button", name="确认退回").click()
    expect(page.get_by_text("目前没有待审核的项目")).to_be_visible()
    assert Project.objects.get(pk=project.pk).status == Status.RETURNED


ADD_A_FORM_WITH_SEVERAL_BUTTONS = """() => {
  const form = document.createElement("form");
  form.action = "/projects/"; form.method = "get"; form.dataset.confirm = "表单的问题";
  for (const [name, question] of [["plain", null], ["own", "按钮的问题"], ["silent", ""]]) {
    const button = document.createElement("button");
    button.name = name; button.value = "1"; button.textContent = name;
    if (question !== null) button.dataset.confirm = question;
    form.appendChild(button);
  }
  document.querySelector("main").appendChild(form);
}"""


def test_the_button_s_own_question_wins_over_the_form_s_and_an_empty_one_asks_nothing(open_page, fuling):
    page = open_page()
    log_in(page, "shenhe", PASSWORD)
    page.goto("/projects/")
    # A form with several buttons, as a page may have (built here: the script works on any form).
    page.evaluate(ADD_A_FORM_WITH_SEVERAL_BUTTONS)
    asked = answer_next_question(page, accept=False)
    page.get_by_role("button", name="own").click()
    page.wait_for_load_state("networkidle")
    assert asked == ["按钮的问题"] and "own=1" not in page.url

    asked = answer_next_question(page, accept=True)
    page.get_by_role("button", name="plain").click()
    page.wait_for_url("**/projects/?plain=1")
    assert asked == ["表单的问题"]

    page.evaluate(ADD_A_FORM_WITH_SEVERAL_BUTTONS)
    page.get_by_role("button", name="silent").click()  # a question would stop it: Playwright refuses unanswered dialogs
    page.wait_for_url("**/projects/?silent=1")
