"""Bodies that are not assessed (其他单位: 区委办公室, 国投集团 …, domain.md §12) exist for the key
tasks: their staff report on tasks and enter no projects, leads or activities; no unit choice
and no import offers them as a project's or a lead's unit."""

import pytest
from django.urls import reverse

from access import permissions
from access.roles import Role, access_of
from projects.forms import ProjectForm
from targets.models import UnitKind
from tests.factories import UnitFactory, user_with_role
from tests.test_import import assert_rejected, project_row, write_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies():
    park = UnitFactory(name="涪陵新城区", kind=UnitKind.PARK)
    office = UnitFactory(name="区委办公室", kind=UnitKind.OTHER)
    return {"park": park, "office": office, "staff": user_with_role(Role.STAFF, office, username="office")}


def test_their_staff_enter_no_projects_leads_or_activities(bodies, client):
    access = access_of(bodies["staff"])
    assert not permissions.enters_projects(access)
    assert not permissions.enters_leads(access) and not permissions.records_activities(access)
    assert permissions.enters_projects(access_of(user_with_role(Role.STAFF, bodies["park"], username="park")))
    client.force_login(bodies["staff"])
    for name in ("project_create", "lead_create", "activity_create"):
        response = client.get(reverse(name))
        assert response.status_code == 403, name
        assert "text/html" in response["Content-Type"]


def test_no_unit_choice_offers_them(bodies):
    reviewer = user_with_role(Role.REVIEWER, username="reviewer")
    form = ProjectForm(user=reviewer)
    for name in ("lead_unit", "cooperating_units"):
        assert bodies["office"] not in form.fields[name].queryset, name
        assert bodies["park"] in form.fields[name].queryset, name


def test_the_import_refuses_them_as_a_lead_unit(bodies, tmp_path):
    path = tmp_path / "bodies.xlsx"
    write_workbook(path, projects=[project_row(**{"牵头单位": "区委办公室"})])
    assert_rejected(path, "找不到单位“区委办公室”")
