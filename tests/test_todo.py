"""The dashboard's to-do block (待办事项) for each role, and the counts in the menu."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role, access_of
from fuling_invest import todo as todo_module
from fuling_invest.todo import STALE_AFTER_DAYS, ToDo, counts_in_one_query, shown
from projects.models import Arrival, Project, Status
from reports import services as reports
from targets.models import UnitKind
from tests.factories import (
    ArrivalFactory,
    MilestoneFactory,
    ProjectFactory,
    RuleSetFactory,
    SupplementaryAgreementFactory,
    UnitFactory,
    UnitTargetFactory,
    client_for,
    user_with_role,
)

pytestmark = pytest.mark.django_db
QUERY = "?year=2021&quarter=2"


@pytest.fixture
def world():
    RuleSetFactory(year=2021)
    own, other = UnitFactory(name="甲园区"), UnitFactory(name="乙园区")
    for unit in (own, other):
        UnitTargetFactory(unit=unit, year=2021, agreement_capital=Decimal(10))
    return {
        "own": own,
        "other": other,
        "staff": user_with_role(Role.STAFF, own, username="staff"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def dashboard(user):
    return client_for(user).get(reverse("dashboard") + QUERY)


def items(response) -> dict:
    return {item.label: item for item in response.context["todo"].items}


def age(project: Project, days: int) -> None:
    Project.objects.filter(pk=project.pk).update(updated_at=timezone.now() - datetime.timedelta(days=days))


def test_staff_see_their_unit_s_returned_projects_with_the_reason(world):
    returned = ProjectFactory(lead_unit=world["own"], status=Status.RETURNED, return_reason="请补充投资协议扫描件")
    ProjectFactory(lead_unit=world["other"], status=Status.RETURNED, return_reason="别的单位的")

    response = dashboard(world["staff"])

    item = items(response)["已退回的项目"]
    assert item.count == 1 and item.projects == [returned]
    html = response.content.decode()
    assert "退回原因：请补充投资协议扫描件" in html and "别的单位的" not in html
    assert reverse("project_detail", args=[returned.pk]) in html
    assert f'{reverse("project_list")}?status=returned' in html


def test_staff_see_drafts_pending_entries_and_stale_projects(world):
    ProjectFactory(lead_unit=world["own"], status=Status.DRAFT)
    ProjectFactory(lead_unit=world["own"], status=Status.DRAFT)
    ProjectFactory(lead_unit=world["other"], status=Status.DRAFT)
    approved = ProjectFactory(lead_unit=world["own"])
    ArrivalFactory(project=approved, verified=False)
    ArrivalFactory(project=approved)  # verified: nothing to do
    ArrivalFactory(project=ProjectFactory(lead_unit=world["own"], status=Status.WITHDRAWN), verified=False)
    stale = ProjectFactory(lead_unit=world["own"], code="T-STALE")
    age(stale, STALE_AFTER_DAYS + 1)
    age(ProjectFactory(lead_unit=world["own"]), STALE_AFTER_DAYS - 1)
    busy = ProjectFactory(lead_unit=world["own"])
    age(busy, STALE_AFTER_DAYS + 30)
    ArrivalFactory(project=busy)  # an entry made today is an update
    age(ProjectFactory(lead_unit=world["other"]), STALE_AFTER_DAYS + 1)

    response = dashboard(world["staff"])

    found = items(response)
    assert found["未提交的草稿"].count == 2
    assert found["待核实的到位资金"].count == 1
    assert found["待核实的到位资金"].url == reverse("unit_detail", args=[world["own"].pk]) + "#pending"
    assert found["长期未更新的项目"].count == 1 and found["长期未更新的项目"].projects == [stale]
    html = response.content.decode()
    assert f"{STALE_AFTER_DAYS}天内既未修改项目信息也未登记到位资金" in html
    assert "T-STALE" in html
    assert response.context["todo"].total == 4


def test_staff_with_nothing_to_do_are_told_so(world):
    html = dashboard(world["staff"]).content.decode()
    assert "待办事项" in html and "暂无待办事项" in html


def test_reviewers_see_the_review_queue_the_entries_to_verify_and_the_bulletins_to_publish(world):
    ProjectFactory(lead_unit=world["own"], status=Status.SUBMITTED, submitted_at=timezone.now())
    ArrivalFactory(project=ProjectFactory(lead_unit=world["other"]), verified=False)
    ArrivalFactory(project=ProjectFactory(lead_unit=world["other"]), verified=False)
    department = UnitFactory(name="丙部门", kind=UnitKind.DEPARTMENT)  # the PDF needs a target in each section
    UnitTargetFactory(unit=department, year=2021, agreement_capital=Decimal(5))
    reports.generate_bulletin(year=2021, quarter=1)

    response = dashboard(world["reviewer"])

    found = items(response)
    assert (found["待审核项目"].count, found["待审核项目"].url) == (1, reverse("review_queue"))
    assert (found["待核实到位资金"].count, found["待核实到位资金"].url) == (2, reverse("verification_queue"))
    assert (found["待发布通报"].count, found["待发布通报"].url) == (1, reverse("report_list"))
    html = response.content.decode()
    assert '审核 <span class="badge count" aria-hidden="true" title="待审核项目">1</span>' in html
    assert '核实 <span class="badge count" aria-hidden="true" title="待核实的到位资金、补充协议和项目节点">2</span>' in html


def test_the_verification_badge_counts_agreements_and_milestones_too(world):
    project = ProjectFactory(lead_unit=world["own"], status=Status.APPROVED)
    ArrivalFactory(project=project, verified=False)
    SupplementaryAgreementFactory(project=project, verified=False)
    MilestoneFactory(project=project, verified=False)
    html = dashboard(world["reviewer"]).content.decode()
    assert '核实 <span class="badge count" aria-hidden="true" title="待核实的到位资金、补充协议和项目节点">3</span>' in html


def test_counts_stop_at_up_to_and_print_as_more(world):
    for _ in range(4):
        ProjectFactory(lead_unit=world["own"], status=Status.DRAFT)
    assert counts_in_one_query(up_to=3, drafts=Project.objects.all(), none=Arrival.objects.all()) == {"drafts": 3, "none": 0}
    assert counts_in_one_query(drafts=Project.objects.all()) == {"drafts": 4}
    assert (shown(98), shown(99), shown(100), shown(100_000)) == ("98", "99", "99+", "99+")


def test_a_count_past_the_cap_reads_99_plus_in_the_menu_and_the_block(world, monkeypatch):
    monkeypatch.setattr(todo_module, "UP_TO", 3)  # 3 stands for 100 and 2 for the 10 listed:
    monkeypatch.setattr(todo_module, "LISTED", 2)  # the same code, fewer rows
    for _ in range(5):
        ProjectFactory(lead_unit=world["own"], status=Status.RETURNED, return_reason="缺材料")
    response = dashboard(world["staff"])
    found = items(response)["已退回的项目"]
    assert (found.count, found.shown, found.capped) == (3, "2+", True)
    html = response.content.decode()
    assert '项目 <span class="badge count" aria-hidden="true" title="待办事项，见首页">2+</span>' in html
    assert "共 2+ 个，全部见" in html and f'<a href="{reverse("project_list")}?status={Status.RETURNED}">列表</a>' in html


def test_leaders_have_no_to_do_block_and_no_badges(world):
    ProjectFactory(lead_unit=world["own"], status=Status.SUBMITTED, submitted_at=timezone.now())
    ArrivalFactory(project=ProjectFactory(lead_unit=world["other"]), verified=False)
    html = dashboard(world["leader"]).content.decode()
    assert "待办事项" not in html and 'class="badge count"' not in html
    assert ToDo(access_of(world["leader"])).counts == {}


def test_the_staff_menu_has_their_unit_and_their_to_do_total(world):
    ProjectFactory(lead_unit=world["own"], status=Status.DRAFT)
    ProjectFactory(lead_unit=world["own"], status=Status.RETURNED, return_reason="缺材料")
    html = client_for(world["staff"]).get(reverse("project_list")).content.decode()
    assert f'<a href="{reverse("unit_detail", args=[world["own"].pk])}"' in html and ">本单位</a>" in html
    assert '项目 <span class="badge count" aria-hidden="true" title="待办事项，见首页">2</span>' in html
    assert "本单位" not in client_for(world["reviewer"]).get(reverse("project_list")).content.decode()


def test_the_unit_page_is_the_staff_s_本单位_in_the_menu(world):
    html = client_for(world["staff"]).get(reverse("unit_detail", args=[world["own"].pk]) + QUERY).content.decode()
    assert 'aria-current="page">本单位</a>' in html


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_the_menu_counts_are_one_query_whatever_the_data(world, role, django_assert_num_queries):
    access = access_of(world[role])  # the role is read before, by every page
    for size in (1, 20):
        for _ in range(size):
            ProjectFactory(lead_unit=world["own"], status=Status.RETURNED)
            ArrivalFactory(project=ProjectFactory(lead_unit=world["own"]), verified=False)
        todo = ToDo(access)
        with django_assert_num_queries(1):
            assert todo.total >= size
            todo.counts  # read again: no second query


def test_counts_in_one_query_counts_each_queryset(world):
    ProjectFactory(lead_unit=world["own"], status=Status.DRAFT)
    ProjectFactory(lead_unit=world["other"], status=Status.DRAFT)
    counts = counts_in_one_query(
        drafts=Project.objects.filter(status=Status.DRAFT),
        own=Project.objects.filter(lead_unit=world["own"], signed_on__gte=datetime.date(2021, 1, 1)),
        pending=Arrival.objects.filter(verified=False),
    )
    assert counts == {"drafts": 2, "own": 1, "pending": 0}
