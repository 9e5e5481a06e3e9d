"""Weighty actions ask before they happen: 审核通过, 退回 and 发布通报 carry data-confirm, which
static/js/confirm.js (on every page) turns into the browser's confirmation; 撤回 and 删除到位资金
open an in-page confirm step first (tests/test_project_workflow.py, tests/test_arrival_delete.py).
The dialogs themselves are tested in a real browser: tests/e2e/test_confirmations.py."""

import re

import pytest
from django.urls import reverse

from access.roles import Role
from projects.models import Status
from reports import services
from tests.factories import ProjectFactory, UnitFactory, client_for, user_with_role


@pytest.fixture
def world(db):
    park = UnitFactory(name="甲园区")
    return {"park": park, "reviewer": user_with_role(Role.REVIEWER), "staff": user_with_role(Role.STAFF, park)}


def form_tag(page: str, url_name: str, *args) -> str:
    match = re.search(rf'<form method="post" action="{re.escape(reverse(url_name, args=args))}"[^>]*>', page)
    assert match, f"no form for {url_name}"
    return match.group(0)


def test_every_page_loads_the_confirmation_script(world):
    page = client_for(world["staff"]).get(reverse("dashboard")).content.decode()
    assert '<script src="/static/js/confirm.js"></script>' in page


def test_approving_and_returning_on_the_project_page_ask_first(world):
    project = ProjectFactory(lead_unit=world["park"], status=Status.SUBMITTED)
    page = client_for(world["reviewer"]).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert 'data-confirm="确定审核通过该项目吗？通过后计入考核。"' in form_tag(page, "project_approve", project.pk)
    assert 'data-confirm="确定退回该项目吗？' in form_tag(page, "project_return", project.pk)


def test_approving_and_returning_in_the_review_queue_ask_first_naming_the_project(world):
    project = ProjectFactory(lead_unit=world["park"], status=Status.SUBMITTED, name='"引号"<项目>')
    page = client_for(world["reviewer"]).get(reverse("review_queue")).content.decode()
    escaped = "「&quot;引号&quot;&lt;项目&gt;」"
    assert f'data-confirm="确定审核通过{escaped}吗？' in form_tag(page, "project_approve", project.pk)
    assert f'data-confirm="确定退回{escaped}吗？' in form_tag(page, "project_return", project.pk)


def test_publishing_a_bulletin_asks_first(world, fuling_2021):
    bulletin = services.generate_bulletin(year=2021, quarter=2).bulletin
    page = client_for(world["reviewer"]).get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    assert f'data-confirm="确定发布{bulletin.title}吗？' in form_tag(page, "bulletin_publish", bulletin.pk)
