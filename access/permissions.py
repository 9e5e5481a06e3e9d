"""Who may do what: every rule once, as a pure predicate over who the user is (access/roles.py)
and the state of the object (its own fields).

- 单位填报员 (unit staff) enter and submit the projects their unit leads, see the projects it leads
  or cooperates in, keep the ledger of the projects it leads until a reviewer has verified an entry.
- 招商局审核员 and 系统管理员 (reviewers) see everything, review, edit any project not withdrawn,
  verify arrivals, change targets and rules, generate and publish bulletins.
- 区领导 (leader) sees everything and changes nothing.

The views declare what they need with access.decorators (403 when a rule says no; another unit's
object answers 404 before any rule is asked); querysets' `visible_to`, the import and the templates
(`may`, access.context) ask the same predicates. A project's statuses are the project's own
vocabulary (`project.Status`): this layer sits below projects and does not import them.
"""

from __future__ import annotations

from collections.abc import Collection

from .roles import Access, Role

SEEING_EVERYTHING = (Role.ADMINISTRATOR, Role.REVIEWER, Role.LEADER)
REVIEWING = (Role.ADMINISTRATOR, Role.REVIEWER)


# --- Page-level rules: who the user is ------------------------------------------------------


def sees_everything(access: Access) -> bool:
    """Every unit's projects and pages, the review queue: reviewers and leaders."""
    return access.role in SEEING_EVERYTHING


def reviews(access: Access) -> bool:
    """Reviews projects, verifies arrivals, edits targets and rules, generates and publishes bulletins."""
    return access.role in REVIEWING


def staff_unit_id(access: Access) -> int | None:
    """The unit a unit's staff member works for (None for every other role, or staff without a unit)."""
    return access.unit.pk if access.role is Role.STAFF and access.unit is not None else None


def is_staff_of(access: Access, unit_id: int | None) -> bool:
    return unit_id is not None and staff_unit_id(access) == unit_id


def enters_projects(access: Access) -> bool:
    """Creates projects: a unit's staff (for its unit) and reviewers (for any unit)."""
    return reviews(access) or staff_unit_id(access) is not None


def imports(access: Access) -> bool:
    """Imports projects from Excel: whoever enters them (a unit's staff row by row, projects.importing.permissions)."""
    return enters_projects(access)


def sees_unit(access: Access, unit_id: int) -> bool:
    """A unit's page: open to those who see everything, and to the unit's own staff."""
    return sees_everything(access) or is_staff_of(access, unit_id)


def sees_project(access: Access, *, lead_unit_id: int, cooperating_unit_ids: Collection[int]) -> bool:
    """A project: everyone who sees everything; a unit's staff when their unit leads or cooperates
    (ProjectQuerySet.visible_to asks the same in SQL)."""
    if sees_everything(access):
        return True
    unit_id = staff_unit_id(access)
    return unit_id is not None and (unit_id == lead_unit_id or unit_id in cooperating_unit_ids)


# --- One project: who the user is and the project's status ----------------------------------


def leads(access: Access, project) -> bool:
    """The user is staff of the project's lead unit."""
    return is_staff_of(access, project.lead_unit_id)


def _withdrawn(project) -> bool:
    return project.status == project.Status.WITHDRAWN


def can_edit_project(access: Access, project) -> bool:
    """Staff edit their unit's drafts and returned projects; reviewers any project not withdrawn
    (only they change an approved project's counted facts)."""
    if _withdrawn(project):
        return False
    return reviews(access) or (leads(access, project) and project.status in project.EDITABLE_BY_STAFF)


def can_submit(access: Access, project) -> bool:
    return leads(access, project) and project.status in project.EDITABLE_BY_STAFF


def can_withdraw(access: Access, project) -> bool:
    """Staff withdraw what has not been approved yet; reviewers anything not withdrawn."""
    if _withdrawn(project):
        return False
    return reviews(access) or (leads(access, project) and project.status != project.Status.APPROVED)


def can_review(access: Access, project) -> bool:
    return reviews(access) and project.status == project.Status.SUBMITTED


# --- The arrived-capital ledger ---------------------------------------------------------------


def can_add_arrival(access: Access, project) -> bool:
    return not _withdrawn(project) and (reviews(access) or leads(access, project))


