"""The rules of access/permissions.py as pure functions: who the user is and the object's state,
no database. The personas: the lead unit's own staff, another unit's staff, a reviewer, a leader
(and a signed-in user without a role). tests/test_access_matrix.py checks every URL keeps them."""

from types import SimpleNamespace

import pytest

from access import permissions
from access.roles import Role
from projects.models import Arrival, Project, Status

OWN_UNIT, OTHER_UNIT = 1, 2


def persona(role: Role | None, unit_id: int | None = None):
    return SimpleNamespace(role=role, unit=SimpleNamespace(pk=unit_id, kind="park") if unit_id else None)


OWN = persona(Role.STAFF, OWN_UNIT)
OTHER = persona(Role.STAFF, OTHER_UNIT)
REVIEWER = persona(Role.REVIEWER)
ADMINISTRATOR = persona(Role.ADMINISTRATOR)
LEADER = persona(Role.LEADER)
NOBODY = persona(None)
STAFF_WITHOUT_UNIT = persona(Role.STAFF)


def project(status: Status) -> Project:
    return Project(pk=10, status=status, lead_unit_id=OWN_UNIT)


def arrival(*, verified: bool, project_id: int = 10) -> Arrival:
    return Arrival(project_id=project_id, verified=verified)


# --- Page-level rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, reviews, sees_everything, enters_projects",
    [
        (OWN, False, False, True),
        (OTHER, False, False, True),
        (REVIEWER, True, True, True),
        (ADMINISTRATOR, True, True, True),
        (LEADER, False, True, False),
        (NOBODY, False, False, False),
        (STAFF_WITHOUT_UNIT, False, False, False),
    ],
)
def test_page_rules_follow_the_role(who, reviews, sees_everything, enters_projects):
    assert permissions.reviews(who) is reviews
    assert permissions.sees_everything(who) is sees_everything
    assert permissions.enters_projects(who) is enters_projects
    assert permissions.imports(who) is enters_projects


def test_a_unit_page_is_open_to_its_own_staff_and_to_those_who_see_everything():
    assert permissions.sees_unit(OWN, OWN_UNIT)
    assert not permissions.sees_unit(OTHER, OWN_UNIT)
    assert permissions.sees_unit(REVIEWER, OWN_UNIT)
    assert permissions.sees_unit(LEADER, OWN_UNIT)
    assert not permissions.sees_unit(NOBODY, OWN_UNIT)


def test_staff_see_the_projects_their_unit_leads_or_cooperates_in():
    assert permissions.sees_project(OWN, lead_unit_id=OWN_UNIT, cooperating_unit_ids=())
    assert not permissions.sees_project(OTHER, lead_unit_id=OWN_UNIT, cooperating_unit_ids=())
    assert permissions.sees_project(OTHER, lead_unit_id=OWN_UNIT, cooperating_unit_ids={OTHER_UNIT})
    assert permissions.sees_project(LEADER, lead_unit_id=OWN_UNIT, cooperating_unit_ids=())
    assert not permissions.sees_project(STAFF_WITHOUT_UNIT, lead_unit_id=OWN_UNIT, cooperating_unit_ids=())


def test_staff_of_no_unit_is_staff_of_nothing():
    assert not permissions.is_staff_of(STAFF_WITHOUT_UNIT, None)
    assert not permissions.is_staff_of(REVIEWER, None)


# --- One project ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, own, reviewer",
    [
        (Status.DRAFT, True, True),
        (Status.RETURNED, True, True),
        (Status.SUBMITTED, False, True),
        (Status.APPROVED, False, True),
        (Status.WITHDRAWN, False, False),
    ],
)
def test_staff_edit_their_drafts_and_returned_projects_reviewers_anything_not_withdrawn(status, own, reviewer):
    assert permissions.can_edit_project(OWN, project(status)) is own
    assert permissions.can_edit_project(REVIEWER, project(status)) is reviewer
    assert not permissions.can_edit_project(OTHER, project(status))
    assert not permissions.can_edit_project(LEADER, project(status))


