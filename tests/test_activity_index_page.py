"""The activity index page (招商活跃指数): every signed-in role reads it, reviewers store a week
again, a bad week is a Chinese message and never an error page."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from figures import activity_index as figures
from leads.models import ActivityKind, WeeklyIndex
from targets.activity_index import Week
from targets.models import UnitKind
from tests.factories import ActivityFactory, ProjectFactory, RuleSetFactory, UnitFactory, client_for, user_with_role

W23 = Week(2021, 23)
URL = reverse("activity_index")


@pytest.fixture
def world(db):
    RuleSetFactory(year=2021)
    xincheng = UnitFactory(name="涪陵新城区", kind=UnitKind.PARK)
    lidu = UnitFactory(name="李渡园区", kind=UnitKind.PARK)
    commerce = UnitFactory(name="区商务委", kind=UnitKind.DEPARTMENT)
    ActivityFactory(unit=xincheng, kind=ActivityKind.EVENT, date=W23.start)
    ProjectFactory(lead_unit=lidu, signed_on=W23.end)
    return {
        "xincheng": xincheng,
        "commerce": commerce,
        "staff": user_with_role(Role.STAFF, xincheng, username="staff"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def get(world, role, query="?year=2021&week=23"):
    return client_for(world[role]).get(URL + query)


@pytest.mark.parametrize("role", ["staff", "reviewer", "leader"])
def test_every_signed_in_role_sees_both_rankings_with_each_parts_count_and_score(world, role):
    response = get(world, role)
    assert response.status_code == 200
    parks, departments = response.context["kinds"]
    assert parks[0] == "园区" and [(r.unit.name, r.rank) for r in parks[1]] == [("李渡园区", 1), ("涪陵新城区", 2)]
    assert departments[0] == "区级部门" and [r.unit.name for r in departments[1]] == ["区商务委"]
    text = response.content.decode()
    assert "招商活跃指数 · 2021年第23周" in text and "2021年6月7日（周一）至 2021年6月13日（周日）" in text
    assert "<strong>25.00</strong>" in text and "<strong>10.00</strong>" in text
    assert "本周尚未保存" in text


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_page_opens_on_the_last_complete_week(world):
    response = get(world, "staff", query="")
    assert response.context["week"] == Week.of(timezone.localdate()).previous()
    assert not response.context["has_next"]


def test_the_page_links_the_weeks_before_and_after(world):
    text = get(world, "staff").content.decode()
    assert f"{URL}?year=2021&amp;week=22" in text and f"{URL}?year=2021&amp;week=24" in text


def test_the_first_week_of_a_year_links_back_to_the_last_week_of_the_one_before(world):
    RuleSetFactory(year=2020)
    text = get(world, "staff", query="?year=2021&week=1").content.decode()
    assert f"{URL}?year=2020&amp;week=53" in text


@pytest.mark.parametrize(
    "query, message",
    [
        ("?year=2021&week=54", "2021年没有第54周：该年共 52 周"),
        ("?year=2021&week=abc", "周次必须是整数，收到“abc”"),
        ("?year=20x1&week=3", "年份必须是整数"),
        ("?year=2021", "周次必须是整数"),
        ("?year=99999&week=1", "年份必须在 2000–2999 之间"),
    ],
)
def test_a_bad_week_shows_a_chinese_message_and_the_last_complete_week(world, query, message):
    RuleSetFactory(year=timezone.localdate().year - 1)
    RuleSetFactory(year=timezone.localdate().year)
    response = get(world, "staff", query=query)
    assert response.status_code == 200
    assert message in response.content.decode() and "已显示上一个完整周" in response.content.decode()
    assert response.context["week"] == Week.of(timezone.localdate()).previous()


def test_a_year_without_rules_says_so(world):
    response = get(world, "leader", query="?year=2019&week=10")
    assert response.status_code == 200
    assert "2019年尚未设置考核规则" in response.content.decode()


@pytest.mark.parametrize("role, offered", [("reviewer", True), ("leader", False)])
def test_a_year_without_rules_borrows_the_latest_weights_and_says_so(world, role, offered):
    response = get(world, role, query="?year=2022&week=3")
    page = response.content.decode()
    assert response.context["shown"].rules_year == 2021
    assert "2022年尚未设置考核规则，本周各部分权重沿用2021年的规则。" in page
    assert "2021年权重：" in page
    assert (reverse("rules_edit", args=[2022]) in page) is offered


def test_a_stored_week_is_shown_as_stored_with_its_history(world):
    figures.store_week(W23.previous())
    figures.store_week(W23)
    ActivityFactory(unit=world["commerce"], kind=ActivityKind.EVENT, date=W23.start)  # after storing
    response = get(world, "staff")
    assert response.context["shown"].stored_at is not None
    departments = response.context["kinds"][1][1]
    assert departments[0].index == 0, "the stored week, not recomputed"
    history = response.context["history"]
    assert history.weeks[-2:] == [Week(2021, 22), Week(2021, 23)] and len(history.weeks) == 8
    assert "本周数据保存于" in response.content.decode()


@pytest.mark.parametrize("role, shown", [("reviewer", True), ("staff", False), ("leader", False)])
def test_only_reviewers_are_offered_the_recompute_button(world, role, shown):
    assert ("重新计算</button>" in get(world, role).content.decode()) is shown


def test_a_reviewer_stores_the_week_again(world):
    client = client_for(world["reviewer"])
    response = client.post(URL, {"year": "2021", "week": "23"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{URL}?year=2021&week=23"
    assert "已重新计算并保存2021年第23周的招商活跃指数（3个单位）" in response.content.decode()
    assert WeeklyIndex.objects.filter(year=2021, week=23).count() == 3


def test_recomputing_needs_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["reviewer"])
    assert client.post(URL, {"year": "2021", "week": "23"}).status_code == 403
    assert not WeeklyIndex.objects.exists()


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_others_may_not_recompute(world, role):
    response = client_for(world[role]).post(URL, {"year": "2021", "week": "23"})
    assert response.status_code == 403
    assert "只有招商局审核员可以重新计算活跃指数" in response.content.decode()
    assert not WeeklyIndex.objects.exists()


def test_recomputing_a_year_without_rules_says_so(world):
    response = client_for(world["reviewer"]).post(URL, {"year": "2019", "week": "5"}, follow=True)
    assert "2019年尚未设置考核规则" in response.content.decode()


# session, user, role (groups, membership), the menu's to-do counts, the organisation, the rule
# set's weights, the history (1); then the week: stored (1), or not (1) and computed (5)
COMPUTED_QUERIES = 14
STORED_QUERIES = 9


def add_busy_units(n):
    for i in range(n):
        unit = UnitFactory(kind=[UnitKind.PARK, UnitKind.DEPARTMENT][i % 2])
        ActivityFactory(unit=unit, kind=ActivityKind.VISIT_OUT, date=W23.start + datetime.timedelta(days=i % 7))
        ProjectFactory(lead_unit=unit, signed_on=W23.end)


@pytest.mark.parametrize("extra", [0, 12])
def test_the_page_reads_a_constant_number_of_queries(world, django_assert_num_queries, extra):
    add_busy_units(extra)
    client = client_for(world["staff"])
    with django_assert_num_queries(COMPUTED_QUERIES):
        assert client.get(URL + "?year=2021&week=23").status_code == 200
    for week in W23.back(8):
        figures.store_week(week)
    with django_assert_num_queries(STORED_QUERIES):
        assert client.get(URL + "?year=2021&week=23").status_code == 200
