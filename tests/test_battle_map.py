"""The battle map (招商作战图): per link, chain and industry the enterprises, the leads by stage and
a year's signed projects with their money; per province the targets and the leads; what a user
may see; links that lead to lists of the same counts; a constant number of queries."""

import datetime
import html
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from chains.models import Level
from figures.battle_map import chain_map, region_map, year_choice
from leads.filters import NO_PROVINCE
from leads.models import LeadStage
from projects.models import Status
from tests.factories import (
    ChainNodeFactory,
    LeadFactory,
    ProjectFactory,
    RuleSetFactory,
    SpecialGroupFactory,
    TargetEnterpriseFactory,
    UnitFactory,
    client_for,
    user_with_role,
)

pytestmark = pytest.mark.django_db

URL = reverse("battle_map")
YEAR = 2021


@pytest.fixture
def world():
    """Industry 电子信息 → chain 集成电路 (links 芯片设计, 封装测试) and chain 新型显示 (link 面板);
    industry 新材料 → chain 化工新材料 → link 氟化工. Enterprises, leads and projects of two units
    and a special group whose landing unit is a third."""
    RuleSetFactory(year=YEAR)
    industry = ChainNodeFactory(name="电子信息", level=Level.INDUSTRY, position="", parent=None)
    chips = ChainNodeFactory(name="集成电路", level=Level.CHAIN, position="", parent=industry, sort_order=1)
    design = ChainNodeFactory(name="芯片设计", parent=chips, sort_order=1)
    packaging = ChainNodeFactory(name="封装测试", parent=chips, sort_order=2)
    display = ChainNodeFactory(name="新型显示", level=Level.CHAIN, position="", parent=industry, sort_order=2)
    panel = ChainNodeFactory(name="面板", parent=display)
    fluorine = ChainNodeFactory(name="氟化工")
    own, other, landing = UnitFactory(name="甲园区"), UnitFactory(name="乙园区"), UnitFactory(name="丙园区")
    group = SpecialGroupFactory()
    group.landing_units.set([landing])

    guangdong = TargetEnterpriseFactory(name="粤芯", province="广东省", city="广州市")
    guangdong.chain_links.add(design, packaging)  # one enterprise, two links of one chain
    zhejiang = TargetEnterpriseFactory(name="浙显", province="浙江省", city="杭州市")
    zhejiang.chain_links.add(panel)
    local = TargetEnterpriseFactory(name="涪陵本地", province="重庆市", city="涪陵区", is_local=True)
    local.chain_links.add(design)
    nowhere = TargetEnterpriseFactory(name="无地区", province="", city="")
    nowhere.chain_links.add(fluorine)

    LeadFactory(owner_unit=own, chain_link=design, enterprise=guangdong, stage=LeadStage.CLUE)
    LeadFactory(owner_unit=own, chain_link=design, enterprise=zhejiang, stage=LeadStage.NEGOTIATING)
    LeadFactory(owner_unit=own, chain_link=packaging, stage=LeadStage.SIGNED)
    LeadFactory(owner_unit=own, chain_link=panel, stage=LeadStage.PAUSED, resume_on=datetime.date(2021, 9, 1))
    LeadFactory(owner_unit=other, chain_link=design, enterprise=guangdong, stage=LeadStage.CLUE)
    LeadFactory(owner_unit=other, chain_link=panel, enterprise=nowhere, stage=LeadStage.ABOUT_TO_SIGN, group=group)
    LeadFactory(owner_unit=other, chain_link=None, enterprise=zhejiang, stage=LeadStage.CONTACT)

    ProjectFactory(lead_unit=own, chain_link=design, agreement_capital=Decimal("0.1"))
    ProjectFactory(lead_unit=own, chain_link=packaging, agreement_capital=Decimal("0.2"))
    ProjectFactory(lead_unit=other, chain_link=design, agreement_capital=Decimal("1.2345"), cooperating=[own])
    ProjectFactory(lead_unit=other, chain_link=panel, agreement_capital=Decimal("5"))
    ProjectFactory(lead_unit=own, chain_link=design, signed_on=datetime.date(2020, 6, 1))  # another year
    ProjectFactory(lead_unit=own, chain_link=design, status=Status.SUBMITTED)  # not approved
    return {
        "own": own,
        "industry": industry,
        "chips": chips,
        "design": design,
        "packaging": packaging,
        "display": display,
        "panel": panel,
        "fluorine": fluorine,
        "staff": user_with_role(Role.STAFF, own, username="staff"),
        "landing_staff": user_with_role(Role.STAFF, landing, username="landing"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def figures_of(user, year=YEAR, industry=None) -> dict:
    page = chain_map(user=user, year=year_choice(str(year)), industry_id=industry.pk if industry else None)
    return {row.node.name: row for row in page.rows}


def regions_of(user, industry=None) -> dict:
    page = region_map(user=user, industry_id=industry.pk if industry else None)
    return {row.label: row for row in page.rows}


# --- The chain tree's figures ----------------------------------------------------------------------


def test_a_link_counts_its_enterprises_leads_by_stage_and_the_year_s_signed_projects(world):
    design = figures_of(world["reviewer"])["芯片设计"].figures
    assert (design.local_enterprises, design.target_enterprises) == (1, 1)
    assert dict(design.by_stage) == {"clue": 2, "contact": 0, "negotiating": 1, "about_to_sign": 0, "signed": 0}
    assert design.all_leads == 3
    # approved and signed in 2021: not the 2020 one, not the one waiting for review
    assert design.signed_projects == 2
    assert design.agreement_capital == Decimal("1.3345")


def test_a_chain_and_an_industry_count_what_is_under_them(world):
    rows = figures_of(world["reviewer"])
    chips, industry = rows["集成电路"].figures, rows["电子信息"].figures
    # 粤芯 fits two links of the chain: one enterprise
    assert (chips.local_enterprises, chips.target_enterprises) == (1, 1)
    assert (industry.local_enterprises, industry.target_enterprises) == (1, 2)
    assert chips.leads == {"clue": 2, "negotiating": 1, "signed": 1}
    assert industry.all_leads == 6 and industry.leads["paused"] == 1 and industry.leads["about_to_sign"] == 1
    assert (chips.signed_projects, chips.agreement_capital) == (3, Decimal("1.5345"))
    assert (industry.signed_projects, industry.agreement_capital) == (4, Decimal("6.5345"))


def test_money_is_an_exact_decimal_sum(world):
    for n in range(10):
        ProjectFactory(chain_link=world["fluorine"], agreement_capital=Decimal("0.1"))
    fluorine = figures_of(world["reviewer"])["氟化工"].figures
    assert fluorine.agreement_capital == Decimal("1.0") and isinstance(fluorine.agreement_capital, Decimal)


def test_the_rows_run_industry_chain_links_in_the_tree_s_order(world):
    rows = chain_map(user=world["reviewer"], year=year_choice(None)).rows
    names = [row.node.name for row in rows if row.node.parent_path.startswith("电子信息") or row.node.name == "电子信息"]
    assert names == ["电子信息", "集成电路", "芯片设计", "封装测试", "新型显示", "面板"]


def test_weak_links_are_those_of_the_chain_tree(world):
    rows = figures_of(world["staff"])
    # nothing local, signed or open on 氟化工: weak, though an enterprise is courted for it
    assert rows["氟化工"].weak and not rows["芯片设计"].weak
    # 面板 has a signed project of another unit: not weak, whoever looks (the district's figures)
    assert not rows["面板"].weak and rows["面板"].figures.signed_projects == 0
    assert rows[rows["氟化工"].node.parent.name].weak_links == 1


def test_staff_count_only_the_leads_and_projects_they_may_see(world):
    rows = figures_of(world["staff"])
    design, panel = rows["芯片设计"].figures, rows["面板"].figures
    assert design.leads == {"clue": 1, "negotiating": 1}  # not the other unit's 线索
    assert (design.signed_projects, design.agreement_capital) == (2, Decimal("1.3345"))  # cooperating counts
    assert panel.leads == {"paused": 1} and panel.signed_projects == 0
    # the enterprises are the shared library's
    assert (design.local_enterprises, design.target_enterprises) == (1, 1)


def test_a_landing_unit_s_staff_see_the_leads_of_their_group(world):
    rows = figures_of(world["landing_staff"])
    assert rows["面板"].figures.leads == {"about_to_sign": 1}
    assert rows["电子信息"].figures.all_leads == 1 and rows["电子信息"].figures.signed_projects == 0


@pytest.mark.parametrize("role", ["reviewer", "leader"])
def test_reviewers_and_leaders_see_everything(world, role):
    industry = figures_of(world[role])["电子信息"].figures
    assert industry.all_leads == 6 and industry.signed_projects == 4


def test_another_year_counts_its_own_projects(world):
    RuleSetFactory(year=2020)
    design = figures_of(world["reviewer"], year=2020)["芯片设计"].figures
    assert (design.signed_projects, design.agreement_capital) == (1, Decimal("1"))
    assert design.all_leads == 3  # leads and enterprises have no year


def test_one_industry_alone(world):
    page = chain_map(user=world["reviewer"], year=year_choice(None), industry_id=world["industry"].pk)
    assert page.focus == world["industry"]
    assert {row.node.name for row in page.rows} == {"电子信息", "集成电路", "芯片设计", "封装测试", "新型显示", "面板"}
    assert len(page.industries) == 2


# --- The year ----------------------------------------------------------------------------------


def test_the_year_is_this_year_when_it_has_rules_else_the_latest_that_has(db):
    this_year = timezone.localdate().year
    assert year_choice(None).year == this_year  # no rule set at all
    RuleSetFactory(year=2020)
    RuleSetFactory(year=YEAR)
    assert year_choice(None) == year_choice("") == year_choice(str(YEAR))
    assert year_choice("2020").year == 2020
    RuleSetFactory(year=this_year)
    assert year_choice(None).year == this_year


def test_a_year_without_rules_shows_the_default_and_says_so(db):
    RuleSetFactory(year=YEAR)
    choice = year_choice("1999")
    assert choice.year == YEAR and "1999年尚未设置考核规则" in choice.note
    assert year_choice("abc").year == YEAR


# --- Per province ---------------------------------------------------------------------------------


def test_provinces_count_targets_and_the_leads_of_their_enterprises(world):
    rows = regions_of(world["reviewer"])
    assert rows["广东省"].target_enterprises == 1 and rows["广东省"].leads == {"clue": 2}
    assert rows["浙江省"].target_enterprises == 1 and rows["浙江省"].leads == {"negotiating": 1, "contact": 1}
    # the local enterprise is no target; leads without an enterprise, or of one without a province
    assert "重庆市" not in rows
    assert rows["未填地区"].target_enterprises == 1
    assert rows["未填地区"].leads == {"signed": 1, "paused": 1, "about_to_sign": 1}
    # most leads first, then most targets, ties in the national statistics' order; 「未填地区」 last
    assert list(rows) == ["浙江省", "广东省", "未填地区"]


def test_staff_see_their_leads_per_province(world):
    rows = regions_of(world["staff"])
    assert rows["广东省"].leads == {"clue": 1} and rows["浙江省"].leads == {"negotiating": 1}
    assert rows["未填地区"].leads == {"signed": 1, "paused": 1}
    assert rows["广东省"].target_enterprises == 1


def test_provinces_of_one_industry(world):
    RuleSetFactory(year=2020)  # unrelated: the regions have no year
    other_industry = world["fluorine"].parent.parent
    rows = regions_of(world["reviewer"], other_industry)
    assert set(rows) == {"未填地区"}
    assert rows["未填地区"].target_enterprises == 1 and rows["未填地区"].all_leads == 0


# --- The page --------------------------------------------------------------------------------------


def page(user, query=""):
    response = client_for(user).get(URL + query)
    assert response.status_code == 200
    return response


def numeric_links(response) -> list[tuple[str, int]]:
    content = response.content.decode()
    table = content[content.index('<table class="battle-map') : content.index("</table>")]
    return [(html.unescape(href), int(n)) for href, n in re.findall(r'<a href="([^"]+)">(\d+)</a>', table)]


def listed_count(user, url) -> int:
    response = client_for(user).get(url)
    assert response.status_code == 200
    assert response.context["filter"].form.is_valid(), (url, response.context["filter"].form.errors)
    return response.context["table"].paginator.count


@pytest.mark.parametrize("role", ["staff", "reviewer"])
@pytest.mark.parametrize("query", ["", "?view=regions", "?view=regions&industry={industry}", "?industry={industry}"])
def test_every_number_links_to_a_list_of_as_many_rows(world, role, query):
    user = world[role]
    links = numeric_links(page(user, query.format(industry=world["industry"].pk)))
    assert len(links) >= 8
    for url, count in links:
        assert listed_count(user, url) == count, url


def test_the_numbers_link_to_the_lists_filters(world):
    content = page(world["reviewer"]).content.decode()
    design = world["design"].pk
    assert f'href="{reverse("lead_list")}?chain_link={design}&amp;stage=negotiating"' in content
    assert f"?chain_link={design}&amp;year={YEAR}&amp;status=approved" in content
    assert f"?chain_link={design}&amp;is_local=0" in content
    regions = page(world["reviewer"], "?view=regions").content.decode()
    assert f"?province={NO_PROVINCE}&amp;is_local=0" in regions
    assert "?province=%E5%B9%BF%E4%B8%9C%E7%9C%81&amp;stage=clue" in regions  # 广东省


def test_the_page_marks_weak_links_and_shows_money_rounded(world):
    content = page(world["reviewer"]).content.decode()
    assert '<tr class="level-link weak-link">' in content
    assert ">1.33</a>" in content  # 1.3345 亿元, rounded for display only


def test_the_chart_data_and_script_come_as_files_and_json(world):
    response = page(world["staff"])
    content = response.content.decode()
    data = json.loads(re.search(r'<script id="battle-map-data" type="application/json">(.*?)</script>', content).group(1))
    assert data["kind"] == "chains" and "集成电路" in data["names"]
    assert [series["name"] for series in data["series"]] == ["线索", "接洽", "洽谈", "拟签约", "已签约"]
    chips = data["names"].index("集成电路")
    assert [series["values"][chips] for series in data["series"]] == [1, 0, 1, 0, 1]
    assert "js/battle_map.js" in content and "vendor/echarts/echarts.min.js" in content
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", content)  # no inline script
    regions = page(world["staff"], "?view=regions").content.decode()
    data = json.loads(re.search(r'<script id="battle-map-data" type="application/json">(.*?)</script>', regions).group(1))
    assert data["kind"] == "provinces" and data["names"] == ["浙江省", "广东省", "未填地区"]
    assert data["series"] == [{"name": "目标企业", "values": [1, 1, 1]}, {"name": "线索", "values": [1, 1, 2]}]


def test_an_unknown_industry_shows_everything_and_says_so(world):
    response = page(world["reviewer"], "?industry=999999")
    assert "没有这个主导产业" in response.content.decode()
    assert response.context["page"].focus is None


@pytest.mark.parametrize("role", ["staff", "reviewer", "leader"])
def test_every_role_reads_the_page(world, role):
    assert "招商作战图" in page(world[role]).content.decode()
    assert "招商作战图" in page(world[role], "?view=regions").content.decode()


def test_a_visitor_goes_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


# --- Queries ---------------------------------------------------------------------------------------

# session, user, role: groups, membership with its unit; the organisation (the page's title), the
# menu's to-do count; then the chain view: rule-set years, the tree with each link's enterprises,
# the enterprises per chain and per industry, the leads, the projects; the regions view: the
# industries, the targets per province, the leads per province.
CHAIN_QUERIES = 12
REGION_QUERIES = 9


def grow(world, size):
    for n in range(size):
        link = ChainNodeFactory()
        ChainNodeFactory(parent=link.parent)
        enterprise = TargetEnterpriseFactory(province="四川省", city="成都市")
        enterprise.chain_links.add(link, world["design"])
        LeadFactory(owner_unit=world["own"], chain_link=link, enterprise=enterprise)
        ProjectFactory(lead_unit=world["own"], chain_link=link)


@pytest.mark.parametrize("size", [1, 12])
@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_the_chain_view_reads_a_constant_number_of_queries(world, django_assert_num_queries, size, role):
    grow(world, size)
    client = client_for(world[role])
    with django_assert_num_queries(CHAIN_QUERIES):
        response = client.get(URL)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 12])
