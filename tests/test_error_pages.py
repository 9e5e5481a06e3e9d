"""The error pages: 400, 403, 404, 500 and a refused CSRF check in Chinese, in the site's layout,
with the view's own message when it gave one and a way home; the 500 page renders even when
the database or the layout's context fails. The tests run with DEBUG off, as users see it."""

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from access.roles import Role
from reports import services
from tests.factories import ProjectFactory, UnitFactory, client_for, user_with_role

FAILING = pytest.mark.urls("tests.urls_with_failing_views")
NAVIGATION = 'aria-label="主导航"'


@pytest.fixture
def world(db):
    park, other_park = UnitFactory(name="甲园区"), UnitFactory(name="乙园区")
    return {
        "park": park,
        "other_park": other_park,
        "staff": user_with_role(Role.STAFF, park),
        "reviewer": user_with_role(Role.REVIEWER),
        "leader": user_with_role(Role.LEADER),
    }


def assert_error_page(response, status: int, *texts: str, signed_in: bool = True) -> str:
    page = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f"错误 {status}" in page
    assert f'<a class="button primary" href="{reverse("dashboard")}">返回首页</a>' in page
    assert " · 金额单位：亿元</footer>" in page  # the site's layout, footer included
    assert (NAVIGATION in page) is signed_in
    for text in texts:
        assert text in page
    return page


# --- 404 ---------------------------------------------------------------------------------------


def test_an_unknown_address_answers_the_chinese_404_page_in_the_layout(world):
    page = assert_error_page(client_for(world["staff"]).get("/no-such-page/"), 404, "页面不存在", "没有这个页面，或您无权查看")
    assert "Not Found" not in page and "/no-such-page/" not in page


def test_a_visitor_not_signed_in_gets_the_404_page_without_navigation(db):
    assert_error_page(Client().get("/no-such-page/"), 404, "页面不存在", signed_in=False)


def test_another_units_project_says_there_is_no_such_project_or_no_right_to_see_it(world):
    project = ProjectFactory(lead_unit=world["other_park"])
    response = client_for(world["staff"]).get(reverse("project_detail", args=[project.pk]))
    page = assert_error_page(response, 404, "没有这个项目，或您无权查看。")
    assert project.name not in page


def test_an_unknown_project_says_the_same_words_so_nothing_leaks(world):
    response = client_for(world["reviewer"]).get(reverse("project_detail", args=[999999]))
    page = assert_error_page(response, 404, "没有这个项目，或您无权查看。")
    assert "No Project matches" not in page


@pytest.mark.parametrize("which", ["another unit", "unknown"])
def test_a_unit_page_that_cannot_be_seen_says_so_in_chinese(world, which):
    pk = world["other_park"].pk if which == "another unit" else 999999
    response = client_for(world["staff"]).get(reverse("unit_detail", args=[pk]))
    page = assert_error_page(response, 404, "没有这个单位，或您无权查看。")
    assert "No Unit matches" not in page and "乙园区" not in page


def test_an_unknown_bulletin_or_a_draft_for_a_leader_says_there_is_no_such_bulletin(world, fuling_2021):
    draft = services.generate_bulletin(year=2021, quarter=2).bulletin
    for pk in [draft.pk, 999999]:
        response = client_for(world["leader"]).get(reverse("bulletin_detail", args=[pk]))
        assert_error_page(response, 404, "没有这份通报，或您无权查看。")


def test_django_s_own_english_message_is_replaced_by_the_plain_chinese_one(world):
    response = client_for(world["reviewer"]).get(reverse("job_status", args=[999999]))
    page = assert_error_page(response, 404, "没有这个页面，或您无权查看")
    assert "matches the given query" not in page


# --- 403 ---------------------------------------------------------------------------------------


def test_a_forbidden_page_shows_the_view_s_own_reason(world):
    response = client_for(world["staff"]).get(reverse("target_edit", args=[2021]))
    assert_error_page(response, 403, "无权操作", "只有区招商投资局审核员可以修改目标和规则。")


def test_a_forbidden_action_without_a_reason_gets_the_plain_chinese_one(world):
    project = ProjectFactory(lead_unit=world["park"], status="submitted")
    response = client_for(world["staff"]).post(reverse("project_approve", args=[project.pk]))
    assert_error_page(response, 403, "无权操作", "您没有权限查看此页面或执行此操作")


def test_the_review_queue_tells_staff_who_it_is_for(world):
    response = client_for(world["staff"]).get(reverse("review_queue"))
    assert_error_page(response, 403, "审核队列只对招商局审核员和区领导开放。")


def test_a_refused_csrf_check_is_explained_in_chinese(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["staff"])
    response = client.post(reverse("project_create"), {"name": "无令牌的提交"})
    page = assert_error_page(response, 403, "页面已过期，操作没有执行", "刷新后重新提交")
    assert "CSRF verification failed" not in page and "Forbidden" not in page


# --- 400 ---------------------------------------------------------------------------------------


@FAILING
def test_a_bad_request_shows_the_view_s_own_chinese_message(world):
    response = client_for(world["staff"]).get("/_test/bad-request/")
    assert_error_page(response, 400, "请求有误", "年度参数无效。")


@FAILING
def test_a_suspicious_request_gets_the_plain_message_and_not_django_s(world):
    page = assert_error_page(client_for(world["staff"]).get("/_test/suspicious/"), 400, "请求无法处理")
    assert "/etc/passwd" not in page


def test_an_unknown_host_gets_the_400_page_even_before_anyone_is_signed_in(world):
    # The host is refused before the user is read: the page renders without the user's context.
    response = client_for(world["staff"]).get("/", headers={"host": "evil.example"})
    assert_error_page(response, 400, "请求有误", signed_in=False)


# --- 500 ---------------------------------------------------------------------------------------


def failing_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@FAILING
def test_a_view_that_raises_gets_the_500_page_in_the_layout_without_the_exception(world):
    page = assert_error_page(failing_client(world["staff"]).get("/_test/crash/"), 500, "系统出错", "错误已记录")
    assert "SELECT" not in page and "RuntimeError" not in page and "Traceback" not in page


def failing_context(request):
    raise RuntimeError("a context processor broke")


@FAILING
def test_the_500_page_renders_without_the_layout_s_context_when_that_fails(world, settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "OPTIONS": {"context_processors": [*settings.TEMPLATES[0]["OPTIONS"]["context_processors"], "tests.test_error_pages.failing_context"]}}
    ]
    response = failing_client(world["staff"]).get("/_test/crash/")
    # No navigation (it needs the user), but the same Chinese page, styled, with the way home.
    page = assert_error_page(response, 500, "系统出错", signed_in=False)
    assert "css/app.css" in page


@FAILING
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [("/_test/crash-after-reading/", 500, "系统出错"), ("/no-such-page/", 404, "页面不存在")],
)
def test_the_error_pages_render_when_the_database_is_down(world, url, status, heading):
    client = failing_client(world["staff"])

    def database_down(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(database_down):
        response = client.get(url)
    # The user cannot be read: the same page without the navigation, never a second error.
    assert_error_page(response, status, heading, signed_in=False)


@FAILING
def test_the_500_page_answers_in_chinese_even_when_no_template_can_be_rendered(world, settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False}]
    response = failing_client(world["staff"]).get("/_test/crash/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in page and '<a href="/">返回首页</a>' in page and "SELECT" not in page
