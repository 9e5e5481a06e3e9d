"""The query layer: the database's sums agree with the pure engine, exactly, in a constant number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from figures.assessment import NoRuleSet, assess, explain
from projects.models import Arrival, Cooperation, Origin, Project, Sector, Status, SupplementaryAgreement
from targets import scoring
from targets.models import UnitKind
from tests.factories import ArrivalFactory, ProjectFactory, RuleSetFactory, UnitFactory, UnitTargetFactory

D = Decimal
Q4 = scoring.Period(2021, 4)
I = scoring.Indicator


def actuals_by_name(period=Q4):
    return {r.unit.name: {i: v.actual for i, v in r.indicators.items()} for r in assess(period)}


def pure_actuals(period=Q4):
    """The engine over whole projects: the reference the GROUP BY path must equal."""
    rules = RuleSetFactory._meta.model.objects.get(year=period.year).as_rules()
    return scoring.tally_projects(Project.objects.all().scoring_facts(period), period, rules)


@pytest.fixture
def units(db):
    RuleSetFactory()
    return {
        "新城区": UnitFactory(name="涪陵新城区"),
        "临港": UnitFactory(name="临港经济区"),
        "商务委": UnitFactory(name="区商务委", kind=UnitKind.DEPARTMENT),
        "文旅委": UnitFactory(name="区文化旅游委", kind=UnitKind.DEPARTMENT),
    }


class TestBoundariesThroughTheDatabase:
    def test_exactly_20_yi_is_a_major_project(self, units):
        ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("20"))
        ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("19.9999"))
        values = actuals_by_name()["涪陵新城区"]
        assert (values[I.MAJOR_PROJECTS], values[I.LARGE_PROJECTS]) == (1, 1)

    def test_an_output_of_exactly_50_yi_is_a_major_project(self, units):
        ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("2"), expected_output=D("50"))
        assert actuals_by_name()["涪陵新城区"][I.MAJOR_PROJECTS] == 1

    def test_exactly_2000_wan_industrial_counts_and_just_below_does_not(self, units):
        ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("0.2"), sector=Sector.INDUSTRIAL)
        ProjectFactory(lead_unit=units["临港"], agreement_capital=D("0.1999"), sector=Sector.INDUSTRIAL)
        values = actuals_by_name()
        assert values["涪陵新城区"][I.AGREEMENT_CAPITAL] == D("0.2")
        assert values["临港经济区"][I.AGREEMENT_CAPITAL] == 0

    def test_exactly_500_wan_non_industrial_counts(self, units):
        ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("0.05"), sector=Sector.NON_INDUSTRIAL)
        assert actuals_by_name()["涪陵新城区"][I.NON_INDUSTRIAL_AGREEMENT_CAPITAL] == D("0.05")

    def test_a_project_inside_the_district_counts_nowhere(self, units):
        inside = ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("30"), origin=Origin.INSIDE_DISTRICT)
        ArrivalFactory(project=inside, amount=D("5"))
        assert all(v == 0 for v in actuals_by_name()["涪陵新城区"].values())

    def test_a_joint_project_with_two_cooperating_units(self, units):
        ProjectFactory(
            lead_unit=units["新城区"],
            agreement_capital=D("20"),
            origin=Origin.INSIDE_CITY,
            cooperating=[units["商务委"], units["文旅委"]],
        )
        values = actuals_by_name()
        assert values["涪陵新城区"][I.AGREEMENT_CAPITAL] == D("3.2")
        assert values["区商务委"][I.AGREEMENT_CAPITAL] == D("0.4")
        assert values["区文化旅游委"][I.AGREEMENT_CAPITAL] == D("0.4")
        assert values["涪陵新城区"][I.MAJOR_PROJECTS] == 1
        assert values["区商务委"][I.MAJOR_PROJECTS] == 0

    def test_a_project_signed_on_31_december(self, units):
        ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("5"), signed_on=date(2021, 12, 31))
        assert actuals_by_name(scoring.Period(2021, 4))["涪陵新城区"][I.KEY_PROJECTS] == 1
        assert actuals_by_name(scoring.Period(2021, 3))["涪陵新城区"][I.KEY_PROJECTS] == 0

    def test_an_arrival_for_a_project_signed_the_year_before(self, units):
        old = ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("5"), signed_on=date(2020, 12, 20))
        ArrivalFactory(project=old, amount=D("1.25"), arrived_on=date(2021, 1, 4))
        ArrivalFactory(project=old, amount=D("9"), arrived_on=date(2020, 12, 31))
        values = actuals_by_name(scoring.Period(2021, 1))["涪陵新城区"]
        assert values[I.ARRIVED_CAPITAL] == D("1.25")
        assert values[I.AGREEMENT_CAPITAL] == 0

    @pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.WITHDRAWN])
    def test_an_unapproved_project_counts_nowhere(self, units, status):
        pending = ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("25"), status=status)
        ArrivalFactory(project=pending, amount=D("3"))
        assert all(v == 0 for v in actuals_by_name()["涪陵新城区"].values())

    def test_money_sums_are_exact_on_every_database(self, units):
        # Floats would drift here: 0.1 and 0.7 have no exact binary form. (0.0001 is below threshold.)
        for amount in ["0.1", "0.7", "1234.5678", "0.0001"] * 25:
            ProjectFactory(lead_unit=units["新城区"], agreement_capital=D(amount), sector=Sector.NON_INDUSTRIAL)
        assert actuals_by_name()["涪陵新城区"][I.AGREEMENT_CAPITAL] == D("30884.1950")


class TestAssess:
    def test_the_worked_example_ranks_the_units(self, units):
        UnitTargetFactory(unit=units["新城区"], agreement_capital=D("160"), major_projects=4, arrived_capital=D("60"))
        UnitTargetFactory(unit=units["临港"], agreement_capital=D("110"), large_projects=3)
        first = ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("25"))
        ProjectFactory(
            lead_unit=units["临港"],
            agreement_capital=D("12"),
            origin=Origin.INSIDE_CITY,
            sector=Sector.NON_INDUSTRIAL,
            signed_on=date(2021, 5, 10),
            cooperating=[units["商务委"]],
        )
        ArrivalFactory(project=first, amount=D("3"), arrived_on=date(2021, 10, 15))
        by_name = {r.unit.name: r for r in assess(Q4)}
        xincheng = by_name["涪陵新城区"]
        assert xincheng.indicators[I.ARRIVED_CAPITAL].actual == 3
        # (40 × 25/160 + 30 × 3/60 + 15 × 1/4) / 85 × 100
        assert xincheng.score == D(100) * (D(40) * D(25) / D(160) + D(30) * D(3) / D(60) + D(15) / D(4)) / D(85)
        lingang = by_name["临港经济区"]
        assert lingang.score == D(100) * (D(40) * D("1.92") / D(110) + D(10) * D(1) / D(3)) / D(50)
        assert (xincheng.rank, lingang.rank) == (1, 2)
        assert by_name["区商务委"].rank is None  # no target row: nothing scored

    def test_every_assessed_unit_is_listed_even_without_projects(self, units):
        assert {r.unit.name for r in assess(Q4)} == {"涪陵新城区", "临港经济区", "区商务委", "区文化旅游委"}

    def test_units_of_other_kinds_are_not_ranked(self, units):
        UnitFactory(name="区市场监管局", kind=UnitKind.OTHER)
        assert "区市场监管局" not in {r.unit.name for r in assess(Q4)}

    def test_a_year_without_rules_is_a_clear_error(self, units):
        with pytest.raises(NoRuleSet, match="2022年尚未设置考核规则"):
            assess(scoring.Period(2022, 1))

    @pytest.mark.parametrize("projects", [3, 40])
    def test_query_count_does_not_grow_with_the_data(self, units, projects, django_assert_num_queries):
        for n in range(projects):
            p = ProjectFactory(
                lead_unit=units["新城区" if n % 2 else "临港"],
                agreement_capital=D(n % 30),
                cooperating=[units["商务委"]] if n % 3 == 0 else [],
            )
            ArrivalFactory(project=p)
        with django_assert_num_queries(7):
            assess(Q4)

    def test_every_sum_groups_by_the_unit_last(self, units):
        """SQLite walks the unit's index, in random order, when the unit leads the GROUP BY."""
        with CaptureQueriesContext(connection) as queries:
            assess(Q4)
        grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
        assert len(grouped) == 4
        # The agreement capital's queries are each a UNION ALL of the signings' and the
        # supplementary agreements' sums (domain.md §8): every part groups alike.
        # (PostgreSQL's parts come in parentheses.)
        parts = [part.strip("()") for sql in grouped for part in sql.split(" UNION ALL ")]
        assert len(parts) == 6
        for sql in parts:
            columns = sql[len("SELECT ") : sql.index(" FROM ")].split(", ")
            keys = sql[sql.index("GROUP BY ") + len("GROUP BY ") :].split(", ")
            assert keys == [str(n) for n in range(1, len(keys) + 1)]
            assert columns[0].endswith('"origin" AS "origin"')
            assert columns[len(keys) - 1].endswith('AS "credited_unit"')

    def test_explain_gives_the_projects_behind_each_actual(self, units):
        joint = ProjectFactory(
            code="FL2021-00042",
            lead_unit=units["临港"],
            agreement_capital=D("12"),
            origin=Origin.INSIDE_CITY,
            cooperating=[units["商务委"]],
        )
        ArrivalFactory(project=joint, amount=D("2"))
        ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("8"))  # someone else's
        result = explain(units["商务委"], Q4)
        (line,) = result.indicators[I.AGREEMENT_CAPITAL].lines
        assert (line.code, line.lead, line.share, line.credit) == ("FL2021-00042", False, D("0.04"), D("0.48"))
        (arrived,) = result.indicators[I.ARRIVED_CAPITAL].lines
        assert arrived.credit == D("0.08")
        assert result.indicators[I.MAJOR_PROJECTS].lines == ()

    def test_explain_agrees_with_the_ranking(self, units):
        UnitTargetFactory(unit=units["临港"], agreement_capital=D("110"))
        ProjectFactory(lead_unit=units["临港"], agreement_capital=D("12"), cooperating=[units["商务委"]])
        ranked = {r.unit.id: r for r in assess(Q4)}
        explained = explain(units["临港"], Q4)
        assert explained.score == ranked[units["临港"].id].score
        assert explained.rank == ranked[units["临港"].id].rank == 1

    @pytest.mark.parametrize("quarter", [1, 2, 3, 4])
    def test_explain_reads_only_what_can_credit_yet_gives_every_unit_the_ranking_s_actuals(self, units, quarter):
        period = scoring.Period(2021, quarter)
        lead, partner = units["临港"], units["商务委"]
        ProjectFactory(lead_unit=lead, agreement_capital=D("25"), signed_on=date(2021, 2, 1))
        earlier = ProjectFactory(lead_unit=lead, agreement_capital=D("3"), signed_on=date(2020, 6, 1), cooperating=[partner])
        ArrivalFactory(project=earlier, amount=D("1.5"), arrived_on=date(2021, 5, 20))
        ArrivalFactory(project=earlier, amount=D("0.7"), arrived_on=date(2021, 11, 2))
        later = ProjectFactory(lead_unit=lead, agreement_capital=D("12"), signed_on=date(2021, 8, 9), origin=Origin.INSIDE_CITY)
        ArrivalFactory(project=later, amount=D("2"), arrived_on=date(2021, 9, 30))
        ProjectFactory(lead_unit=partner, agreement_capital=D("0.6"), sector=Sector.NON_INDUSTRIAL, cooperating=[lead])
        ProjectFactory(lead_unit=lead, agreement_capital=D("40"), status=Status.SUBMITTED)
        ProjectFactory(lead_unit=lead, agreement_capital=D("9"), origin=Origin.INSIDE_DISTRICT)
        ProjectFactory(lead_unit=lead, agreement_capital=D("0.1"))  # below the general threshold
        ranked = {r.unit.id: r for r in assess(period)}
        for unit in (lead, partner, units["新城区"]):
            explained = explain(unit, period)
            for indicator, result in explained.indicators.items():
                assert result.actual == ranked[unit.id].indicators[indicator].actual, (unit.name, indicator)
                assert result.actual == sum((line.credit for line in result.lines), D(0)), (unit.name, indicator)