@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_the_regions_view_reads_a_constant_number_of_queries(world, django_assert_num_queries, size, role):
    grow(world, size)
    client = client_for(world[role])
    with django_assert_num_queries(REGION_QUERIES):
        response = client.get(URL, {"view": "regions"})
    assert response.status_code == 200


# --- The lists' filters the map links to --------------------------------------------------------


def test_the_project_list_filters_by_a_link_or_what_is_under_a_chain_or_an_industry(world):
    reviewer = world["reviewer"]
    project_list = reverse("project_list")
    assert listed_count(reviewer, f"{project_list}?chain_link={world['design'].pk}") == 4
    assert listed_count(reviewer, f"{project_list}?chain_link={world['chips'].pk}") == 5
    assert listed_count(reviewer, f"{project_list}?chain_link={world['industry'].pk}&status=approved&year={YEAR}") == 4


def test_the_lead_list_filters_by_the_enterprise_s_province(world):
    lead_list, reviewer = reverse("lead_list"), world["reviewer"]
    assert listed_count(reviewer, f"{lead_list}?province=广东省") == 2
    assert listed_count(reviewer, f"{lead_list}?province={NO_PROVINCE}") == 3
    assert listed_count(reviewer, f"{lead_list}?province={NO_PROVINCE}&stage=signed") == 1


def test_the_enterprise_list_filters_by_a_chain_or_an_industry_and_a_missing_province(world):
    enterprise_list, staff = reverse("enterprise_list"), world["staff"]
    assert listed_count(staff, f"{enterprise_list}?chain_link={world['chips'].pk}") == 2
    assert listed_count(staff, f"{enterprise_list}?chain_link={world['industry'].pk}&is_local=0") == 2
    assert listed_count(staff, f"{enterprise_list}?province={NO_PROVINCE}") == 1
