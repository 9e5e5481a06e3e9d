"""The target-enterprise library's pages: the list (filters, sorting, pages, export), an
enterprise's page, and who may add and edit."""

import io

import pytest
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from access.roles import Role
from leads.models import ActivityKind, LeadStage
from tests.factories import (
    ActivityFactory,
    ChainNodeFactory,
    LeadFactory,
    ListMembershipFactory,
    SpecialGroupFactory,
    TargetEnterpriseFactory,
    UnitFactory,
    client_for,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    return {"a": UnitFactory(name="甲园区"), "b": UnitFactory(name="乙园区")}


@pytest.fixture
def users(units):
    return {
        "staff": user_with_role(Role.STAFF, units["a"], username="staff_a"),
        "other": user_with_role(Role.STAFF, units["b"], username="staff_b"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def names(response) -> list[str]:
    return [row.record.name for row in response.context["table"].page.object_list]


# --- The list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role, adds", [("staff", True), ("reviewer", True), ("leader", False)])
def test_every_role_reads_the_library_and_staff_and_reviewers_add(users, role, adds):
    TargetEnterpriseFactory(name="华为技术有限公司")
    response = client_for(users[role]).get(reverse("enterprise_list"))
    assert response.status_code == 200
    assert names(response) == ["华为技术有限公司"]
    assert ("添加企业" in response.content.decode()) is adds


def test_the_list_filters_by_name_list_province_link_and_local(users):
    link = ChainNodeFactory()
    huawei = TargetEnterpriseFactory(name="华为技术有限公司", credit_code="914403001922038216", province="广东省")
    ListMembershipFactory(enterprise=huawei, list_name="global_500")
    ListMembershipFactory(enterprise=huawei, list_name="china_500")
    huawei.chain_links.add(link)
    TargetEnterpriseFactory(name="太极集团有限公司", province="重庆市", city="涪陵区", is_local=True)
    TargetEnterpriseFactory(name="阿里巴巴（中国）有限公司", province="浙江省", city="杭州市")
    client = client_for(users["staff"])
    url = reverse("enterprise_list")
    assert names(client.get(url, {"name": "华为"})) == ["华为技术有限公司"]
    assert names(client.get(url, {"name": "9144030019"})) == ["华为技术有限公司"]
    assert names(client.get(url, {"list_name": "global_500"})) == ["华为技术有限公司"]
    assert names(client.get(url, {"province": "浙江省"})) == ["阿里巴巴（中国）有限公司"]
    assert names(client.get(url, {"chain_link": link.pk})) == ["华为技术有限公司"]
    assert names(client.get(url, {"is_local": "1"})) == ["太极集团有限公司"]
    assert len(names(client.get(url, {"is_local": "0"}))) == 2


def test_invalid_filters_show_nothing_and_say_so(users):
    TargetEnterpriseFactory()
    response = client_for(users["staff"]).get(reverse("enterprise_list"), {"province": "火星"})
    assert names(response) == []
    assert "筛选条件有误" in response.content.decode()


def test_the_list_sorts_and_pages(users):
    for index in range(30):
        TargetEnterpriseFactory(name=f"企业{index:02d}", province="广东省" if index % 2 else "浙江省")
    client = client_for(users["staff"])
    first = client.get(reverse("enterprise_list"))
    assert len(names(first)) == 25 and names(first)[0] == "企业00"
    assert names(client.get(reverse("enterprise_list"), {"sort": "-name"}))[0] == "企业29"
    assert names(client.get(reverse("enterprise_list"), {"page": "2"})) == [f"企业{index}" for index in range(25, 30)]
    assert names(client.get(reverse("enterprise_list"), {"sort": "region"}))[0] == "企业01"


@pytest.mark.parametrize("size", [1, 30])
def test_the_list_reads_a_constant_number_of_queries(users, django_assert_num_queries, size):
    for _ in range(size):
        enterprise = TargetEnterpriseFactory()
        ListMembershipFactory(enterprise=enterprise)
        enterprise.chain_links.add(ChainNodeFactory())
    client = client_for(users["staff"])
    client.get(reverse("enterprise_list"))
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse("enterprise_list")).status_code == 200


# session, user, groups, membership, organisation, to-do counts; count, page, memberships, links; the link filter's choices
LIST_QUERIES = 11


# --- The export -------------------------------------------------------------------------------


def read_back(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content])))
    return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]


