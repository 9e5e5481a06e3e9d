"""The bulletin's snapshot: what take_snapshot reads, and its JSON round trip."""

import datetime
import json
from decimal import Decimal

import pytest

from projects.models import Status
from reports.snapshot import from_json, take_snapshot, to_json
from targets.models import Unit
from targets.scoring import Indicator, Period
from tests.factories import ArrivalFactory, ProjectFactory, domain_example

D = Decimal
I = Indicator
Q2 = Period(2021, 2)
TODAY = datetime.date(2021, 7, 5)


def unit(name):
    return Unit.objects.get(name=name)


@pytest.fixture
def projects(fuling_2021):
    """domain.md §6 (its arrival in Q2), and a submitted project that counts nowhere."""
    domain_example(arrived_on=datetime.date(2021, 4, 15))
    ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("50"), status=Status.SUBMITTED)


def test_the_json_round_trip_gives_back_the_same_snapshot(projects):
    snapshot = take_snapshot(period=Q2, issued_on=TODAY)
    stored = json.loads(json.dumps(to_json(snapshot)))
    assert from_json(stored) == snapshot
    assert stored["sections"][0]["rows"][0]["cells"]["agreement_capital"]["actual"] == str(
        snapshot.sections[0].rows[0].cells["agreement_capital"].actual
    )


def test_a_snapshot_of_another_schema_is_refused(projects):
    stored = to_json(take_snapshot(period=Q2, issued_on=TODAY))
    stored["schema"] = 99
    with pytest.raises(ValueError, match="版本 99"):
        from_json(stored)


def test_the_district_totals_and_the_sections_add_up(projects):
    snapshot = take_snapshot(period=Q2, issued_on=TODAY)
    by_label = {row.label: row for row in snapshot.totals}
    agreement = by_label["协议资金"]
    assert agreement.district.actual == D("25") + D("1.92") + D("0.48")
    assert agreement.district.target == 680
    parks, departments = snapshot.sections
    assert parks.total["agreement_capital"].actual == agreement.parks.actual == D("26.92")
    assert departments.total["agreement_capital"].actual == D("0.48")
    assert "non_industrial_agreement_capital" not in departments.indicators  # no department has that target


def test_the_summary_gives_the_district_figures_and_who_is_ahead_and_behind(projects):
    text = take_snapshot(period=Q2, issued_on=TODAY).summary
    assert text[0].startswith("2021年1—6月，全区招商引资签约项目协议资金（按项目来源和联合招商折算，下同）27.40亿元，")
    assert "完成年度目标680.00亿元的4.03%，落后序时进度" in text[0]
    assert "签约重大项目1个、较大项目1个、重点项目0个；其中第2季度签约重大、较大项目1个。" in text[0]
    assert text[1].startswith("园区中，没有单位达到序时进度；") and "涪陵新城区" in text[1]


def test_a_unit_ahead_of_time_progress_is_named_as_such(projects):
    ProjectFactory(lead_unit=unit("清溪园区"), agreement_capital=D("30"), signed_on=datetime.date(2021, 4, 1))
    ProjectFactory(lead_unit=unit("清溪园区"), agreement_capital=D("10"), signed_on=datetime.date(2021, 4, 2))
    ArrivalFactory(project=ProjectFactory(lead_unit=unit("清溪园区"), agreement_capital=D("1"), signed_on=datetime.date(2021, 4, 3)), amount=D("7"))
    snapshot = take_snapshot(period=Q2, issued_on=TODAY)
    parks = snapshot.sections[0]
    qingxi = next(row for row in parks.rows if row.name == "清溪园区")
    assert qingxi.rank == 1 and not qingxi.behind(snapshot.time_progress)
    assert snapshot.summary[1].startswith("园区中，清溪园区达到序时进度；")


# 19, and the organisation whose names the snapshot keeps
SNAPSHOT_QUERIES = 20


def test_taking_a_snapshot_reads_a_constant_number_of_queries(projects, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        take_snapshot(period=Q2, issued_on=TODAY)
    for n in range(20):
        ProjectFactory(
            lead_unit=unit("涪陵综保区"), cooperating=[unit("区商务委"), unit("区交通局")], agreement_capital=D("30"),
            signed_on=datetime.date(2021, 5, 1),
        )  # fmt: skip
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        take_snapshot(period=Q2, issued_on=TODAY)
