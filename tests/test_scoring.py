"""The scoring engine, pure: every rule of domain.md with its boundary, and properties over random projects."""

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targets.scoring import (
    Actuals,
    Indicator,
    Origin,
    Period,
    Project,
    Rules,
    Tier,
    Unit,
    UnitResult,
    assess,
    completion_rate,
    credit_shares,
    evaluate_unit,
    is_counted,
    rank,
    tier_of,
    tally_projects,
    why_not_counted,
)

D = Decimal
RULES_2021 = Rules(
    year=2021,
    major_investment=D("20"),
    major_output=D("50"),
    large_investment=D("10"),
    large_output=D("30"),
    key_investment=D("1"),
    general_industrial_investment=D("0.2"),
    general_non_industrial_investment=D("0.05"),
    origin_weights={Origin.OUTSIDE_CITY: D("1"), Origin.INSIDE_CITY: D("0.2"), Origin.INSIDE_DISTRICT: D("0")},
    lead_share=D("0.8"),
    indicator_weights={
        Indicator.AGREEMENT_CAPITAL: D("40"),
        Indicator.ARRIVED_CAPITAL: D("30"),
        Indicator.MAJOR_PROJECTS: D("15"),
        Indicator.LARGE_PROJECTS: D("10"),
        Indicator.KEY_PROJECTS: D("5"),
        Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL: D("0"),
    },
    rate_cap=D("1.2"),
)
Q4 = Period(2021, 4)
XINCHENG, LINGANG, COMMERCE, TOURISM = 1, 2, 3, 4


def project(**facts) -> Project:
    defaults = dict(
        id=1,
        lead_unit=XINCHENG,
        cooperating_units=(),
        industrial=True,
        origin=Origin.OUTSIDE_CITY,
        agreement_capital=D("1"),
        expected_output=None,
        signed_on=date(2021, 3, 15),
        approved=True,
    )
    return Project(**{**defaults, **facts})


def tier(amount, output=None, industrial=True):
    return tier_of(agreement_capital=D(amount), expected_output=output and D(output), industrial=industrial, rules=RULES_2021)


def actuals_of(projects, period=Q4):
    return {unit: a.values for unit, a in tally_projects(projects, period, RULES_2021).items()}


# --- Tiers (备注1) -------------------------------------------------------------------


class TestTier:
    def test_exactly_20_is_major_and_just_below_is_large(self):
        assert tier("20") is Tier.MAJOR
        assert tier("19.9999") is Tier.LARGE

    def test_output_of_50_makes_a_small_investment_major(self):
        assert tier("0.5", output="50") is Tier.MAJOR
        assert tier("0.5", output="49.9999") is Tier.LARGE

    def test_exactly_10_or_output_30_is_large(self):
        assert tier("10") is Tier.LARGE
        assert tier("2", output="30") is Tier.LARGE
        assert tier("9.9999", output="29.9999") is Tier.KEY

    def test_exactly_1_is_key(self):
        assert tier("1") is Tier.KEY
        assert tier("0.9999") is Tier.GENERAL

    def test_industrial_general_starts_at_exactly_2000_wan(self):
        assert tier("0.2", industrial=True) is Tier.GENERAL
        assert tier("0.1999", industrial=True) is Tier.BELOW

    def test_non_industrial_general_starts_at_exactly_500_wan(self):
        assert tier("0.05", industrial=False) is Tier.GENERAL
        assert tier("0.0499", industrial=False) is Tier.BELOW
        assert tier("0.1999", industrial=False) is Tier.GENERAL

    def test_a_project_has_one_tier_and_counts_once(self):
        result = actuals_of([project(agreement_capital=D("25"))])[XINCHENG]
        assert result[Indicator.MAJOR_PROJECTS] == 1
        assert result[Indicator.LARGE_PROJECTS] == 0
        assert result[Indicator.KEY_PROJECTS] == 0

    def test_general_projects_count_toward_money_not_counts(self):
        result = actuals_of([project(agreement_capital=D("0.5"))])[XINCHENG]
        assert result[Indicator.AGREEMENT_CAPITAL] == D("0.5")
        assert all(result[i] == 0 for i in (Indicator.MAJOR_PROJECTS, Indicator.LARGE_PROJECTS, Indicator.KEY_PROJECTS))

    def test_a_project_below_threshold_counts_nowhere(self):
        below = project(agreement_capital=D("0.1"), arrivals=((date(2021, 5, 1), D("0.1")),))
        assert actuals_of([below]) == {}


