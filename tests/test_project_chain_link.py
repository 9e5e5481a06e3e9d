"""A project's industry-chain link (产业链环节): optional, links only, shown on its page."""

import pytest
from django.urls import reverse

from access.roles import Role
from chains.models import Level
from projects.forms import ProjectForm
from projects.models import Origin, Project, Sector
from tests.factories import ChainNodeFactory, OrganisationFactory, ProjectFactory, UnitFactory, client_for, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    OrganisationFactory()
    return user_with_role(Role.STAFF, UnitFactory(name="甲园区"), username="staff_a")


def form_data(**overrides) -> dict:
    data = {
        "name": "芯片封装项目",
        "investor": "某某半导体有限公司",
        "sector": Sector.INDUSTRIAL,
        "origin": Origin.OUTSIDE_CITY,
        "agreement_capital": "2",
        "signed_on": "2021-05-10",
        "chain_link": "",
    }
    return {**data, **overrides}


def test_the_form_offers_the_active_links_only(staff):
    link = ChainNodeFactory()
    ChainNodeFactory(is_active=False)
    offered = list(ProjectForm(user=staff).fields["chain_link"].queryset)
    assert offered == [link] and offered[0].level == Level.LINK
    assert not ProjectForm(user=staff).fields["chain_link"].required


def test_a_project_keeps_its_link_once_the_link_is_deactivated(staff):
    link = ChainNodeFactory(is_active=False)
    project = ProjectFactory(chain_link=link)
    assert link in ProjectForm(user=staff, instance=project).fields["chain_link"].queryset


def test_a_chain_is_refused_as_a_project_s_link(staff):
    link = ChainNodeFactory()
    response = client_for(staff).post(reverse("project_create"), form_data(chain_link=link.parent_id))
    assert response.status_code == 200
    assert response.context["form"].errors["chain_link"]


def test_the_link_is_saved_and_shown_on_the_project_page(staff):
    link = ChainNodeFactory(name="封装测试")
    response = client_for(staff).post(reverse("project_create"), form_data(chain_link=link.pk))
    assert response.status_code == 302
    project = Project.objects.get()
    assert project.chain_link == link
    page = client_for(staff).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert link.label in page and reverse("chain_link_detail", args=[link.pk]) in page


def test_no_link_is_fine(staff):
    assert client_for(staff).post(reverse("project_create"), form_data()).status_code == 302
    assert Project.objects.get().chain_link is None
