"""The leads' pages: the stage board, the list and its filters, one lead, its form and its
stage change, per role; query counts that do not grow with the data."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from leads import services
from leads.models import Channel, Lead, LeadStage
from tests.factories import (
    ActivityFactory,
    ChainNodeFactory,
    LeadFactory,
    RuleSetFactory,
    SpecialGroupFactory,
    TargetEnterpriseFactory,
    UnitFactory,
    client_for,
    user_with_role,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def fresh(**kwargs) -> Lead:
    """An open lead, neither overdue nor stale, unless told otherwise."""
    return LeadFactory(**{"deadline": TODAY, "last_activity_on": TODAY, **kwargs})


@pytest.fixture
def world():
    RuleSetFactory(year=TODAY.year)
    own, other, landing = UnitFactory(name="甲园区"), UnitFactory(name="乙园区"), UnitFactory(name="丙园区")
    group = SpecialGroupFactory()
    group.landing_units.set([landing])
    return {
        "own": own,
        "other": other,
        "landing": landing,
        "group": group,
        "staff": user_with_role(Role.STAFF, own, username="staff"),
        "other_staff": user_with_role(Role.STAFF, other, username="other"),
        "landing_staff": user_with_role(Role.STAFF, landing, username="landing"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def board(user, query=""):
    return client_for(user).get(reverse("lead_board") + query)


def listed(user, query="") -> list[str]:
    response = client_for(user).get(reverse("lead_list") + query)
    assert response.status_code == 200
    return [row.record.code for row in response.context["table"].page.object_list]


# --- The board ----------------------------------------------------------------------------------


def test_the_board_has_a_column_per_open_stage_with_red_and_yellow_cards(world):
    overdue = fresh(owner_unit=world["own"], stage=LeadStage.CLUE, deadline=days_ago(1), name="逾期线索")
    stale = fresh(owner_unit=world["own"], stage=LeadStage.NEGOTIATING, last_activity_on=days_ago(21), name="停滞线索")
    fresh(owner_unit=world["own"], stage=LeadStage.NEGOTIATING)
    LeadFactory(owner_unit=world["own"], stage=LeadStage.PAUSED, resume_on=TODAY)
    LeadFactory(owner_unit=world["own"], stage=LeadStage.STOPPED, stop_reason="放弃")

    response = board(world["staff"])
    columns = {column.stage: column for column in response.context["columns"]}
    assert list(columns) == [LeadStage.CLUE, LeadStage.CONTACT, LeadStage.NEGOTIATING, LeadStage.ABOUT_TO_SIGN]
    assert [columns[stage].count for stage in columns] == [1, 0, 2, 0]
    assert dict(response.context["closed"]) == {LeadStage.PAUSED: 1, LeadStage.STOPPED: 1, LeadStage.SIGNED: 0}
    html = response.content.decode()
    assert '<li class="lead-card overdue">' in html and overdue.name in html
    assert '<li class="lead-card stale">' in html and stale.name in html
    lead_list = reverse("lead_list")
    assert f'<a href="{lead_list}?stage=paused">暂缓 1 条</a>，<a href="{lead_list}?stage=stopped">终止 1 条</a>' in html


def test_staff_see_their_unit_s_leads_and_those_of_groups_their_unit_lands(world):
    mine = fresh(owner_unit=world["own"])
    theirs = fresh(owner_unit=world["other"])
    grouped = fresh(owner_unit=world["other"], group=world["group"])

    def cards(user, query=""):
        return {lead for column in board(user, query).context["columns"] for lead in column.cards}

    assert cards(world["staff"]) == {mine}
    assert cards(world["landing_staff"]) == {grouped}
    assert cards(world["reviewer"]) == cards(world["leader"]) == {mine, theirs, grouped}
    assert cards(world["reviewer"], f"?unit={world['other'].pk}") == {theirs, grouped}
    assert cards(world["reviewer"], f"?group={world['group'].pk}") == {grouped}


def test_reviewers_and_leaders_see_each_unit_s_overdue_and_stale_leads_staff_do_not(world):
    fresh(owner_unit=world["own"], deadline=days_ago(2))
    fresh(owner_unit=world["own"], deadline=days_ago(2), last_activity_on=days_ago(30))
    fresh(owner_unit=world["other"], stage=LeadStage.ABOUT_TO_SIGN, last_activity_on=days_ago(25))
    fresh(owner_unit=world["other"])
    LeadFactory(owner_unit=world["other"], stage=LeadStage.STOPPED, stop_reason="放弃", deadline=days_ago(9))

    rows = {row.unit_name: (row.open, row.overdue, row.stale) for row in board(world["reviewer"]).context["per_unit"]}
    assert rows == {"甲园区": (2, 2, 1), "乙园区": (2, 0, 1)}
    assert board(world["leader"]).context["per_unit"] is not None
    response = board(world["staff"])
    assert response.context["per_unit"] is None and "各单位逾期、停滞线索" not in response.content.decode()
    html = board(world["reviewer"]).content.decode()
    assert f'href="{reverse("lead_list")}?unit={world["own"].pk}&amp;overdue=true">2</a>' in html


def test_the_board_shows_30_cards_a_column_and_links_to_the_rest(world):
    for _ in range(32):
        fresh(owner_unit=world["own"])
    column = board(world["staff"]).context["columns"][0]
    assert (column.count, len(column.cards), column.more) == (32, 30, 2)


# --- The list -----------------------------------------------------------------------------------


def test_the_list_filters_by_the_parameters_other_pages_link_with(world):
    link = ChainNodeFactory()
    sibling = ChainNodeFactory(parent=link.parent)
    enterprise = TargetEnterpriseFactory()
    negotiating = fresh(owner_unit=world["own"], stage=LeadStage.NEGOTIATING, chain_link=link, code="XS-A")
    fresh(owner_unit=world["own"], stage=LeadStage.CLUE, chain_link=link, code="XS-B", enterprise=enterprise)
    fresh(owner_unit=world["other"], stage=LeadStage.NEGOTIATING, chain_link=sibling, code="XS-C",
          channel=Channel.FUNDS, group=world["group"], deadline=days_ago(1))  # fmt: skip
    fresh(owner_unit=world["other"], code="XS-D", last_activity_on=days_ago(31))
    reviewer = world["reviewer"]

    assert listed(reviewer, f"?stage=negotiating&chain_link={link.pk}") == [negotiating.code]
    assert sorted(listed(reviewer, f"?chain_link={link.parent.pk}")) == ["XS-A", "XS-B", "XS-C"]
    assert sorted(listed(reviewer, f"?chain_link={link.parent.parent.pk}")) == ["XS-A", "XS-B", "XS-C"]
    assert sorted(listed(reviewer, f"?unit={world['own'].pk}")) == ["XS-A", "XS-B"]
    assert listed(reviewer, f"?group={world['group'].pk}") == ["XS-C"]
    assert listed(reviewer, "?channel=funds") == ["XS-C"]
    assert listed(reviewer, f"?enterprise={enterprise.pk}") == ["XS-B"]
    assert listed(reviewer, "?overdue=true") == ["XS-C"]
    assert listed(reviewer, "?stale=true") == ["XS-D"]
    assert sorted(listed(reviewer, "?overdue=false&stale=false")) == ["XS-A", "XS-B"]
    assert listed(reviewer, "?keyword=XS-D") == ["XS-D"]


def test_the_list_shows_only_what_the_user_may_see(world):
    fresh(owner_unit=world["own"], code="XS-MINE")
    fresh(owner_unit=world["other"], code="XS-THEIRS")
    assert listed(world["staff"]) == ["XS-MINE"]
    assert listed(world["other_staff"], f"?unit={world['own'].pk}") == []


def test_the_list_sorts_and_pages_by_25_with_the_marks(world):
    for n in range(30):
        fresh(owner_unit=world["own"], code=f"XS-{n:02d}", deadline=TODAY + datetime.timedelta(days=n))
    assert listed(world["staff"], "?sort=-deadline")[:2] == ["XS-29", "XS-28"]
    assert listed(world["staff"], "?sort=code&page=2") == [f"XS-{n}" for n in range(25, 30)]
    Lead.objects.filter(code="XS-00").update(deadline=days_ago(1))
    html = client_for(world["staff"]).get(reverse("lead_list") + "?overdue=true").content.decode()
    assert '<span class="badge mark-overdue">逾期</span>' in html


def test_invalid_filters_show_no_rows_and_say_so(world):
    fresh(owner_unit=world["own"])
    response = client_for(world["staff"]).get(reverse("lead_list") + "?stage=nonsense")
    assert response.context["table"].paginator.count == 0
    assert "筛选条件有误" in response.content.decode()


# --- One lead -----------------------------------------------------------------------------------


def test_the_detail_page_lists_activities_newest_first_and_links_to_add_one(world):
    lead = fresh(owner_unit=world["own"])
    ActivityFactory(lead=lead, unit=world["own"], date=days_ago(10), summary="第一次拜访")
    ActivityFactory(lead=lead, unit=world["own"], date=days_ago(2), summary="第二次洽谈")
    ActivityFactory(unit=world["own"], date=days_ago(1), summary="别的线索的活动")
    response = client_for(world["staff"]).get(reverse("lead_detail", args=[lead.pk]))
    assert [a.summary for a in response.context["activities"]] == ["第二次洽谈", "第一次拜访"]
    html = response.content.decode()
    assert f"/new/?lead={lead.pk}" in html and "登记活动" in html
    # reviewers may convert it; the owner unit's staff too (can_convert_lead)
    html = client_for(world["reviewer"]).get(reverse("lead_detail", args=[lead.pk])).content.decode()
    assert "转为签约项目" in html


def test_the_detail_page_says_overdue_and_stale_with_since_when(world):
    lead = fresh(owner_unit=world["own"], deadline=days_ago(3), last_activity_on=days_ago(40))
    Lead.objects.filter(pk=lead.pk).update(overdue_since=days_ago(2), stale_since=days_ago(10))
    html = client_for(world["staff"]).get(reverse("lead_detail", args=[lead.pk])).content.decode()
    assert f"下一步的截止日期 {days_ago(3):%Y-%m-%d} 已过（自 {days_ago(2):%Y-%m-%d} 起提醒）" in html
    assert f"自 {days_ago(40):%Y-%m-%d} 起已 30 天以上没有招商活动（自 {days_ago(10):%Y-%m-%d} 起提醒）" in html


def test_the_landing_unit_s_staff_read_a_lead_without_acting_on_it(world):
    lead = fresh(owner_unit=world["other"], group=world["group"])
    html = client_for(world["landing_staff"]).get(reverse("lead_detail", args=[lead.pk])).content.decode()
    assert lead.name in html
    assert "编辑" not in html and "改变阶段" not in html and "转为签约项目" not in html and "登记活动" not in html


def test_the_history_shows_who_changed_what(world):
    response = client_for(world["staff"]).post(
        reverse("lead_create"),
        {"name": "锂电池项目", "responsible_person": "王五", "channel": "visits", "stage": "clue", "next_step": "拜访",
         "deadline": TODAY.isoformat()},
    )  # fmt: skip
    lead = Lead.objects.get(name="锂电池项目")
    assert response.status_code == 302
    client_for(world["staff"]).post(reverse("lead_stage", args=[lead.pk]), {"stage": "negotiating"})
    history = client_for(world["staff"]).get(reverse("lead_detail", args=[lead.pk])).context["history"]
    assert [row.action for row in history] == ["阶段改为「洽谈」", "新建"]
    assert [(c.label, c.old, c.new) for c in history[0].changes] == [("阶段", "线索", "洽谈")]


# --- The form -----------------------------------------------------------------------------------


def test_staff_create_a_lead_for_their_unit_with_an_automatic_code(world):
    response = client_for(world["staff"]).post(
        reverse("lead_create"),
        {"name": "新能源项目", "responsible_person": "李四", "channel": "funds", "stage": "contact",
         "next_step": "发送资料", "deadline": TODAY.isoformat(), "intended_investment": "12.5",
         "owner_unit": world["other"].pk},
    )  # fmt: skip
    lead = Lead.objects.get(name="新能源项目")
    assert response.status_code == 302 and response["Location"] == reverse("lead_detail", args=[lead.pk])
    assert lead.owner_unit == world["own"]  # not theirs to choose
    assert lead.code == f"XS{TODAY.year}-00001"
    assert lead.intended_investment == Decimal("12.5") and lead.created_by == world["staff"]


def test_an_open_lead_without_its_next_step_is_refused_with_the_reason(world):
    response = client_for(world["staff"]).post(
        reverse("lead_create"), {"name": "缺下一步", "responsible_person": "李四", "channel": "funds", "stage": "clue"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "next_step": ["进行中的线索必须写明下一步工作。"],
        "deadline": ["进行中的线索必须有下一步的截止日期。"],
    }
    assert not Lead.objects.exists()


def test_a_lead_starts_from_a_target_enterprise(world):
    enterprise = TargetEnterpriseFactory(name="宁德某某新能源科技股份有限公司")
    link = ChainNodeFactory()
    enterprise.chain_links.set([link])
    form = client_for(world["staff"]).get(reverse("lead_create") + f"?enterprise={enterprise.pk}").context["form"]
    assert form.initial == {"enterprise": enterprise.pk, "name": "宁德某某新能源科技股份有限公司投资项目", "chain_link": link.pk}
    assert client_for(world["staff"]).get(reverse("lead_create") + "?enterprise=999").context["form"].initial == {}


def test_the_enterprise_is_typed_by_full_name_or_credit_code_never_listed(world):
    enterprise = TargetEnterpriseFactory(name="宁德某某新能源科技股份有限公司", credit_code="91350900MA2YQ2EN6D")
    TargetEnterpriseFactory.create_batch(5)
    client = client_for(world["staff"])
    page = client.get(reverse("lead_create") + f"?enterprise={enterprise.pk}").content.decode()
    assert 'value="宁德某某新能源科技股份有限公司"' in page and "<option" not in page.split('name="enterprise"')[1][:200]
    data = {"responsible_person": "李四", "channel": "funds", "stage": "clue", "next_step": "拜访", "deadline": TODAY.isoformat()}
    for typed in ("宁德某某新能源科技股份有限公司", " 91350900ma2yq2en6d "):
        response = client.post(reverse("lead_create"), {**data, "name": f"按「{typed}」", "enterprise": typed})
        assert response.status_code == 302, typed
        assert Lead.objects.get(name=f"按「{typed}」").enterprise == enterprise
    response = client.post(reverse("lead_create"), {**data, "name": "错名", "enterprise": "宁德某某"})
    assert response.context["form"].errors == {
        "enterprise": ["企业库中没有这家企业：请核对全称或统一社会信用代码，或先添加到企业库。"]
    }


def test_reviewers_choose_the_owner_unit_and_edit_any_lead(world):
    lead = fresh(owner_unit=world["own"])
    data = {"code": lead.code, "name": "改名", "owner_unit": world["other"].pk, "responsible_person": "赵六",
            "channel": "leaders", "next_step": "再谈", "deadline": TODAY.isoformat()}  # fmt: skip
    response = client_for(world["reviewer"]).post(reverse("lead_edit", args=[lead.pk]), data)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.name, lead.owner_unit, lead.stage) == ("改名", world["other"], LeadStage.CLUE)


def test_the_stage_change_asks_for_the_stage_s_extra_field(world):
    lead = fresh(owner_unit=world["own"])
    client = client_for(world["staff"])
    response = client.post(reverse("lead_stage", args=[lead.pk]), {"stage": "paused"})
    assert response.status_code == 400
    assert response.context["stage_form"].errors == {"resume_on": ["暂缓的线索必须填写恢复跟进日期。"]}
    response = client.post(reverse("lead_stage", args=[lead.pk]), {"stage": "stopped", "stop_reason": "企业放弃投资"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.stage, lead.stop_reason) == (LeadStage.STOPPED, "企业放弃投资")
    response = client.post(reverse("lead_stage", args=[lead.pk]), {"stage": "signed"})
    assert response.status_code == 400 and "stage" in response.context["stage_form"].errors


def test_the_stage_change_preselects_nothing_and_refuses_no_choice(world):
    lead = fresh(owner_unit=world["own"], stage=LeadStage.NEGOTIATING)
    client = client_for(world["staff"])
    page = client.get(reverse("lead_detail", args=[lead.pk])).content.decode()
    assert '<option value="" selected>请选择</option>' in page
    response = client.post(reverse("lead_stage", args=[lead.pk]), {"stage": ""})
    assert response.status_code == 400
    assert response.context["stage_form"].errors == {"stage": ["请选择新阶段。"]}
    lead.refresh_from_db()
    assert lead.stage == LeadStage.NEGOTIATING


# --- Query counts -------------------------------------------------------------------------------


def many(world, count: int) -> None:
    link = ChainNodeFactory()
    enterprise = TargetEnterpriseFactory()
    for n in range(count):
        fresh(
            owner_unit=[world["own"], world["other"]][n % 2],
            stage=[LeadStage.CLUE, LeadStage.CONTACT, LeadStage.NEGOTIATING, LeadStage.ABOUT_TO_SIGN][n % 4],
            deadline=days_ago(n % 3 - 1),
            group=world["group"] if n % 3 else None,
            chain_link=link if n % 2 else None,
            enterprise=enterprise if n % 5 else None,
        )


# session, user, the rule set, role (groups; staff: membership), the counts per stage, the four
# columns, (reviewers: the per-unit table), the organisation, the menu's to-do counts
# (reviewers: unread notifications), the unit and group choices of the scope form
BOARD_QUERIES = {"staff": 14, "reviewer": 15}
# session, user, the rule set, role, the count, the organisation, the menu's to-do counts, unread
# notifications, the filter choices (unit, group, chain link), the rows
LIST_QUERIES = 12


@pytest.mark.parametrize("role", ["staff", "reviewer"])
@pytest.mark.parametrize("count", [1, 40])
def test_the_board_reads_a_constant_number_of_queries(world, django_assert_num_queries, role, count):
    many(world, count)
    client = client_for(world[role])
    with django_assert_num_queries(BOARD_QUERIES[role]):
        assert client.get(reverse("lead_board")).status_code == 200


@pytest.mark.parametrize("count", [1, 40])
def test_the_list_reads_a_constant_number_of_queries(world, django_assert_num_queries, count):
    many(world, count)
    client = client_for(world["reviewer"])
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse("lead_list") + "?sort=-deadline&overdue=false").status_code == 200


# session, user, role (groups, membership), the lead, the rule set, its activities, its history
# records, the units and the groups the history names, the history's users, the organisation, the
# menu's to-do counts
DETAIL_QUERIES = 13


@pytest.mark.parametrize("count", [1, 10])
def test_the_detail_page_reads_a_constant_number_of_queries(world, django_assert_num_queries, count):
    lead = fresh(owner_unit=world["own"])
    groups = [SpecialGroupFactory() for _ in range(2)]
    for n in range(count):
        ActivityFactory(lead=lead, unit=world["own"], date=days_ago(n))
        services.update_lead(lead=lead, user=world["staff"], facts={"group": groups[n % 2], "responsible_person": f"人员{n}"})
    client = client_for(world["staff"])
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(reverse("lead_detail", args=[lead.pk])).status_code == 200