class TestConstraints:
    def test_amounts_cannot_be_negative_in_the_database(self, units):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("-1"))

    def test_an_approved_project_must_be_signed(self, units):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProjectFactory(lead_unit=units["新城区"], signed_on=None, status=Status.APPROVED)

    def test_a_unit_cooperates_once_per_project(self, units):
        project = ProjectFactory(lead_unit=units["新城区"], cooperating=[units["商务委"]])
        with pytest.raises(IntegrityError), transaction.atomic():
            Cooperation.objects.create(project=project, unit=units["商务委"])

    def test_the_lead_cannot_cooperate_on_its_own_project(self, units):
        from django.core.exceptions import ValidationError

        project = ProjectFactory(lead_unit=units["新城区"])
        with pytest.raises(ValidationError, match="配合单位不能是牵头单位本身"):
            Cooperation(project=project, unit=units["新城区"]).full_clean()

    def test_arrivals_must_be_positive(self, units):
        with pytest.raises(IntegrityError), transaction.atomic():
            ArrivalFactory(project=ProjectFactory(lead_unit=units["新城区"]), amount=D("0"))

    def test_one_target_row_per_unit_and_year_and_targets_are_positive_or_absent(self, units):
        UnitTargetFactory(unit=units["新城区"], agreement_capital=D("1"))
        with pytest.raises(IntegrityError), transaction.atomic():
            UnitTargetFactory(unit=units["新城区"])
        with pytest.raises(IntegrityError), transaction.atomic():
            UnitTargetFactory(unit=units["临港"], agreement_capital=D("0"))

    def test_one_rule_set_per_year(self, units):
        model = RuleSetFactory._meta.model
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.create(**{f.name: getattr(model.objects.get(year=2021), f.name) for f in model._meta.fields if f.name != "id"})

    def test_changes_are_kept_in_history(self, units):
        project = ProjectFactory(lead_unit=units["新城区"], agreement_capital=D("3"))
        project.agreement_capital = D("4")
        project.save()
        assert [h.agreement_capital for h in project.history.order_by("history_date")] == [D("3"), D("4")]


