"""The target-enterprise form: credit code, region, duplicates, memberships, group headquarters."""

import pytest
from django.urls import reverse

from access.roles import Role
from chains.models import ChainNode, Level
from leads.enterprises import same_enterprise, similar_enterprises
from leads.forms.enterprises import EnterpriseForm
from leads.models import ListMembership, TargetEnterprise
from tests.factories import ChainNodeFactory, ListMembershipFactory, TargetEnterpriseFactory, UnitFactory, client_for, user_with_role

pytestmark = pytest.mark.django_db

VALID_CODE = "914403001922038216"


@pytest.fixture
def unit():
    return UnitFactory(name="甲园区")


@pytest.fixture
def staff(unit):
    return user_with_role(Role.STAFF, unit, username="staff_a")


@pytest.fixture
def reviewer():
    return user_with_role(Role.REVIEWER, username="reviewer")


def data(**overrides) -> dict:
    fields = {
        "name": "华为技术有限公司",
        "credit_code": "",
        "province": "广东省",
        "city": "深圳市",
        "note": "",
        "parent_name": "",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not None}


def form(**overrides) -> EnterpriseForm:
    return EnterpriseForm(data(**overrides))


def errors(form, field="__all__") -> str:
    form.is_valid()
    return " ".join(form.errors.get(field, []))


# --- The credit code ---------------------------------------------------------------------------


def test_a_valid_credit_code_is_kept_in_capitals_without_spaces():
    enterprise_form = form(credit_code=" 9144 0300 1922 0382 16 ")
    assert enterprise_form.is_valid(), enterprise_form.errors
    assert enterprise_form.cleaned_data["credit_code"] == VALID_CODE


@pytest.mark.parametrize(
    "code, message",
    [("914403001922038217", "校验位不对"), ("91440300192203821", "应为 18 位"), ("91440300192203821I", "「I」不能出现")],
)
def test_a_wrong_credit_code_is_refused_with_the_reason(code, message):
    assert message in errors(form(credit_code=code), "credit_code")


def test_no_credit_code_is_fine():
    assert form(credit_code="").is_valid()


# --- The region --------------------------------------------------------------------------------


def test_a_city_must_be_of_the_province():
    assert "「深圳市」不在浙江省" in errors(form(province="浙江省", city="深圳市"), "city")


def test_a_city_without_a_province_asks_for_the_province():
    assert "请同时选择所在省份" in errors(form(province="", city="深圳市"), "province")


def test_a_province_not_in_the_table_is_refused():
    assert errors(form(province="火星", city=""), "province")


def test_abroad_takes_a_country():
    assert form(province="境外", city="德国").is_valid()


# --- Duplicates --------------------------------------------------------------------------------


def test_an_exact_name_already_there_is_refused_and_named():
    existing = TargetEnterpriseFactory(name="华为技术有限公司")
    enterprise_form = form(name=" 华为技术有限公司 ")
    assert "企业库中已有「华为技术有限公司」" in errors(enterprise_form, "name")
    assert enterprise_form.existing == existing


def test_a_credit_code_already_there_is_refused_and_named():
    existing = TargetEnterpriseFactory(name="华为", credit_code=VALID_CODE)
    enterprise_form = form(name="华为技术", credit_code=VALID_CODE.lower(), confirm_similar="on")
    assert "已属于企业库中的「华为」" in errors(enterprise_form, "credit_code")
    assert enterprise_form.existing == existing


def test_the_refusal_links_to_the_enterprise_already_there(staff):
    existing = TargetEnterpriseFactory(name="华为技术有限公司")
    response = client_for(staff).post(reverse("enterprise_create"), data())
    assert response.status_code == 200
    assert f'href="{reverse("enterprise_detail", args=[existing.pk])}"' in response.content.decode()
    assert TargetEnterprise.objects.count() == 1


@pytest.mark.parametrize("existing_name", ["华为", "华为技术有限公司深圳分公司"])
def test_a_similar_name_is_a_warning_the_user_confirms(staff, existing_name):
    existing = TargetEnterpriseFactory(name=existing_name)
    client = client_for(staff)
    response = client.post(reverse("enterprise_create"), data())
    assert response.status_code == 200
    assert response.context["form"].similar == [existing]
    page = response.content.decode()
    assert "名称相近的企业" in page and f'href="{reverse("enterprise_detail", args=[existing.pk])}"' in page
    response = client.post(reverse("enterprise_create"), data(confirm_similar="on"))
    assert response.status_code == 302
    assert TargetEnterprise.objects.filter(name="华为技术有限公司").exists()


def test_editing_keeps_its_own_name_and_code_and_asks_no_confirmation():
    enterprise = TargetEnterpriseFactory(name="华为技术有限公司", credit_code=VALID_CODE)
    TargetEnterpriseFactory(name="华为")
    enterprise_form = EnterpriseForm(data(credit_code=VALID_CODE), instance=enterprise)
    assert enterprise_form.is_valid(), enterprise_form.errors