# --- Credit (备注2) ------------------------------------------------------------------


class TestCredit:
    def test_outside_city_counts_in_full(self):
        assert actuals_of([project(agreement_capital=D("25"))])[XINCHENG][Indicator.AGREEMENT_CAPITAL] == D("25")

    def test_inside_city_counts_20_percent(self):
        values = actuals_of([project(agreement_capital=D("12"), origin=Origin.INSIDE_CITY)])[XINCHENG]
        assert values[Indicator.AGREEMENT_CAPITAL] == D("2.4")
        assert values[Indicator.LARGE_PROJECTS] == 1  # counts are not weighted

    def test_inside_district_counts_nowhere_not_even_in_counts(self):
        assert actuals_of([project(agreement_capital=D("25"), origin=Origin.INSIDE_DISTRICT)]) == {}

    def test_joint_project_with_two_cooperating_units_splits_80_20_then_equally(self):
        # domain.md §3: 区外市内, 20亿, two cooperating units
        joint = project(agreement_capital=D("20"), origin=Origin.INSIDE_CITY, cooperating_units=(COMMERCE, TOURISM))
        values = actuals_of([joint])
        assert values[XINCHENG][Indicator.AGREEMENT_CAPITAL] == D("3.2")
        assert values[COMMERCE][Indicator.AGREEMENT_CAPITAL] == D("0.4")
        assert values[TOURISM][Indicator.AGREEMENT_CAPITAL] == D("0.4")

    def test_project_counts_go_to_the_lead_only(self):
        joint = project(agreement_capital=D("20"), cooperating_units=(COMMERCE,))
        values = actuals_of([joint])
        assert values[XINCHENG][Indicator.MAJOR_PROJECTS] == 1
        assert values[COMMERCE][Indicator.MAJOR_PROJECTS] == 0

    def test_a_project_without_cooperating_units_gives_its_lead_everything(self):
        assert credit_shares(project(), RULES_2021) == [(XINCHENG, D("1"))]

    def test_weights_apply_to_arrived_capital_too(self):
        joint = project(
            origin=Origin.INSIDE_CITY, cooperating_units=(COMMERCE,), arrivals=((date(2021, 6, 1), D("10")),)
        )
        values = actuals_of([joint])
        assert values[XINCHENG][Indicator.ARRIVED_CAPITAL] == D("1.6")
        assert values[COMMERCE][Indicator.ARRIVED_CAPITAL] == D("0.4")

    def test_non_industrial_capital_is_the_same_credit_over_non_industrial_projects(self):
        values = actuals_of(
            [
                project(id=1, agreement_capital=D("12"), industrial=False, origin=Origin.INSIDE_CITY),
                project(id=2, agreement_capital=D("5"), industrial=True),
            ]
        )[XINCHENG]
        assert values[Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL] == D("2.4")
        assert values[Indicator.AGREEMENT_CAPITAL] == D("7.4")

    def test_an_unapproved_project_counts_nowhere(self):
        pending = project(approved=False, agreement_capital=D("25"), arrivals=((date(2021, 5, 1), D("3")),))
        assert actuals_of([pending]) == {}

    def test_an_unsigned_project_counts_nowhere(self):
        assert actuals_of([project(signed_on=None, agreement_capital=D("25"))]) == {}


