"""The plan's 15 key tasks (fixtures/key_tasks_2021.json) against the work plan's §三 (domain.md §12).

The expected strings are copied from the document, not from the fixture. A collective name
stands for its units: 各园区 the parks, 区级相关部门 the departments, 专项招商工作组 the units of
the groups' first commissioners; 招商投资局 is 区招商投资局, and 国有企业集团 the one state-owned
group the plan names, 国投集团. The bodies that are not assessed units are units of their own
kind, never ranked.
"""

import datetime
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from figures import activity_index
from figures.assessment import assess
from groups.models import SpecialGroup
from supervision.models import KeyTask
from targets.activity_index import Week
from targets.models import Unit, UnitKind
from targets.scoring import Period
from targets.target_table import target_tables
from tests.factories import ActivityFactory
from tests.test_reference_data import DEPARTMENTS, PARKS

pytestmark = pytest.mark.usefixtures("fuling_2021")

ACTIONS = {
    1: "聚焦“懂你”，开展招商理念提升行动",
    2: "突出产业，开展招商能级提升行动",
    3: "坚持精准，开展招商措施提升行动",
    4: "强化服务，开展营商环境提升行动",
    5: "发挥合力，开展招商队伍提升行动",
}
ALL = "专项招商工作组、区级相关部门、各园区"
# number, title, action, 牵头单位, 责任单位: as §三 writes them.
PLAN = [
    (1, "贯彻新发展理念", 1, "区委办公室、区政府办公室", ALL),
    (2, "实施专业招商", 1, "区招商投资局", ALL),
    (3, "突出资本招商", 1, "区财政局", "区国资委、区招商投资局、国投集团、各园区"),
    (4, "探索“科创+”“绿色+”招商", 1, "区委组织部、区科技局、区生态环境局", ALL),
    (5, "促进“老树发新枝”", 2, "区经济信息委", "区级相关部门、各园区"),
    (6, "坚持“新树深扎根”", 2, "区招商投资局", ALL),
    (7, "实施挂图作战", 3, "区招商投资局", ALL),
    (8, "创新招商方式", 3, "区招商投资局", ALL),
    (9, "突出招大引强", 3, "区招商投资局", ALL),
    (10, "营造一流营商环境", 4, "各园区", "专项招商工作组、区级相关部门"),
    (11, "优化招商政策供给", 4, "各园区", "专项招商工作组、区级相关部门"),
    (12, "全力推动项目落地", 4, "各园区", "专项招商工作组、区级相关部门"),
    (13, "充实招商工作力量", 5, "区委办公室、区政府办公室", ALL),
    (14, "完善招商体制机制", 5, "区招商投资局", ALL),
    (15, "强化招商队伍建设", 5, "区委组织部", "区国资委、招商投资局、国有企业集团"),
]
NOT_ASSESSED = {"区委办公室", "区政府办公室", "区委组织部", "区生态环境局", "国投集团"}


def first_commissioners_units() -> set[str]:
    return {group.seats.order_by("position").first().person.unit.name for group in SpecialGroup.objects.all()}


def resolve(text: str) -> set[str]:
    """The units a name list of the plan stands for."""
    collective = {
        "各园区": set(PARKS),
        "区级相关部门": set(DEPARTMENTS),
        "专项招商工作组": first_commissioners_units(),
        "招商投资局": {"区招商投资局"},
        "国有企业集团": {"国投集团"},
    }
    names = set()
    for name in text.split("、"):
        names |= collective.get(name, {name})
    return names


def names(units) -> set[str]:
    return {unit.name for unit in units.all()}


def test_there_are_the_plans_15_tasks_in_order():
    tasks = KeyTask.objects.filter(year=2021)
    assert list(tasks.values_list("number", "title")) == [(number, title) for number, title, *_ in PLAN]


@pytest.mark.parametrize("number, title, action, lead, responsible", PLAN, ids=[str(row[0]) for row in PLAN])
def test_each_task_is_as_the_plan_writes_it(number, title, action, lead, responsible):
    task = KeyTask.objects.get(year=2021, number=number)
    assert (task.title, task.action_number, task.action) == (title, action, ACTIONS[action])
    assert (task.lead_text, task.responsible_text) == (lead, responsible)
    assert names(task.lead_units) == resolve(lead)
    assert names(task.responsible_units) == resolve(responsible)


def test_the_collective_names_stand_for_their_units():
    second = KeyTask.objects.get(year=2021, number=2)
    assert names(second.responsible_units) == set(PARKS) | set(DEPARTMENTS)
    tenth = KeyTask.objects.get(year=2021, number=10)
    assert names(tenth.lead_units) == set(PARKS) and names(tenth.responsible_units) == set(DEPARTMENTS)
    # The groups' first commissioners all head departments in 2021.
    assert first_commissioners_units() <= set(DEPARTMENTS) and "区科技局" in first_commissioners_units()


def test_the_bodies_that_are_not_assessed_are_units_of_their_own_kind():
    others = Unit.objects.filter(kind=UnitKind.OTHER)
    assert set(others.values_list("name", flat=True)) == NOT_ASSESSED
    assert not Unit.objects.assessed().filter(name__in=NOT_ASSESSED).exists()
    # 区科技局 is an assessed department (附件2), whatever task it leads.
    assert Unit.objects.get(name="区科技局").kind == UnitKind.DEPARTMENT
    assert Unit.objects.assessed().count() == 22


def test_the_non_assessed_units_are_never_ranked_nor_given_targets():
    ranked = {result.unit.name for result in assess(Period(2021, 4))}
    assert len(ranked) == 22 and not ranked & NOT_ASSESSED
    in_tables = {row.unit.name for table in target_tables(2021) for row in table.rows}
    assert in_tables == set(PARKS) | set(DEPARTMENTS)


def test_a_non_assessed_units_activity_does_not_rank_it_in_the_weekly_index():
    office = Unit.objects.get(name="区委办公室")
    ActivityFactory(unit=office, date=datetime.date(2021, 6, 8))
    ActivityFactory(unit=Unit.objects.get(name="涪陵新城区"), date=datetime.date(2021, 6, 8))
    indexed = {result.unit.name for result in activity_index.compute_week(Week(2021, 23)).results}
    assert "区委办公室" not in indexed and "涪陵新城区" in indexed


def test_loading_twice_changes_nothing():
    before = (Unit.objects.count(), KeyTask.objects.count(), KeyTask.responsible_units.through.objects.count())
    call_command("loaddata", "key_tasks_2021", verbosity=0)
    assert (Unit.objects.count(), KeyTask.objects.count(), KeyTask.responsible_units.through.objects.count()) == before


def test_the_fixture_refers_to_every_row_by_natural_key():
    objects = json.loads((Path(settings.BASE_DIR) / "fixtures" / "key_tasks_2021.json").read_text(encoding="utf-8"))
    assert not [o for o in objects if "pk" in o]
    assert {o["fields"]["kind"] for o in objects if o["model"] == "targets.unit"} == {UnitKind.OTHER}
