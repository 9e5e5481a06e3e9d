"""The chain tree's pages: the tree, a link's page, and the reviewers' node form (domain.md §10)."""

import pytest
from django.urls import reverse

from access.roles import Role
from chains.models import ChainNode, Level, Position
from projects.models import Status
from tests.factories import (
    ChainNodeFactory,
    LeadFactory,
    ProjectFactory,
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
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


@pytest.fixture
def link():
    industry = ChainNodeFactory(level=Level.INDUSTRY, position="", parent=None, name="数字经济产业")
    chain = ChainNodeFactory(level=Level.CHAIN, position="", parent=industry, name="集成电路")
    return ChainNodeFactory(parent=chain, name="芯片设计", position=Position.MIDSTREAM)


# --- The tree ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "reviewer", "leader"])
def test_every_role_sees_the_tree_with_its_counts_and_weak_links(users, link, role):
    weak = ChainNodeFactory(parent=link.parent, name="封装测试", position=Position.DOWNSTREAM)
    TargetEnterpriseFactory(is_local=True).chain_links.add(link)
    response = client_for(users[role]).get(reverse("chain_tree"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "数字经济产业" in page and "集成电路" in page and "芯片设计" in page
    [industry] = response.context["industries"]
    links = {item.node: item for item in industry.children[0].children}
    assert not links[link].figures.is_weak and links[weak].figures.is_weak
    assert response.context["weak_links"] == 1
    assert page.count('<span class="badge weak">补链</span>') == 2  # the legend and the weak link
    assert ("新增主导产业" in page) is (role == "reviewer")


def test_a_deactivated_chain_is_hidden_from_staff_and_marked_for_reviewers(users, link):
    chain = link.parent
    chain.is_active = False
    chain.save()
    assert "集成电路" not in client_for(users["staff"]).get(reverse("chain_tree")).content.decode()
    page = client_for(users["reviewer"]).get(reverse("chain_tree")).content.decode()
    assert "集成电路（已停用）" in page


@pytest.mark.parametrize("size", [1, 12])
def test_the_tree_page_reads_a_constant_number_of_queries(users, django_assert_num_queries, size):
    for _ in range(size):
        link = ChainNodeFactory()
        TargetEnterpriseFactory(is_local=True).chain_links.add(link)
        LeadFactory(chain_link=link)
    client = client_for(users["staff"])
    client.get(reverse("chain_tree"))
    with django_assert_num_queries(TREE_QUERIES):
        assert client.get(reverse("chain_tree")).status_code == 200


# session, user, the user's groups, membership (access), the organisation, the to-do counts, the tree
TREE_QUERIES = 7


# --- A link's page ----------------------------------------------------------------------------


def test_a_link_s_page_lists_its_enterprises_projects_and_leads(users, units, link):
    local = TargetEnterpriseFactory(name="本地芯片公司", is_local=True)
    target = TargetEnterpriseFactory(name="外地芯片公司")
    for enterprise in (local, target):
        enterprise.chain_links.add(link)
    ProjectFactory(chain_link=link, status=Status.APPROVED, lead_unit=units["a"], name="芯片设计中心")
    LeadFactory(chain_link=link, owner_unit=units["a"], name="芯片线索")
    response = client_for(users["reviewer"]).get(reverse("chain_link_detail", args=[link.pk]))
    assert response.context["local_enterprises"] == [local]
    assert response.context["target_enterprises"] == [target]
    page = response.content.decode()
    assert "芯片设计中心" in page and "芯片线索" in page
    assert "补链" not in page


def test_staff_see_the_leads_their_unit_owns_or_lands_and_not_the_others(users, units, link):
    group = SpecialGroupFactory()
    group.landing_units.add(units["a"])
    own = LeadFactory(chain_link=link, owner_unit=units["a"], name="本单位线索")
    landed = LeadFactory(chain_link=link, owner_unit=units["b"], group=group, name="落地线索")
    LeadFactory(chain_link=link, owner_unit=units["b"], name="他单位线索")
    response = client_for(users["staff"]).get(reverse("chain_link_detail", args=[link.pk]))
    assert response.context["leads"] == [own, landed]
    assert response.context["figures"].open_leads == 3  # the district's count, whoever looks
    assert "他单位线索" not in response.content.decode()
    reviewer_page = client_for(users["reviewer"]).get(reverse("chain_link_detail", args=[link.pk]))
    assert len(reviewer_page.context["leads"]) == 3


def test_staff_see_only_the_signed_projects_they_may_open(users, units, link):
    ProjectFactory(chain_link=link, status=Status.APPROVED, lead_unit=units["a"], name="本单位项目")
    ProjectFactory(chain_link=link, status=Status.APPROVED, lead_unit=units["b"], name="他单位项目")
    page = client_for(users["staff"]).get(reverse("chain_link_detail", args=[link.pk])).content.decode()
    assert "本单位项目" in page and "他单位项目" not in page


def test_a_weak_link_says_so(users, link):
    page = client_for(users["leader"]).get(reverse("chain_link_detail", args=[link.pk])).content.decode()
    assert "需要补齐的环节（补链）" in page


# --- The node form ------------------------------------------------------------------------------


def post_node(user, data, pk=None):
    url = reverse("chain_node_edit", args=[pk]) if pk else reverse("chain_node_create")
    base = {"level": "", "name": "", "parent": "", "position": "", "group": "", "sort_order": "0", "is_active": "on"}
    return client_for(user).post(url, {**base, **data})


def test_a_reviewer_adds_a_link_under_a_chain_with_the_chain_s_group(users, link):
    group = SpecialGroupFactory()
    ChainNode.objects.filter(pk=link.parent_id).update(group=group)
    response = post_node(
        users["reviewer"], {"level": Level.LINK, "name": "晶圆制造", "parent": link.parent_id, "position": Position.MIDSTREAM}
    )
    assert response.status_code == 302
    node = ChainNode.objects.get(name="晶圆制造")
    assert node.parent_path == "数字经济产业/集成电路" and node.group == group
    assert node.history.get().history_user == users["reviewer"]


def test_the_form_for_a_child_starts_under_its_parent(users, link):
    response = client_for(users["reviewer"]).get(reverse("chain_node_create") + f"?parent={link.parent_id}")
    form = response.context["form"]
    assert form.initial["parent"] == link.parent and form.initial["level"] == Level.LINK


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"level": Level.LINK, "name": "新环节", "parent": "chain"}, "position", "环节须注明位于上游、中游还是下游。"),
        ({"level": Level.LINK, "name": "新环节", "parent": "industry", "position": "upstream"}, "parent", "环节的上级必须是产业链。"),
        ({"level": Level.INDUSTRY, "name": "新产业", "parent": "chain"}, "parent", "主导产业没有上级。"),
        ({"level": Level.LINK, "name": "芯片设计", "parent": "chain", "position": "upstream"}, "name", "已有名为「芯片设计」的节点"),
        ({"level": Level.LINK, "name": "A/B", "parent": "chain", "position": "upstream"}, "name", "名称中不能有“/”"),
        ({"level": Level.CHAIN, "name": "", "parent": "industry"}, "name", "这个字段是必填项。"),
    ],
)
def test_the_node_form_says_what_is_wrong_in_chinese(users, link, data, field, message):
    nodes = {"chain": link.parent_id, "industry": link.parent.parent_id}
    data = {**data, "parent": nodes[data["parent"]]}
    response = post_node(users["reviewer"], data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])