# --- Periods (§4) ----------------------------------------------------------------------


class TestPeriod:
    def test_quarter_is_year_to_date_inclusive(self):
        assert (Period(2021, 1).start, Period(2021, 1).end) == (date(2021, 1, 1), date(2021, 3, 31))
        assert Period(2021, 2).end == date(2021, 6, 30)
        assert Period(2021, 3).end == date(2021, 9, 30)
        assert Period(2021, 4).end == date(2021, 12, 31)

    def test_time_progress_is_quarter_over_four(self):
        assert [Period(2021, q).time_progress for q in (1, 2, 3, 4)] == [D("0.25"), D("0.5"), D("0.75"), D("1")]

    def test_there_is_no_fifth_quarter(self):
        with pytest.raises(ValueError):
            Period(2021, 5)

    def test_a_project_signed_on_31_december_counts_in_q4_of_that_year_only(self):
        late = project(signed_on=date(2021, 12, 31), agreement_capital=D("2"))
        assert actuals_of([late], Period(2021, 4))[XINCHENG][Indicator.KEY_PROJECTS] == 1
        assert actuals_of([late], Period(2021, 3)) == {}
        assert actuals_of([late], Period(2022, 1)) == {}

    def test_a_project_signed_on_1_january_counts_from_q1(self):
        assert actuals_of([project(signed_on=date(2021, 1, 1))], Period(2021, 1))[XINCHENG][Indicator.KEY_PROJECTS] == 1

    def test_arrival_for_a_project_signed_the_year_before_counts_in_its_own_year(self):
        old = project(signed_on=date(2020, 11, 2), agreement_capital=D("5"), arrivals=((date(2021, 2, 1), D("1.5")),))
        values = actuals_of([old], Period(2021, 1))[XINCHENG]
        assert values[Indicator.ARRIVED_CAPITAL] == D("1.5")
        assert values[Indicator.AGREEMENT_CAPITAL] == 0  # agreement capital belongs to 2020
        assert values[Indicator.KEY_PROJECTS] == 0

    def test_arrival_counts_from_its_own_quarter_on(self):
        # domain.md §6: 3亿 arriving 2021-10-15 counts in Q4, not in Q3
        signed = project(agreement_capital=D("25"), arrivals=((date(2021, 10, 15), D("3")),))
        assert actuals_of([signed], Period(2021, 3))[XINCHENG][Indicator.ARRIVED_CAPITAL] == 0
        assert actuals_of([signed], Period(2021, 4))[XINCHENG][Indicator.ARRIVED_CAPITAL] == D("3")

    def test_last_years_arrivals_do_not_count_this_year(self):
        signed = project(signed_on=date(2020, 3, 1), arrivals=((date(2020, 12, 31), D("3")),))
        assert actuals_of([signed], Period(2021, 4)) == {}
        assert actuals_of([signed], Period(2020, 4))[XINCHENG][Indicator.ARRIVED_CAPITAL] == D("3")


# --- Rates, scores, ranks (§5) ---------------------------------------------------------

PARK = Unit(XINCHENG, "涪陵新城区", "park")


def evaluate(targets, values):
    actuals = Actuals()
    actuals.values.update({i: D(v) for i, v in values.items()})
    return evaluate_unit(PARK, {i: D(t) for i, t in targets.items()}, actuals, RULES_2021)


