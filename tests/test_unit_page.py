"""A unit's page: its targets, actuals, rates, points, score and rank, and every credit line behind them."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from access.roles import Role
from figures.assessment import explain
from figures.explanation import explain_line
from figures.progress import Progress
from projects.models import Origin, Sector, Status
from targets import scoring
from targets.models import RuleSet, Unit
from tests.factories import ArrivalFactory, client_for, ProjectFactory, UnitFactory, user_with_role

D = Decimal
I = scoring.Indicator
Q2 = scoring.Period(2021, 2)


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


@pytest.fixture
def reviewer(db):
    return client_for(user_with_role(Role.REVIEWER, username="reviewer"))


@pytest.fixture
def worked_example(fuling_2021):
    """domain.md §6, plus a joint project with two cooperating units."""
    first = ProjectFactory(
        code="FL2021-00001", name="新材料基地", lead_unit=unit("涪陵新城区"), agreement_capital=D("25"), signed_on=date(2021, 3, 15)
    )
    ArrivalFactory(project=first, amount=D("3"), arrived_on=date(2021, 6, 15))
    joint = ProjectFactory(
        code="FL2021-00002",
        name="港口物流园",
        lead_unit=unit("临港经济区"),
        cooperating=[unit("区商务委")],
        agreement_capital=D("12"),
        origin=Origin.INSIDE_CITY,
        sector=Sector.NON_INDUSTRIAL,
        signed_on=date(2021, 5, 10),
    )
    two = ProjectFactory(
        code="FL2021-00003",
        name="文旅综合体",
        lead_unit=unit("临港经济区"),
        cooperating=[unit("区商务委"), unit("区文化旅游委")],
        agreement_capital=D("20"),
        origin=Origin.INSIDE_CITY,
        signed_on=date(2021, 4, 1),
    )
    return {"first": first, "joint": joint, "two": two}


def unit_page(client, name: str, query="?year=2021&quarter=2"):
    response = client.get(reverse("unit_detail", kwargs={"pk": unit(name).pk}) + query)
    assert response.status_code == 200
    return response


def indicator(page, which):
    return next(item for item in page.indicators if item.indicator is which)


class TestWhoSeesIt:
    def test_staff_see_their_own_units_page(self, worked_example):
        staff = client_for(user_with_role(Role.STAFF, unit("临港经济区"), username="lingang"))
        assert unit_page(staff, "临港经济区").context["unit"] == unit("临港经济区")

    def test_staff_get_404_for_a_unit_their_unit_cooperates_with(self, worked_example):
        staff = client_for(user_with_role(Role.STAFF, unit("临港经济区"), username="lingang"))
        assert staff.get(reverse("unit_detail", kwargs={"pk": unit("区商务委").pk})).status_code == 404

    def test_staff_without_a_unit_get_404(self, worked_example):
        staff = client_for(user_with_role(Role.STAFF, username="nobody"))
        assert staff.get(reverse("unit_detail", kwargs={"pk": unit("临港经济区").pk})).status_code == 404

    def test_leaders_see_any_unit(self, worked_example):
        leader = client_for(user_with_role(Role.LEADER, username="leader"))
        assert unit_page(leader, "区商务委").status_code == 200

    def test_an_unknown_unit_is_404(self, worked_example, reviewer):
        assert reviewer.get(reverse("unit_detail", kwargs={"pk": 987654})).status_code == 404


class TestFigures:
    def test_the_figures_are_those_explain_gives(self, worked_example, reviewer):
        page = unit_page(reviewer, "临港经济区").context["page"]
        expected = explain(unit("临港经济区"), Q2)
        assert page.result.score == expected.score
        assert page.result.rank == expected.rank
        for item in page.indicators:
            result = expected.indicators[item.indicator]
            assert (item.figure.actual, item.figure.target, item.figure.rate, item.points) == (
                result.actual,
                result.target,
                result.rate,
                result.points,
            )
            assert [view.line for view in item.lines] == list(result.lines)

    def test_it_shows_score_rank_and_the_number_of_units_of_its_kind(self, worked_example, reviewer):
        # 临港: 15 × 1/2 + 10 × 1/3 + 40 × 5.12/110 = 12.695; 新城区: 11.50 (below)
        response = unit_page(reviewer, "临港经济区")
        assert response.context["page"].score_text == "12.70"
        html = response.content.decode()
        assert "第 1 名" in html
        assert "共 6 个园区" in html
        assert "最高 120.00 分（完成率计分上限 120%）" in html

    def test_rates_are_coloured_against_time_progress(self, worked_example, reviewer):
        page = unit_page(reviewer, "临港经济区").context["page"]
        assert indicator(page, I.MAJOR_PROJECTS).figure.progress is Progress.AHEAD  # 1 of 2 at 50%
        assert indicator(page, I.LARGE_PROJECTS).figure.progress is Progress.FAR_BEHIND  # 1 of 3
        html = unit_page(reviewer, "清溪园区").content.decode()  # no major-project target
        assert '<td class="num progress-none" title="无目标">–</td>' in html

    def test_a_unit_without_a_score_has_no_rank(self, worked_example, reviewer):
        UnitFactory(name="区外事办", kind="department")  # assessed kind, no target row
        html = unit_page(reviewer, "区外事办").content.decode()
        assert "未设任何考核目标：不计得分，不参与排名。" in html
        assert "第 " not in html.split("排名</div>")[1].split("</div>")[0]


class TestWhyThisNumber:
    def test_each_line_shows_project_tier_origin_role_amount_credit_and_formula(self, worked_example, reviewer):
        response = unit_page(reviewer, "临港经济区")
        lines = indicator(response.context["page"], I.AGREEMENT_CAPITAL).lines
        by_code = {view.line.code: view for view in lines}
        joint = by_code["FL2021-00002"]
        assert (joint.line.tier.label, joint.origin, joint.origin_weight_text, joint.role) == (
            "较大项目",
            "区外市内",
            "20%",
            "牵头（联合招商）",
        )
        assert (joint.amount_text, joint.credit_text) == ("12.00", "1.92")
        assert joint.formula == "12.00 × 20% × 80% = 1.92"
        html = response.content.decode()
        assert "12.00 × 20% × 80% = 1.92" in html
        assert f'href="{reverse("project_detail", kwargs={"pk": worked_example["joint"].pk})}">FL2021-00002</a>' in html

    def test_a_cooperating_unit_sees_its_share_of_the_twenty_percent(self, worked_example, reviewer):
        page = unit_page(reviewer, "区商务委").context["page"]
        by_code = {view.line.code: view for view in indicator(page, I.AGREEMENT_CAPITAL).lines}
        assert by_code["FL2021-00002"].formula == "12.00 × 20% × 20% ÷ 1 = 0.48"
        assert by_code["FL2021-00003"].formula == "20.00 × 20% × 20% ÷ 2 = 0.40"
        assert by_code["FL2021-00003"].role == "配合（2家配合单位平分）"
        assert indicator(page, I.AGREEMENT_CAPITAL).figure.actual == D("0.88")
        assert indicator(page, I.LARGE_PROJECTS).lines == []  # counts go to the lead only

    def test_a_lead_alone_keeps_everything_and_arrivals_are_explained_alike(self, worked_example, reviewer):
        page = unit_page(reviewer, "涪陵新城区").context["page"]
        (capital,) = indicator(page, I.AGREEMENT_CAPITAL).lines
        assert (capital.role, capital.formula) == ("牵头（独立招商）", "25.00 × 100% × 100% = 25.00")
        (arrived,) = indicator(page, I.ARRIVED_CAPITAL).lines
        assert arrived.formula == "3.00 × 100% × 100% = 3.00"

    def test_counts_say_they_are_not_weighted(self, worked_example, reviewer):
        page = unit_page(reviewer, "临港经济区").context["page"]
        codes = [view.line.code for view in indicator(page, I.LARGE_PROJECTS).lines]
        assert sorted(codes) == ["FL2021-00002"]
        (major,) = indicator(page, I.MAJOR_PROJECTS).lines
        assert major.line.code == "FL2021-00003"
        assert major.origin_weight_text == "不折算"
        assert "不按来源、联合招商折算" in major.formula

    def test_the_score_formula_is_written_out_with_the_weights(self, worked_example, reviewer):
        response = unit_page(reviewer, "涪陵新城区")
        page = response.context["page"]
        # 新城区: major 1/4, large 0/4, key 0/10, capital 25/160, non-industrial 0/60 (weight 0), arrived 3/60
        assert page.score_formula == (
            "得分 = 100 × (15 × 25.00% + 10 × 0.00% + 5 × 0.00% + 40 × 15.63% + 30 × 5.00%) "
            "÷ (15 + 10 + 5 + 40 + 30) = 11.50"
        )
        assert page.score_text == "11.50"
        assert page.score_formula in response.content.decode()
        assert "区外市内 20%" in page.rules_summary and "配合单位平分 20%" in page.rules_summary

    def test_a_rate_above_the_cap_is_scored_at_the_cap(self, worked_example, reviewer):
        ProjectFactory(lead_unit=unit("区财政局"), agreement_capital=D("1"))  # target 0.5: 200%
        page = unit_page(reviewer, "区财政局").context["page"]
        capital = indicator(page, I.AGREEMENT_CAPITAL)
        assert (capital.figure.rate_text, capital.scored_rate_text, capital.points_text) == ("200.00%", "120.00%", "120.00")
        assert page.score_formula == "得分 = 100 × (40 × 120.00%) ÷ (40) = 120.00"

    def test_projects_that_do_not_count_are_not_among_the_credit_lines(self, worked_example, reviewer):
        ProjectFactory(code="FL2021-00009", lead_unit=unit("涪陵新城区"), agreement_capital=D("40"), status=Status.SUBMITTED)
        ProjectFactory(code="FL2021-00010", lead_unit=unit("涪陵新城区"), agreement_capital=D("40"), origin=Origin.INSIDE_DISTRICT)
        response = unit_page(reviewer, "涪陵新城区")
        credit_lines = response.content.decode().split('id="not-counted"')[0]
        assert "FL2021-00009" not in credit_lines and "FL2021-00010" not in credit_lines
        codes = {view.line.code for item in response.context["page"].indicators for view in item.lines}
        assert codes == {"FL2021-00001"}


def not_counted(response) -> dict[str, str]:
    """The 未计入考核的项目 section: code → reason, as the page shows it."""
    return {view.project.code: view.item.reason for view in response.context["page"].not_counted}


def not_counted_html(response) -> str:
    return response.content.decode().split('id="not-counted"')[1]


class TestProjectsThatGaveNoCredit:
    @pytest.mark.parametrize(
        "status, label",
        [(Status.DRAFT, "草稿"), (Status.SUBMITTED, "待审核"), (Status.RETURNED, "已退回"), (Status.WITHDRAWN, "已撤回")],
    )
    def test_an_unapproved_project_is_listed_with_its_status(self, worked_example, reviewer, status, label):
        ProjectFactory(code="FL2021-00020", lead_unit=unit("涪陵新城区"), agreement_capital=D("40"), status=status)
        response = unit_page(reviewer, "涪陵新城区")
        assert not_counted(response)["FL2021-00020"] == f"状态为“{label}”，未经审核通过的项目不计入"
        assert f"状态为“{label}”，未经审核通过的项目不计入" in not_counted_html(response)

    def test_an_unsigned_project_is_listed(self, worked_example, reviewer):
        # Only an unapproved project may lack a signing date (a database constraint).
        ProjectFactory(code="FL2021-00021", lead_unit=unit("涪陵新城区"), signed_on=None, status=Status.DRAFT)
        response = unit_page(reviewer, "涪陵新城区")
        assert not_counted(response)["FL2021-00021"] == "状态为“草稿”，未经审核通过的项目不计入；未填签约日期，签约后才计入"
        assert "未填签约日期，签约后才计入" in not_counted_html(response)

    def test_a_project_signed_after_the_period_says_the_quarter_it_counts_in(self, worked_example, reviewer):
        ProjectFactory(code="FL2021-00022", lead_unit=unit("涪陵新城区"), signed_on=date(2021, 11, 2))
        html = not_counted_html(unit_page(reviewer, "涪陵新城区"))
        assert "签约日期 2021-11-02 在本期截止日之后，计入第4季度" in html

    def test_an_inside_district_project_is_listed_with_its_zero_weight(self, worked_example, reviewer):
        ProjectFactory(code="FL2021-00023", lead_unit=unit("涪陵新城区"), origin=Origin.INSIDE_DISTRICT)
        assert not_counted(unit_page(reviewer, "涪陵新城区"))["FL2021-00023"] == "区内项目不计入（来源权重为0）"

    def test_a_project_below_the_general_threshold_names_the_threshold(self, worked_example, reviewer):
        ProjectFactory(code="FL2021-00024", lead_unit=unit("涪陵新城区"), agreement_capital=D("0.1"))
        html = not_counted_html(unit_page(reviewer, "涪陵新城区"))
        assert "协议资金 0.10 亿元，低于工业项目一般项目标准 0.2 亿元" in html

    def test_a_project_of_an_earlier_year_is_listed_only_with_arrivals_in_the_year(self, worked_example, reviewer):
        later = ProjectFactory(code="FL2020-00001", lead_unit=unit("涪陵新城区"), signed_on=date(2020, 9, 1))
        ArrivalFactory(project=later, amount=D("2"), arrived_on=date(2021, 8, 3))
        ProjectFactory(code="FL2020-00002", lead_unit=unit("涪陵新城区"), signed_on=date(2020, 9, 1))
        listed = not_counted(unit_page(reviewer, "涪陵新城区"))
        assert listed["FL2020-00001"] == (
            "2020年签约，协议资金计入2020年，2021年只计到位资金和补充协议；本年到位在本期截止日之后（2021-08-03），计入第3季度"
        )
        assert "FL2020-00002" not in listed

    def test_a_project_of_an_earlier_year_whose_arrivals_count_is_not_listed(self, worked_example, reviewer):
        earlier = ProjectFactory(code="FL2020-00003", lead_unit=unit("涪陵新城区"), signed_on=date(2020, 9, 1))
        ArrivalFactory(project=earlier, amount=D("2"), arrived_on=date(2021, 5, 3))
        response = unit_page(reviewer, "涪陵新城区")
        assert "FL2020-00003" not in not_counted(response)
        assert "FL2020-00003" in {view.line.code for view in indicator(response.context["page"], I.ARRIVED_CAPITAL).lines}

    def test_a_project_of_another_year_without_arrivals_in_the_year_is_not_listed(self, worked_example, reviewer):
        ProjectFactory(code="FL2022-00001", lead_unit=unit("涪陵新城区"), signed_on=date(2022, 2, 1), status=Status.DRAFT)
        assert "FL2022-00001" not in not_counted(unit_page(reviewer, "涪陵新城区"))

    def test_counted_projects_are_not_listed(self, worked_example, reviewer):
        response = unit_page(reviewer, "临港经济区")
        assert not_counted(response) == {}
        assert "本期没有未计入考核的项目。" in not_counted_html(response)
        assert "FL2021-00002" not in not_counted_html(response)

    def test_a_cooperating_unit_sees_the_project_with_its_role_and_a_link(self, worked_example, reviewer):
        draft = ProjectFactory(
            code="FL2021-00025", lead_unit=unit("临港经济区"), cooperating=[unit("区商务委")], status=Status.DRAFT
        )
        response = unit_page(reviewer, "区商务委")
        (view,) = response.context["page"].not_counted
        assert (view.project.code, view.role, view.item.status) == ("FL2021-00025", "配合", "草稿")
        assert f'href="{reverse("project_detail", kwargs={"pk": draft.pk})}">FL2021-00025</a>' in not_counted_html(response)

    def test_other_units_projects_are_not_listed(self, worked_example, reviewer):
        ProjectFactory(code="FL2021-00026", lead_unit=unit("区商务委"), status=Status.DRAFT)
        assert "FL2021-00026" not in not_counted(unit_page(reviewer, "涪陵新城区"))

    def test_staff_see_their_own_units_uncounted_projects_including_those_it_cooperates_in(self, worked_example):
        ProjectFactory(code="FL2021-00027", lead_unit=unit("涪陵新城区"), status=Status.RETURNED)
        ProjectFactory(code="FL2021-00028", lead_unit=unit("区商务委"), cooperating=[unit("涪陵新城区")], signed_on=None, status=Status.DRAFT)
        staff = client_for(user_with_role(Role.STAFF, unit("涪陵新城区"), username="xincheng"))
        assert set(not_counted(unit_page(staff, "涪陵新城区"))) == {"FL2021-00027", "FL2021-00028"}

    def test_the_names_are_escaped(self, worked_example, reviewer):
        ProjectFactory(lead_unit=unit("涪陵新城区"), name="<b>项目</b>", status=Status.DRAFT)
        html = not_counted_html(unit_page(reviewer, "涪陵新城区"))
        assert "&lt;b&gt;项目&lt;/b&gt;" in html and "<b>项目</b>" not in html


class TestCooperatingCount:
    @pytest.mark.parametrize("partners", [1, 2, 3, 7])
    def test_a_credit_line_carries_the_number_of_cooperating_units_and_its_formula_divides_by_it(self, fuling_2021, partners):
        rules = RuleSet.objects.get(year=2021).as_rules()
        project = scoring.Project(
            id=1, lead_unit=1, cooperating_units=tuple(range(2, partners + 2)), industrial=True,
            origin=scoring.Origin.INSIDE_CITY, agreement_capital=D(10), expected_output=None,
            signed_on=date(2021, 3, 1), approved=True,
        )
        actuals = scoring.tally_projects([project], scoring.Period(2021, 1), rules)
        (line,) = actuals[2].lines[scoring.Indicator.AGREEMENT_CAPITAL]
        assert line.cooperating_count == partners
        view = explain_line(line, scoring.Indicator.AGREEMENT_CAPITAL, rules)
        assert view.role == f"配合（{partners}家配合单位平分）" and f"÷ {partners} =" in view.formula


class TestPeriodsAndFailures:
    def test_the_period_changes_the_figures(self, worked_example, reviewer):
        q1 = unit_page(reviewer, "临港经济区", "?year=2021&quarter=1").context["page"]
        assert indicator(q1, I.AGREEMENT_CAPITAL).figure.actual == 0

    @pytest.mark.parametrize("query", ["?year=abc", "?year=2021&quarter=0", "?year=0", "?year=99999999", "?quarter=zz"])
    def test_bad_query_parameters_never_fail(self, worked_example, reviewer, query):
        assert unit_page(reviewer, "临港经济区", query).context["page"].period.year == 2021

    def test_without_any_rule_set_it_says_so_in_chinese(self, db, reviewer):
        UnitFactory(name="甲园区")
        html = unit_page(reviewer, "甲园区", "?year=2021&quarter=2").content.decode()
        assert "2021年尚未设置考核规则（年度规则），无法计算。" in html


def many_projects(lead: Unit, partners: list[Unit], count: int) -> None:
    for n in range(count):
        project = ProjectFactory(
            lead_unit=lead if n % 2 else partners[n % len(partners)],
            cooperating=[partners[(n + 1) % len(partners)], lead] if n % 2 == 0 else [partners[n % len(partners)]],
            agreement_capital=D(n % 25) + D("1"),
            origin=[Origin.OUTSIDE_CITY, Origin.INSIDE_CITY][n % 2],
            signed_on=date(2021, 1 + n % 6, 1),
        )
        ArrivalFactory(project=project, amount=D("0.5"), arrived_on=date(2021, 1 + n % 6, 20))
        ArrivalFactory(project=project, amount=D("0.5"), arrived_on=date(2021, 1 + n % 6, 25))


def many_uncounted_projects(lead: Unit, partner: Unit, count: int) -> None:
    for n in range(count):
        project = ProjectFactory(
            lead_unit=lead if n % 2 else partner,
            cooperating=[partner if n % 2 else lead],
            status=[Status.DRAFT, Status.SUBMITTED, Status.APPROVED][n % 3],
            origin=Origin.INSIDE_DISTRICT,
            signed_on=[None, date(2021, 3, 1), date(2020, 3, 1)][n % 3],
        )
        ArrivalFactory(project=project, amount=D("0.5"), arrived_on=date(2021, 2, 1))


# session, user, role (groups, membership, unit), the unit, rule-set years, rules, explain (rules, 4 for the
# projects with their arrivals, supplementary agreements and cooperations, target, and assess's 7 for the
# rank), units of its kind, and 4 for the projects that gave no credit (the projects, their arrivals, their
# supplementary agreements, their cooperations), the unit's entries waiting for verification (待核实), the
# menu's to-do count; the organisation (the page's title)
UNIT_PAGE_QUERIES = 28


@pytest.mark.parametrize("count", [3, 30])
def test_the_unit_page_reads_a_constant_number_of_queries(fuling_2021, django_assert_num_queries, count):
    lingang = unit("临港经济区")
    many_projects(lingang, [unit("区商务委"), unit("涪陵新城区"), unit("区文化旅游委")], count)
    many_uncounted_projects(lingang, unit("区商务委"), count)
    client = client_for(user_with_role(Role.STAFF, lingang, username="staff"))
    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        response = client.get(reverse("unit_detail", kwargs={"pk": lingang.pk}) + "?year=2021&quarter=2")
    assert response.status_code == 200
    assert len(indicator(response.context["page"], I.AGREEMENT_CAPITAL).lines) == count
    assert len(response.context["page"].not_counted) == count
