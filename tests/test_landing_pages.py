"""The 落地跟踪 page: the district's rates for reviewers and leaders, one unit's follow-up (its own
for a unit's staff, another unit's answers 404), in a constant number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from figures.landing import ColourCounts
from landing.models import Milestone, MilestoneKind
from landing.views import tracking
from landing.views.tracking import PAGE_SIZE
from projects import landing_facts as facts
from projects.models import Project, Status
from targets.models import Unit, UnitKind
from tests.factories import MilestoneFactory, ProjectFactory, UnitFactory, client_for, user_with_role

URL = reverse("landing_tracking")
Q4 = "?year=2021&quarter=4"


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


@pytest.fixture
def world(fuling_2021):
    xincheng, lingang = unit("涪陵新城区"), unit("临港经济区")
    started = ProjectFactory(lead_unit=xincheng, code="XC-1", name="已开工项目", signed_on=date(2021, 3, 15))
    MilestoneFactory(project=started, actual_on=date(2021, 6, 1))
    MilestoneFactory(project=started, kind=MilestoneKind.PRODUCING, actual_on=date(2021, 11, 1))
    ProjectFactory(lead_unit=xincheng, code="XC-2", name="超期项目", signed_on=date(2021, 3, 20))  # deadline 09-16
    ProjectFactory(lead_unit=lingang, code="LG-1", name="临港项目", signed_on=date(2021, 4, 1))
    return {
        "xincheng": xincheng,
        "lingang": lingang,
        "own": user_with_role(Role.STAFF, xincheng, username="own"),
        "other": user_with_role(Role.STAFF, lingang, username="other"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def get(world, role: str, query: str = Q4):
    return client_for(world[role]).get(URL + query)


@pytest.mark.parametrize("role", ["reviewer", "leader"])
def test_reviewers_and_leaders_see_every_units_rates(world, role):
    response = get(world, role)
    assert response.status_code == 200
    assert response.templates[0].name == "landing/tracking.html"
    parks, departments = response.context["kinds"]
    assert parks[0] == "园区" and len(parks[1]) == 6 and departments[0] == "区级部门" and len(departments[1]) == 16
    first = parks[1][0]
    assert (first.unit.name, first.signed, first.started, first.producing, first.overdue_count) == ("涪陵新城区", 2, 1, 1, 1)
    text = response.content.decode()
    assert "<td class=\"num\">50.00%</td>" in text
    assert f'href="{URL}?unit={world["xincheng"].pk}&amp;year=2021&amp;quarter=4"' in text
    district = response.context["tracking"].district
    assert (district.signed, district.started, district.overdue_count) == (3, 1, 2)


def test_a_units_staff_sees_its_own_unit_with_the_overdue_list(world):
    response = get(world, "own")
    assert response.status_code == 200
    assert response.templates[0].name == "landing/tracking_unit.html"
    row = response.context["row"]
    assert (row.signed, row.started, row.producing) == (2, 1, 1)
    [overdue] = response.context["overdue_page"].object_list
    assert (overdue.code, overdue.signed_on, overdue.deadline, overdue.days_overdue) == ("XC-2", date(2021, 3, 20), date(2021, 9, 16), 106)
    text = response.content.decode()
    assert "落地跟踪 · 涪陵新城区 · 2021年第4季度" in text
    assert "2021-09-16" in text and "<td class=\"num\">106</td>" in text
    assert "临港项目" not in text


def test_a_units_staff_may_name_its_own_unit(world):
    assert get(world, "own", Q4 + f"&unit={world['xincheng'].pk}").status_code == 200


@pytest.mark.parametrize("asked", ["lingang", "999999", "abc"])
def test_another_unit_answers_404_to_staff(world, asked):
    pk = world[asked].pk if asked in world else asked
    assert get(world, "own", Q4 + f"&unit={pk}").status_code == 404


@pytest.mark.parametrize("asked", ["999999", "abc", "-1", "9" * 30])
def test_an_unknown_unit_answers_404_to_reviewers(world, asked):
    assert get(world, "reviewer", Q4 + f"&unit={asked}").status_code == 404


def test_a_unit_that_is_not_assessed_answers_404(world):
    other = UnitFactory(name="区委办公室", kind=UnitKind.OTHER)
    assert get(world, "reviewer", Q4 + f"&unit={other.pk}").status_code == 404


def test_reviewers_open_any_units_view(world):
    response = get(world, "reviewer", Q4 + f"&unit={world['lingang'].pk}")
    assert response.status_code == 200
    assert response.context["unit"] == world["lingang"] and response.context["row"].signed == 1
    assert "全区落地跟踪" in response.content.decode()


def test_the_staff_of_a_body_that_is_not_assessed_have_nothing_to_follow(world):
    office = UnitFactory(name="区委办公室", kind=UnitKind.OTHER)
    clerk = client_for(user_with_role(Role.STAFF, office, username="office"))
    response = clerk.get(URL)
    assert response.status_code == 403 and "各园区、区级部门的填报员" in response.content.decode()
    assert f'href="{URL}"' not in clerk.get(reverse("dashboard")).content.decode()
    assert f'href="{URL}"' in client_for(world["own"]).get(reverse("dashboard")).content.decode()


def test_staff_without_a_unit_and_anonymous_visitors_are_refused(world):
    lost = user_with_role(Role.STAFF, username="lost")
    response = client_for(lost).get(URL)
    assert response.status_code == 403 and "落地跟踪只对" in response.content.decode()
    response = Client().get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_unit_view_lists_red_yellow_and_quiet_projects(world):
    """Today (the machine's date, long after 2021): every 2021 project not started is red."""
    response = get(world, "own")
    [red] = response.context["coloured_page"].object_list
    assert (red.code, red.colour.value) == ("XC-2", "red")
    assert response.context["colour_counts"] == ColourCounts(red=1, yellow=0, quiet=0)
    assert red.reasons[0].startswith("超过开工时限")
    text = response.content.decode()
    assert 'class="badge landing-red"' in text


def test_a_project_gone_quiet_is_listed_with_its_days(world):
    started = Project.objects.get(code="XC-1")
    Project.objects.filter(pk=started.pk).update(updated_at=started.updated_at - timedelta(days=400))
    started.milestones.update(updated_at=started.updated_at - timedelta(days=400))
    facts.refresh_all()  # update() sends no signal: the columns as a write would leave them
    response = get(world, "own")
    [quiet] = response.context["quiet_page"].object_list
    assert (quiet.code, quiet.colour.value) == ("XC-1", "red") and quiet.quiet_days >= 400
    assert quiet.reasons == (f"{quiet.quiet_days} 天无更新",)
    assert "长期无更新的项目" in response.content.decode()


def test_withdrawn_projects_are_not_listed(world):
    Project.objects.filter(code="XC-2").update(status=Status.WITHDRAWN)
    response = get(world, "own")
    assert list(response.context["coloured_page"]) == [] and list(response.context["overdue_page"]) == []
    assert response.context["row"].overdue_count == 0


def test_a_year_without_rules_says_so(world):
    response = get(world, "reviewer", "?year=2019&quarter=4")
    assert response.status_code == 200
    # period_from_request falls back to the latest year with rules, and says so
    assert "2019年尚未设置考核规则" in response.content.decode()


# --- Query counts -----------------------------------------------------------------------------


def more_projects(count: int) -> None:
    for n in range(count):
        project = ProjectFactory(lead_unit=unit("涪陵新城区"), signed_on=date(2021, 1 + n % 12, 1))
        if n % 2:
            MilestoneFactory(project=project, actual_on=date(2021, 12, 1))


# session, user, role (groups), the picker's rule-set years, the rule sets, the units, the counts,
# the organisation (the title), the to-do block's counts, the unread notifications (a reviewer's menu)
DISTRICT_QUERIES = 10
# session, user, role (groups, membership with its unit), the picker's rule-set years, the rule sets,
# the counts, a page of the overdue projects, the colours' counts, a page of the red and yellow
# ones, a page of the quiet ones, the organisation, the to-do block's counts
UNIT_QUERIES = 13


@pytest.mark.parametrize("count", [0, 12])
def test_the_district_view_reads_a_constant_number_of_queries(world, django_assert_num_queries, count):
    more_projects(count)
    client = client_for(world["reviewer"])
    with django_assert_num_queries(DISTRICT_QUERIES):
        response = client.get(URL + Q4)
    assert response.status_code == 200
    assert response.context["tracking"].district.signed == 3 + count


def all_quiet() -> None:
    long_ago = timezone.now() - timedelta(days=400)
    Project.objects.update(updated_at=long_ago)
    Milestone.objects.update(updated_at=long_ago)
    facts.refresh_all()  # update() sends no signal: the columns as a write would leave them


def overdue_among(count: int) -> int:
    """XC-2, and those of more_projects(count) not started and signed before 4 July (months 1, 3, 5, 7)."""
    return 1 + sum(1 for n in range(count) if n % 2 == 0 and 1 + n % 12 <= 7)


@pytest.mark.parametrize("count", [0, 12, 120])
def test_the_unit_view_reads_a_constant_number_of_queries(world, django_assert_num_queries, count):
    more_projects(count)
    all_quiet()
    client = client_for(world["own"])
    with django_assert_num_queries(UNIT_QUERIES):
        response = client.get(URL + Q4)
    assert response.status_code == 200
    shown = min(2 + count, PAGE_SIZE)
    assert len(response.context["coloured_page"].object_list) == len(response.context["quiet_page"].object_list) == shown
    assert len(response.context["overdue_page"].object_list) == min(overdue_among(count), PAGE_SIZE)


def test_each_list_of_a_unit_turns_its_own_pages_and_keeps_the_others(world, monkeypatch):
    monkeypatch.setattr(tracking, "PAGE_SIZE", 5)
    more_projects(24)
    all_quiet()
    unit_pk = world["xincheng"].pk
    response = get(world, "reviewer", Q4 + f"&unit={unit_pk}&overdue_page=2&quiet_page=3")
    overdue, coloured, quiet = (response.context[name] for name in ("overdue_page", "coloured_page", "quiet_page"))
    assert (overdue.number, overdue.paginator.count, len(overdue.object_list)) == (2, overdue_among(24), 4)
    assert (coloured.number, coloured.paginator.count, coloured.paginator.num_pages) == (1, 26, 6)
    assert (quiet.number, quiet.paginator.count, len(quiet.object_list)) == (3, 26, 5)
    assert response.context["colour_counts"] == ColourCounts(red=26, yellow=0, quiet=26)
    text = response.content.decode()
    assert f"?year=2021&amp;quarter=4&amp;unit={unit_pk}&amp;quiet_page=3&amp;overdue_page=1#overdue-title" in text
    assert f"?year=2021&amp;quarter=4&amp;unit={unit_pk}&amp;overdue_page=2&amp;quiet_page=3&amp;colour_page=2#colour-title" in text
    assert "第 2 / 2 页，共 9 个" in text
    first = get(world, "reviewer", Q4 + f"&unit={unit_pk}").context["overdue_page"].object_list
    signed = [p.signed_on for p in [*first, *overdue.object_list]]
    assert signed == sorted(signed), "the oldest signed first, across pages"
    assert get(world, "reviewer", Q4 + f"&unit={unit_pk}&quiet_page=abc").context["quiet_page"].number == 1
    assert get(world, "reviewer", Q4 + f"&unit={unit_pk}&quiet_page=99").context["quiet_page"].number == 6


# --- The dashboard's block ----------------------------------------------------------------------


def test_the_dashboard_shows_the_years_rates_for_the_district_and_the_staffs_unit(world):
    response = get_page(world, "own", reverse("dashboard") + Q4)
    landing = response.context["board"].landing
    assert [(label, row.signed, row.started, row.overdue_count) for label, row in landing.rows] == [
        ("全区", 3, 1, 2),
        ("涪陵新城区", 2, 1, 1),
    ]
    text = response.content.decode()
    assert "项目落地（2021年初至12月31日签约的项目）" in text
    assert f'href="{URL}?year=2021&amp;quarter=4"' in text


def test_reviewers_see_the_district_alone_on_the_dashboard(world):
    landing = get_page(world, "reviewer", reverse("dashboard") + Q4).context["board"].landing
    assert [label for label, _ in landing.rows] == ["全区"]
    assert landing.district.start_rate == Decimal(1) / Decimal(3)


# --- The project list's colour filter -----------------------------------------------------------


def get_page(world, role: str, url: str):
    return client_for(world[role]).get(url)


@pytest.mark.parametrize("role", ["reviewer", "leader"])
def test_reviewers_and_leaders_filter_the_project_list_by_colour(world, role):
    response = get_page(world, role, reverse("project_list") + "?colour=red")
    assert [p.code for p in response.context["table"].data] == ["LG-1", "XC-2"]  # latest signed first
    assert 'class="badge landing-red"' in response.content.decode()
    assert "落地预警" in response.content.decode()
    assert [p.code for p in get_page(world, role, reverse("project_list") + "?colour=yellow").context["table"].data] == []


def test_staff_get_no_colour_filter_and_the_parameter_is_ignored(world):
    response = get_page(world, "own", reverse("project_list") + "?colour=red")
    assert "colour" not in response.context["filter"].form.fields
    assert sorted(p.code for p in response.context["table"].data) == ["XC-1", "XC-2"]
    assert "落地预警" not in response.content.decode()


def test_a_bad_colour_is_a_chinese_form_error(world):
    response = get_page(world, "reviewer", reverse("project_list") + "?colour=green")
    assert response.status_code == 200
    assert list(response.context["table"].data) == []
    assert "green" in response.content.decode() and "选择" in response.content.decode()


@pytest.mark.parametrize("count", [0, 12])
def test_the_colour_filter_reads_no_query_of_its_own(world, django_assert_num_queries, count):
    more_projects(count)
    client = client_for(world["reviewer"])
    client.get(reverse("project_list"))
    with CaptureQueriesContext(connection) as plain:
        client.get(reverse("project_list"))
    with django_assert_num_queries(len(plain)):
        response = client.get(reverse("project_list") + "?colour=red")
    assert len(response.context["table"].data) == 2 + count // 2
