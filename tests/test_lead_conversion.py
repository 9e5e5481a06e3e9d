"""转为签约项目: the project form prefilled from a lead; saving links both ways and moves the lead to
已签约 in one transaction; a lead converts once, and only for whoever may edit it and enter
projects for its unit."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from leads import services
from leads.models import Lead, LeadStage
from projects.models import Project, Status
from tests.factories import (
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


@pytest.fixture
def world():
    RuleSetFactory(year=TODAY.year)
    own, other = UnitFactory(name="甲园区"), UnitFactory(name="乙园区")
    group = SpecialGroupFactory()
    lead = LeadFactory(
        name="年产10万吨新材料项目",
        owner_unit=own,
        group=group,
        chain_link=ChainNodeFactory(),
        enterprise=TargetEnterpriseFactory(name="某某新材料股份有限公司"),
        intended_investment=Decimal("25.5"),
        stage=LeadStage.ABOUT_TO_SIGN,
        deadline=TODAY,
    )
    return {
        "own": own,
        "other": other,
        "group": group,
        "lead": lead,
        "staff": user_with_role(Role.STAFF, own, username="staff"),
        "other_staff": user_with_role(Role.STAFF, other, username="other"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def project_data(**overrides) -> dict:
    data = {
        "name": "年产10万吨新材料项目",
        "investor": "某某新材料股份有限公司",
        "group": "",
        "sector": "industrial",
        "origin": "outside_city",
        "agreement_capital": "25.5",
        "signed_on": TODAY.isoformat(),
        "stage": "signed",
        "save": "1",
    }
    return {**data, **overrides}


def test_the_form_is_prefilled_from_the_lead(world):
    response = client_for(world["reviewer"]).get(reverse("lead_convert", args=[world["lead"].pk]))
    form = response.context["form"]
    assert form.initial["name"] == "年产10万吨新材料项目"
    assert form.initial["investor"] == "某某新材料股份有限公司"
    assert form.initial["lead_unit"] == world["own"]
    assert form.initial["group"] == world["group"]
    assert form.initial["agreement_capital"] == Decimal("25.5")
    html = response.content.decode()
    assert "由线索" in html and world["lead"].code in html
    assert 'value="某某新材料股份有限公司"' in html and 'value="25.5"' in html


def test_saving_links_both_ways_and_signs_the_lead(world):
    lead = world["lead"]
    response = client_for(world["staff"]).post(reverse("lead_convert", args=[lead.pk]), project_data(group=world["group"].pk))
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[project.pk])
    lead.refresh_from_db()
    assert lead.project == project and lead.stage == LeadStage.SIGNED
    assert (project.lead_unit, project.group, project.chain_link) == (world["own"], world["group"], lead.chain_link)
    assert project.status == Status.DRAFT and project.created_by == world["staff"]
    assert lead.history.first().history_user == world["staff"]
    # each page names the other
    project_page = client_for(world["staff"]).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert f'href="{reverse("lead_detail", args=[lead.pk])}"' in project_page and "来源线索" in project_page
    lead_page = client_for(world["staff"]).get(reverse("lead_detail", args=[lead.pk])).content.decode()
    assert f'href="{reverse("project_detail", args=[project.pk])}"' in lead_page


def test_a_reviewer_s_conversion_goes_straight_to_review(world):
    client_for(world["reviewer"]).post(
        reverse("lead_convert", args=[world["lead"].pk]), project_data(lead_unit=world["own"].pk)
    )
    assert Project.objects.get().status == Status.SUBMITTED


def test_a_converted_lead_cannot_be_converted_again(world):
    lead = world["lead"]
    client = client_for(world["staff"])
    client.post(reverse("lead_convert", args=[lead.pk]), project_data())
    assert client.get(reverse("lead_convert", args=[lead.pk])).status_code == 403
    assert client.post(reverse("lead_convert", args=[lead.pk]), project_data()).status_code == 403
    assert Project.objects.count() == 1
    html = client.get(reverse("lead_detail", args=[lead.pk])).content.decode()
    assert "转为签约项目" not in html and "改变阶段" not in html


def test_the_service_refuses_a_lead_converted_meanwhile(world):
    """Two pages opened before either saved: the second save finds the lead converted, nothing is written."""
    lead = world["lead"]
    services.convert_lead(lead=lead, user=world["staff"], facts=_facts(world), cooperating_unit_ids=[])
    stale_copy = Lead.objects.get(pk=lead.pk)
    stale_copy.project = None
    with pytest.raises(ValidationError, match="已转为签约项目"):
        services.convert_lead(lead=stale_copy, user=world["staff"], facts=_facts(world), cooperating_unit_ids=[])
    assert Project.objects.count() == 1


def test_a_failing_lead_save_leaves_no_project(world):
    """Both or neither: a project whose lead could not be signed is not kept."""
    with mock.patch.object(Lead, "full_clean", side_effect=RuntimeError("boom")), pytest.raises(RuntimeError):
        services.convert_lead(lead=world["lead"], user=world["staff"], facts=_facts(world), cooperating_unit_ids=[])
    assert not Project.objects.exists()
    world["lead"].refresh_from_db()
    assert world["lead"].project is None and world["lead"].stage == LeadStage.ABOUT_TO_SIGN


def _facts(world) -> dict:
    return {
        "name": "新材料项目",
        "investor": "某某新材料股份有限公司",
        "lead_unit": world["own"],
        "sector": "industrial",
        "origin": "outside_city",
        "agreement_capital": Decimal("25.5"),
        "signed_on": TODAY,
        "code": "",
    }


@pytest.mark.parametrize(("who", "status"), [("other_staff", 404), ("leader", 403)])
def test_another_unit_s_staff_and_leaders_cannot_convert(world, who, status):
    client = client_for(world[who])
    assert client.get(reverse("lead_convert", args=[world["lead"].pk])).status_code == status
    assert client.post(reverse("lead_convert", args=[world["lead"].pk]), project_data()).status_code == status
    assert not Project.objects.exists()


def test_a_stopped_lead_cannot_be_converted(world):
    Lead.objects.filter(pk=world["lead"].pk).update(stage=LeadStage.STOPPED, stop_reason="放弃")
    assert client_for(world["staff"]).get(reverse("lead_convert", args=[world["lead"].pk])).status_code == 403


def test_a_paused_lead_converts(world):
    Lead.objects.filter(pk=world["lead"].pk).update(stage=LeadStage.PAUSED, resume_on=TODAY + datetime.timedelta(days=30))
    client_for(world["staff"]).post(reverse("lead_convert", args=[world["lead"].pk]), project_data())
    world["lead"].refresh_from_db()
    assert world["lead"].stage == LeadStage.SIGNED


def test_form_errors_keep_the_lead_open(world):
    response = client_for(world["staff"]).post(reverse("lead_convert", args=[world["lead"].pk]), project_data(agreement_capital=""))
    assert response.status_code == 200 and "agreement_capital" in response.context["form"].errors
    world["lead"].refresh_from_db()
    assert world["lead"].project is None and not Project.objects.exists()