def test_same_and_similar_enterprises():
    huawei = TargetEnterpriseFactory(name="华为技术有限公司", credit_code=VALID_CODE)
    TargetEnterpriseFactory(name="腾讯科技")
    assert same_enterprise(name="华为技术有限公司") == huawei
    assert same_enterprise(credit_code=VALID_CODE) == huawei
    assert same_enterprise(name="华为技术有限公司", exclude_pk=huawei.pk) is None
    assert same_enterprise() is None
    assert similar_enterprises("华为") == [huawei]
    assert similar_enterprises("深圳华为技术有限公司研发中心") == [huawei]
    assert similar_enterprises("阿里巴巴") == []


# --- Chain links, memberships, the group headquarters --------------------------------------------


def test_only_active_links_of_active_chains_are_offered():
    link = ChainNodeFactory()
    ChainNodeFactory(is_active=False)
    under_a_deactivated_chain = ChainNodeFactory()
    ChainNode.objects.filter(pk=under_a_deactivated_chain.parent_id).update(is_active=False)
    offered = list(EnterpriseForm().fields["chain_links"].queryset)
    assert offered == [link]
    assert all(node.level == Level.LINK for node in offered)


def test_an_enterprise_keeps_a_link_once_it_is_deactivated():
    link = ChainNodeFactory(is_active=False)
    enterprise = TargetEnterpriseFactory()
    enterprise.chain_links.add(link)
    assert link in EnterpriseForm(instance=enterprise).fields["chain_links"].queryset


def test_a_chain_is_not_a_link_to_choose():
    link = ChainNodeFactory()
    assert errors(form(chain_links=[link.parent_id]), "chain_links")


def test_creating_saves_links_memberships_and_the_unit(staff, unit):
    link = ChainNodeFactory()
    fields = data(
        chain_links=[link.pk],
        **{"memberships-0-list_name": "global_500", "memberships-0-year": "2021", "memberships-0-rank": "44",
           "memberships-0-source": "财富"},
    )
    response = client_for(staff).post(reverse("enterprise_create"), fields)
    enterprise = TargetEnterprise.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("enterprise_detail", args=[enterprise.pk])
    assert list(enterprise.chain_links.all()) == [link]
    assert str(enterprise.memberships.get()) == "世界500强 2021 第44位"
    assert enterprise.created_by_unit == unit and enterprise.created_by == staff


def test_a_reviewer_s_enterprise_has_no_unit(reviewer):
    client_for(reviewer).post(reverse("enterprise_create"), data())
    assert TargetEnterprise.objects.get().created_by_unit is None


def test_a_list_twice_in_a_year_and_an_absurd_year_are_refused(staff):
    fields = data(
        **{"memberships-0-list_name": "global_500", "memberships-0-year": "2021",
           "memberships-1-list_name": "global_500", "memberships-1-year": "2021"},
    )
    response = client_for(staff).post(reverse("enterprise_create"), fields)
    assert response.status_code == 200 and not TargetEnterprise.objects.exists()
    response = client_for(staff).post(
        reverse("enterprise_create"), data(**{"memberships-0-list_name": "listed", "memberships-0-year": "1800"})
    )
    assert "年份应在 1950 至" in response.content.decode()


def test_editing_deletes_a_membership(reviewer):
    membership = ListMembershipFactory(enterprise=TargetEnterpriseFactory(name="华为技术有限公司"))
    fields = data(
        **{"memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1", "memberships-0-id": membership.pk,
           "memberships-0-enterprise": membership.enterprise_id, "memberships-0-list_name": "global_500",
           "memberships-0-year": "2021", "memberships-0-DELETE": "on"},
    )
    response = client_for(reviewer).post(reverse("enterprise_edit", args=[membership.enterprise_id]), fields)
    assert response.status_code == 302
    assert not ListMembership.objects.exists()


def test_the_group_headquarters_is_found_by_name_or_credit_code():
    parent = TargetEnterpriseFactory(name="华为投资控股有限公司", credit_code="91330100716105852F")
    by_code = form(parent_name="91330100716105852f")
    assert by_code.is_valid() and by_code.cleaned_data["parent_name"] == parent
    enterprise_form = form(parent_name="某不存在的集团")
    assert "企业库中没有「某不存在的集团」" in errors(enterprise_form, "parent_name")
    saved = form(parent_name=" 华为投资控股有限公司 ")
    assert saved.is_valid()
    assert saved.save().parent == parent


def test_an_enterprise_cannot_be_its_own_headquarters_nor_its_subsidiary_s():
    group = TargetEnterpriseFactory(name="集团总部")
    subsidiary = TargetEnterpriseFactory(name="子公司", parent=group)
    grandchild = TargetEnterpriseFactory(name="孙公司", parent=subsidiary)
    for name in ("集团总部", "孙公司"):
        enterprise_form = EnterpriseForm(data(name="集团总部", parent_name=name), instance=group)
        assert "不能作为集团总部" in errors(enterprise_form, "parent_name")
    assert grandchild.parent == subsidiary
