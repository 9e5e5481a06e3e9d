"""Deleting an arrived-capital entry (a correction of the ledger): who may, what stops counting,
the evidence file leaving the storage once the deletion is committed, and the history keeping it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from access.roles import Role
from figures.assessment import assess, explain
from projects import services
from projects.history import project_history
from projects.models import Arrival, Status
from targets import scoring
from tests.factories import (
    ArrivalFactory,
    ProjectFactory,
    RuleSetFactory,
    UnitFactory,
    UnitTargetFactory,
    client_for,
    user_with_role,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
Q2 = scoring.Period(2021, 2)
ARRIVED = scoring.Indicator.ARRIVED_CAPITAL


@pytest.fixture(autouse=True)
def _uploads_in_a_fresh_folder(media):
    return media


@pytest.fixture
def world():
    RuleSetFactory(year=2021)
    lead, partner = UnitFactory(name="甲园区"), UnitFactory(name="乙园区")
    for unit in (lead, partner):
        UnitTargetFactory(unit=unit, year=2021, arrived_capital=Decimal(10), agreement_capital=Decimal(10))
    return {
        "lead": lead,
        "partner": partner,
        "staff": user_with_role(Role.STAFF, lead, username="staff", first_name="张三"),
        "partner_staff": user_with_role(Role.STAFF, partner, username="partner"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer", first_name="李审核"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def entry(project, amount="0.5", *, verified_by=None, **kwargs) -> Arrival:
    """An entry of 2021-06-01, verified by `verified_by` when given."""
    return ArrivalFactory(
        project=project,
        amount=Decimal(amount),
        arrived_on=kwargs.pop("arrived_on", datetime.date(2021, 6, 1)),
        verified=verified_by is not None,
        verified_by=verified_by,
        verified_at=datetime.datetime(2021, 6, 2, tzinfo=datetime.UTC) if verified_by else None,
        **kwargs,
    )


def delete(user, arrival, project=None):
    project = project or arrival.project
    return client_for(user).post(reverse("arrival_delete", args=[project.pk, arrival.pk]))


def with_slip(world) -> Arrival:
    project = ProjectFactory(lead_unit=world["lead"])
    return services.add_arrival(
        project=project,
        user=world["staff"],
        arrived_on=datetime.date(2021, 6, 1),
        amount=Decimal("0.5"),
        evidence=SimpleUploadedFile("回单.pdf", PDF),
    )


# --- Who may delete which entry --------------------------------------------------------------


def test_staff_delete_an_unverified_entry_that_never_counted(world):
    project = ProjectFactory(lead_unit=world["lead"])
    entry(project, "1", arrived_on=datetime.date(2021, 5, 1), verified_by=world["reviewer"])
    wrong = entry(project, "0.5")
    unit_page = reverse("unit_detail", kwargs={"pk": world["lead"].pk}) + "?year=2021&quarter=2"
    assert explain(world["lead"], Q2).indicators[ARRIVED].actual == Decimal("1")  # 待核实: not counted

    client = client_for(world["staff"])
    response = client.post(reverse("arrival_delete", args=[project.pk, wrong.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[project.pk])
    assert "已删除 2021-06-01 到位的 0.50 亿元" in client.get(response["Location"]).content.decode()
    assert list(project.arrivals.values_list("amount", flat=True)) == [Decimal("1")]
    assert explain(world["lead"], Q2).indicators[ARRIVED].actual == Decimal("1")
    ranked = {result.unit.id: result for result in assess(Q2)}
    assert ranked[world["lead"].pk].indicators[ARRIVED].actual == Decimal("1")
    page = client.get(unit_page).context["page"]
    assert next(item for item in page.indicators if item.indicator is ARRIVED).figure.actual == Decimal("1")


def test_staff_may_not_delete_a_verified_entry(world):
    project = ProjectFactory(lead_unit=world["lead"])
    verified = entry(project, verified_by=world["reviewer"])
    assert delete(world["staff"], verified).status_code == 403
    assert Arrival.objects.filter(pk=verified.pk).exists()


def test_a_reviewer_deletes_any_entry_verified_or_not(world):
    project = ProjectFactory(lead_unit=world["lead"])
    verified, unverified = entry(project, verified_by=world["reviewer"]), entry(project, "0.25")
    assert delete(world["reviewer"], verified).status_code == 302
    assert delete(world["reviewer"], unverified).status_code == 302
    assert not project.arrivals.exists()


@pytest.mark.parametrize("role", ["partner_staff", "leader"])
def test_cooperating_staff_and_leaders_may_not_delete(world, role):
    project = ProjectFactory(lead_unit=world["lead"], cooperating=[world["partner"]])
    arrival = entry(project)
    assert delete(world[role], arrival).status_code == 403
    assert Arrival.objects.filter(pk=arrival.pk).exists()


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_nothing_is_deleted_from_a_withdrawn_project(world, role):
    project = ProjectFactory(lead_unit=world["lead"], status=Status.WITHDRAWN)
    arrival = entry(project)
    assert delete(world[role], arrival).status_code == 403
    assert Arrival.objects.filter(pk=arrival.pk).exists()


def test_an_entry_of_another_project_answers_404(world):
    project = ProjectFactory(lead_unit=world["lead"])
    elsewhere = entry(ProjectFactory(lead_unit=world["lead"]))
    assert delete(world["staff"], elsewhere, project=project).status_code == 404
    assert Arrival.objects.filter(pk=elsewhere.pk).exists()


def test_it_answers_405_to_a_get_and_deletes_nothing(world):
    arrival = entry(ProjectFactory(lead_unit=world["lead"]))
    url = reverse("arrival_delete", args=[arrival.project.pk, arrival.pk])
    assert client_for(world["staff"]).get(url).status_code == 405
    assert Arrival.objects.filter(pk=arrival.pk).exists()


def test_an_entry_verified_after_the_permission_check_is_not_deleted(world):
    arrival = entry(ProjectFactory(lead_unit=world["lead"]))
    services.verify_arrival(arrival=arrival, user=world["reviewer"])  # `arrival` is still the unverified copy
    with pytest.raises(ValidationError, match="刚刚被核实"):
        services.delete_arrival(arrival=arrival, user=world["staff"])
    assert Arrival.objects.filter(pk=arrival.pk).exists()


# --- The buttons -------------------------------------------------------------------------------


def delete_buttons(user, project) -> set[int]:
    page = client_for(user).get(reverse("project_detail", args=[project.pk])).content.decode()
    return {arrival.pk for arrival in project.arrivals.all() if reverse("arrival_delete", args=[project.pk, arrival.pk]) in page}


@pytest.mark.parametrize(
    ("status", "role", "deletable"),
    [
        (Status.APPROVED, "staff", {"unverified"}),
        (Status.DRAFT, "staff", {"unverified"}),
        (Status.APPROVED, "reviewer", {"unverified", "verified"}),
        (Status.APPROVED, "partner_staff", set()),
        (Status.APPROVED, "leader", set()),
        (Status.WITHDRAWN, "staff", set()),
        (Status.WITHDRAWN, "reviewer", set()),
    ],
)
def test_the_ledger_offers_delete_only_where_the_user_may(world, status, role, deletable):
    project = ProjectFactory(lead_unit=world["lead"], cooperating=[world["partner"]], status=status)
    entries = {"unverified": entry(project), "verified": entry(project, verified_by=world["reviewer"])}
    assert delete_buttons(world[role], project) == {entries[name].pk for name in deletable}


def test_the_delete_button_asks_for_confirmation_without_javascript(world):
    arrival = entry(ProjectFactory(lead_unit=world["lead"]), note="首笔")
    page = client_for(world["staff"]).get(reverse("project_detail", args=[arrival.project.pk])).content.decode()
    step = page[page.index('<details class="return-form arrival-delete">') :]
    step = step[: step.index("</details>")]
    assert "<summary" in step and "删除" in step and "确认删除</button>" in step
    assert "csrfmiddlewaretoken" in step and "删除 2021-06-01 到位的 0.50 亿元" in step


# --- The evidence file ------------------------------------------------------------------------


def test_the_evidence_file_leaves_the_storage_once_the_deletion_is_committed(
    world, media, django_capture_on_commit_callbacks
):
    arrival = with_slip(world)
    stored = media / arrival.evidence.name
    assert stored.read_bytes() == PDF
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = delete(world["staff"], arrival)
    assert response.status_code == 302 and len(callbacks) == 1
    assert not stored.exists()
    assert not Arrival.objects.filter(pk=arrival.pk).exists()


def test_a_rolled_back_deletion_keeps_the_evidence_file(world, media, django_capture_on_commit_callbacks):
    arrival = with_slip(world)
    stored = media / arrival.evidence.name
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            services.delete_arrival(arrival=arrival, user=world["staff"])
            transaction.set_rollback(True)
    assert callbacks == [] and stored.read_bytes() == PDF
    assert Arrival.objects.filter(pk=arrival.pk).exists()


def test_an_entry_without_evidence_deletes_no_file(world, media, django_capture_on_commit_callbacks):
    arrival = entry(ProjectFactory(lead_unit=world["lead"]))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.delete_arrival(arrival=arrival, user=world["staff"])
    assert callbacks == []


# --- The history ------------------------------------------------------------------------------


def test_the_history_shows_the_deletion_with_its_author_and_the_old_values(world):
    arrival = with_slip(world)
    project = arrival.project
    client = client_for(world["staff"])
    client.post(reverse("arrival_delete", args=[project.pk, arrival.pk]))

    deleted = project_history(project)[0]
    assert (deleted.action, deleted.subject, deleted.who) == ("删除", "到位资金（2021-06-01，0.5 亿元）", "张三")
    record = Arrival.history.filter(id=arrival.pk, history_type="-").get()
    assert record.history_user == world["staff"] and record.evidence_name == "回单.pdf"

    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    history = page[page.index("<h2>变更历史") :]
    row = history[history.index("<tr>", history.index("<tbody>")) : history.index("</tr>", history.index("<tbody>"))]
    assert "张三" in row and "删除到位资金（2021-06-01，0.5 亿元）" in row


def test_a_reviewers_deletion_is_recorded_as_theirs(world):
    project = ProjectFactory(lead_unit=world["lead"])
    arrival = entry(project, verified_by=world["reviewer"])
    delete(world["reviewer"], arrival)
    assert project_history(project)[0].who == "李审核"