def test_only_the_lead_units_staff_submit_and_only_what_they_may_edit():
    assert permissions.can_submit(OWN, project(Status.DRAFT))
    assert permissions.can_submit(OWN, project(Status.RETURNED))
    assert not permissions.can_submit(OWN, project(Status.SUBMITTED))
    assert not permissions.can_submit(OTHER, project(Status.DRAFT))
    assert not permissions.can_submit(REVIEWER, project(Status.DRAFT))  # a reviewer's entry goes straight to the queue


def test_staff_withdraw_what_is_not_approved_reviewers_anything_not_withdrawn():
    assert permissions.can_withdraw(OWN, project(Status.SUBMITTED))
    assert not permissions.can_withdraw(OWN, project(Status.APPROVED))
    assert permissions.can_withdraw(REVIEWER, project(Status.APPROVED))
    assert not permissions.can_withdraw(REVIEWER, project(Status.WITHDRAWN))
    assert not permissions.can_withdraw(OTHER, project(Status.DRAFT))
    assert not permissions.can_withdraw(LEADER, project(Status.DRAFT))


def test_reviewers_review_what_is_submitted():
    assert permissions.can_review(REVIEWER, project(Status.SUBMITTED))
    assert permissions.can_review(ADMINISTRATOR, project(Status.SUBMITTED))
    assert not permissions.can_review(REVIEWER, project(Status.DRAFT))
    assert not permissions.can_review(LEADER, project(Status.SUBMITTED))
    assert not permissions.can_review(OWN, project(Status.SUBMITTED))


# --- The ledger -------------------------------------------------------------------------------


def test_the_lead_units_staff_and_reviewers_add_arrivals_until_the_project_is_withdrawn():
    assert permissions.can_add_arrival(OWN, project(Status.APPROVED))
    assert permissions.can_add_arrival(REVIEWER, project(Status.DRAFT))
    assert not permissions.can_add_arrival(OWN, project(Status.WITHDRAWN))
    assert not permissions.can_add_arrival(OTHER, project(Status.APPROVED))
    assert not permissions.can_add_arrival(LEADER, project(Status.APPROVED))


def test_only_reviewers_verify_arrivals():
    assert permissions.can_verify_arrival(REVIEWER, project(Status.APPROVED))
    assert not permissions.can_verify_arrival(OWN, project(Status.APPROVED))
    assert not permissions.can_verify_arrival(LEADER, project(Status.APPROVED))


def test_staff_correct_their_entries_until_verified_reviewers_any_entry():
    approved = project(Status.APPROVED)
    unverified, verified = arrival(verified=False), arrival(verified=True)
    for rule in (permissions.can_delete_arrival, permissions.can_edit_arrival):
        assert rule(OWN, approved, unverified)
        assert not rule(OWN, approved, verified)
        assert rule(OWN, approved)  # an unverified entry of the project
        assert rule(REVIEWER, approved, verified)
        assert not rule(OTHER, approved, unverified)
        assert not rule(LEADER, approved, unverified)


def test_no_correction_on_a_withdrawn_project_or_with_another_projects_entry():
    assert not permissions.can_delete_arrival(REVIEWER, project(Status.WITHDRAWN), arrival(verified=False))
    assert not permissions.can_delete_arrival(REVIEWER, project(Status.APPROVED), arrival(verified=False, project_id=11))


# --- Bulletins and imports ----------------------------------------------------------------------


def test_reviewers_see_drafts_and_publish_them():
    assert permissions.sees_drafts(REVIEWER) and permissions.can_publish(REVIEWER, None)
    for who in (OWN, LEADER):
        assert not permissions.sees_drafts(who)
        assert not permissions.can_publish(who, None)


def test_an_upload_is_acted_on_by_whoever_may_import():
    assert permissions.acts_on_import(OWN, None)
    assert permissions.acts_on_import(REVIEWER, None)
    assert not permissions.acts_on_import(LEADER, None)
