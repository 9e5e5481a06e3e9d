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

from targets.models import UnitKind

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
    """Creates projects: a park's or a department's staff (for its unit) and reviewers (for any).
    The staff of a body that is not assessed (其他单位: 区委办公室, 国投集团 …, there for the key
    tasks, domain.md §12) report on their tasks and enter no projects, leads or activities."""
    if reviews(access):
        return True
    return staff_unit_id(access) is not None and access.unit.kind != UnitKind.OTHER


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


# --- Supplementary agreements (补充协议, domain.md §8): entered and verified like arrivals -----------


def can_add_agreement(access: Access, project) -> bool:
    """Staff of the lead unit and reviewers, on an approved project: a supplement needs a counted
    agreement to supplement. Leaders read."""
    return project.status == project.Status.APPROVED and (reviews(access) or leads(access, project))


def can_verify_agreement(access: Access, project, agreement=None) -> bool:
    return reviews(access)


def can_delete_agreement(access: Access, project, agreement=None) -> bool:
    """As for an arrival (can_delete_arrival): staff of the lead unit until a reviewer has verified
    it, reviewers any; nothing on a withdrawn project."""
    return can_delete_arrival(access, project, agreement)


def can_edit_agreement(access: Access, project, agreement=None) -> bool:
    return can_delete_agreement(access, project, agreement)


# --- A project's milestones (注册/开工/投产/达产, domain.md §9) --------------------------------------


def can_edit_milestones(access: Access, project) -> bool:
    """Enters an approved project's milestones (planned and actual dates, evidence): the staff of
    its lead unit, reviewers any approved project. Leaders read. A verified milestone stays open
    to them: changing its date or evidence makes it 待核实 again (landing.services)."""
    approved = project.status == project.Status.APPROVED
    return approved and (reviews(access) or leads(access, project))


def can_verify_milestone(access: Access, project, milestone=None) -> bool:
    """Verifies a milestone's actual date (only verified ones count): reviewers, on an approved
    project, a milestone of that project that has an actual date."""
    if milestone is not None and (milestone.project_id != project.pk or milestone.actual_on is None):
        return False
    return reviews(access) and project.status == project.Status.APPROVED


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


# --- Signing events (集中签约活动, domain.md §9) --------------------------------------------------


def enters_signing_events(access: Access) -> bool:
    """Enters a signing event: reviewers (for any organiser unit) and a unit's staff (for their own
    unit: parks hold ceremonies of their own). Leaders read."""
    return enters_projects(access)


def can_edit_signing_event(access: Access, event) -> bool:
    """Corrects an event (name, date, place, note): reviewers, and the organiser unit's staff."""
    return reviews(access) or is_staff_of(access, event.organiser_id)


def can_link_signing_event(access: Access, project) -> bool:
    """Links a project to the event it was signed at, or unlinks it: reviewers, and the staff of
    the unit that leads it (whoever organised the event); nothing on a withdrawn project."""
    return not _withdrawn(project) and (reviews(access) or leads(access, project))


# --- Key tasks and the special groups' reports (督查调度, domain.md §12) ---------------------------


def sees_task_matrix(access: Access) -> bool:
    """The tasks × units matrix of a quarter: reviewers and leaders."""
    return sees_everything(access)


def can_file_task_report(access: Access, task, report=None) -> bool:
    """Files, corrects or refiles a report on a task: the staff of a unit that leads the task or
    is responsible for it, for their own unit (`report`, when given, is that unit's)."""
    unit_id = staff_unit_id(access)
    if unit_id is None or (report is not None and report.unit_id != unit_id):
        return False
    return task.is_reported_by(unit_id)


def can_return_task_report(access: Access, report) -> bool:
    """退回 with a comment: reviewers, a report that has been filed and not returned yet."""
    return reviews(access) and report.state == report.State.SUBMITTED


def can_write_group_report(access: Access, first_commissioner_unit_id: int | None) -> bool:
    """A special group's quarterly report: the staff of its first commissioner's unit (附件1: the
    first commissioner reports for the group), and reviewers."""
    return reviews(access) or is_staff_of(access, first_commissioner_unit_id)


# --- Landing supervision (落地跟踪, domain.md §9) -------------------------------------------------


def follows_landing(access: Access) -> bool:
    """The 落地跟踪 page: the district for reviewers and leaders, its own unit for a park's or a
    department's staff (a body that is not assessed leads no projects: it has nothing to follow)."""
    return sees_everything(access) or (staff_unit_id(access) is not None and access.unit.kind != UnitKind.OTHER)