class TestScore:
    def test_rate_is_actual_over_target(self):
        result = evaluate({Indicator.AGREEMENT_CAPITAL: "160"}, {Indicator.AGREEMENT_CAPITAL: "34.6"})
        assert result.indicators[Indicator.AGREEMENT_CAPITAL].rate == D("0.21625")

    def test_score_is_weighted_capped_rates_over_targeted_indicators(self):
        result = evaluate(
            {Indicator.AGREEMENT_CAPITAL: "100", Indicator.ARRIVED_CAPITAL: "10", Indicator.MAJOR_PROJECTS: "2"},
            {Indicator.AGREEMENT_CAPITAL: "50", Indicator.ARRIVED_CAPITAL: "20", Indicator.MAJOR_PROJECTS: "1"},
        )
        # (40·0.5 + 30·1.2 + 15·0.5) / 85 · 100; the arrived rate of 2 is capped at 1.2
        assert result.score == D(100) * (D(20) + D(36) + D("7.5")) / D(85)
        assert result.indicators[Indicator.ARRIVED_CAPITAL].rate == D(2)
        assert result.indicators[Indicator.ARRIVED_CAPITAL].points == D(100) * D(36) / D(85)

    def test_an_indicator_without_target_has_no_rate_and_no_points(self):
        result = evaluate({Indicator.AGREEMENT_CAPITAL: "0.5"}, {Indicator.AGREEMENT_CAPITAL: "1", Indicator.KEY_PROJECTS: "3"})
        key = result.indicators[Indicator.KEY_PROJECTS]
        assert (key.target, key.rate, key.points, key.actual) == (None, None, None, D(3))
        assert result.score == D(100) * D("1.2")  # only the agreement capital is scored, capped

    def test_non_industrial_is_shown_but_not_scored(self):
        result = evaluate(
            {Indicator.AGREEMENT_CAPITAL: "100", Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL: "50"},
            {Indicator.AGREEMENT_CAPITAL: "50", Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL: "50"},
        )
        assert result.indicators[Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL].rate == 1
        assert result.indicators[Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL].points == 0
        assert result.score == 50

    def test_a_unit_with_no_scored_indicator_has_no_score_and_no_rank(self):
        result = evaluate({}, {Indicator.AGREEMENT_CAPITAL: "5"})
        assert result.score is None
        assert rank([result])[0].rank is None


def scored(unit_id, kind, score):
    return UnitResult(Unit(unit_id, f"单位{unit_id}", kind), {}, None if score is None else D(score))


class TestRank:
    def test_highest_score_first_and_ties_share_a_rank_then_skip(self):
        ranked = rank([scored(1, "park", "50"), scored(2, "park", "80"), scored(3, "park", "80"), scored(4, "park", "10")])
        assert [(r.unit.id, r.rank) for r in ranked] == [(2, 1), (3, 1), (1, 3), (4, 4)]

    def test_1_2_2_4(self):
        ranked = rank([scored(1, "park", "9"), scored(2, "park", "7"), scored(3, "park", "7"), scored(4, "park", "5")])
        assert [r.rank for r in ranked] == [1, 2, 2, 4]

    def test_parks_and_departments_are_ranked_separately(self):
        ranked = rank([scored(1, "park", "50"), scored(2, "department", "90"), scored(3, "park", "60")])
        assert {r.unit.id: r.rank for r in ranked} == {3: 1, 1: 2, 2: 1}

    def test_ranks_compare_unrounded_scores(self):
        ranked = rank([scored(1, "park", "80.004"), scored(2, "park", "80.001")])
        assert [(r.unit.id, r.rank) for r in ranked] == [(1, 1), (2, 2)]

    def test_units_without_score_come_last_unranked(self):
        ranked = rank([scored(1, "park", None), scored(2, "park", "3")])
        assert [(r.unit.id, r.rank) for r in ranked] == [(2, 1), (1, None)]


# --- The worked example of domain.md §6 --------------------------------------------------