def test_renaming_a_chain_renames_its_links_paths(users, link):
    chain = link.parent
    response = post_node(users["reviewer"], {"name": "芯片", "parent": chain.parent_id, "sort_order": "1"}, pk=chain.pk)
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.parent_path == "数字经济产业/芯片"
    assert link.label == "数字经济产业 › 芯片 › 芯片设计"


def test_renaming_an_industry_renames_every_path_below_it(users, link):
    industry = link.parent.parent
    other_industry = ChainNodeFactory(level=Level.INDUSTRY, position="", parent=None, name="数字经济产业园")
    outsider = ChainNodeFactory(level=Level.CHAIN, position="", parent=other_industry, name="集成电路")
    post_node(users["reviewer"], {"name": "数字产业"}, pk=industry.pk)
    assert ChainNode.objects.get(pk=link.parent_id).parent_path == "数字产业"
    assert ChainNode.objects.get(pk=link.pk).parent_path == "数字产业/集成电路"
    assert ChainNode.objects.get(pk=outsider.pk).parent_path == "数字经济产业园"


def test_a_rename_is_one_transaction(users, link, monkeypatch):
    chain = link.parent

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ChainNode.objects, "bulk_update", broken)
    with pytest.raises(RuntimeError):
        post_node(users["reviewer"], {"name": "芯片", "parent": chain.parent_id}, pk=chain.pk)
    assert ChainNode.objects.get(pk=chain.pk).name == "集成电路"


def test_deactivating_and_the_history_of_a_node(users, link):
    post_node(users["reviewer"], {"name": "芯片研发", "parent": link.parent_id, "position": "upstream"}, pk=link.pk)
    post_node(
        users["reviewer"], {"name": "芯片研发", "parent": link.parent_id, "position": "upstream", "is_active": ""}, pk=link.pk
    )
    link.refresh_from_db()
    assert not link.is_active
    response = client_for(users["reviewer"]).get(reverse("chain_node_edit", args=[link.pk]))
    history = response.context["history"]
    assert [row["label"] for row in history] == ["修改", "修改", "新增"]
    assert history[0]["changes"] == [{"label": "启用", "old": "是", "new": "否"}]
    assert {"label": "名称", "old": "芯片设计", "new": "芯片研发"} in history[1]["changes"]
    assert {"label": "环节位置", "old": "中游", "new": "上游"} in history[1]["changes"]
    assert "<del>芯片设计</del> → <ins>芯片研发</ins>" in response.content.decode()


def test_the_level_of_a_node_is_not_changed_by_editing(users, link):
    post_node(users["reviewer"], {"level": Level.CHAIN, "name": "芯片设计", "parent": link.parent_id, "position": "midstream"}, pk=link.pk)
    link.refresh_from_db()
    assert link.level == Level.LINK
