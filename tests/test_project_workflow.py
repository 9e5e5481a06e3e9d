"""The review workflow: submit, withdraw, approve, return with a reason; POST only, each
action bumps the version, records its author, and ends on the detail page with a message."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from access.roles import Role
from projects import services
from projects.models import Project, Status
from tests.factories import client_for, ProjectFactory, RuleSetFactory, UnitFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    RuleSetFactory(year=2021)
    unit = UnitFactory(name="甲园区")
    return {
        "unit": unit,
        "staff": user_with_role(Role.STAFF, unit, username="staff", first_name="张三"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer", first_name="李审核"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def act(client, name, project, data=None, follow=True):
    return client.post(reverse(name, args=[project.pk]), data or {}, follow=follow)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def fresh(project) -> Project:
    return Project.objects.get(pk=project.pk)


# --- Submit ---------------------------------------------------------------------------------------


def test_staff_submit_a_draft_into_the_review_queue(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.DRAFT)
    response = act(client_for(world["staff"]), "project_submit", project)
    assert response.redirect_chain == [(reverse("project_detail", args=[project.pk]), 302)]
    assert "项目已提交审核，请等待招商局审核。" in messages_of(response)
    project = fresh(project)
    assert project.status == Status.SUBMITTED and project.submitted_at is not None and project.version == 2
    assert list(Project.objects.review_queue()) == [project]
    assert project.history.first().history_user == world["staff"]


def test_submitting_needs_a_signing_date(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.DRAFT, signed_on=None)
    response = act(client_for(world["staff"]), "project_submit", project)
    assert "签约日期必填：项目签约后才能提交审核，请填写签约日期。" in messages_of(response)
    assert fresh(project).status == Status.DRAFT


def test_submitting_names_everything_missing_in_the_words_of_the_form_and_the_import(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.DRAFT, signed_on=None, investor="")
    response = act(client_for(world["staff"]), "project_submit", project)
    assert messages_of(response) == list(Project.REQUIRED_TO_SUBMIT.values())
    assert fresh(project).status == Status.DRAFT


def test_submit_is_post_only(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.DRAFT)
    assert client_for(world["staff"]).get(reverse("project_submit", args=[project.pk])).status_code == 405
    assert fresh(project).status == Status.DRAFT


def test_a_submitted_project_cannot_be_submitted_again(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.SUBMITTED)
    assert act(client_for(world["staff"]), "project_submit", project, follow=False).status_code == 403
    with pytest.raises(ValidationError, match="只有草稿或已退回的项目可以提交审核"):
        services.submit(project=project, user=world["staff"])


# --- Return and resubmit ------------------------------------------------------------------------


def test_a_reviewer_returns_with_a_reason_the_submitter_sees_until_resubmitting(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.SUBMITTED)
    response = act(client_for(world["reviewer"]), "project_return", project, {"reason": "请补充投资协议扫描件"})
    assert "项目已退回，填报单位会在项目页面看到退回原因。" in messages_of(response)
    returned = fresh(project)
    assert (returned.status, returned.return_reason, returned.reviewed_by) == (Status.RETURNED, "请补充投资协议扫描件", world["reviewer"])
    assert returned.reviewed_at is not None and returned.version == 2

    staff = client_for(world["staff"])
    page = staff.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "招商局退回了该项目" in page and "请补充投资协议扫描件" in page and "李审核" in page

    act(staff, "project_submit", project)
    resubmitted = fresh(project)
    assert resubmitted.status == Status.SUBMITTED and resubmitted.return_reason == ""
    page = staff.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "招商局退回了该项目" not in page
    assert "请补充投资协议扫描件" in page  # still in the history


@pytest.mark.parametrize("reason", ["", "   "])
def test_returning_needs_a_reason(world, reason):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.SUBMITTED)
    response = act(client_for(world["reviewer"]), "project_return", project, {"reason": reason}, follow=False)
    assert response.status_code == 200
    assert "退回时必须填写退回原因" in response.content.decode()
    assert fresh(project).status == Status.SUBMITTED


def test_the_service_refuses_a_blank_reason_too(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.SUBMITTED)
    with pytest.raises(ValidationError, match="退回时必须填写退回原因"):
        services.return_for_changes(project=project, user=world["reviewer"], reason=" \n ")


# --- Approve ----------------------------------------------------------------------------------


def test_a_reviewer_approves_a_submitted_project(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.SUBMITTED)
    response = act(client_for(world["reviewer"]), "project_approve", project)
    assert "项目已审核通过，将计入考核。" in messages_of(response)
    approved = fresh(project)
    assert (approved.status, approved.reviewed_by, approved.version) == (Status.APPROVED, world["reviewer"], 2)
    assert approved.reviewed_at is not None


def test_approving_needs_a_signing_date_with_a_clear_message(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.SUBMITTED, signed_on=None)
    response = act(client_for(world["reviewer"]), "project_approve", project)
    assert any("已审核的项目必须有签约日期" in message for message in messages_of(response))
    assert fresh(project).status == Status.SUBMITTED


@pytest.mark.parametrize("status", [Status.DRAFT, Status.APPROVED, Status.RETURNED, Status.WITHDRAWN])
def test_only_a_submitted_project_can_be_reviewed(world, status):
    project = ProjectFactory(lead_unit=world["unit"], status=status)
    reviewer = client_for(world["reviewer"])
    assert act(reviewer, "project_approve", project, follow=False).status_code == 403
    assert act(reviewer, "project_return", project, {"reason": "x"}, follow=False).status_code == 403
    with pytest.raises(ValidationError, match="只有待审核的项目可以审核"):
        services.approve(project=project, user=world["reviewer"])


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_only_reviewers_review(world, role):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.SUBMITTED)
    client = client_for(world[role])
    assert act(client, "project_approve", project, follow=False).status_code == 403
    assert act(client, "project_return", project, {"reason": "x"}, follow=False).status_code == 403
    assert fresh(project).status == Status.SUBMITTED


# --- Withdraw: never deleted ----------------------------------------------------------------------


def test_staff_withdraw_an_unapproved_project_which_is_kept(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.SUBMITTED)
    response = act(client_for(world["staff"]), "project_withdraw", project)
    assert any("项目已撤回" in message for message in messages_of(response))
    withdrawn = fresh(project)
    assert withdrawn.status == Status.WITHDRAWN and withdrawn.version == 2
    page = response.content.decode()
    assert "已撤回" in page and "编辑</a>" not in page


def test_staff_cannot_withdraw_an_approved_project_but_a_reviewer_can(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.APPROVED)
    assert act(client_for(world["staff"]), "project_withdraw", project, follow=False).status_code == 403
    assert act(client_for(world["reviewer"]), "project_withdraw", project, follow=False).status_code == 302
    assert fresh(project).status == Status.WITHDRAWN


def test_withdrawing_twice_is_refused(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.WITHDRAWN)
    assert act(client_for(world["reviewer"]), "project_withdraw", project, follow=False).status_code == 403
    with pytest.raises(ValidationError, match="已经撤回"):
        services.withdraw(project=project, user=world["reviewer"])


def test_the_withdraw_button_has_a_confirm_step(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.DRAFT)
    page = client_for(world["staff"]).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "<summary" in page and "撤回项目…" in page and "确认撤回" in page


# --- Actions and versions: acting on what the user saw ------------------------------------------


def test_an_action_from_a_stale_page_is_refused(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.SUBMITTED, version=3)
    Project.objects.filter(pk=project.pk).update(version=4)  # someone changed it after the page was read
    response = act(client_for(world["reviewer"]), "project_approve", project, {"version": "3"})
    assert any("您的修改未保存" in message and "操作未执行" in message for message in messages_of(response))
    assert fresh(project).status == Status.SUBMITTED


def test_an_action_with_the_current_version_goes_through(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.SUBMITTED, version=3)
    act(client_for(world["reviewer"]), "project_approve", project, {"version": "3"})
    assert fresh(project).status == Status.APPROVED and fresh(project).version == 4


def test_a_workflow_action_makes_an_open_edit_form_stale(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.RETURNED, return_reason="补资料")
    staff = client_for(world["staff"])
    form = staff.get(reverse("project_edit", args=[project.pk])).context["form"]
    act(staff, "project_submit", project)
    data = {
        "code": project.code, "name": "过时的修改", "investor": "", "sector": project.sector, "origin": project.origin,
        "agreement_capital": "1", "signed_on": "2021-03-15", "version": form["version"].value(),
    }
    reviewer = client_for(world["reviewer"])
    response = reviewer.post(reverse("project_edit", args=[project.pk]), {**data, "lead_unit": world["unit"].pk})
    assert response.status_code == 409 and fresh(project).name != "过时的修改"


def test_the_history_records_each_step_with_its_author(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.DRAFT)
    services.submit(project=project, user=world["staff"])
    services.return_for_changes(project=project, user=world["reviewer"], reason="补资料")
    services.submit(project=project, user=world["staff"])
    services.approve(project=project, user=world["reviewer"])
    steps = [(record.status, record.history_user) for record in fresh(project).history.order_by("history_date", "history_id")][1:]
    assert steps == [
        (Status.SUBMITTED, world["staff"]),
        (Status.RETURNED, world["reviewer"]),
        (Status.SUBMITTED, world["staff"]),
        (Status.APPROVED, world["reviewer"]),
    ]
    assert fresh(project).version == 5


def test_no_user_action_deletes_a_project(world):
    project = ProjectFactory(lead_unit=world["unit"], status=Status.DRAFT)
    client = client_for(world["reviewer"])
    for name in ("project_detail", "project_edit", "project_withdraw"):
        client.post(reverse(name, args=[project.pk]))
    assert Project.objects.filter(pk=project.pk).exists()
    assert datetime.date(2021, 3, 15) == fresh(project).signed_on