def test_the_worked_example_of_the_domain_rules():
    first = project(id=1, agreement_capital=D("25"), signed_on=date(2021, 3, 15), arrivals=((date(2021, 10, 15), D("3")),))
    second = project(
        id=2,
        lead_unit=LINGANG,
        cooperating_units=(COMMERCE,),
        industrial=False,
        origin=Origin.INSIDE_CITY,
        agreement_capital=D("12"),
        signed_on=date(2021, 5, 10),
    )
    q4 = actuals_of([first, second], Period(2021, 4))
    assert q4[XINCHENG][Indicator.AGREEMENT_CAPITAL] == D("25")
    assert q4[XINCHENG][Indicator.MAJOR_PROJECTS] == 1
    assert q4[LINGANG][Indicator.AGREEMENT_CAPITAL] == D("1.92")
    assert q4[LINGANG][Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL] == D("1.92")
    assert q4[LINGANG][Indicator.LARGE_PROJECTS] == 1
    assert q4[COMMERCE][Indicator.AGREEMENT_CAPITAL] == D("0.48")
    assert q4[COMMERCE][Indicator.LARGE_PROJECTS] == 0
    assert q4[XINCHENG][Indicator.ARRIVED_CAPITAL] == D("3")
    assert actuals_of([first, second], Period(2021, 3))[XINCHENG][Indicator.ARRIVED_CAPITAL] == 0


def test_credit_lines_explain_each_actual():
    joint = project(
        id=7, code="FL2021-00007", agreement_capital=D("20"), origin=Origin.INSIDE_CITY, cooperating_units=(COMMERCE, TOURISM)
    )
    actuals = tally_projects([joint], Q4, RULES_2021)
    (lead_line,) = actuals[XINCHENG].lines[Indicator.AGREEMENT_CAPITAL]
    assert (lead_line.code, lead_line.tier, lead_line.origin_weight, lead_line.lead) == ("FL2021-00007", Tier.MAJOR, D("0.2"), True)
    assert (lead_line.amount, lead_line.share, lead_line.credit) == (D("20"), D("0.16"), D("3.2"))
    (coop_line,) = actuals[COMMERCE].lines[Indicator.AGREEMENT_CAPITAL]
    assert (coop_line.lead, coop_line.share, coop_line.credit) == (False, D("0.02"), D("0.4"))
    (count_line,) = actuals[XINCHENG].lines[Indicator.MAJOR_PROJECTS]
    assert count_line.credit == 1
    for unit in actuals.values():
        for indicator, lines in unit.lines.items():
            assert sum(line.credit for line in lines) == unit.values[indicator]


# --- Properties over random projects ------------------------------------------------------

UNITS = (1, 2, 3, 4, 5, 6)
money = st.decimals(min_value=0, max_value=80, places=4, allow_nan=False, allow_infinity=False)


@st.composite
def projects(draw, project_id=st.integers(1, 10**6)):
    lead = draw(st.sampled_from(UNITS))
    cooperating = draw(st.lists(st.sampled_from([u for u in UNITS if u != lead]), max_size=3, unique=True))
    signed = draw(st.one_of(st.none(), st.dates(date(2020, 6, 1), date(2022, 3, 31))))
    arrivals = draw(st.lists(st.tuples(st.dates(date(2020, 6, 1), date(2022, 3, 31)), money.filter(lambda m: m > 0)), max_size=3))
    return project(
        id=draw(project_id),
        lead_unit=lead,
        cooperating_units=tuple(cooperating),
        industrial=draw(st.booleans()),
        origin=draw(st.sampled_from(list(Origin))),
        agreement_capital=draw(money),
        expected_output=draw(st.one_of(st.none(), money)),
        signed_on=signed,
        approved=draw(st.booleans()) or draw(st.booleans()),
        arrivals=tuple(arrivals),
    )


periods = st.builds(Period, st.just(2021), st.integers(1, 4))
MONEY_INDICATORS = (Indicator.AGREEMENT_CAPITAL, Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL, Indicator.ARRIVED_CAPITAL)
ALMOST = D("1e-20")  # the equal split of 20% among 3 units is the one inexact division


