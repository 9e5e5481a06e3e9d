"""The to-do block's leads: each staff user's unit's overdue and stale leads, listed with since
when; the district's counts for reviewers; nothing for leaders; the menu keeps its one query."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role, access_of
from fuling_invest.todo import ToDo
from leads import services
from leads.models import LeadStage
from tests.factories import LeadFactory, RuleSetFactory, UnitFactory, client_for, user_with_role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def world():
    RuleSetFactory(year=TODAY.year)
    own, other = UnitFactory(name="甲园区"), UnitFactory(name="乙园区")
    return {
        "own": own,
        "other": other,
        "staff": user_with_role(Role.STAFF, own, username="staff"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def items(user) -> dict:
    response = client_for(user).get(reverse("dashboard"))
    return {item.label: item for item in response.context["todo"].items}


def test_staff_see_their_unit_s_overdue_and_stale_leads_with_since_when(world):
    overdue = LeadFactory(owner_unit=world["own"], deadline=days_ago(3), last_activity_on=TODAY, name="逾期的线索甲")
    stale = LeadFactory(owner_unit=world["own"], stage=LeadStage.NEGOTIATING, deadline=TODAY, last_activity_on=days_ago(21))
    LeadFactory(owner_unit=world["other"], deadline=days_ago(3), last_activity_on=days_ago(90))
    services.mark_lead_alerts(today=days_ago(1))

    found = items(world["staff"])
    assert (found["逾期的线索"].count, found["逾期的线索"].leads) == (1, [overdue])
    assert (found["停滞的线索"].count, found["停滞的线索"].leads) == (1, [stale])
    assert found["逾期的线索"].url == f"{reverse('lead_list')}?unit={world['own'].pk}&overdue=true"
    html = client_for(world["staff"]).get(reverse("dashboard")).content.decode()
    assert f'<a href="{reverse("lead_detail", args=[overdue.pk])}">{overdue.code} 逾期的线索甲</a>' in html
    assert f"自 {days_ago(1):%Y-%m-%d} 起逾期" in html
    # the stale lead became so today, after the job's last run: no since yet, still listed
    assert "起停滞" not in html


def test_the_block_shows_leads_even_when_no_project_waits(world):
    LeadFactory(owner_unit=world["own"], deadline=days_ago(1), last_activity_on=TODAY)
    html = client_for(world["staff"]).get(reverse("dashboard")).content.decode()
    assert "暂无待办事项" not in html and "逾期的线索" in html


def test_reviewers_see_the_district_s_counts_leaders_nothing(world):
    LeadFactory(owner_unit=world["own"], deadline=days_ago(1), last_activity_on=TODAY)
    LeadFactory(owner_unit=world["other"], deadline=days_ago(1), last_activity_on=days_ago(31))
    found = items(world["reviewer"])
    assert (found["逾期的线索"].count, found["停滞的线索"].count) == (2, 1)
    assert found["逾期的线索"].url == reverse("lead_board") and found["逾期的线索"].leads == []
    assert items(world["leader"]) == {}


def test_the_menu_counts_leave_the_leads_out_and_stay_one_query(world, django_assert_num_queries):
    LeadFactory(owner_unit=world["own"], deadline=days_ago(1))
    todo = ToDo(access_of(world["staff"]))
    with django_assert_num_queries(1):
        assert todo.total == 0