# --- The database's sums equal the engine's, over random data ----------------------------

UNIT_NAMES = ["涪陵新城区", "临港经济区", "区商务委", "区文化旅游委", "区财政局"]
amounts = st.decimals(min_value=0, max_value=60, places=4)
changes = st.decimals(min_value=-60, max_value=60, places=4).filter(bool)


@st.composite
def project_rows(draw):
    lead = draw(st.sampled_from(UNIT_NAMES))
    return dict(
        lead=lead,
        cooperating=draw(st.lists(st.sampled_from([u for u in UNIT_NAMES if u != lead]), max_size=3, unique=True)),
        sector=draw(st.sampled_from(Sector.values)),
        origin=draw(st.sampled_from(Origin.values)),
        agreement_capital=draw(st.one_of(amounts, st.sampled_from([D("20"), D("10"), D("1"), D("0.2"), D("0.05")]))),
        expected_output=draw(st.one_of(st.none(), amounts, st.sampled_from([D("50"), D("30")]))),
        signed_on=draw(st.dates(date(2020, 10, 1), date(2022, 1, 31))),
        status=draw(st.sampled_from([Status.APPROVED, Status.APPROVED, Status.SUBMITTED])),
        arrivals=draw(
            st.lists(
                st.tuples(st.dates(date(2020, 12, 1), date(2022, 1, 31)), amounts.filter(bool), st.booleans()), max_size=3
            )
        ),
        # Supplementary agreements (domain.md §8): increases and reductions, verified or not, in any year.
        agreements=draw(
            st.lists(
                st.tuples(st.dates(date(2020, 10, 1), date(2022, 1, 31)), changes, st.booleans()), max_size=3
            )
        ),
    )


