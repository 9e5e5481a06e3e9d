"""What a project needs before it goes to review, said once (Project.submission_problems) and asked by the
submit button, the form's 「保存并提交」, a reviewer's entry and the import: 投资方 and 签约日期, a 协议资金
above 0, and 「金额已核对」 ticked for an amount above the lead unit's whole-year target or above 100 亿元."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from access.roles import Role
from projects import services
from projects.importing.columns import PROJECTS
from projects.models import Origin, Project, Status
from targets.models import Organisation
from tests.factories import ProjectFactory, UnitFactory, UnitTargetFactory, client_for, user_with_role
from tests.test_project_form import edit_data, errors_of, form_data

pytestmark = pytest.mark.django_db

OVER_TARGET = "协议资金 150.00 亿元超过牵头单位2021年全年协议资金目标 110.00 亿元。"


@pytest.fixture
def units():
    return {"a": UnitFactory(name="甲园区"), "b": UnitFactory(name="乙园区")}


@pytest.fixture
def staff(units):
    return user_with_role(Role.STAFF, units["a"], username="staff_a")


@pytest.fixture
def reviewer():
    return user_with_role(Role.REVIEWER, username="reviewer")


@pytest.fixture
def target(units):
    return UnitTargetFactory(unit=units["a"], year=2021, agreement_capital=Decimal(110))


def save_and_submit(client, url, **overrides):
    return client.post(url, {**form_data(**overrides), "submit": "1"})


# --- The rule itself ---------------------------------------------------------------------------------------


def test_a_draft_may_lack_the_investor_and_signing_date_but_a_submission_may_not(units):
    draft = Project(lead_unit=units["a"], investor="", signed_on=None, agreement_capital=Decimal(1))
    assert draft.missing_to_submit() == Project.REQUIRED_TO_SUBMIT
    assert set(Project.REQUIRED_TO_SUBMIT) == {"investor", "signed_on"}
    complete = Project(lead_unit=units["a"], investor="某公司", signed_on=datetime.date(2021, 3, 1), agreement_capital=Decimal(1))
    assert complete.submission_problems(target=None) == {}


@pytest.mark.parametrize(
    ("amount", "target", "needs_a_look"),
    [("60", "60", False), ("60.0001", "60", True), ("100", None, False), ("100.0001", None, True), ("120", "160", True)],
)
def test_an_amount_above_the_whole_year_target_or_100_yi_needs_a_tick(units, amount, target, needs_a_look):
    project = Project(lead_unit=units["a"], investor="某公司", signed_on=datetime.date(2021, 3, 1), agreement_capital=Decimal(amount))
    target = None if target is None else Decimal(target)
    assert bool(project.submission_problems(target=target)) is needs_a_look
    project.confirmed_amount = Decimal(amount)
    assert project.submission_problems(target=target) == {}


def test_a_changed_amount_is_no_longer_confirmed(units):
    project = ProjectFactory(lead_unit=units["a"], agreement_capital=Decimal(150), confirmed_amount=Decimal(150))
    assert project.amount_confirmed
    Project.objects.filter(pk=project.pk).update(agreement_capital=Decimal(160))
    project.refresh_from_db()
    assert not project.amount_confirmed


# --- 保存并提交 --------------------------------------------------------------------------------------------


def test_save_and_submit_saves_and_submits_in_one_step(staff):
    response = save_and_submit(client_for(staff), reverse("project_create"))
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[project.pk])
    assert project.status == Status.SUBMITTED and project.submitted_at is not None
    assert list(Project.objects.review_queue()) == [project]


def test_save_and_submit_without_what_a_submission_needs_keeps_a_draft_and_says_what_is_missing(staff):
    client = client_for(staff)
    response = save_and_submit(client, reverse("project_create"), investor="", signed_on="")
    project = Project.objects.get()
    assert project.status == Status.DRAFT and project.name == "新材料产业园"
    assert response["Location"] == f"{reverse('project_edit', args=[project.pk])}?missing=1"
    page = client.get(response["Location"])
    assert errors_of(page, "investor") == [Project.REQUIRED_TO_SUBMIT["investor"]]
    assert errors_of(page, "signed_on") == [Project.REQUIRED_TO_SUBMIT["signed_on"]]
    html = page.content.decode()
    assert "已保存为草稿" in html and "还不能提交审核" in html
    assert f'<p class="error" role="alert">{Project.REQUIRED_TO_SUBMIT["investor"]}</p>' in html


def test_a_plain_save_keeps_a_draft_without_the_facts_a_submission_needs(staff):
    response = client_for(staff).post(reverse("project_create"), form_data(investor="", signed_on=""))
    assert response.status_code == 302 and Project.objects.get().status == Status.DRAFT


def test_save_and_submit_on_a_returned_project_resubmits_it(staff, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.RETURNED, return_reason="请补充协议")
    url = reverse("project_edit", args=[project.pk])
    response = client_for(staff).post(url, {**edit_data(project, name="补充后的项目"), "submit": "1"})
    project.refresh_from_db()
    assert response.status_code == 302
    assert (project.name, project.status, project.return_reason) == ("补充后的项目", Status.SUBMITTED, "")


def test_save_and_submit_on_an_edit_lacking_facts_saves_the_edit_only(staff, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.DRAFT, signed_on=None)
    url = reverse("project_edit", args=[project.pk])
    response = client_for(staff).post(url, {**edit_data(project, name="改了名", signed_on=""), "submit": "1"})
    project.refresh_from_db()
    assert response["Location"] == f"{url}?missing=1"
    assert (project.name, project.status, project.version) == ("改了名", Status.DRAFT, 2)


def test_the_button_is_offered_to_staff_not_to_reviewers(staff, reviewer, units):
    assert "保存并提交" in client_for(staff).get(reverse("project_create")).content.decode()
    assert "保存并提交" not in client_for(reviewer).get(reverse("project_create")).content.decode()
    submitted = ProjectFactory(lead_unit=units["a"], status=Status.SUBMITTED)
    assert "保存并提交" not in client_for(reviewer).get(reverse("project_edit", args=[submitted.pk])).content.decode()


def test_a_reviewers_entry_goes_to_review_so_it_must_meet_the_rule(reviewer, units):
    response = client_for(reviewer).post(reverse("project_create"), form_data(lead_unit=units["a"].pk, investor=""))
    assert response.status_code == 200 and errors_of(response, "investor") == [Project.REQUIRED_TO_SUBMIT["investor"]]
    assert not Project.objects.exists()


def test_a_project_in_review_keeps_what_a_submission_needs(reviewer, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.APPROVED)
    url = reverse("project_edit", args=[project.pk])
    response = client_for(reviewer).post(url, edit_data(project, lead_unit=units["a"].pk, investor=""))
    assert errors_of(response, "investor") == [Project.REQUIRED_TO_SUBMIT["investor"]]
    assert Project.objects.get().investor == "测试投资有限公司"


# --- 金额已核对 ----------------------------------------------------------------------------------------------


def test_an_amount_above_the_units_target_is_not_submitted_without_the_tick_and_the_form_says_why(staff, target):
    client = client_for(staff)
    response = save_and_submit(client, reverse("project_create"), agreement_capital="150")
    project = Project.objects.get()
    assert project.status == Status.DRAFT and not project.amount_confirmed
    page = client.get(response["Location"])
    [message] = errors_of(page, "confirm_amount")
    assert message.startswith(OVER_TARGET) and "请核对金额和单位（亿元，不是万元或元）后勾选「金额已核对」" in message

    url = reverse("project_edit", args=[project.pk])
    client.post(url, {**edit_data(project, agreement_capital="150"), "confirm_amount": "on", "submit": "1"})
    project.refresh_from_db()
    assert project.status == Status.SUBMITTED and project.confirmed_amount == Decimal(150) and project.amount_confirmed


def test_an_amount_above_100_yi_needs_the_tick_without_any_target(staff):
    save_and_submit(client_for(staff), reverse("project_create"), agreement_capital="100.5")
    assert Project.objects.get().status == Status.DRAFT
    save_and_submit(client_for(staff), reverse("project_create"), name="乙", agreement_capital="100.5", confirm_amount="on")
    assert Project.objects.get(name="乙").status == Status.SUBMITTED


def test_the_submit_button_on_the_project_page_asks_for_the_tick_too(staff, units, target):
    project = ProjectFactory(lead_unit=units["a"], status=Status.DRAFT, agreement_capital=Decimal(150))
    with pytest.raises(services.IncompleteSubmission) as refused:
        services.submit(project=project, user=staff)
    assert refused.value.problems["confirm_amount"].startswith(OVER_TARGET)
    assert Project.objects.get().status == Status.DRAFT


def test_the_preview_says_what_submitting_would_still_need(staff, target):
    response = client_for(staff).post(reverse("project_create"), {**form_data(agreement_capital="150", investor=""), "preview": "1"})
    page = response.content.decode()
    assert "提交审核前还须" in page and OVER_TARGET in page and Project.REQUIRED_TO_SUBMIT["investor"] in page
    assert not Project.objects.exists()


def test_the_review_sees_whether_the_amount_was_checked(reviewer, units, target):
    checked = ProjectFactory(lead_unit=units["a"], status=Status.SUBMITTED, agreement_capital=Decimal(150), confirmed_amount=Decimal(150))
    unchecked = ProjectFactory(lead_unit=units["a"], status=Status.SUBMITTED, agreement_capital=Decimal(150))
    client = client_for(reviewer)
    checked_page = client.get(reverse("project_detail", args=[checked.pk])).content.decode()
    unchecked_page = client.get(reverse("project_detail", args=[unchecked.pk])).content.decode()
    assert OVER_TARGET in checked_page and "已勾选「金额已核对」" in checked_page
    assert OVER_TARGET in unchecked_page and "尚未核对" in unchecked_page


def test_the_edit_form_shows_the_tick_only_for_the_amount_it_confirmed(staff, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.DRAFT, agreement_capital=Decimal(150), confirmed_amount=Decimal(150))
    url = reverse("project_edit", args=[project.pk])
    assert client_for(staff).get(url).context["form"]["confirm_amount"].value() is True
    client_for(staff).post(url, edit_data(project, agreement_capital="160"))  # the tick taken off with the change
    project.refresh_from_db()
    assert project.agreement_capital == Decimal(160) and not project.amount_confirmed
    assert client_for(staff).get(url).context["form"]["confirm_amount"].value() is False


# --- The origins explained as the import template does ------------------------------------------------------


def test_the_form_explains_the_origins_in_the_words_of_the_import_template(staff):
    page = client_for(staff).get(reverse("project_create")).content.decode()
    organisation = Organisation.current()
    explained = organisation.origin_help()
    assert PROJECTS.columns[[c.field for c in PROJECTS.columns].index("origin")].help_for(organisation) == explained
    assert explained in page
    for origin in Origin:
        assert origin.label in explained
