"""The district's industry chains as shipped (fixtures/chains_2021.json, domain.md §10)."""

import pytest
from django.core.management import call_command

from chains.models import ChainNode, Level
from groups.models import SpecialGroup

pytestmark = pytest.mark.usefixtures("fuling_2021")


def test_every_group_has_its_leading_industry():
    industries = ChainNode.objects.filter(level=Level.INDUSTRY)
    assert industries.count() == SpecialGroup.objects.count() == 12
    assert {industry.group_id for industry in industries} == set(SpecialGroup.objects.values_list("pk", flat=True))
    for industry in industries.select_related("group"):
        assert industry.group.name.startswith(industry.name)


def test_every_industry_has_chains_and_every_chain_two_to_four_links():
    for industry in ChainNode.objects.filter(level=Level.INDUSTRY):
        assert industry.children.filter(level=Level.CHAIN).exists(), industry
    for chain in ChainNode.objects.filter(level=Level.CHAIN):
        links = list(chain.children.all())
        assert 2 <= len(links) <= 4, chain
        assert all(link.level == Level.LINK and link.position for link in links), chain
        assert all(link.group_id == chain.group_id == chain.parent.group_id for link in links)


def test_the_plan_s_focus_areas_are_chains():
    chains = set(ChainNode.objects.filter(level=Level.CHAIN).values_list("parent_path", "name"))
    assert {("数字经济产业", "集成电路"), ("数字经济产业", "新型显示"), ("数字经济产业", "智能终端")} <= chains
    assert {("新材料产业", "化工新材料"), ("新材料产业", "金属新材料")} <= chains


def test_every_node_passes_its_own_rules_and_its_path_is_its_parents():
    for node in ChainNode.objects.select_related("parent"):
        node.full_clean()
        assert node.parent_path == (node.parent.path if node.parent else "")


def test_loading_again_changes_nothing():
    before = list(ChainNode.objects.order_by("pk").values_list("pk", "name", "parent_path"))
    call_command("loaddata", "chains_2021", verbosity=0)
    assert list(ChainNode.objects.order_by("pk").values_list("pk", "name", "parent_path")) == before
