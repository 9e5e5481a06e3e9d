"""An arrival is dated on or after its project's signing date (domain.md §7): the ledger's entry form,
the project form that would move the signing date past the ledger, and a project without a signing date."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from access.roles import Role
from projects import services
from projects.models import Arrival, Project, Status
from tests.factories import ArrivalFactory, ProjectFactory, UnitFactory, client_for, user_with_role
from tests.test_project_form import edit_data

pytestmark = pytest.mark.django_db

SIGNED = datetime.date(2021, 3, 15)


@pytest.fixture
def unit():
    return UnitFactory(name="甲园区")


@pytest.fixture
def staff(unit):
    return user_with_role(Role.STAFF, unit, username="staff")


@pytest.fixture
def reviewer():
    return user_with_role(Role.REVIEWER, username="reviewer")


def add_arrival(user, project, arrived_on, amount="2"):
    return client_for(user).post(
        reverse("arrival_add", args=[project.pk]), {"arrived_on": arrived_on, "amount": amount, "note": ""}
    )


def arrival_errors(response) -> list[str]:
    return [str(error) for error in response.context["arrival_form"].errors.get("arrived_on", [])]


# --- The entry form on the project page ------------------------------------------------------------


def test_an_arrival_dated_before_the_signing_date_is_refused_next_to_the_date(staff, unit):
    project = ProjectFactory(lead_unit=unit, signed_on=SIGNED)
    response = add_arrival(staff, project, "2021-03-14")
    assert response.status_code == 200
    assert arrival_errors(response) == [
        "到位日期 2021-03-14 早于项目的签约日期 2021-03-15：资金在签约之后才能到位，请检查日期。"
    ]
    assert '<p class="error" role="alert">到位日期 2021-03-14 早于' in response.content.decode()
    assert not Arrival.objects.exists()


@pytest.mark.parametrize("arrived_on", ["2021-03-15", "2021/03/16"])
def test_an_arrival_on_or_after_the_signing_date_is_recorded(staff, unit, arrived_on):
    project = ProjectFactory(lead_unit=unit, signed_on=SIGNED)
    assert add_arrival(staff, project, arrived_on).status_code == 302
    assert Arrival.objects.get().arrived_on >= SIGNED


def test_reviewers_are_held_to_the_same_rule(reviewer, unit):
    project = ProjectFactory(lead_unit=unit, signed_on=SIGNED)
    assert arrival_errors(add_arrival(reviewer, project, "2020-12-31"))
    assert not Arrival.objects.exists()


def test_a_project_without_a_signing_date_takes_no_arrival_until_it_has_one(staff, unit):
    """Money arrives under a signed agreement; and a date set later could not be checked against the entries."""
    project = ProjectFactory(lead_unit=unit, status=Status.DRAFT, signed_on=None)
    page = client_for(staff).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "填写签约日期后才能登记到位资金" in page and reverse("arrival_add", args=[project.pk]) not in page
    response = add_arrival(staff, project, "2021-06-30")
    assert "该项目还没有签约日期，不能登记到位资金" in " ".join(arrival_errors(response))
    assert not Arrival.objects.exists()


def test_the_service_refuses_it_too(staff, unit):
    project = ProjectFactory(lead_unit=unit, signed_on=SIGNED)
    with pytest.raises(ValidationError) as refused:
        services.add_arrival(project=project, user=staff, arrived_on=datetime.date(2021, 1, 5), amount=Decimal(1))
    assert "早于项目的签约日期" in refused.value.message_dict["arrived_on"][0]
    assert not Arrival.objects.exists()


# --- A signing date moved past the ledger ------------------------------------------------------------


def test_the_signing_date_cannot_move_after_an_arrival_already_recorded(staff, unit):
    project = ProjectFactory(lead_unit=unit, status=Status.DRAFT, signed_on=SIGNED)
    ArrivalFactory(project=project, arrived_on=datetime.date(2021, 4, 1))
    ArrivalFactory(project=project, arrived_on=datetime.date(2021, 6, 30))
    response = client_for(staff).post(reverse("project_edit", args=[project.pk]), edit_data(project, signed_on="2021-05-01"))
    assert response.status_code == 200
    errors = [str(error) for error in response.context["form"].errors["signed_on"]]
    assert errors == ["签约日期不能晚于已登记的到位资金（最早一笔到位于 2021-04-01）：请检查签约日期，或先更正到位资金。"]
    assert Project.objects.get().signed_on == SIGNED


def test_the_signing_date_may_move_up_to_the_first_arrival(staff, unit):
    project = ProjectFactory(lead_unit=unit, status=Status.DRAFT, signed_on=SIGNED)
    ArrivalFactory(project=project, arrived_on=datetime.date(2021, 4, 1))
    response = client_for(staff).post(reverse("project_edit", args=[project.pk]), edit_data(project, signed_on="2021-04-01"))
    assert response.status_code == 302 and Project.objects.get().signed_on == datetime.date(2021, 4, 1)


def test_the_signing_date_of_a_project_with_arrivals_cannot_be_cleared(staff, unit):
    project = ProjectFactory(lead_unit=unit, status=Status.DRAFT, signed_on=SIGNED)
    ArrivalFactory(project=project, arrived_on=datetime.date(2021, 4, 1))
    response = client_for(staff).post(reverse("project_edit", args=[project.pk]), edit_data(project, signed_on=""))
    assert "该项目已登记到位资金，签约日期不能清空。" in [str(e) for e in response.context["form"].errors["signed_on"]]
    assert Project.objects.get().signed_on == SIGNED
