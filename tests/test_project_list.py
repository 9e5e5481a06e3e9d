"""The projects list (项目): who sees which rows, filters, sorting, paging, tiers, buttons."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from access.roles import Role
from landing.models import MilestoneKind
from landing.stages import Stage
from projects.models import Origin, Sector, Status
from targets.models import UnitKind
from tests.factories import MilestoneFactory, ProjectFactory, RuleSetFactory, SpecialGroupFactory, UnitFactory, UserFactory, user_with_role

URL = reverse("project_list")


@pytest.fixture
def units(db):
    return {
        "a": UnitFactory(name="甲园区"),
        "b": UnitFactory(name="乙园区"),
        "c": UnitFactory(name="丙部门", kind=UnitKind.DEPARTMENT),
    }


@pytest.fixture
def rules(db):
    RuleSetFactory(year=2021)
    # 2022's 重点 threshold is 3亿 instead of 1亿: a 2亿 project is 重点 in 2021, 一般 in 2022.
    return RuleSetFactory(year=2022, key_investment=Decimal("3"))


@pytest.fixture
def staff_a(units):
    return user_with_role(Role.STAFF, units["a"], username="staff_a")


@pytest.fixture
def reviewer(db):
    return user_with_role(Role.REVIEWER, username="reviewer")


def codes(response) -> list[str]:
    return [row.record.code for row in response.context["table"].paginated_rows]


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


# --- Who sees what ----------------------------------------------------------------------


def test_staff_see_the_projects_their_unit_leads_or_cooperates_in_and_nothing_else(client, units, rules, staff_a):
    ProjectFactory(code="LED", lead_unit=units["a"])
    ProjectFactory(code="COOPERATES", lead_unit=units["c"], cooperating=[units["a"]])
    ProjectFactory(code="OTHER", lead_unit=units["b"], cooperating=[units["c"]])

    assert sorted(codes(get(client, staff_a))) == ["COOPERATES", "LED"]


def test_another_units_project_never_appears_not_even_through_the_keyword_or_unit_filter(client, units, rules, staff_a):
    ProjectFactory(code="OTHER", name="秘密项目", investor="秘密投资", lead_unit=units["b"])

    assert codes(get(client, staff_a, keyword="秘密")) == []
    assert codes(get(client, staff_a, unit=units["b"].pk)) == []
    response = get(client, staff_a, keyword="秘密")
    assert "秘密项目" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.LEADER])
def test_reviewers_and_leaders_see_every_unit_s_projects(client, units, rules, role):
    for unit in units.values():
        ProjectFactory(code=f"P-{unit.name}", lead_unit=unit)

    assert len(codes(get(client, user_with_role(role, username="someone")))) == 3


def test_a_user_without_a_role_sees_no_projects(client, units, rules):
    ProjectFactory(lead_unit=units["a"])
    nobody = UserFactory(username="nobody")

    assert codes(get(client, nobody)) == []


# --- Filters ----------------------------------------------------------------------------


@pytest.fixture
def two_projects(units, rules):
    group = SpecialGroupFactory(name="新材料招商组")
    wanted = ProjectFactory(
        code="WANTED",
        name="锂电池材料项目",
        investor="宁德某新能源公司",
        lead_unit=units["a"],
        cooperating=[units["c"]],
        group=group,
        sector=Sector.INDUSTRIAL,
        origin=Origin.OUTSIDE_CITY,
        agreement_capital=Decimal("25"),
        signed_on=datetime.date(2022, 5, 20),
        status=Status.APPROVED,
    )
    MilestoneFactory(project=wanted, kind=MilestoneKind.STARTED, actual_on=datetime.date(2022, 9, 1))
    ProjectFactory(
        code="UNWANTED",
        name="商贸综合体",
        investor="本地商贸公司",
        lead_unit=units["b"],
        sector=Sector.NON_INDUSTRIAL,
        origin=Origin.INSIDE_DISTRICT,
        agreement_capital=Decimal("0.5"),
        signed_on=datetime.date(2021, 8, 1),
        status=Status.DRAFT,
    )
    return wanted


@pytest.mark.parametrize(
    "params",
    [
        {"year": "2022"},
        {"unit": "lead"},
        {"unit": "cooperating"},
        {"group": "group"},
        {"tier": "major"},
        {"origin": Origin.OUTSIDE_CITY},
        {"sector": Sector.INDUSTRIAL},
        {"stage": Stage.STARTED},
        {"status": Status.APPROVED},
        {"signed_from": "2022-01-01"},
        {"signed_to": "2022-12-31", "signed_from": "2022-05-20"},
        {"keyword": "锂电"},
        {"keyword": "宁德"},
    ],
    ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items()),
)
def test_each_filter_keeps_only_the_matching_projects(client, reviewer, units, two_projects, params):
    resolved = {
        "lead": units["a"].pk,
        "cooperating": units["c"].pk,
        "group": two_projects.group_id,
    }
    params = {name: resolved.get(value, value) for name, value in params.items()}

    assert codes(get(client, reviewer, **params)) == ["WANTED"]


def test_without_filters_both_projects_are_listed(client, reviewer, two_projects):
    assert sorted(codes(get(client, reviewer))) == ["UNWANTED", "WANTED"]


def test_the_keyword_ignores_case_and_surrounding_spaces(client, reviewer, units, rules):
    ProjectFactory(code="ACME", name="Acme Robotics 智能制造", lead_unit=units["a"])

    assert codes(get(client, reviewer, keyword="  acme  ")) == ["ACME"]


@pytest.mark.parametrize(
    "keyword",
    ["FL2021-0042", "fl2021-0042", "2021-00421", "星河", "STARRIVER", "starriver holdings", "机器人"],
    ids=["code", "code-lowercase", "code-middle", "investor", "investor-uppercase", "investor-lowercase", "name"],
)
def test_the_keyword_matches_the_code_the_investor_or_the_name(client, reviewer, units, rules, keyword):
    ProjectFactory(code="FL2021-00421", name="机器人产业园", investor="StarRiver Holdings 星河集团", lead_unit=units["a"])
    ProjectFactory(code="FL2021-00007", name="商贸综合体", investor="本地商贸公司", lead_unit=units["a"])

    assert codes(get(client, reviewer, keyword=keyword)) == ["FL2021-00421"]


@pytest.mark.parametrize("keyword", ["FL2021-0099", "隐秘投资", "OTHER-UNIT"])
def test_staff_never_find_another_unit_s_project_by_its_code_or_investor(client, units, rules, staff_a, keyword):
    ProjectFactory(code="FL2021-00991", name="别家项目", investor="隐秘投资 Other-Unit Ltd", lead_unit=units["b"])
    ProjectFactory(code="FL2021-00992", name="配合项目", investor="隐秘投资 Other-Unit Ltd", lead_unit=units["c"], cooperating=[units["a"]])

    assert codes(get(client, staff_a, keyword=keyword)) == ["FL2021-00992"]


@pytest.mark.parametrize("size", [3, 30])
def test_a_keyword_search_is_one_query_whatever_the_number_of_projects(
    client, django_assert_num_queries, units, rules, staff_a, size
):
    for n in range(size):
        ProjectFactory(code=f"FL2021-{n:05d}", investor="同一集团", lead_unit=units["a"], cooperating=[units["b"]])
    client.force_login(staff_a)

    # as the unfiltered list (test_the_query_count_does_not_grow_with_the_number_of_projects): the
    # keyword adds a condition to the count's and the rows' queries, never a query of its own
    with django_assert_num_queries(13):
        response = client.get(URL, {"keyword": "同一"})

    assert len(codes(response)) == min(size, 25)
    assert len(codes(get(client, staff_a, keyword="fl2021-0000"))) == min(size, 10)


def test_a_date_range_ending_before_it_starts_is_an_error_shown_at_the_field(client, reviewer, two_projects):
    response = get(client, reviewer, signed_from="2022-06-01", signed_to="2022-01-01")

    assert response.status_code == 200
    errors = response.context["filter"].form.errors
    assert errors["signed_to"] == ["结束日期（2022-01-01）早于开始日期（2022-06-01），请调整签约日期范围。"]
    assert codes(response) == []
    page = response.content.decode()
    assert "结束日期（2022-01-01）早于开始日期" in page
    assert "导出Excel" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "1999"},
        {"unit": "999999"},
        {"unit": "x"},
        {"group": "-1"},
        {"tier": "huge"},
        {"status": "deleted"},
        {"signed_from": "2021-13-45"},
        {"signed_to": "yesterday"},
    ],
    ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items()),
)
def test_a_bad_filter_value_is_an_error_on_the_page_not_a_crash(client, reviewer, two_projects, params):
    response = get(client, reviewer, **params)

    assert response.status_code == 200
    assert list(response.context["filter"].form.errors) == list(params)
    assert codes(response) == []


def test_the_year_choices_are_the_years_with_a_rule_set_newest_first(client, reviewer, rules):
    choices = list(get(client, reviewer).context["filter"].form.fields["year"].choices)

    assert choices == [("", "全部"), ("2022", "2022年"), ("2021", "2021年")]


def test_without_any_rule_set_the_tier_filter_says_why_it_cannot_filter(client, reviewer, units):
    ProjectFactory(lead_unit=units["a"])

    response = get(client, reviewer, tier="major")

    assert response.context["filter"].form.errors["tier"] == ["尚未设置任何年度的考核规则，无法按档次筛选。"]
    assert "尚未设置考核规则，无法判定项目档次" in response.content.decode()


# --- Tiers ------------------------------------------------------------------------------


def test_the_tier_follows_the_rules_of_the_project_s_signing_year(client, reviewer, units, rules):
    ProjectFactory(code="Y2021", lead_unit=units["a"], agreement_capital=Decimal("2"), signed_on=datetime.date(2021, 6, 1))
    ProjectFactory(code="Y2022", lead_unit=units["a"], agreement_capital=Decimal("2"), signed_on=datetime.date(2022, 6, 1))
    # 2020 has no rule set: the latest (2022) applies, as to a project not signed yet.
    ProjectFactory(code="Y2020", lead_unit=units["a"], agreement_capital=Decimal("2"), signed_on=datetime.date(2020, 6, 1))
    ProjectFactory(code="UNSIGNED", lead_unit=units["a"], agreement_capital=Decimal("2"), signed_on=None, status=Status.DRAFT)

    response = get(client, reviewer)

    tiers = {row.record.code: row.get_cell("tier") for row in response.context["table"].paginated_rows}
    assert tiers == {"Y2021": "重点项目", "Y2022": "一般项目", "Y2020": "一般项目", "UNSIGNED": "一般项目"}
    assert "未签约或签约年度尚无规则的项目按2022年规则判定" in response.content.decode()
    assert codes(get(client, reviewer, tier="key")) == ["Y2021"]


def test_with_a_year_chosen_the_hint_names_that_year_s_thresholds(client, reviewer, units, rules):
    ProjectFactory(lead_unit=units["a"], signed_on=datetime.date(2021, 6, 1))

    assert "档次按2021年考核规则的标准判定" in get(client, reviewer, year="2021").content.decode()


# --- Display, sorting and paging --------------------------------------------------------


def test_a_row_shows_money_to_two_decimals_the_name_as_a_link_and_a_status_badge(client, reviewer, units, rules):
    project = ProjectFactory(
        code="SHOWN",
        name="显示项目",
        lead_unit=units["a"],
        cooperating=[units["c"], units["b"]],
        agreement_capital=Decimal("1.2345"),
        expected_output=Decimal("30.005"),
        status=Status.SUBMITTED,
    )

    page = get(client, reviewer).content.decode()

    assert f'<a href="{reverse("project_detail", kwargs={"pk": project.pk})}">显示项目</a>' in page
    assert '<td class="num">1.23</td>' in page
    assert '<td class="num">30.01</td>' in page
    assert "丙部门、乙园区" in page
    assert '<span class="badge submitted">待审核</span>' in page
    assert "2021-03-15" in page


def test_user_text_is_escaped(client, reviewer, units, rules):
    ProjectFactory(name="<script>alert(1)</script>", investor="<b>投资方</b>", lead_unit=units["a"])

    page = get(client, reviewer).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>投资方</b>" not in page


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("agreement_capital", ["SMALL", "MIDDLE", "BIG"]),
        ("-agreement_capital", ["BIG", "MIDDLE", "SMALL"]),
        ("tier", ["SMALL", "MIDDLE", "BIG"]),
        ("-tier", ["BIG", "MIDDLE", "SMALL"]),
        ("name", ["BIG", "MIDDLE", "SMALL"]),
        ("-name", ["SMALL", "MIDDLE", "BIG"]),
        ("no_such_column", ["MIDDLE", "BIG", "SMALL"]),
    ],
)
def test_columns_sort_both_ways_and_an_unknown_sort_is_ignored(client, reviewer, units, rules, sort, expected):
    def project(code, name, capital, day):
        ProjectFactory(code=code, name=name, lead_unit=units["a"], agreement_capital=Decimal(capital), signed_on=datetime.date(2021, 3, day))

    project("SMALL", "C项目", "0.3", 1)  # 一般项目
    project("MIDDLE", "B项目", "2", 3)  # 重点项目
    project("BIG", "A项目", "25", 2)  # 重大项目

    assert codes(get(client, reviewer, sort=sort)) == expected


@pytest.fixture
def sixty_projects(units, rules):
    return ProjectFactory.create_batch(60, lead_unit=units["a"])


def test_it_shows_25_projects_a_page(client, reviewer, sixty_projects):
    first, third = get(client, reviewer), get(client, reviewer, page=3)

    assert len(codes(first)) == 25 and len(codes(third)) == 10
    assert set(codes(first)).isdisjoint(codes(third))
    assert "共 60 个项目，第 3/3 页" in third.content.decode()


@pytest.mark.parametrize("page, shown", [("abc", 1), ("", 1), ("0", 3), ("-1", 3), ("999", 3), ("2.5", 1)])
def test_a_bad_page_number_shows_a_page_instead_of_failing(client, reviewer, sixty_projects, page, shown):
    response = get(client, reviewer, page=page)

    assert response.status_code == 200
    assert response.context["table"].page.number == shown


def test_paging_links_keep_the_filters(client, reviewer, sixty_projects):
    page = get(client, reviewer, keyword="测试", sort="-code").content.decode()

    assert re.search(r'href="\?[^"]*page=2', page)
    link = re.search(r'href="(\?[^"]*page=2[^"]*)"', page).group(1)
    assert "keyword=" in link and "sort=-code" in link


# --- Buttons and links ------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, enters",
    [(Role.STAFF, True), (Role.REVIEWER, True), (Role.ADMINISTRATOR, True), (Role.LEADER, False)],
)
def test_new_project_and_import_buttons_only_for_roles_that_enter_projects(client, units, rules, role, enters):
    user = user_with_role(role, units["a"] if role is Role.STAFF else None, username="u")

    page = get(client, user).content.decode()

    assert (f'href="{reverse("project_create")}"' in page) is enters
    assert (">新建项目</a>" in page) is enters
    assert (f'href="{reverse("import_upload")}">导入</a>' in page) is enters
    assert "导出Excel" in page


def test_the_export_link_carries_the_filters_and_sorting_but_not_the_page(client, reviewer, sixty_projects):
    page = get(client, reviewer, keyword="测试", status="approved", sort="-code", page="2").content.decode()

    link = re.search(r'href="([^"]*)"[^>]*>导出Excel', page).group(1)
    assert link.startswith(reverse("project_export") + "?")
    assert "keyword=%E6%B5%8B%E8%AF%95" in link and "status=approved" in link and "sort=-code" in link
    assert "page=" not in link


def test_the_filter_form_keeps_the_sorting(client, reviewer, rules):
    page = get(client, reviewer, sort="-agreement_capital").content.decode()

    assert '<input type="hidden" name="sort" value="-agreement_capital">' in page


# --- Queries ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_the_number_of_projects(
    client, django_assert_num_queries, units, rules, staff_a, size
):
    group = SpecialGroupFactory()
    for _ in range(size):
        ProjectFactory(lead_unit=units["a"], cooperating=[units["b"], units["c"]], group=group)
    client.force_login(staff_a)

    # session, user, role: groups, membership with its unit; rule sets, count, the unit, group and
    # chain-link choices, the page's rows, their cooperating units, the menu's to-do count; the organisation (the page's title)
    with django_assert_num_queries(13):
        response = client.get(URL, {"sort": "-tier"})

    assert len(codes(response)) == min(size, 25)
