"""`manage.py landing`: each unit's 开工率, 投产率 and projects past their start deadline at a quarter's end."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from landing.models import MilestoneKind
from projects.models import Origin, Status
from targets.models import Unit
from tests.factories import MilestoneFactory, ProjectFactory

UNIT_KEYS = {"unit", "kind", "signed", "started", "start_rate", "producing", "produce_rate", "overdue_not_started"}


def run(**options) -> str:
    out = []

    class Sink:
        def write(self, text):
            out.append(text)

    call_command("landing", stdout=Sink(), **options)
    return "".join(out)


def landing_json(**options) -> dict:
    return json.loads(run(format="json", **options))


@pytest.fixture
def xincheng(fuling_2021):
    """涪陵新城区 signs 12 counted projects in 2021: 7 started by the year's end, 2 of them producing."""
    unit = Unit.objects.get(name="涪陵新城区")
    projects = [
        ProjectFactory(lead_unit=unit, code=f"XC-{n:02d}", name=f"新城项目{n}", signed_on=date(2021, 3, 15) + timedelta(days=10 * n))
        for n in range(12)
    ]
    for project in projects[:7]:
        MilestoneFactory(project=project, kind=MilestoneKind.STARTED, actual_on=date(2021, 11, 1))
    for project in projects[:2]:
        MilestoneFactory(project=project, kind=MilestoneKind.PRODUCING, actual_on=date(2021, 12, 1))
    return projects


def test_the_json_is_the_contract(xincheng):
    data = landing_json(year="2021", quarter="4")
    assert {key: data[key] for key in ("year", "quarter", "as_of", "start_limit_days")} == {
        "year": 2021,
        "quarter": 4,
        "as_of": "2021-12-31",
        "start_limit_days": 180,
    }
    assert set(data) == {"year", "quarter", "as_of", "start_limit_days", "units"}
    first = data["units"][0]
    # Not started: XC-07 … XC-11, signed 2021-05-24 … 2021-07-03; deadlines 180 days later, before 12-31.
    assert first == {
        "unit": "涪陵新城区",
        "kind": "park",
        "signed": 12,
        "started": 7,
        "start_rate": "0.5833",
        "producing": 2,
        "produce_rate": "0.1667",
        "overdue_not_started": [
            {
                "code": f"XC-{n:02d}",
                "name": f"新城项目{n}",
                "signed_on": (date(2021, 3, 15) + timedelta(days=10 * n)).isoformat(),
                "deadline": (date(2021, 3, 15) + timedelta(days=10 * n + 180)).isoformat(),
            }
            for n in range(7, 12)
        ],
    }
    assert first["overdue_not_started"][0] == {"code": "XC-07", "name": "新城项目7", "signed_on": "2021-05-24", "deadline": "2021-11-20"}


def test_every_assessed_unit_is_listed_parks_first(xincheng):
    units = landing_json(year="2021", quarter="4")["units"]
    assert len(units) == 22
    assert [u["kind"] for u in units] == ["park"] * 6 + ["department"] * 16
    assert all(set(u) == UNIT_KEYS for u in units)


def test_rates_are_null_when_nothing_was_signed(xincheng):
    others = landing_json(year="2021", quarter="4")["units"][1:]
    assert {(u["signed"], u["start_rate"], u["produce_rate"], len(u["overdue_not_started"])) for u in others} == {(0, None, None, 0)}


def test_the_cohort_is_signed_by_the_quarters_end_and_measured_then(xincheng):
    """Q2: signed by 06-30 (XC-00 … XC-10, signed up to 06-23), none started yet, none past its deadline."""
    first = landing_json(year="2021", quarter="2")["units"][0]
    assert (first["signed"], first["started"], first["start_rate"], first["producing"]) == (11, 0, "0.0000", 0)
    assert first["overdue_not_started"] == []


def test_only_approved_counted_projects_it_leads_count(fuling_2021):
    unit = Unit.objects.get(name="涪陵新城区")
    ProjectFactory(lead_unit=unit, status=Status.SUBMITTED)
    ProjectFactory(lead_unit=unit, origin=Origin.INSIDE_DISTRICT)  # weighted 0: counts nowhere
    ProjectFactory(lead_unit=unit, agreement_capital=Decimal("0.01"))  # below every threshold
    ProjectFactory(lead_unit=Unit.objects.get(name="区商务委"), cooperating=[unit])
    ProjectFactory(lead_unit=unit, signed_on=date(2020, 12, 31))
    first = landing_json(year="2021", quarter="4")["units"][0]
    assert first["signed"] == 0


def test_an_unverified_or_later_start_does_not_count(fuling_2021):
    unit = Unit.objects.get(name="涪陵新城区")
    unverified, later = ProjectFactory(lead_unit=unit, code="A"), ProjectFactory(lead_unit=unit, code="B")
    MilestoneFactory(project=unverified, verified=False)
    MilestoneFactory(project=later, actual_on=date(2022, 1, 1))
    first = landing_json(year="2021", quarter="4")["units"][0]
    assert (first["signed"], first["started"]) == (2, 0)
    assert [p["code"] for p in first["overdue_not_started"]] == ["A", "B"]


def test_the_deadline_day_itself_is_not_overdue(fuling_2021):
    """Signed 2021-07-04: the deadline is 2021-12-31, the quarter's last day: not overdue yet."""
    unit = Unit.objects.get(name="涪陵新城区")
    ProjectFactory(lead_unit=unit, code="ON-TIME", signed_on=date(2021, 7, 4))
    ProjectFactory(lead_unit=unit, code="LATE", signed_on=date(2021, 7, 3))
    overdue = landing_json(year="2021", quarter="4")["units"][0]["overdue_not_started"]
    assert overdue == [{"code": "LATE", "name": overdue[0]["name"], "signed_on": "2021-07-03", "deadline": "2021-12-30"}]


def test_the_table_shows_each_kind_with_rates_as_percentages(xincheng):
    text = run(year="2021", quarter="4")
    assert "2021年第4季度（截至2021-12-31）项目落地情况" in text
    assert "开工时限：签约后 180 天" in text
    assert "【园区】" in text and "【区级部门】" in text
    line = next(line for line in text.splitlines() if line.startswith("涪陵新城区"))
    assert line.split() == ["涪陵新城区", "12", "7", "58.33%", "2", "16.67%", "5"]
    assert "涪陵新城区  XC-07  新城项目7  签约 2021-05-24  时限 2021-11-20  超期 41 天" in text
    department = next(line for line in text.splitlines() if line.startswith("区商务委"))
    assert department.split() == ["区商务委", "0", "0", "–", "0", "–", "0"]


@pytest.mark.parametrize(
    ("year", "quarter", "message"),
    [
        ("2021", "5", "季度须为 1–4 的整数。收到“5”。"),
        ("2021", "四", "季度须为 1–4 的整数。收到“四”。"),
        ("二〇二一", "4", "年度须为整数，如 2021。收到“二〇二一”。"),
        ("2019", "4", "2019年尚未设置考核规则（年度规则），无法计算。"),
    ],
)
def test_bad_input_gets_a_chinese_error(fuling_2021, year, quarter, message):
    with pytest.raises(CommandError) as error:
        run(year=year, quarter=quarter)
    assert str(error.value) == message
