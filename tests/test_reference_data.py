"""The 2021 reference data (fixtures/fuling_2021.json) against the work plan and domain.md §1.

The expected strings are copied from the document (附件1, 附件2), not from the fixture.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from groups.models import Commissioner, Person, SpecialGroup
from targets.models import FiveYearGoal, RuleSet, Unit, UnitKind, UnitTarget

pytestmark = pytest.mark.usefixtures("fuling_2021")

PARKS = ["涪陵新城区", "白涛园区", "临港经济区", "清溪园区", "江北旅游区", "涪陵综保区"]
DEPARTMENTS = [
    "区发展改革委",
    "区财政局",
    "区经济信息委",
    "区教委",
    "区科技局",
    "区住房城乡建委",
    "区交通局",
    "区农业农村委",
    "区商务委",
    "区民政局",
    "区文化旅游委",
    "区卫生健康委",
    "区国资委",
    "区大数据发展局",
    "区物流办",
    "区招商投资局",
]
ALL_MODELS = [Unit, UnitTarget, RuleSet, FiveYearGoal, Person, SpecialGroup, Commissioner]


def target(unit_name: str) -> UnitTarget:
    return UnitTarget.objects.get(year=2021, unit__name=unit_name)


def totals(kind: str) -> dict[str, Decimal]:
    """The 合计 row, recomputed: it is derived, never stored."""
    rows = UnitTarget.objects.filter(year=2021, unit__kind=kind)
    fields = ["major_projects", "large_projects", "key_projects", "agreement_capital", "arrived_capital"]
    return {field: sum((Decimal(getattr(row, field) or 0) for row in rows), Decimal(0)) for field in fields}


def group(number: int) -> SpecialGroup:
    return SpecialGroup.objects.get(number=number)


def commissioner_names(number: int) -> list[str]:
    return [seat.person.name for seat in group(number).seats.order_by("position")]


def landing_unit_names(number: int) -> set[str]:
    return set(group(number).landing_units.values_list("name", flat=True))


def test_it_has_six_parks_and_sixteen_departments_in_document_order():
    parks = Unit.objects.filter(kind=UnitKind.PARK).order_by("sort_order")
    departments = Unit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("sort_order")

    assert [u.name for u in parks] == PARKS
    assert [u.sort_order for u in parks] == list(range(1, 7))
    assert [u.name for u in departments] == DEPARTMENTS
    assert [u.sort_order for u in departments] == list(range(11, 27))
    assert Unit.objects.assessed().count() == 22


def test_every_assessed_unit_has_a_2021_target_row():
    assert sorted(UnitTarget.objects.filter(year=2021).values_list("unit__name", flat=True)) == sorted(
        PARKS + DEPARTMENTS
    )


def test_park_targets_match_the_document():
    rows = {
        "涪陵新城区": (4, 4, 10, "160", "60", "60"),
        "白涛园区": (4, 4, 6, "150", None, "50"),
        "临港经济区": (2, 3, 6, "110", "30", "37"),
        "清溪园区": (None, 1, 2, "30", None, "7"),
        "江北旅游区": (1, 2, 2, "50", None, "17"),
        "涪陵综保区": (2, 3, 5, "80", "30", "30"),
    }
    for name, (major, large, key, agreement, non_industrial, arrived) in rows.items():
        t = target(name)
        assert (t.major_projects, t.large_projects, t.key_projects) == (major, large, key), name
        assert t.agreement_capital == Decimal(agreement), name
        assert t.non_industrial_agreement_capital == (non_industrial and Decimal(non_industrial)), name
        assert t.arrived_capital == Decimal(arrived), name


def test_department_targets_match_the_document():
    rows = {
        "区发展改革委": (1, 1, None, "5"),
        "区财政局": (None, None, None, "0.5"),
        "区经济信息委": (1, 2, 1, "10"),
        "区教委": (None, 1, 1, "5"),
        "区科技局": (None, None, 1, "1"),
        "区住房城乡建委": (1, 1, 1, "10"),
        "区交通局": (1, 1, None, "10"),
        "区农业农村委": (None, None, 2, "5"),
        "区商务委": (1, 1, 1, "10"),
        "区民政局": (None, None, 2, "2"),
        "区文化旅游委": (1, 1, 1, "5"),
        "区卫生健康委": (None, None, 2, "2"),
        "区国资委": (None, None, 2, "2.5"),
        "区大数据发展局": (None, 1, 1, "5"),
        "区物流办": (None, None, 1, "2"),
        "区招商投资局": (1, 2, 3, "25"),
    }
    for name, (major, large, key, agreement) in rows.items():
        t = target(name)
        assert (t.major_projects, t.large_projects, t.key_projects) == (major, large, key), name
        assert t.agreement_capital == Decimal(agreement), name


def test_park_totals_match_the_document():
    assert totals(UnitKind.PARK) == {
        "major_projects": 13,
        "large_projects": 17,
        "key_projects": 31,
        "agreement_capital": Decimal("580"),
        "arrived_capital": Decimal("201"),
    }


def test_department_totals_match_the_document():
    department_totals = totals(UnitKind.DEPARTMENT)

    assert department_totals["major_projects"] == 7
    assert department_totals["large_projects"] == 11
    assert department_totals["key_projects"] == 19
    assert department_totals["agreement_capital"] == Decimal("100")


def test_blank_cells_are_no_target_not_zero():
    assert target("清溪园区").major_projects is None
    assert target("白涛园区").non_industrial_agreement_capital is None
    assert target("区发展改革委").key_projects is None

    finance = target("区财政局")
    assert finance.agreement_capital == Decimal("0.5")
    assert [finance.major_projects, finance.large_projects, finance.key_projects] == [None, None, None]

    for name in DEPARTMENTS:
        assert target(name).arrived_capital is None, name
    # No cell anywhere is stored as a zero target.
    for indicator in ["major_projects", "large_projects", "key_projects", "agreement_capital", "arrived_capital"]:
        assert not UnitTarget.objects.filter(**{indicator: 0}).exists(), indicator


def test_non_industrial_targets():
    non_industrial = dict(UnitTarget.objects.values_list("unit__name", "non_industrial_agreement_capital"))

    assert non_industrial.pop("涪陵新城区") == Decimal("60")
    assert non_industrial.pop("临港经济区") == Decimal("30")
    assert non_industrial.pop("涪陵综保区") == Decimal("30")
    assert set(non_industrial.values()) == {None}


def test_the_2021_rule_set():
    rules = RuleSet.objects.get(year=2021)

    expected = {
        "major_investment": "20",
        "major_output": "50",
        "large_investment": "10",
        "large_output": "30",
        "key_investment": "1",
        "general_industrial_investment": "0.2",
        "general_non_industrial_investment": "0.05",
        "weight_outside_city": "1",
        "weight_inside_city": "0.2",
        "weight_inside_district": "0",
        "lead_share": "0.8",
        "score_agreement_capital": "40",
        "score_arrived_capital": "30",
        "score_major_projects": "15",
        "score_large_projects": "10",
        "score_key_projects": "5",
        "score_non_industrial": "0",
        "rate_cap": "1.2",
    }
    assert {field: getattr(rules, field) for field in expected} == {k: Decimal(v) for k, v in expected.items()}


def test_the_5311_goal():
    goal = FiveYearGoal.objects.get(name="5311")

    assert (goal.start_year, goal.end_year) == (2021, 2025)
    assert goal.annual_agreement_capital == Decimal("500")
    assert goal.total_agreement_capital == Decimal("3000")
    assert goal.enterprises_over_100yi == 10
    assert goal.total_arrived_capital == Decimal("1000")


def test_twelve_groups_with_leaders_commissioners_and_landing_units():
    assert list(SpecialGroup.objects.order_by("number").values_list("number", "name")) == [
        (1, "数字经济产业招商组"),
        (2, "科创产业和高等教育产业招商组"),
        (3, "消费品产业招商组"),
        (4, "中医药产业招商组"),
        (5, "新材料产业招商组"),
        (6, "文旅产业招商组"),
        (7, "军民融合产业招商组"),
        (8, "建筑产业招商组"),
        (9, "交通物流产业招商组"),
        (10, "生物医药、医疗器械产业招商组"),
        (11, "商务商贸服务业招商组"),
        (12, "高端装备智能制造产业招商组"),
    ]

    digital = group(1)
    assert (digital.leader.name, digital.leader.title) == ("周波", "区委副书记，涪陵新城区党工委书记（兼）")
    assert commissioner_names(1) == ["李福刚", "王刚凌", "夏强伟"]
    assert digital.landing_units_text == "涪陵新城区（高新区、综保区）"
    assert landing_unit_names(1) == {"涪陵新城区", "涪陵综保区"}
    assert digital.focus == (
        "瞄准集成电路、新型显示、智能终端等新一代信息技术产业开展招商，"
        "围绕人工智能与数字经济产业园开展大数据智能化、软件产业招商，"
        "同步推进金融、电子商务、咨询中介等引进项目。"
    )

    medicine = group(4)
    assert (medicine.leader.name, medicine.leader.title) == ("杜海波", "区委常委、区政府常务副区长")
    assert commissioner_names(4) == ["邹凯", "章和平", "戴鹏", "彭国栋"]
    assert medicine.focus == "重点围绕国药集团与太极集团合作契机，导入新品种、新产能，进一步壮大中医药产业。"

    materials = group(5)
    assert materials.landing_units_text == "涪陵新城区（高新区、综保区）、白涛园区、临港经济区、清溪园区"
    assert landing_unit_names(5) == {"涪陵新城区", "涪陵综保区", "白涛园区", "临港经济区", "清溪园区"}

    tourism = group(6)
    assert (tourism.leader.name, tourism.leader.title) == ("徐瑛", "区委常委，江北旅游区党工委书记、管委会主任")
    assert commissioner_names(6) == ["王海燕", "张莉"]
    assert landing_unit_names(6) == {"江北旅游区"}

    logistics = group(9)
    assert logistics.leader.title == "区政府副区长，涪陵新城区党工委副书记、管委会主任（兼）"
    assert commissioner_names(9) == ["易先勇", "王强余", "张莉"]

    biomedicine = group(10)
    assert biomedicine.landing_units_text == "涪陵新城区（高新区、综保区）、白涛工业园区"
    assert landing_unit_names(10) == {"涪陵新城区", "涪陵综保区", "白涛园区"}
    assert commissioner_names(10) == ["章和平", "彭国栋"]


def test_a_person_s_unit_is_the_unit_their_title_names_and_district_leaders_have_none():
    units = dict(Person.objects.values_list("name", "unit__name"))
    assert units["冯星贵"] == "区经济信息委" and units["王海燕"] == "区文化旅游委"
    assert units["王刚凌"] == "涪陵综保区" and units["张莉"] == "区招商投资局"
    assert units["赵昌辉"] is None and units["宫辉"] is None
    assert units["戴鹏"] is None, "区市场监管局 is not one of the units"
    for person in Person.objects.select_related("unit"):
        named = [unit.name for unit in Unit.objects.all() if unit.name in person.title]
        assert ([person.unit.name] if person.unit else []) == named[:1], person.name
    # The units working in 数字经济产业招商组: its landing units and its commissioners' units.
    digital = group(1)
    names = set(Unit.objects.filter(pk__in=digital.working_unit_ids()).values_list("name", flat=True))
    assert names == {"涪陵新城区", "涪陵综保区", "区大数据发展局", "区招商投资局"}


def test_every_group_has_a_leader_commissioners_landing_units_and_a_focus():
    for g in SpecialGroup.objects.all():
        assert g.leader_id and g.focus and g.landing_units_text, g.name
        assert g.landing_units.exists(), g.name
        positions = list(g.seats.order_by("position").values_list("position", flat=True))
        assert positions and positions == list(range(1, len(positions) + 1)), g.name
        assert set(g.landing_units.values_list("kind", flat=True)) == {UnitKind.PARK}, g.name


def test_person_names_have_no_alignment_spaces():
    assert Person.objects.count() == 29
    assert not Person.objects.filter(name__contains=" ").exists()
    assert Person.objects.get(name="张莉").title == "区招商投资局副局长"
    assert Person.objects.get(name="邹凯").title == "区国资委主任"


def test_one_person_sits_in_several_groups():
    feng = Person.objects.get(name="冯星贵")

    assert feng.title == "区经济信息委主任"
    assert sorted(feng.commissioner_of.values_list("number", flat=True)) == [3, 5, 7, 12]
    assert sorted(Person.objects.get(name="张莉").commissioner_of.values_list("number", flat=True)) == [2, 6, 9, 11]
    assert Person.objects.filter(name__in=["夏强伟", "张莉", "彭国栋", "姚以山", "章和平", "王小峡"]).count() == 6


def test_loading_twice_changes_nothing():
    before = {model: model.objects.count() for model in ALL_MODELS}
    landing_links = SpecialGroup.landing_units.through.objects.count()

    call_command("loaddata", "fuling_2021", verbosity=0)

    assert {model: model.objects.count() for model in ALL_MODELS} == before
    assert SpecialGroup.landing_units.through.objects.count() == landing_links
    assert Unit.objects.assessed().count() == 22 and before[UnitTarget] == 22 and before[Commissioner] == 30


def test_the_fixture_refers_to_every_row_by_natural_key():
    path = Path(settings.BASE_DIR) / "fixtures" / "fuling_2021.json"
    objects = json.loads(path.read_text(encoding="utf-8"))

    assert not [o for o in objects if "pk" in o]
    models = [o["model"] for o in objects]
    assert models.index("groups.person") < models.index("groups.specialgroup") < models.index("groups.commissioner")