def can_verify_arrival(access: Access, project, arrival=None) -> bool:
    return reviews(access)


def can_delete_arrival(access: Access, project, arrival=None) -> bool:
    """A correction of the ledger: staff delete (or edit) their unit's entries until a reviewer has
    verified them; reviewers any entry. Nothing on a withdrawn project (kept as it was).
    Without `arrival`: whether the user may delete an unverified entry of this project."""
    if _withdrawn(project) or (arrival is not None and arrival.project_id != project.pk):
        return False
    verified = arrival is not None and arrival.verified
    return reviews(access) or (leads(access, project) and not verified)


def can_edit_arrival(access: Access, project, arrival=None) -> bool:
    """Correcting an entry (date, amount, note, evidence): whoever may delete it (domain.md §7)."""
    return can_delete_arrival(access, project, arrival)


# --- Target enterprises and the industry-chain tree (domain.md §10) ----------------------------


def adds_enterprises(access: Access) -> bool:
    """Adds a target enterprise to the library: whoever enters projects (a unit's staff, reviewers)."""
    return enters_projects(access)


def can_edit_enterprise(access: Access, enterprise) -> bool:
    """Reviewers edit any enterprise; a unit's staff those their unit added. Leaders read."""
    return reviews(access) or is_staff_of(access, enterprise.created_by_unit_id)


def edits_chains(access: Access) -> bool:
    """Adds, renames and deactivates the nodes of the chain tree: reviewers."""
    return reviews(access)


# --- The activity ledger (招商活动台账, domain.md §10) ----------------------------------------------


def records_activities(access: Access) -> bool:
    """Records an activity: a unit's staff (for its unit) and reviewers (for any unit)."""
    return enters_projects(access)


def can_record_activity_for(access: Access, lead) -> bool:
    """Records an activity for a lead: whoever may edit the lead (its owner unit's staff,
    reviewers). A special group's landing units follow the lead and read its activities; its
    owner keeps the ledger that moves its last-activity date."""
    return records_activities(access) and can_edit_lead(access, lead)


def can_edit_activity(access: Access, activity) -> bool:
    """Corrects or deletes an activity: reviewers, and the staff of the unit that held it (a
    landing unit's staff who see it through a lead read only). Leaders read."""
    return reviews(access) or is_staff_of(access, activity.unit_id)

# --- Bulletins ---------------------------------------------------------------------------------


def sees_drafts(access: Access) -> bool:
    """A draft bulletin is the reviewers' alone; everyone sees what has been published."""
    return reviews(access)


def can_publish(access: Access, bulletin) -> bool:
    """Publishing a draft (it never changes afterwards): reviewers."""
    return reviews(access)


# --- The Excel import --------------------------------------------------------------------------


def acts_on_import(access: Access, batch) -> bool:
    """An upload is its uploader's alone (another's answers 404); they preview and confirm it while
    they may import."""
    return imports(access)


# --- Leads (招商线索, domain.md §10): the lead's own vocabulary (`lead.Stage`) ---------------------


def sees_lead(access: Access, *, owner_unit_id: int, group_unit_ids: Collection[int]) -> bool:
    """A lead: everyone who sees everything; a unit's staff when their unit owns it or works in its
    special group, as a landing unit or a commissioner's unit (LeadQuerySet.visible_to asks the
    same in SQL)."""
    if sees_everything(access):
        return True
    unit_id = staff_unit_id(access)
    return unit_id is not None and (unit_id == owner_unit_id or unit_id in group_unit_ids)


def enters_leads(access: Access) -> bool:
    """Creates leads: a unit's staff (for its unit) and reviewers (for any unit)."""
    return enters_projects(access)


def can_edit_lead(access: Access, lead) -> bool:
    """Edits a lead and moves it between stages: the owner unit's staff and reviewers; leaders
    never, nor the staff of a group's landing units (they follow it, the owner keeps it)."""
    return reviews(access) or is_staff_of(access, lead.owner_unit_id)


def can_convert_lead(access: Access, lead) -> bool:
    """转为签约项目: whoever may edit the lead and enter projects for its owner unit, once, from an
    open or paused lead."""
    convertible = lead.project_id is None and lead.stage in lead.CONVERTIBLE_STAGES
    return convertible and can_edit_lead(access, lead) and enters_projects(access)
