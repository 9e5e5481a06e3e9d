"""What stands on each link of the chain tree, and its weak links (figures/chains.py, domain.md §10)."""

import pytest

from chains.models import Level
from figures.chains import LinkFigures, chain_tree, link_figures
from leads.models import LeadStage
from projects.models import Status
from tests.factories import ChainNodeFactory, LeadFactory, ProjectFactory, TargetEnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def link():
    return ChainNodeFactory(name="芯片设计")


def test_a_link_with_nothing_is_weak(link):
    assert link_figures(link) == LinkFigures(0, 0, 0, 0)
    assert link_figures(link).is_weak


def test_a_target_enterprise_alone_leaves_a_link_weak(link):
    TargetEnterpriseFactory(is_local=False).chain_links.add(link)
    figures = link_figures(link)
    assert figures.target_enterprises == 1 and figures.local_enterprises == 0
    assert figures.is_weak


@pytest.mark.parametrize(
    "anchor",
    [
        lambda link: TargetEnterpriseFactory(is_local=True).chain_links.add(link),
        lambda link: ProjectFactory(chain_link=link, status=Status.APPROVED),
        lambda link: LeadFactory(chain_link=link, stage=LeadStage.NEGOTIATING),
    ],
    ids=["a local enterprise", "a signed project", "an open lead"],
)
def test_a_local_enterprise_a_signed_project_or_an_open_lead_fills_a_link(link, anchor):
    anchor(link)
    assert not link_figures(link).is_weak


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.WITHDRAWN])
def test_a_project_not_approved_does_not_count(link, status):
    ProjectFactory(chain_link=link, status=status)
    assert link_figures(link).signed_projects == 0


@pytest.mark.parametrize("stage", [LeadStage.SIGNED, LeadStage.PAUSED, LeadStage.STOPPED])
def test_a_lead_that_is_not_open_does_not_count(link, stage):
    LeadFactory(chain_link=link, stage=stage)
    assert link_figures(link).open_leads == 0
    assert link_figures(link).is_weak


def test_the_counts_are_the_link_s_own(link):
    other = ChainNodeFactory(parent=link.parent)
    local = TargetEnterpriseFactory(is_local=True)
    local.chain_links.add(link, other)
    TargetEnterpriseFactory().chain_links.add(link)
    ProjectFactory.create_batch(2, chain_link=link, status=Status.APPROVED)
    ProjectFactory(chain_link=other, status=Status.APPROVED)
    LeadFactory.create_batch(3, chain_link=link)
    assert link_figures(link) == LinkFigures(local_enterprises=1, target_enterprises=1, signed_projects=2, open_leads=3)
    assert link_figures(other) == LinkFigures(local_enterprises=1, target_enterprises=0, signed_projects=1, open_leads=0)


def test_the_tree_nests_industries_chains_and_links_in_order(link):
    chain = link.parent
    second = ChainNodeFactory(parent=chain, name="封装测试", sort_order=2)
    LeadFactory(chain_link=second)
    [industry] = chain_tree()
    assert industry.node == chain.parent and industry.node.level == Level.INDUSTRY
    [chain_item] = industry.children
    assert [item.node for item in chain_item.children] == [link, second]
    assert industry.links == 2 and industry.weak_links == 1
    assert chain_item.children[1].figures.open_leads == 1


def test_a_deactivated_node_and_what_is_below_it_leave_the_active_tree(link):
    chain = link.parent
    chain.is_active = False
    chain.save()
    [industry] = chain_tree()
    assert industry.children == []
    [industry] = chain_tree(active_only=False)
    assert [item.node for item in industry.children[0].children] == [link]


@pytest.mark.parametrize("size", [1, 15])
def test_the_tree_is_one_query_whatever_the_data(django_assert_num_queries, size):
    for _ in range(size):
        link = ChainNodeFactory()
        ChainNodeFactory(parent=link.parent)
        TargetEnterpriseFactory(is_local=True).chain_links.add(link)
        TargetEnterpriseFactory().chain_links.add(link)
        ProjectFactory(chain_link=link, status=Status.APPROVED)
        LeadFactory(chain_link=link)
    with django_assert_num_queries(1):
        industries = chain_tree()
        assert len(industries) == size
        assert sum(industry.weak_links for industry in industries) == size
        assert all(industry.node.group is None for industry in industries)