@settings(max_examples=300)
@given(projects(), periods)
def test_credit_is_conserved_units_get_amount_times_origin_weight(one, period):
    actuals = tally_projects([one], period, RULES_2021)
    if not is_counted(one, RULES_2021, period.end):
        assert actuals == {}
        return
    weight = RULES_2021.origin_weights[one.origin]
    agreement = sum(a.values[Indicator.AGREEMENT_CAPITAL] for a in actuals.values())
    arrived = sum(a.values[Indicator.ARRIVED_CAPITAL] for a in actuals.values())
    expected_agreement = one.agreement_capital * weight if one.signed_on in period else 0
    expected_arrived = sum((amount for day, amount in one.arrivals if day in period), D(0)) * weight
    assert abs(agreement - expected_agreement) < ALMOST
    assert abs(arrived - expected_arrived) < ALMOST


@settings(max_examples=150)
@given(st.lists(projects(), max_size=12), projects(), periods)
def test_adding_an_approved_project_never_lowers_any_actual(existing, extra, period):
    before = tally_projects(existing, period, RULES_2021)
    after = tally_projects([*existing, replace(extra, approved=True)], period, RULES_2021)
    for unit, actuals in before.items():
        for indicator in Indicator:
            assert after[unit].values[indicator] >= actuals.values[indicator] - ALMOST


@settings(max_examples=150)
@given(st.lists(projects(), max_size=15), periods, st.randoms())
def test_shuffling_the_input_changes_nothing(many, period, rnd):
    shuffled = list(many)
    rnd.shuffle(shuffled)
    units = [Unit(u, f"单位{u}", "park" if u < 4 else "department") for u in UNITS]
    targets = {u: {Indicator.AGREEMENT_CAPITAL: D(10), Indicator.MAJOR_PROJECTS: D(1)} for u in UNITS}

    def outcome(ps):
        results = assess(units, targets, tally_projects(ps, period, RULES_2021), RULES_2021)
        return {
            r.unit.id: (r.rank, round(r.score, 12), {i: round(v.actual, 12) for i, v in r.indicators.items()}) for r in results
        }

    assert outcome(many) == outcome(shuffled)


@settings(max_examples=100)
@given(st.lists(projects(), max_size=15), periods)
def test_every_money_actual_is_the_sum_of_its_credit_lines(many, period):
    for unit in tally_projects(many, period, RULES_2021).values():
        for indicator in Indicator:
            assert sum(line.credit for line in unit.lines.get(indicator, ())) == unit.values[indicator]


def test_random_order_of_equal_scores_keeps_the_shared_rank():
    results = [scored(i, "park", "70") for i in range(1, 5)] + [scored(9, "park", "71")]
    random.Random(4).shuffle(results)
    assert sorted(r.rank for r in rank(results)) == [1, 2, 2, 2, 2]


# --- Why a project gave no credit (the unit page's 未计入考核的项目) ------------------------

Q2 = Period(2021, 2)


def why(one, period=Q2, **kwargs):
    return why_not_counted(one, RULES_2021, period, **kwargs)


