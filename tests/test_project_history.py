"""The readable change history (projects/history.py): every create, change and delete of a
project, its cooperating units and its arrivals, with author, time, field names, old and new
values shown as people read them (labels and names, not codes and ids)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from access.roles import Role
from projects import services
from projects.history import project_history
from projects.models import Arrival, Origin, Project, Sector, Status
from tests.factories import ProjectFactory, SpecialGroupFactory, UnitFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    lead, partner, other = UnitFactory(name="甲园区"), UnitFactory(name="乙部门"), UnitFactory(name="丙园区")
    return {
        "lead": lead,
        "partner": partner,
        "other": other,
        "staff": user_with_role(Role.STAFF, lead, username="staff", first_name="张三"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer", first_name="李四"),
    }


def facts(world, **overrides) -> dict:
    values = {
        "code": "FL2021-00001",
        "name": "新材料产业园",
        "investor": "某某集团",
        "lead_unit": world["lead"],
        "group": None,
        "sector": Sector.INDUSTRIAL,
        "origin": Origin.OUTSIDE_CITY,
        "agreement_capital": Decimal("12.5"),
        "expected_output": None,
        "signed_on": datetime.date(2021, 5, 10),
    }
    values.update(overrides)
    return values


def changes_of(row) -> dict[str, tuple[str, str]]:
    return {change.label: (change.old, change.new) for change in row.changes}


def test_a_new_project_lists_its_initial_values_with_its_author(world):
    project = services.create_project(user=world["staff"], facts=facts(world), cooperating_unit_ids=[world["partner"].pk])
    rows = project_history(project)
    created = rows[-1]
    assert (created.who, created.action, created.subject) == ("张三", "新建", "项目")
    values = changes_of(created)
    assert values["项目名称"] == ("", "新材料产业园")
    assert values["牵头单位"] == ("", "甲园区")
    assert values["产业类型"] == ("", "工业")
    assert values["项目来源"] == ("", "市外")
    assert values["协议资金（亿元）"] == ("", "12.5")
    assert values["签约日期"] == ("", "2021-05-10")
    assert values["审核状态"] == ("", "草稿")
    assert "预计产值（亿元）" not in values  # empty at creation: nothing to say
    assert [(row.action, row.subject) for row in rows[:-1]] == [("添加", "配合单位「乙部门」")]


def test_an_edit_shows_each_changed_field_old_and_new_with_labels_and_names(world):
    group = SpecialGroupFactory(name="新材料招商组")
    project = services.create_project(user=world["staff"], facts=facts(world), cooperating_unit_ids=[])
    services.update_project(
        project=project,
        user=world["reviewer"],
        facts=facts(
            world,
            name="新材料产业园二期",
            lead_unit=world["other"],
            group=group,
            sector=Sector.NON_INDUSTRIAL,
            agreement_capital=Decimal("13"),
            expected_output=Decimal("30.25"),
        ),
        cooperating_unit_ids=[],
        version=1,
    )
    edit = project_history(project)[0]
    assert (edit.who, edit.action, edit.subject) == ("李四", "修改", "项目")
    assert changes_of(edit) == {
        "项目名称": ("新材料产业园", "新材料产业园二期"),
        "牵头单位": ("甲园区", "丙园区"),
        "专项招商组": ("（空）", "新材料招商组"),
        "产业类型": ("工业", "非工业"),
        "协议资金（亿元）": ("12.5", "13"),
        "预计产值（亿元）": ("（空）", "30.25"),
    }


def test_each_workflow_step_is_its_own_event_with_its_actor_and_a_return_s_reason(world):
    project = services.create_project(user=world["staff"], facts=facts(world), cooperating_unit_ids=[])
    services.submit(project=project, user=world["staff"])
    services.return_for_changes(project=project, user=world["reviewer"], reason="请补充协议")
    services.submit(project=project, user=world["staff"])
    services.approve(project=project, user=world["reviewer"])
    services.withdraw(project=project, user=world["reviewer"])

    rows = project_history(project)

    assert [(row.label, row.who, row.reason) for row in reversed(rows)] == [
        ("新建项目", "张三", ""),
        ("提交", "张三", ""),
        ("退回", "李四", "请补充协议"),
        ("提交", "张三", ""),
        ("审核通过", "李四", ""),
        ("撤回", "李四", ""),
    ]
    assert all(row.is_event for row in rows[:-1]) and not rows[-1].is_event
    # The event's name says what the status and the reason would: no 审核状态 diff under it.
    assert all(row.changes == () for row in rows[:-1])
    assert [row.when for row in reversed(rows)] == sorted(row.when for row in rows)


def test_a_step_that_also_changed_facts_lists_them_under_the_event(world):
    """An import sends a changed, approved project back to review in one save."""
    project = ProjectFactory(lead_unit=world["lead"], name="旧名称", status=Status.APPROVED)
    project.name, project.status, project._history_user = "新名称", Status.SUBMITTED, world["staff"]
    project.save()

    resubmitted = project_history(project)[0]

    assert (resubmitted.label, resubmitted.who) == ("提交", "张三")
    assert changes_of(resubmitted) == {"项目名称": ("旧名称", "新名称")}


def test_an_ordinary_edit_of_a_submitted_project_stays_a_change(world):
    project = services.create_project(user=world["staff"], facts=facts(world), cooperating_unit_ids=[])
    project = services.submit(project=project, user=world["staff"])
    services.update_project(
        project=project, user=world["reviewer"], facts={"name": "改名"}, cooperating_unit_ids=[], version=project.version
    )

    edit = project_history(project)[0]

    assert (edit.label, edit.who, edit.is_event) == ("修改项目", "李四", False)
    assert changes_of(edit) == {"项目名称": ("新材料产业园", "改名")}


def test_cooperating_units_added_and_removed_are_listed(world):
    project = services.create_project(user=world["staff"], facts=facts(world), cooperating_unit_ids=[world["partner"].pk])
    services.update_project(project=project, user=world["staff"], facts={}, cooperating_unit_ids=[world["other"].pk], version=1)
    rows = [(row.action, row.subject, row.who) for row in project_history(project) if row.subject != "项目"]
    assert sorted(rows) == sorted([
        ("添加", "配合单位「乙部门」", "张三"),
        ("移除", "配合单位「乙部门」", "张三"),
        ("添加", "配合单位「丙园区」", "张三"),
    ])


def test_a_save_that_changes_nothing_visible_leaves_no_row(world):
    project = services.create_project(user=world["staff"], facts=facts(world), cooperating_unit_ids=[])
    services.update_project(project=project, user=world["staff"], facts={}, cooperating_unit_ids=[], version=1)
    assert len(project_history(project)) == 1


def test_arrivals_entered_verified_changed_and_deleted_are_listed(world):
    project = ProjectFactory(lead_unit=world["lead"])
    arrival = services.add_arrival(
        project=project, user=world["staff"], arrived_on=datetime.date(2021, 6, 30), amount=Decimal("0.5"), note="首笔"
    )
    services.verify_arrival(arrival=arrival, user=world["reviewer"])
    arrival = Arrival.objects.get(pk=arrival.pk)
    arrival.amount, arrival._history_user = Decimal("0.75"), world["reviewer"]
    arrival.save()
    arrival._history_user = world["reviewer"]
    arrival.delete()
    deleted, changed, verified, entered = [row for row in project_history(project) if row.subject.startswith("到位资金")]
    assert (entered.action, entered.subject, entered.who) == ("登记", "到位资金（2021-06-30，0.5 亿元）", "张三")
    assert changes_of(entered) == {"到位日期": ("", "2021-06-30"), "到位金额（亿元）": ("", "0.5"), "备注": ("", "首笔")}
    assert (verified.label, verified.who, verified.is_event, verified.changes) == (
        "核实到位资金（2021-06-30，0.5 亿元）", "李四", True, ()
    )
    assert (changed.label, changed.is_event) == ("修改到位资金（2021-06-30，0.75 亿元）", False)
    assert changes_of(changed) == {"到位金额（亿元）": ("0.5", "0.75")}
    assert (deleted.action, deleted.who, deleted.changes) == ("删除", "李四", ())


def test_a_change_without_a_known_author_is_shown_as_the_system(world):
    project = ProjectFactory(lead_unit=world["lead"])
    assert project_history(project)[0].who == "系统"


def test_a_unit_deleted_since_is_shown_by_its_id(world):
    gone = UnitFactory(name="已撤销单位")
    project = ProjectFactory(lead_unit=gone)
    Project.objects.filter(pk=project.pk).update(lead_unit=world["lead"])
    gone_pk = gone.pk
    gone.delete()
    assert changes_of(project_history(project)[-1])["牵头单位"] == ("", f"（已删除 #{gone_pk}）")


def test_the_detail_page_shows_the_history_newest_first(world):
    project = services.create_project(user=world["staff"], facts=facts(world), cooperating_unit_ids=[])
    services.update_project(project=project, user=world["reviewer"], facts={"name": "改过的名字"}, cooperating_unit_ids=[], version=1)
    client = Client()
    client.force_login(world["staff"])
    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    history = page[page.index("<h2>变更历史") :]
    assert history.index("李四") < history.index("张三")
    assert "<del>新材料产业园</del> → <ins>改过的名字</ins>" in history


def test_the_detail_page_names_each_step_and_shows_the_return_reason_escaped(world):
    project = services.create_project(user=world["staff"], facts=facts(world), cooperating_unit_ids=[])
    services.submit(project=project, user=world["staff"])
    services.return_for_changes(project=project, user=world["reviewer"], reason="<b>请补充</b>协议")
    services.submit(project=project, user=world["staff"])
    services.approve(project=project, user=world["reviewer"])
    arrival = services.add_arrival(
        project=project, user=world["staff"], arrived_on=datetime.date(2021, 6, 30), amount=Decimal("0.5")
    )
    services.verify_arrival(arrival=arrival, user=world["reviewer"])
    client = Client()
    client.force_login(world["staff"])

    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()

    history = page[page.index("<h2>变更历史") :]
    events = re.findall(r'<strong class="history-event">(.*?)</strong>', history)
    assert events == ["核实到位资金（2021-06-30，0.5 亿元）", "审核通过", "提交", "退回", "提交"]
    assert "修改项目" not in history
    assert "退回理由</span>：&lt;b&gt;请补充&lt;/b&gt;协议" in history
