"""`manage.py ranking`: the district's quarterly ranking from the command line."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from projects.models import Origin, Sector
from targets.models import Unit
from tests.factories import ArrivalFactory, ProjectFactory

D = Decimal
INDICATORS = {
    "major_projects",
    "large_projects",
    "key_projects",
    "agreement_capital",
    "non_industrial_agreement_capital",
    "arrived_capital",
}


@pytest.fixture
def worked_example(fuling_2021):
    """domain.md §6 on the real 2021 units and targets."""
    unit = Unit.objects.get
    first = ProjectFactory(lead_unit=unit(name="涪陵新城区"), agreement_capital=D("25"), signed_on=date(2021, 3, 15))
    ProjectFactory(
        lead_unit=unit(name="临港经济区"),
        cooperating=[unit(name="区商务委")],
        agreement_capital=D("12"),
        origin=Origin.INSIDE_CITY,
        sector=Sector.NON_INDUSTRIAL,
        signed_on=date(2021, 5, 10),
    )
    ArrivalFactory(project=first, amount=D("3"), arrived_on=date(2021, 10, 15))


def ranking_json(**options):
    out = []

    class Sink:
        def write(self, text):
            out.append(text)

    call_command("ranking", format="json", stdout=Sink(), **options)
    return json.loads("".join(out))


def test_json_has_the_documented_shape_for_all_22_units(worked_example):
    data = ranking_json(year=2021, quarter=4)
    assert (data["year"], data["quarter"], data["as_of"], data["time_progress"]) == (2021, 4, "2021-12-31", "1.00")
    assert len(data["units"]) == 22
    assert [u["kind"] for u in data["units"]] == ["park"] * 6 + ["department"] * 16
    for unit in data["units"]:
        assert set(unit) == {"unit", "kind", "rank", "score", "indicators"}
        assert set(unit["indicators"]) == INDICATORS
        for item in unit["indicators"].values():
            assert set(item) == {"target", "actual", "rate", "points"}


def test_json_figures_follow_the_worked_example(worked_example):
    units = {u["unit"]: u for u in ranking_json(year=2021, quarter=4)["units"]}
    xincheng = units["涪陵新城区"]["indicators"]
    assert xincheng["major_projects"] == {"target": 4, "actual": 1, "rate": "0.25", "points": xincheng["major_projects"]["points"]}
    assert xincheng["agreement_capital"]["target"] == "160"
    assert D(xincheng["agreement_capital"]["actual"]) == 25
    assert D(xincheng["arrived_capital"]["actual"]) == 3
    lingang = units["临港经济区"]["indicators"]
    assert D(lingang["agreement_capital"]["actual"]) == D("1.92")
    assert D(lingang["non_industrial_agreement_capital"]["actual"]) == D("1.92")
    assert D(units["区商务委"]["indicators"]["agreement_capital"]["actual"]) == D("0.48")
    assert units["涪陵新城区"]["rank"] == 1


def test_no_target_gives_null_target_rate_and_points(worked_example):
    units = {u["unit"]: u for u in ranking_json(year=2021, quarter=4)["units"]}
    qingxi_major = units["清溪园区"]["indicators"]["major_projects"]
    assert qingxi_major == {"target": None, "actual": 0, "rate": None, "points": None}
    assert units["区财政局"]["indicators"]["arrived_capital"]["target"] is None


def test_units_with_equal_scores_share_a_rank(worked_example):
    departments = [u for u in ranking_json(year=2021, quarter=4)["units"] if u["kind"] == "department"]
    assert departments[0]["unit"] != "区商务委" or departments[0]["rank"] == 1
    ranks = {u["unit"]: u["rank"] for u in departments}
    assert ranks["区商务委"] == 1
    # every other department scored 0 and shares rank 2
    assert {r for name, r in ranks.items() if name != "区商务委"} == {2}


def test_arrival_after_the_quarter_is_not_counted(worked_example):
    units = {u["unit"]: u for u in ranking_json(year=2021, quarter=3)["units"]}
    assert D(units["涪陵新城区"]["indicators"]["arrived_capital"]["actual"]) == 0


def test_table_is_readable_chinese(worked_example, capsys):
    call_command("ranking", year=2021, quarter=2)
    out = capsys.readouterr().out
    assert "2021年第2季度（截至2021-06-30）" in out
    assert "序时进度 50.00%" in out
    assert "【园区】" in out and "【区级部门】" in out
    assert "25.00/160.00 15.63%" in out


def test_a_year_without_rules_is_refused_with_a_clear_message(fuling_2021):
    with pytest.raises(CommandError, match="2030年尚未设置考核规则"):
        call_command("ranking", year=2030, quarter=1)
