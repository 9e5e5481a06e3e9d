"""The dashboard (首页): district totals, the "5311" goal, the two rankings, the charts, the colour rule."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from figures.activity_index import store_week
from figures.assessment import assess
from figures.progress import Progress, progress_of
from groups.models import SpecialGroup
from leads.models import ActivityKind
from projects.models import Origin, Sector, Status
from targets import scoring
from targets.activity_index import Week
from targets.models import FiveYearGoal, RuleSet, Unit, UnitKind
from tests.factories import ActivityFactory, ArrivalFactory, client_for, ProjectFactory, RuleSetFactory, UnitFactory, user_with_role

D = Decimal
I = scoring.Indicator
Q2 = scoring.Period(2021, 2)


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


@pytest.fixture
def reviewer(db):
    return client_for(user_with_role(Role.REVIEWER, username="reviewer"))


@pytest.fixture
def projects(fuling_2021):
    """domain.md §6 and a few more, on the real 2021 units and targets."""
    first = ProjectFactory(lead_unit=unit("涪陵新城区"), agreement_capital=D("80"), signed_on=date(2021, 3, 15))
    ArrivalFactory(project=first, amount=D("3"), arrived_on=date(2021, 4, 15))
    ArrivalFactory(project=first, amount=D("5"), arrived_on=date(2021, 10, 15))  # Q4: not in Q2
    ProjectFactory(
        lead_unit=unit("临港经济区"),
        cooperating=[unit("区商务委")],
        agreement_capital=D("12"),
        origin=Origin.INSIDE_CITY,
        sector=Sector.NON_INDUSTRIAL,
        signed_on=date(2021, 5, 10),
    )
    ProjectFactory(lead_unit=unit("区财政局"), agreement_capital=D("0.3"), signed_on=date(2021, 6, 30))
    ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("50"), status=Status.SUBMITTED)  # counts nowhere


def dashboard(client, query="?year=2021&quarter=2"):
    response = client.get(reverse("dashboard") + query)
    assert response.status_code == 200
    return response


# --- The colour rule: a pure function ----------------------------------------------------


class TestColourRule:
    @pytest.mark.parametrize(
        "rate, quarter, expected",
        [
            (D("0.5"), 2, Progress.AHEAD),  # exactly on time progress
            (D("1.3"), 2, Progress.AHEAD),
            (D("0.4999"), 2, Progress.BEHIND),
            (D("0.4"), 2, Progress.BEHIND),  # exactly 80% of time progress
            (D("0.3999"), 2, Progress.FAR_BEHIND),
            (D("0"), 1, Progress.FAR_BEHIND),
            (D("0.2"), 1, Progress.BEHIND),  # 80% of 25%
            (D("0.75"), 3, Progress.AHEAD),
            (D("0.99"), 4, Progress.BEHIND),
            (D("0.79"), 4, Progress.FAR_BEHIND),
        ],
    )
    def test_a_rate_is_coloured_against_time_progress(self, rate, quarter, expected):
        assert progress_of(rate, scoring.Period(2021, quarter).time_progress) is expected

    def test_no_target_has_its_own_colour(self):
        assert progress_of(None, D("0.5")) is Progress.NONE

    def test_the_colour_names_are_the_stylesheets_classes(self):
        assert [p.value for p in Progress] == ["progress-ahead", "progress-behind", "progress-far-behind", "progress-none"]

    def test_the_page_states_the_rule_with_this_periods_thresholds(self, projects, reviewer):
        html = dashboard(reviewer).content.decode()
        assert "达到序时进度：完成率 ≥ 50.00%" in html
        assert "落后序时进度：40.00% ≤ 完成率 &lt; 50.00%" in html
        assert "严重滞后：完成率 &lt; 40.00%（序时进度的80%）" in html


# --- District totals ---------------------------------------------------------------------


class TestDistrictTotals:
    def test_actuals_are_the_sum_of_what_the_ranking_credits(self, projects, reviewer):
        board = dashboard(reviewer).context["board"]
        results = assess(Q2)
        for row in board.totals:
            assert row.district.actual == sum(r.indicators[row.indicator].actual for r in results)
        totals = {row.indicator: row for row in board.totals}
        # 80 + 12 × 20% (lead 80% + cooperating 20%) + 0.3
        assert totals[I.AGREEMENT_CAPITAL].district.actual == D("82.7")
        assert totals[I.AGREEMENT_CAPITAL].parks.actual == D("80") + D("1.92")
        assert totals[I.AGREEMENT_CAPITAL].departments.actual == D("0.48") + D("0.3")
        assert totals[I.ARRIVED_CAPITAL].district.actual == D("3")
        assert totals[I.MAJOR_PROJECTS].district.actual == 1

    def test_targets_are_the_sum_over_units_that_have_one(self, projects, reviewer):
        totals = {row.indicator: row for row in dashboard(reviewer).context["board"].totals}
        assert totals[I.AGREEMENT_CAPITAL].parks.target == D("580")
        assert totals[I.AGREEMENT_CAPITAL].departments.target == D("100")
        assert totals[I.AGREEMENT_CAPITAL].district.target == D("680")
        assert totals[I.NON_INDUSTRIAL_AGREEMENT_CAPITAL].district.target == D("120")
        assert totals[I.ARRIVED_CAPITAL].departments.target is None  # no department has one
        assert totals[I.ARRIVED_CAPITAL].district.target == D("201")

    def test_rates_are_shown_rounded_and_coloured(self, projects, reviewer):
        html = dashboard(reviewer).content.decode()
        # parks' agreement capital: 81.92 / 580 = 14.12% against 50% → far behind
        assert '<td class="num">81.92</td>' in html
        assert re.search(r'class="num progress-far-behind" title="严重滞后">14\.12%<', html)
        # departments have no arrived-capital target: "–" in a grey cell
        assert re.search(r'class="num progress-none" title="无目标">–<', html)


# --- The five-year goal ------------------------------------------------------------------


class TestFiveYearGoal:
    def goal_rows(self, client, query="?year=2021&quarter=2"):
        board = dashboard(client, query).context["board"]
        return {row.figure.label: row.figure for row in board.five_year.rows}

    def test_it_counts_the_districts_own_unweighted_figures_of_every_origin(self, fuling_2021, reviewer):
        ProjectFactory(lead_unit=unit("临港经济区"), cooperating=[unit("区商务委")], agreement_capital=D("12"), origin=Origin.INSIDE_CITY)
        ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("30"), origin=Origin.INSIDE_DISTRICT)
        ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("0.01"))  # below threshold: still the district's
        ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("99"), status=Status.DRAFT)
        ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("99"), signed_on=date(2021, 7, 1))  # after Q2
        rows = self.goal_rows(reviewer)
        assert rows["2021年协议资金"].actual == D("42.01")
        assert rows["2021年协议资金"].target == D("500")
        assert rows["累计协议资金"].actual == D("42.01")
        assert rows["累计协议资金"].target == D("3000")

    def test_cumulative_figures_run_from_the_goals_first_year(self, fuling_2021, reviewer):
        RuleSetFactory(year=2022)
        before = ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("10"), signed_on=date(2020, 12, 31))
        last_year = ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("20"), signed_on=date(2021, 5, 1))
        ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("5"), signed_on=date(2022, 2, 1))
        ArrivalFactory(project=before, amount=D("1"), arrived_on=date(2021, 3, 1))
        ArrivalFactory(project=last_year, amount=D("2"), arrived_on=date(2022, 3, 31))
        ArrivalFactory(project=last_year, amount=D("4"), arrived_on=date(2022, 4, 1))  # after 2022 Q1
        rows = self.goal_rows(reviewer, "?year=2022&quarter=1")
        assert rows["2022年协议资金"].actual == D("5")
        assert rows["累计协议资金"].actual == D("25")
        assert rows["累计到位资金"].actual == D("3")
        assert rows["累计到位资金"].target == D("1000")

    def test_it_counts_enterprises_of_100_yi_output_or_more(self, fuling_2021, reviewer):
        ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("50"), expected_output=D("100"))
        ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("50"), expected_output=D("99.9999"))
        rows = self.goal_rows(reviewer)
        assert (rows["产值100亿级企业"].actual, rows["产值100亿级企业"].target) == (1, 10)

    def test_the_annual_figure_is_coloured_against_time_progress_and_the_totals_against_five_years(
        self, fuling_2021, reviewer
    ):
        ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("250"))  # 50% of 500, 8.33% of 3000
        response = dashboard(reviewer)
        rows = {row.figure.label: row.figure for row in response.context["board"].five_year.rows}
        assert rows["2021年协议资金"].progress is Progress.AHEAD  # 50% at Q2
        assert rows["累计协议资金"].progress is Progress.BEHIND  # 8.33% of 10% elapsed
        assert "五年序时进度 10.00%" in response.content.decode()

    def test_a_year_outside_the_goal_is_omitted_with_a_note(self, fuling_2021, reviewer):
        RuleSetFactory(year=2026)
        response = dashboard(reviewer, "?year=2026&quarter=1")
        assert response.context["board"].five_year is None
        assert "2026年不在任何五年目标（如“5311”）的期限内" in response.content.decode()

    def test_without_any_goal_the_page_still_answers(self, fuling_2021, reviewer):
        FiveYearGoal.objects.all().delete()
        assert "不显示五年目标进度" in dashboard(reviewer).content.decode()


# --- Rankings ----------------------------------------------------------------------------


class TestRankings:
    def test_each_table_is_assess_in_its_order_with_rank_and_score(self, projects, reviewer):
        board = dashboard(reviewer).context["board"]
        results = assess(Q2)
        parks, departments = board.rankings
        assert [(r.unit.id, r.result.rank, r.result.score) for r in parks.rows] == [
            (r.unit.id, r.rank, r.score) for r in results if r.unit.kind == UnitKind.PARK
        ]
        assert [r.unit.name for r in departments.rows] == [
            r.unit.name for r in results if r.unit.kind == UnitKind.DEPARTMENT
        ]
        assert parks.rows[0].unit.name == "涪陵新城区" and parks.rows[0].result.rank == 1

    def test_each_indicator_shows_actual_target_and_coloured_rate(self, projects, reviewer):
        parks = dashboard(reviewer).context["board"].rankings[0]
        xincheng = next(row for row in parks.rows if row.unit.name == "涪陵新城区")
        capital = xincheng.figures[parks.indicators.index(I.AGREEMENT_CAPITAL)]
        assert (capital.actual_text, capital.target_text, capital.rate_text) == ("80.00", "160.00", "50.00%")
        assert capital.progress is Progress.AHEAD
        qingxi = next(row for row in parks.rows if row.unit.name == "清溪园区")
        major = qingxi.figures[parks.indicators.index(I.MAJOR_PROJECTS)]
        assert (major.target_text, major.rate_text, major.progress) == ("–", "–", Progress.NONE)

    def test_indicators_no_unit_of_the_kind_is_assessed_on_are_left_out_with_a_note(self, projects, reviewer):
        response = dashboard(reviewer)
        parks, departments = response.context["board"].rankings
        assert parks.indicators == list(I)
        assert I.ARRIVED_CAPITAL not in departments.indicators
        assert "区级部门均未设“其中：非工业”、“到位资金”目标，表中不列" in response.content.decode()

    def test_reviewers_and_leaders_get_a_link_to_every_unit(self, projects):
        leader = client_for(user_with_role(Role.LEADER, username="leader"))
        html = dashboard(leader).content.decode()
        for name in ("涪陵新城区", "区商务委", "区招商投资局"):
            assert f'href="/units/{unit(name).pk}/?year=2021&amp;quarter=2">{name}</a>' in html

    def test_staff_get_a_link_to_their_own_unit_only(self, projects):
        staff = client_for(user_with_role(Role.STAFF, unit("临港经济区"), username="lingang"))
        html = dashboard(staff).content.decode()
        assert f'href="/units/{unit("临港经济区").pk}/' in html
        assert f'href="/units/{unit("涪陵新城区").pk}/' not in html
        assert "涪陵新城区</td>" in html  # listed, not linked
        assert html.count(f'href="/units/{unit("临港经济区").pk}/') == html.count('href="/units/') == 2  # and the menu's 本单位


# --- Charts ------------------------------------------------------------------------------


class TestCharts:
    def chart_data(self, response) -> dict:
        match = re.search(r'<script id="dashboard-chart-data" type="application/json">(.*?)</script>', response.content.decode())
        return json.loads(match.group(1))

    def test_scripts_are_served_by_the_app_and_none_is_inline(self, projects, reviewer):
        html = dashboard(reviewer).content.decode()
        assert '<script src="/static/vendor/echarts/echarts.min.js"></script>' in html
        assert '<script src="/static/js/charts.js"></script>' in html
        scripts = re.findall(r"<script([^>]*)>", html)
        assert all("src=" in attributes or 'type="application/json"' in attributes for attributes in scripts)
        assert "http://" not in html and "https://" not in html

    def test_completion_by_unit_follows_the_ranking_with_time_progress(self, projects, reviewer):
        data = self.chart_data(dashboard(reviewer))
        assert data["timeProgress"] == "50.00"
        completion = data["completion"]
        assert completion["units"][0] == "涪陵新城区"
        assert completion["rates"][0] == "50.00"
        assert completion["progress"][0] == "progress-ahead"
        assert len(completion["units"]) == 22  # every 2021 unit has an agreement-capital target

    def test_quarters_add_up_to_the_district_total(self, projects, reviewer):
        response = dashboard(reviewer)
        quarters = self.chart_data(response)["quarters"]
        assert quarters["labels"] == ["第1季度", "第2季度", "第3季度", "第4季度"]
        # Q1: 80; Q2: 12 × 20% + 0.3; Q3 and Q4 are after the period
        assert quarters["values"] == ["80.00", "2.70", None, None]
        total = next(r for r in response.context["board"].totals if r.indicator is I.AGREEMENT_CAPITAL)
        assert total.district.actual == D("82.70")

    def test_projects_by_special_group_count_own_figures(self, projects, reviewer):
        group = SpecialGroup.objects.order_by("number").first()
        ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("7"), origin=Origin.INSIDE_DISTRICT, group=group)
        ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("3"), origin=Origin.INSIDE_CITY, group=group)
        data = self.chart_data(dashboard(reviewer))["groups"]
        assert len(data["groups"]) == 13  # 12 groups and the projects of none
        assert (data["groups"][0], data["projects"][0], data["capital"][0]) == (group.name, 2, "10.00")
        assert (data["groups"][-1], data["projects"][-1], data["capital"][-1]) == ("未归属专项组", 3, "92.30")


# --- Periods and failures ----------------------------------------------------------------


class TestPeriodsAndFailures:
    def test_it_falls_back_to_the_latest_year_with_a_rule_set(self, projects, reviewer):
        response = dashboard(reviewer, "?year=2030&quarter=1")
        assert response.context["board"].period == scoring.Period(2021, 4)
        assert "2030年尚未设置考核规则，已显示2021年第4季度。" in response.content.decode()

    @pytest.mark.parametrize(
        "query",
        ["?year=abc&quarter=x", "?year=2021&quarter=9", "?year=0", "?year=-3", "?year=99999999", "?quarter=", "?year=2021&year=x"],
    )
    def test_bad_query_parameters_never_fail(self, projects, reviewer, query):
        response = dashboard(reviewer, query)
        assert response.context["board"].period.year == 2021

    def test_a_bad_quarter_is_explained(self, projects, reviewer):
        assert "季度须为1–4，已显示第四季度。" in dashboard(reviewer, "?year=2021&quarter=5").content.decode()

    @pytest.mark.parametrize("query", ["", "?year=2021&quarter=2", "?year=0", "?year=99999999", "?year=abc"])
    def test_without_any_rule_set_it_says_so_in_chinese(self, db, reviewer, query):
        UnitFactory(name="甲园区")
        response = dashboard(reviewer, query)
        assert "board" not in response.context
        html = response.content.decode()
        assert "尚未设置考核规则（年度规则），无法计算。" in html
        assert "请招商局审核员在“目标”页面设置该年度的考核规则" in html
        assert "echarts" not in html

    def test_a_year_with_rules_but_no_targets_shows_every_rate_as_no_target(self, projects, reviewer):
        RuleSet.objects.create(**{**RuleSet.objects.filter(year=2021).values().get(), "id": None, "year": 2022})
        board = dashboard(reviewer, "?year=2022&quarter=1").context["board"]
        assert all(r.district.progress is Progress.NONE for r in board.totals)
        assert all(row.result.rank is None for ranking in board.rankings for row in ranking.rows)


# --- Queries -----------------------------------------------------------------------------


def many_projects(count: int) -> None:
    """`count` approved projects of every kind of credit: joint, weighted, with arrivals and groups."""
    units = list(Unit.objects.assessed())
    groups = list(SpecialGroup.objects.all())
    for n in range(count):
        project = ProjectFactory(
            lead_unit=units[n % len(units)],
            cooperating=[units[(n + 1) % len(units)], units[(n + 2) % len(units)]] if n % 3 == 0 else [],
            agreement_capital=D(n % 25) + D("0.5"),
            origin=[Origin.OUTSIDE_CITY, Origin.INSIDE_CITY, Origin.INSIDE_DISTRICT][n % 3],
            sector=[Sector.INDUSTRIAL, Sector.NON_INDUSTRIAL][n % 2],
            expected_output=D(120) if n % 7 == 0 else None,
            signed_on=date(2021, 1 + n % 12, 1),
            group=groups[n % len(groups)] if n % 4 else None,
        )
        ArrivalFactory(project=project, amount=D("0.25"), arrived_on=date(2021, 1 + n % 12, 20))


# session, user, rule-set years, role (groups, membership, unit), rules, assess (7), 5311 (3), charts (3),
# the to-do block: its counts (also the menu's badge) and its two lists (returned, stale projects);
# the organisation (the page's title, once per request);
# the leads' items: the rule set, their counts and their two lists (overdue, stale leads);
# last week's stored activity index (1, whether stored or not);
# the landing block: the year's rule set (its start limit) and one count of the cohort (2);
# the key-task reports to file, overdue or returned (1)
DASHBOARD_QUERIES = 31


@pytest.mark.parametrize("count", [3, 30])
def test_the_dashboard_reads_a_constant_number_of_queries(fuling_2021, django_assert_num_queries, count):
    many_projects(count)
    client = client_for(user_with_role(Role.STAFF, unit("涪陵新城区"), username="staff"))
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboard") + "?year=2021&quarter=4")
    assert response.status_code == 200
    assert response.context["board"].totals[0].district.actual > 0


# --- Last week's activity index ----------------------------------------------------------------


def last_week():
    return Week.of(timezone.localdate()).previous()


def store_last_week():
    week = last_week()
    RuleSetFactory(year=week.year)
    ActivityFactory(unit=unit("涪陵新城区"), kind=ActivityKind.EVENT, date=week.start)
    ActivityFactory(unit=unit("区商务委"), kind=ActivityKind.PUBLICITY, date=week.end)
    store_week(week)
    return week


def test_the_dashboard_names_last_weeks_most_and_least_active_units(fuling_2021):
    week = store_last_week()
    response = client_for(user_with_role(Role.LEADER, username="leader")).get(reverse("dashboard") + "?year=2021&quarter=2")
    parks, departments = response.context["board"].activity.kinds
    assert [r.unit.name for r in parks.top] == ["涪陵新城区"] and len(parks.bottom) == Unit.objects.filter(kind=UnitKind.PARK).count() - 1
    assert [r.unit.name for r in departments.top] == ["区商务委"]
    text = response.content.decode()
    assert f"上周招商活跃指数（{week}" in text and f"?year={week.year}&amp;week={week.week}" in text


def test_the_dashboard_says_when_last_weeks_index_is_not_stored_yet(fuling_2021):
    response = client_for(user_with_role(Role.LEADER, username="leader")).get(reverse("dashboard") + "?year=2021&quarter=2")
    assert response.context["board"].activity.kinds == []
    assert "上周的活跃指数尚未保存" in response.content.decode()


def test_the_dashboard_reads_as_many_queries_once_last_week_is_stored(fuling_2021, django_assert_num_queries):
    store_last_week()
    client = client_for(user_with_role(Role.STAFF, unit("涪陵新城区"), username="staff"))
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(reverse("dashboard") + "?year=2021&quarter=4")
