"""Supplementary agreements (补充协议 / 增资, domain.md §8): their rules, how they are credited (the
pure engine, the ranking's SQL and the bench floor agree), their pages and who may use them, and
the same-investor warning's 「是否为已有项目的补充协议？」."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.roles import Role, access_of
from bench import ranking as bench_ranking
from figures.assessment import assess, explain, rules_for
from fuling_invest.todo import ToDo
from projects import agreements as services
from projects import services as project_services
from projects.models import Origin, Sector, Status, SupplementaryAgreement
from targets import scoring
from tests.factories import (
    ProjectFactory,
    RuleSetFactory,
    SupplementaryAgreementFactory,
    UnitFactory,
    client_for,
    user_with_role,
)

pytestmark = pytest.mark.django_db

D = Decimal
I = scoring.Indicator
Q4 = scoring.Period(2021, 4)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def world(media):
    RuleSetFactory(year=2021)
    RuleSetFactory(year=2022)
    lead, partner, other = UnitFactory(name="甲园区"), UnitFactory(name="乙部门"), UnitFactory(name="丙园区")
    return {
        "lead": lead,
        "partner": partner,
        "other": other,
        "staff": user_with_role(Role.STAFF, lead, username="staff"),
        "partner_staff": user_with_role(Role.STAFF, partner, username="partner"),
        "other_staff": user_with_role(Role.STAFF, other, username="other"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def add(project, user, **facts):
    values = {"signed_on": datetime.date(2021, 9, 30), "amount": D("1"), **facts}
    return services.add_agreement(project=project, user=user, **values)


def actuals(unit, period=Q4):
    return {r.unit.id: r for r in assess(period)}[unit.pk].indicators


# --- The rules: date, project, amount ------------------------------------------------------------


class TestRules:
    def test_the_project_s_signing_day_is_allowed(self, world):
        project = ProjectFactory(lead_unit=world["lead"], signed_on=datetime.date(2021, 3, 15))
        assert add(project, world["staff"], signed_on=datetime.date(2021, 3, 15)).pk

    def test_the_day_before_the_signing_is_refused(self, world):
        project = ProjectFactory(lead_unit=world["lead"], signed_on=datetime.date(2021, 3, 15))
        with pytest.raises(ValidationError, match="早于项目的签约日期 2021-03-15"):
            add(project, world["staff"], signed_on=datetime.date(2021, 3, 14))
        assert not SupplementaryAgreement.objects.exists()

    def test_a_date_in_the_future_is_refused_and_today_is_allowed(self, world):
        project = ProjectFactory(lead_unit=world["lead"])
        today = timezone.localdate()
        with pytest.raises(ValidationError, match="晚于今天"):
            add(project, world["staff"], signed_on=today + datetime.timedelta(days=1))
        assert add(project, world["staff"], signed_on=today).pk

    @pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.WITHDRAWN])
    def test_only_an_approved_project_takes_an_agreement(self, world, status):
        project = ProjectFactory(lead_unit=world["lead"], status=status)
        with pytest.raises(ValidationError, match="只有已审核的项目可以登记补充协议"):
            add(project, world["reviewer"])

    def test_a_reduction_may_bring_the_total_to_zero_but_not_below(self, world):
        project = ProjectFactory(lead_unit=world["lead"], agreement_capital=D("5"))
        add(project, world["staff"], amount=D("2"))
        add(project, world["staff"], amount=D("-6"), signed_on=datetime.date(2021, 10, 8))
        with pytest.raises(ValidationError, match=r"减少后项目的协议资金合计为 -0.01 亿元，不能小于 0.*本次最多减少 1.00 亿元"):
            add(project, world["staff"], amount=D("-1.01"), signed_on=datetime.date(2021, 11, 1))
        assert add(project, world["staff"], amount=D("-1"), signed_on=datetime.date(2021, 11, 1)).pk

    def test_deleting_an_increase_that_a_reduction_relies_on_is_refused(self, world):
        project = ProjectFactory(lead_unit=world["lead"], agreement_capital=D("1"))
        increase = add(project, world["staff"], amount=D("3"))
        add(project, world["staff"], amount=D("-3.5"), signed_on=datetime.date(2021, 10, 8))
        with pytest.raises(ValidationError, match="删除后项目的协议资金合计为 -2.50 亿元"):
            services.delete_agreement(agreement=increase, user=world["staff"])

    def test_an_amount_of_zero_is_refused_by_the_model_and_the_database(self, world):
        project = ProjectFactory(lead_unit=world["lead"])
        with pytest.raises(ValidationError, match="协议资金变化不能为 0"):
            add(project, world["staff"], amount=D("0"))
        with pytest.raises(IntegrityError), transaction.atomic():
            SupplementaryAgreementFactory(project=project, amount=D("0"))

    def test_a_verified_agreement_has_its_time_in_the_database(self, world):
        with pytest.raises(IntegrityError), transaction.atomic():
            SupplementaryAgreementFactory(project=ProjectFactory(lead_unit=world["lead"]), verified=True, verified_at=None)

    def test_a_verified_agreement_is_locked_for_the_staff_who_saw_it_unverified(self, world):
        agreement = add(ProjectFactory(lead_unit=world["lead"]), world["staff"])
        services.verify_agreement(agreement=SupplementaryAgreement.objects.get(pk=agreement.pk), user=world["reviewer"])
        with pytest.raises(ValidationError, match="刚刚被核实"):
            services.correct_agreement(agreement=agreement, user=world["staff"], signed_on=agreement.signed_on, amount=D("2"))

    def test_changes_are_kept_in_history_with_their_author(self, world):
        agreement = add(ProjectFactory(lead_unit=world["lead"]), world["staff"], amount=D("2"))
        services.correct_agreement(agreement=agreement, user=world["staff"], signed_on=agreement.signed_on, amount=D("-0.5"))
        history = agreement.history.order_by("history_date")
        assert [(h.amount, h.history_user) for h in history] == [(D("2"), world["staff"]), (D("-0.5"), world["staff"])]


# --- Credit: the pure engine ---------------------------------------------------------------------


def facts(**overrides) -> scoring.Project:
    values = dict(
        id=1,
        lead_unit=10,
        cooperating_units=(),
        industrial=True,
        origin=scoring.Origin.OUTSIDE_CITY,
        agreement_capital=D("15"),
        expected_output=None,
        signed_on=datetime.date(2021, 3, 15),
        approved=True,
    )
    return scoring.Project(**{**values, **overrides})


@pytest.fixture
def rules(db):
    return RuleSetFactory(year=2021).as_rules()


class TestTheEngine:
    def tally(self, project, rules, period=Q4):
        return {unit: a.values for unit, a in scoring.tally_projects([project], period, rules).items()}

    def test_an_increase_dated_in_another_year_credits_that_year_and_not_the_signing_year(self, rules):
        project = facts(signed_on=datetime.date(2020, 6, 1), agreements=((datetime.date(2021, 5, 10), D("4")),))
        assert self.tally(project, rules)[10][I.AGREEMENT_CAPITAL] == D("4")
        assert self.tally(project, rules, scoring.Period(2020, 4))[10][I.AGREEMENT_CAPITAL] == D("15")

    def test_it_counts_in_the_quarter_of_its_own_date(self, rules):
        project = facts(agreements=((datetime.date(2021, 10, 1), D("4")),))
        assert self.tally(project, rules, scoring.Period(2021, 3))[10][I.AGREEMENT_CAPITAL] == D("15")
        assert self.tally(project, rules, Q4)[10][I.AGREEMENT_CAPITAL] == D("19")

    def test_a_reduction_lowers_its_own_period_s_credit(self, rules):
        project = facts(signed_on=datetime.date(2020, 6, 1), agreements=((datetime.date(2021, 2, 1), D("-3")),))
        assert self.tally(project, rules)[10][I.AGREEMENT_CAPITAL] == D("-3")
        assert self.tally(project, rules, scoring.Period(2020, 4))[10][I.AGREEMENT_CAPITAL] == D("15")

    def test_it_never_adds_a_count_nor_changes_the_tier(self, rules):
        # 15亿 is a large project; +10亿 would make 25 (major) were it a new agreement.
        project = facts(agreements=((datetime.date(2021, 9, 1), D("10")),))
        values = self.tally(project, rules)[10]
        assert (values[I.MAJOR_PROJECTS], values[I.LARGE_PROJECTS], values[I.AGREEMENT_CAPITAL]) == (0, 1, D("25"))
        next_year = facts(signed_on=datetime.date(2020, 5, 1), agreements=((datetime.date(2021, 9, 1), D("10")),))
        values = self.tally(next_year, rules)[10]
        assert all(values[i] == 0 for i in scoring.COUNT_INDICATORS)

    def test_the_origin_weight_and_the_joint_split_apply(self, rules):
        project = facts(
            origin=scoring.Origin.INSIDE_CITY,
            cooperating_units=(20, 30),
            signed_on=datetime.date(2020, 6, 1),
            agreements=((datetime.date(2021, 4, 1), D("10")),),
        )
        values = self.tally(project, rules)
        assert (values[10][I.AGREEMENT_CAPITAL], values[20][I.AGREEMENT_CAPITAL], values[30][I.AGREEMENT_CAPITAL]) == (
            D("1.6"),
            D("0.2"),
            D("0.2"),
        )

    def test_a_non_industrial_project_s_agreement_is_non_industrial_credit(self, rules):
        project = facts(industrial=False, signed_on=datetime.date(2020, 6, 1), agreements=((datetime.date(2021, 4, 1), D("2")),))
        assert self.tally(project, rules)[10][I.NON_INDUSTRIAL_AGREEMENT_CAPITAL] == D("2")
        industrial = facts(signed_on=datetime.date(2020, 6, 1), agreements=((datetime.date(2021, 4, 1), D("2")),))
        assert self.tally(industrial, rules)[10][I.NON_INDUSTRIAL_AGREEMENT_CAPITAL] == 0

    @pytest.mark.parametrize(
        "overrides",
        [{"approved": False}, {"origin": scoring.Origin.INSIDE_DISTRICT}, {"agreement_capital": D("0.1")}],
        ids=["not approved", "weight 0", "below the threshold"],
    )
    def test_a_project_that_does_not_count_gives_no_credit_for_its_agreements(self, rules, overrides):
        project = facts(agreements=((datetime.date(2021, 4, 1), D("30")),), **overrides)
        assert self.tally(project, rules) == {}

    def test_the_credit_line_is_marked_and_the_project_is_not_unexplained(self, rules):
        project = facts(signed_on=datetime.date(2020, 6, 1), agreements=((datetime.date(2021, 4, 1), D("2")),))
        (line,) = scoring.tally_projects([project], Q4, rules)[10].lines[I.AGREEMENT_CAPITAL]
        assert (line.supplementary, line.amount, line.credit) == (True, D("2"), D("2"))
        assert scoring.why_not_counted(project, rules, Q4) is None

    def test_the_groups_give_what_the_projects_give(self, rules):
        group = scoring.AgreementGroup(unit=10, lead=True, cooperating_count=2, origin=scoring.Origin.INSIDE_CITY, industrial=False, amount=D("10"))
        values = scoring.tally_groups([], [], rules, [group])[10].values
        assert (values[I.AGREEMENT_CAPITAL], values[I.NON_INDUSTRIAL_AGREEMENT_CAPITAL]) == (D("1.6"), D("1.6"))


# --- Credit through the database: the ranking, the unit page and the floor agree -----------------


class TestThroughTheDatabase:
    def test_only_verified_agreements_count(self, world):
        project = ProjectFactory(lead_unit=world["lead"], signed_on=datetime.date(2020, 6, 1))
        SupplementaryAgreementFactory(project=project, amount=D("2"), signed_on=datetime.date(2021, 4, 1))
        SupplementaryAgreementFactory(project=project, amount=D("7"), signed_on=datetime.date(2021, 4, 2), verified=False)
        assert actuals(world["lead"])[I.AGREEMENT_CAPITAL].actual == D("2")

    def test_a_joint_project_s_increase_and_reduction_in_two_years(self, world):
        project = ProjectFactory(
            lead_unit=world["lead"],
            cooperating=[world["partner"]],
            origin=Origin.INSIDE_CITY,
            sector=Sector.NON_INDUSTRIAL,
            agreement_capital=D("12"),
            signed_on=datetime.date(2021, 5, 10),
        )
        SupplementaryAgreementFactory(project=project, amount=D("5"), signed_on=datetime.date(2021, 11, 2))
        SupplementaryAgreementFactory(project=project, amount=D("-2"), signed_on=datetime.date(2022, 2, 1))
        lead = actuals(world["lead"])
        assert lead[I.AGREEMENT_CAPITAL].actual == D("17") * D("0.2") * D("0.8")
        assert lead[I.NON_INDUSTRIAL_AGREEMENT_CAPITAL].actual == D("17") * D("0.2") * D("0.8")
        assert lead[I.LARGE_PROJECTS].actual == 1  # 12亿, tier unchanged by the increase
        assert actuals(world["partner"])[I.AGREEMENT_CAPITAL].actual == D("17") * D("0.2") * D("0.2")
        next_year = actuals(world["lead"], scoring.Period(2022, 1))
        assert next_year[I.AGREEMENT_CAPITAL].actual == D("-2") * D("0.2") * D("0.8")
        assert next_year[I.LARGE_PROJECTS].actual == 0

    def test_the_unit_page_explains_what_the_ranking_counts(self, world):
        project = ProjectFactory(lead_unit=world["lead"], cooperating=[world["partner"]], signed_on=datetime.date(2020, 6, 1))
        SupplementaryAgreementFactory(project=project, amount=D("3"), signed_on=datetime.date(2021, 7, 1))
        for unit in (world["lead"], world["partner"]):
            explained = explain(unit, Q4).indicators[I.AGREEMENT_CAPITAL]
            assert explained.actual == actuals(unit)[I.AGREEMENT_CAPITAL].actual
            assert [line.supplementary for line in explained.lines] == [True]

    def test_the_bench_floor_sums_the_agreements_too(self, world):
        joint = ProjectFactory(lead_unit=world["lead"], cooperating=[world["partner"], world["other"]], origin=Origin.INSIDE_CITY)
        SupplementaryAgreementFactory(project=joint, amount=D("4.3333"), signed_on=datetime.date(2021, 8, 1))
        old = ProjectFactory(lead_unit=world["partner"], agreement_capital=D("9"), signed_on=datetime.date(2020, 1, 2))
        SupplementaryAgreementFactory(project=old, amount=D("-1.5"), signed_on=datetime.date(2021, 2, 2))
        SupplementaryAgreementFactory(project=old, amount=D("8"), signed_on=datetime.date(2021, 2, 3), verified=False)
        SupplementaryAgreementFactory(project=old, amount=D("6"), signed_on=datetime.date(2020, 2, 3))
        sql, params = bench_ranking.floor_query(Q4, rules_for(2021))
        floor = bench_ranking.run_floor(sql, params)
        assert bench_ranking.compare(assess(Q4), floor) == []
        expected = D("-1.5") + (D("1") + D("4.3333")) * D("0.2") * D("0.2") / 2  # its reduction; its share of the joint one
        assert abs(floor[world["partner"].pk][0] - expected) < D("0.00005")

    def test_the_ranking_reads_no_more_queries_with_agreements(self, world, django_assert_num_queries):
        for n in range(10):
            project = ProjectFactory(lead_unit=world["lead"], cooperating=[world["partner"]] if n % 2 else [])
            SupplementaryAgreementFactory(project=project, amount=D(n + 1) * (-1 if n % 3 == 0 else 1) / 10)
        with django_assert_num_queries(7):
            assess(Q4)


# --- Pages ------------------------------------------------------------------------------------


def post_add(user, project, **data):
    values = {"signed_on": "2021-09-30", "amount": "2", "note": "二期增资", **data}
    return client_for(user).post(reverse("agreement_add", args=[project.pk]), values)


class TestPages:
    def test_staff_add_an_agreement_that_waits_for_a_reviewer(self, world):
        project = ProjectFactory(lead_unit=world["lead"])
        response = post_add(world["staff"], project, evidence=SimpleUploadedFile("补充协议.pdf", PDF))
        assert response.status_code == 302
        agreement = SupplementaryAgreement.objects.get()
        assert (agreement.amount, agreement.verified, agreement.evidence_name, agreement.created_by) == (
            D("2"),
            False,
            "补充协议.pdf",
            world["staff"],
        )
        assert actuals(world["lead"])[I.AGREEMENT_CAPITAL].actual == D("1")
        client_for(world["reviewer"]).post(reverse("agreement_verify", args=[project.pk, agreement.pk]))
        assert actuals(world["lead"])[I.AGREEMENT_CAPITAL].actual == D("3")

    def test_a_reduction_is_entered_as_a_negative_amount(self, world):
        project = ProjectFactory(lead_unit=world["lead"], agreement_capital=D("5"))
        assert post_add(world["staff"], project, amount="-0.05").status_code == 302
        assert SupplementaryAgreement.objects.get().amount == D("-0.05")

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"amount": "0"}, "协议资金变化不能为 0"),
            ({"amount": ""}, "请填写协议资金变化"),
            ({"amount": "1.23456"}, "最多保留 4 位小数"),
            ({"amount": "-20000"}, "超过 10000 亿元"),
            ({"signed_on": ""}, "请填写补充协议的签订日期"),
            ({"signed_on": "2021-03-14"}, "早于项目的签约日期"),
            ({"amount": "-1.5"}, "不能小于 0"),
            ({"evidence": SimpleUploadedFile("协议.exe", b"MZ")}, "只能是"),
        ],
    )
    def test_a_bad_input_is_refused_with_a_clear_message(self, world, data, message):
        project = ProjectFactory(lead_unit=world["lead"])  # 1亿, signed 2021-03-15
        response = post_add(world["staff"], project, **data)
        assert response.status_code == 200 and message in response.content.decode()
        assert not SupplementaryAgreement.objects.exists()

    def test_the_project_page_shows_the_agreements_and_what_counts(self, world):
        project = ProjectFactory(lead_unit=world["lead"], agreement_capital=D("5"))
        SupplementaryAgreementFactory(project=project, amount=D("2"), note="<b>二期</b>")
        SupplementaryAgreementFactory(project=project, amount=D("-1"), signed_on=datetime.date(2021, 10, 1), verified=False)
        response = client_for(world["leader"]).get(reverse("project_detail", args=[project.pk]))
        page = response.content.decode()
        assert "补充协议" in page and "已核实合计 2.00 亿元" in page and "待核实 -1.00 亿元（1 份）" in page
        assert "合计 7.00 亿元" in page and "&lt;b&gt;二期&lt;/b&gt;" in page
        assert "<h3>登记补充协议</h3>" not in page and reverse("agreement_verify", args=[project.pk, project.agreements.last().pk]) not in page

    def test_the_project_page_offers_the_form_only_on_an_approved_project(self, world):
        approved, draft = ProjectFactory(lead_unit=world["lead"]), ProjectFactory(lead_unit=world["lead"], status=Status.DRAFT)
        assert "<h3>登记补充协议</h3>" in client_for(world["staff"]).get(reverse("project_detail", args=[approved.pk])).content.decode()
        page = client_for(world["staff"]).get(reverse("project_detail", args=[draft.pk])).content.decode()
        assert "<h3>登记补充协议</h3>" not in page and "项目审核通过后才能登记补充协议" in page

    def test_the_project_page_reads_no_more_queries_with_more_agreements(self, world):
        project = ProjectFactory(lead_unit=world["lead"], agreement_capital=D("50"))
        client = client_for(world["staff"])
        counts = []
        for size in (1, 12):
            while project.agreements.count() < size:
                SupplementaryAgreementFactory(project=project, verified=project.agreements.count() % 2 == 0, created_by=world["staff"])
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("project_detail", args=[project.pk])).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1]

    def test_the_verification_queue_lists_agreements_and_verifies_them(self, world):
        project = ProjectFactory(lead_unit=world["lead"], name="新材料项目")
        agreement = SupplementaryAgreementFactory(project=project, amount=D("-0.5"), verified=False)
        client = client_for(world["reviewer"])
        page = client.get(reverse("verification_queue")).content.decode()
        assert "待核实补充协议" in page and "新材料项目" in page and "减 -0.50" in page
        queue = reverse("verification_queue")
        response = client.post(reverse("agreement_verify", args=[project.pk, agreement.pk]), {"next": queue})
        assert response["Location"] == queue
        agreement.refresh_from_db()
        assert agreement.verified and agreement.verified_by == world["reviewer"]

    def test_the_verification_queue_reads_a_constant_number_of_queries(self, world):
        client = client_for(world["reviewer"])
        counts = []
        for size in (2, 60):
            while SupplementaryAgreement.objects.count() < size:
                SupplementaryAgreementFactory(project=ProjectFactory(), verified=False, created_by=world["staff"])
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("verification_queue"))
            counts.append(len(queries))
            assert len(response.context["agreement_entries"]) == min(size, 50)
        assert counts[0] == counts[1]

    def test_another_unit_s_agreement_does_not_exist_for_staff(self, world):
        project = ProjectFactory(lead_unit=world["other"])
        agreement = SupplementaryAgreementFactory(project=project, verified=False)
        mine = ProjectFactory(lead_unit=world["lead"])
        client = client_for(world["staff"])
        assert client.get(reverse("agreement_edit", args=[project.pk, agreement.pk])).status_code == 404
        assert client.get(reverse("agreement_edit", args=[mine.pk, agreement.pk])).status_code == 404  # not of this project

    def test_the_evidence_is_served_to_those_who_see_the_project(self, world):
        project = ProjectFactory(lead_unit=world["lead"], cooperating=[world["partner"]])
        agreement = add(project, world["staff"], evidence=SimpleUploadedFile("协议.pdf", PDF))
        url = reverse("agreement_evidence", args=[project.pk, agreement.pk])
        response = client_for(world["partner_staff"]).get(url + "?inline=1")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert client_for(world["other_staff"]).get(url).status_code == 404


# --- 「是否为已有项目的补充协议？」 ---------------------------------------------------------------


class TestTheSameInvestorQuestion:
    def preview(self, world, user, investor="某某集团", signed_on="2022-04-01"):
        data = {
            "name": "二期项目",
            "investor": investor,
            "lead_unit": world["lead"].pk,
            "sector": Sector.INDUSTRIAL,
            "origin": Origin.OUTSIDE_CITY,
            "agreement_capital": "5",
            "signed_on": signed_on,
            "preview": "1",
        }
        return client_for(user).post(reverse("project_create"), data)

    def test_it_asks_and_links_the_user_s_own_approved_projects_of_the_investor(self, world):
        own = ProjectFactory(code="FL2021-00001", lead_unit=world["lead"], investor="某某 集团", signed_on=datetime.date(2021, 3, 1))
        response = self.preview(world, world["staff"])
        page = response.content.decode()
        assert "是否为已有项目的补充协议？" in page
        assert reverse("project_detail", args=[own.pk]) + "#agreements" in page
        assert [p.code for p in response.context["duplicates"].candidates] == ["FL2021-00001"]

    def test_another_unit_s_project_is_never_a_candidate(self, world):
        theirs = ProjectFactory(code="FL2021-00099", lead_unit=world["other"], investor="某某集团", signed_on=datetime.date(2021, 3, 1))
        response = self.preview(world, world["staff"])
        page = response.content.decode()
        assert "FL2021-00099" not in page and reverse("project_detail", args=[theirs.pk]) not in page
        assert "是否为已有项目的补充协议？" not in page
        assert self.preview(world, world["reviewer"]).context["duplicates"].candidates == [theirs]

    def test_only_approved_projects_signed_by_then_are_candidates(self, world):
        ProjectFactory(lead_unit=world["lead"], investor="某某集团", status=Status.SUBMITTED, signed_on=datetime.date(2021, 3, 1))
        ProjectFactory(lead_unit=world["lead"], investor="某某集团", signed_on=datetime.date(2022, 6, 1))
        duplicates = self.preview(world, world["staff"]).context["duplicates"]
        assert duplicates is None or duplicates.candidates == []


def test_the_history_names_each_step_of_an_agreement(world):
    project = ProjectFactory(lead_unit=world["lead"])
    agreement = add(project, world["staff"], amount=D("2"))
    services.verify_agreement(agreement=agreement, user=world["reviewer"])
    history = client_for(world["leader"]).get(reverse("project_detail", args=[project.pk])).context["history"]
    labels = [row.label for row in history if "补充协议" in row.subject]
    assert labels == ["核实补充协议（2021-09-30，2 亿元）", "登记补充协议（2021-09-30，2 亿元）"]


def test_the_ranking_command_includes_verified_agreements_only(world):
    project = ProjectFactory(lead_unit=world["lead"], signed_on=datetime.date(2020, 5, 1))
    SupplementaryAgreementFactory(project=project, amount=D("2.5"), signed_on=datetime.date(2021, 6, 1))
    SupplementaryAgreementFactory(project=project, amount=D("9"), signed_on=datetime.date(2021, 6, 2), verified=False)
    out = StringIO()
    call_command("ranking", "--year", "2021", "--quarter", "4", "--format", "json", stdout=out)
    (lead,) = [u for u in json.loads(out.getvalue())["units"] if u["unit"] == "甲园区"]
    assert lead["indicators"]["agreement_capital"]["actual"] == "2.5"
    assert lead["indicators"]["large_projects"]["actual"] == 0


def test_an_edit_of_the_project_may_not_break_its_agreements(world):
    project = ProjectFactory(lead_unit=world["lead"], agreement_capital=D("5"), signed_on=datetime.date(2021, 3, 15))
    SupplementaryAgreementFactory(project=project, amount=D("-4"), signed_on=datetime.date(2021, 6, 1))
    edit = dict(project=project, user=world["reviewer"], cooperating_unit_ids=[], version=project.version)
    with pytest.raises(ValidationError, match="签约日期不能晚于已登记的补充协议（最早一份签订于 2021-06-01）"):
        project_services.update_project(**edit, facts={"signed_on": datetime.date(2021, 6, 2)})
    with pytest.raises(ValidationError, match=r"协议资金加上已登记的补充协议（合计 -4.00 亿元）后小于 0"):
        project_services.update_project(**edit, facts={"agreement_capital": D("3.9999")})
    assert project_services.update_project(**edit, facts={"signed_on": datetime.date(2021, 6, 1), "agreement_capital": D("4")})


def test_reviewers_are_told_of_the_agreements_to_verify(world):
    SupplementaryAgreementFactory(project=ProjectFactory(lead_unit=world["other"]), verified=False)
    SupplementaryAgreementFactory(project=ProjectFactory(lead_unit=world["other"], status=Status.WITHDRAWN), verified=False)
    found = {item.label: item for item in ToDo(access_of(world["reviewer"])).items}
    item = found["待核实补充协议"]
    assert (item.count, item.url) == (1, reverse("verification_queue") + "#agreements")