class TestWhyNotCounted:
    def test_a_counted_project_signed_in_the_period_has_no_reason(self):
        assert why(project(signed_on=date(2021, 4, 1))) is None

    @pytest.mark.parametrize("status", ["草稿", "待审核", "已退回", "已撤回"])
    def test_an_unapproved_project_says_its_status(self, status):
        assert why(project(approved=False), status=status) == f"状态为“{status}”，未经审核通过的项目不计入"

    def test_an_unsigned_project_says_it_has_no_signing_date(self):
        assert why(project(signed_on=None)) == "未填签约日期，签约后才计入"

    def test_a_project_signed_after_the_period_says_which_quarter_it_counts_in(self):
        assert why(project(signed_on=date(2021, 11, 2))) == "签约日期 2021-11-02 在本期截止日之后，计入第4季度"
        assert why(project(signed_on=date(2021, 7, 1))) == "签约日期 2021-07-01 在本期截止日之后，计入第3季度"

    def test_a_project_signed_on_the_periods_last_day_counts(self):
        assert why(project(signed_on=date(2021, 6, 30))) is None

    def test_a_project_signed_in_a_later_year_names_that_year(self):
        assert why(project(signed_on=date(2022, 1, 5))) == "签约日期 2022-01-05 在本期截止日之后，计入2022年第1季度"

    def test_an_inside_district_project_says_its_origin_weighs_zero(self):
        assert why(project(origin=Origin.INSIDE_DISTRICT)) == "区内项目不计入（来源权重为0）"

    def test_a_project_below_the_general_threshold_names_the_threshold(self):
        assert why(project(agreement_capital=D("0.1"))) == "协议资金 0.10 亿元，低于工业项目一般项目标准 0.2 亿元"
        assert why(project(agreement_capital=D("0.04"), industrial=False)) == (
            "协议资金 0.04 亿元，低于非工业项目一般项目标准 0.05 亿元"
        )

    def test_exactly_the_threshold_or_a_large_output_is_not_below(self):
        assert why(project(agreement_capital=D("0.2"))) is None
        assert why(project(agreement_capital=D("0.1"), expected_output=D("30"))) is None

    def test_every_reason_is_given_not_only_the_first(self):
        reason = why(project(approved=False, origin=Origin.INSIDE_DISTRICT, agreement_capital=D("0.1")), status="草稿")
        assert reason == (
            "状态为“草稿”，未经审核通过的项目不计入；区内项目不计入（来源权重为0）；"
            "协议资金 0.10 亿元，低于工业项目一般项目标准 0.2 亿元"
        )

    def test_a_project_of_an_earlier_year_with_arrivals_in_the_period_counts(self):
        assert why(project(signed_on=date(2020, 9, 1), arrivals=((date(2021, 5, 1), D("2")),))) is None

    def test_a_project_of_an_earlier_year_with_arrivals_later_in_the_year_says_so(self):
        earlier = project(signed_on=date(2020, 9, 1), arrivals=((date(2021, 8, 3), D("2")),))
        assert why(earlier) == (
            "2020年签约，协议资金计入2020年，2021年只计到位资金和补充协议；本年到位在本期截止日之后（2021-08-03），计入第3季度"
        )

    def test_a_project_of_an_earlier_year_without_arrivals_in_the_period_says_so(self):
        earlier = project(signed_on=date(2020, 9, 1), arrivals=((date(2020, 12, 3), D("2")),))
        assert why(earlier) == "2020年签约，协议资金计入2020年，2021年只计到位资金和补充协议；本期没有到位资金或补充协议"

    def test_an_uncounted_project_of_an_earlier_year_also_says_its_capital_belongs_to_that_year(self):
        earlier = project(signed_on=date(2020, 9, 1), origin=Origin.INSIDE_DISTRICT, arrivals=((date(2021, 5, 1), D("2")),))
        assert why(earlier) == "区内项目不计入（来源权重为0）；2020年签约，协议资金计入2020年，2021年只计到位资金和补充协议"

    def test_the_origin_named_is_the_one_whose_weight_is_zero_in_the_rules(self):
        rules = replace(RULES_2021, origin_weights={**RULES_2021.origin_weights, Origin.INSIDE_CITY: D("0")})
        assert why_not_counted(project(origin=Origin.INSIDE_CITY), rules, Q2) == "区外市内项目不计入（来源权重为0）"


@settings(max_examples=300)
@given(projects(), periods)
def test_a_project_has_a_reason_exactly_when_it_gives_no_credit(one, period):
    credited = any(
        line.project_id == one.id
        for actuals in tally_projects([one], period, RULES_2021).values()
        for lines in actuals.lines.values()
        for line in lines
    )
    assert (why_not_counted(one, RULES_2021, period) is None) == credited


def test_a_zero_target_is_no_target_and_gives_no_rate():
    assert completion_rate(Decimal(5), Decimal(0)) is None
    assert completion_rate(Decimal(5), None) is None
    assert completion_rate(Decimal(5), Decimal(4)) == Decimal("1.25")