class TestGroupByEqualsTheEngine(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        RuleSetFactory()
        cls.units = {name: UnitFactory(name=name, kind=UnitKind.PARK if "区" in name[-1] else UnitKind.DEPARTMENT) for name in UNIT_NAMES}

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(project_rows(), max_size=12), st.integers(1, 4))
    def test_assess_equals_the_pure_engine_over_whole_projects(self, rows, quarter):
        for row in rows:
            project = Project.objects.create(
                code=f"H{Project.objects.count() + 1:06d}",
                name="随机项目",
                lead_unit=self.units[row["lead"]],
                sector=row["sector"],
                origin=row["origin"],
                agreement_capital=row["agreement_capital"],
                expected_output=row["expected_output"],
                signed_on=row["signed_on"],
                status=row["status"],
            )
            project.set_cooperating_units([self.units[name].pk for name in row["cooperating"]])
            for day, amount, verified in row["arrivals"]:
                Arrival.objects.create(project=project, arrived_on=day, amount=amount, verified=verified)
            for day, amount, verified in row["agreements"]:
                SupplementaryAgreement.objects.create(
                    project=project, signed_on=day, amount=amount, verified=verified, verified_at=timezone.now() if verified else None
                )
        period = scoring.Period(2021, quarter)
        reference = pure_actuals(period)
        for result in assess(period):
            expected = reference.get(result.unit.id) or scoring.Actuals()
            for indicator in scoring.Indicator:
                difference = abs(result.indicators[indicator].actual - expected.values[indicator])
                assert difference < D("1e-20"), (result.unit.name, indicator, difference)