def test_the_export_holds_the_filtered_rows_with_their_lists_and_links(users):
    link = ChainNodeFactory(name="芯片设计")
    parent = TargetEnterpriseFactory(name="华为投资控股有限公司")
    huawei = TargetEnterpriseFactory(name="华为技术有限公司", parent=parent, credit_code="914403001922038216")
    huawei.chain_links.add(link)
    ListMembershipFactory(enterprise=huawei, list_name="global_500", year=2021, rank=44)
    TargetEnterpriseFactory(name="太极集团有限公司", province="重庆市", city="涪陵区")
    response = client_for(users["leader"]).get(reverse("enterprise_export"), {"province": "广东省", "name": "技术"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_back(response)
    assert rows[0][0] == "企业名称"
    assert rows[1:] == [
        ("华为技术有限公司", "914403001922038216", "广东省", "深圳市", "否", "世界500强 2021 第44位", link.label, "华为投资控股有限公司", None)
    ]


def test_the_export_guards_against_formulas(users):
    TargetEnterpriseFactory(name="=HYPERLINK(\"http://example.com\")", note="+1")
    rows = read_back(client_for(users["staff"]).get(reverse("enterprise_export")))
    assert rows[1][0] == "=HYPERLINK(\"http://example.com\")"  # read back as text, not a formula
    workbook = load_workbook(io.BytesIO(client_for(users["staff"]).get(reverse("enterprise_export")).content))
    cell = workbook.active["A2"]
    assert cell.data_type == "s" and cell.quotePrefix


@pytest.mark.parametrize("size", [1, 30])
def test_the_export_reads_a_constant_number_of_queries(users, django_assert_num_queries, size):
    for _ in range(size):
        enterprise = TargetEnterpriseFactory(parent=TargetEnterpriseFactory())
        ListMembershipFactory(enterprise=enterprise)
        enterprise.chain_links.add(ChainNodeFactory())
    client = client_for(users["staff"])
    client.get(reverse("enterprise_export"))
    with django_assert_num_queries(EXPORT_QUERIES):
        assert len(read_back(client.get(reverse("enterprise_export")))) == 2 * size + 1


# session, user, organisation; the enterprises with their parents, their memberships, their links
EXPORT_QUERIES = 6


def test_an_invalid_filter_exports_nothing_and_goes_back_to_the_list(users):
    response = client_for(users["staff"]).get(reverse("enterprise_export"), {"province": "火星"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("enterprise_list"))


# --- One enterprise ---------------------------------------------------------------------------


@pytest.fixture
def enterprise(units):
    group_hq = TargetEnterpriseFactory(name="华为投资控股有限公司")
    enterprise = TargetEnterpriseFactory(name="华为技术有限公司", parent=group_hq, created_by_unit=units["a"])
    TargetEnterpriseFactory(name="华为终端有限公司", parent=enterprise)
    enterprise.chain_links.add(ChainNodeFactory(name="芯片设计"))
    ListMembershipFactory(enterprise=enterprise, list_name="global_500", rank=44, source="财富")
    return enterprise


def test_the_page_shows_lists_links_headquarters_and_subsidiaries(users, enterprise):
    page = client_for(users["leader"]).get(reverse("enterprise_detail", args=[enterprise.pk])).content.decode()
    for text in ("世界500强", "财富", "芯片设计", "华为投资控股有限公司", "华为终端有限公司"):
        assert text in page
    assert "编辑" not in page


def test_staff_see_the_enterprise_s_leads_and_activities_of_their_unit_only(users, units, enterprise):
    group = SpecialGroupFactory()
    group.landing_units.add(units["a"])
    LeadFactory(enterprise=enterprise, owner_unit=units["a"], name="本单位线索")
    LeadFactory(enterprise=enterprise, owner_unit=units["b"], group=group, name="落地线索", stage=LeadStage.NEGOTIATING)
    LeadFactory(enterprise=enterprise, owner_unit=units["b"], name="他单位线索")
    ActivityFactory(enterprise=enterprise, unit=units["a"], summary="本单位拜访")
    ActivityFactory(enterprise=enterprise, unit=units["b"], summary="他单位来访", kind=ActivityKind.VISIT_IN)
    page = client_for(users["staff"]).get(reverse("enterprise_detail", args=[enterprise.pk])).content.decode()
    assert "本单位线索" in page and "落地线索" in page and "他单位线索" not in page
    assert "本单位拜访" in page and "他单位来访" not in page
    page = client_for(users["reviewer"]).get(reverse("enterprise_detail", args=[enterprise.pk])).content.decode()
    assert "他单位线索" in page and "他单位来访" in page


def test_an_unknown_enterprise_answers_a_chinese_404(users):
    response = client_for(users["staff"]).get(reverse("enterprise_detail", args=[999]))
    assert response.status_code == 404


@pytest.mark.parametrize("size", [1, 10])
def test_the_page_reads_a_constant_number_of_queries(users, units, enterprise, django_assert_num_queries, size):
    for _ in range(size):
        LeadFactory(enterprise=enterprise, owner_unit=units["a"], chain_link=ChainNodeFactory())
        ActivityFactory(enterprise=enterprise, unit=units["a"])
        ListMembershipFactory(enterprise=enterprise, list_name="listed", year=2000 + size + _)
        TargetEnterpriseFactory(parent=enterprise)
    client = client_for(users["staff"])
    client.get(reverse("enterprise_detail", args=[enterprise.pk]))
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(reverse("enterprise_detail", args=[enterprise.pk])).status_code == 200


# session, user, groups, membership, organisation, to-do counts; the enterprise, memberships, links,
# subsidiaries, leads, activities
DETAIL_QUERIES = 12


# --- Who may edit -----------------------------------------------------------------------------


@pytest.mark.parametrize("role, allowed", [("staff", True), ("other", False), ("reviewer", True), ("leader", False)])
def test_reviewers_and_the_adding_unit_edit(users, enterprise, role, allowed):
    response = client_for(users[role]).get(reverse("enterprise_edit", args=[enterprise.pk]))
    assert response.status_code == (200 if allowed else 403)
    page = client_for(users[role]).get(reverse("enterprise_detail", args=[enterprise.pk])).content.decode()
    assert (reverse("enterprise_edit", args=[enterprise.pk]) in page) is allowed


def test_an_edit_is_saved_and_recorded(users, enterprise):
    fields = {
        "name": "华为技术有限公司",
        "credit_code": "914403001922038216",
        "province": "广东省",
        "city": "东莞市",
        "is_local": "",
        "note": "松山湖基地",
        "parent_name": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = client_for(users["staff"]).post(reverse("enterprise_edit", args=[enterprise.pk]), fields)
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.city, enterprise.parent, enterprise.credit_code) == ("东莞市", None, "914403001922038216")
    assert enterprise.history.first().history_user == users["staff"]


def test_the_import_link_appears_only_when_the_import_exists(users):
    page = client_for(users["staff"]).get(reverse("enterprise_list")).content.decode()
    content = page.split('<main class="page">')[1]  # the menu has the projects' import
    try:
        import_url = reverse("leads_import_upload")
    except NoReverseMatch:
        assert ">导入<" not in content
    else:
        assert import_url in content
