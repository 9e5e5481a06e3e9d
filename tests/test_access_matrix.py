"""Every URL × every role: the answer each gets (issue 3's permission matrix).

Another unit's object answers 404 (nothing leaks), a forbidden action 403, an anonymous
visitor goes to the login page, state changes only on POST. Each role's request runs in
a rolled-back transaction, so every role meets the same world. A URL without a row fails
`test_every_url_has_a_row`.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from access.roles import Role
from projects.models import ImportBatch, Status
from reports import services
from reports.models import GenerationJob
from targets.models import UnitKind
from tests.factories import (
    ActivityFactory,
    ArrivalFactory,
    ChainNodeFactory,
    KeyTaskFactory,
    LeadFactory,
    MilestoneFactory,
    ProjectFactory,
    RuleSetFactory,
    SpecialGroupFactory,
    SupplementaryAgreementFactory,
    SigningEventFactory,
    SigningEventProjectFactory,
    TargetEnterpriseFactory,
    TaskReportFactory,
    UnitFactory,
    UnitTargetFactory,
    seat_commissioner,
    user_with_role,
)

ROLES = ["anonymous", "own", "other", "reviewer", "leader"]
LOGIN = "login"  # a redirect to the login page


@dataclass
class Row:
    name: str
    method: str
    expected: dict[str, object]  # role → status code or LOGIN
    kwargs: Callable[[dict], dict] = lambda w: {}
    data: Callable[[dict], dict] = lambda w: {}
    note: str = ""
    query: str = ""


def everyone(code, anonymous=LOGIN):
    return {"anonymous": anonymous, "own": code, "other": code, "reviewer": code, "leader": code}


def answers(own, other, reviewer, leader, anonymous=LOGIN):
    return {"anonymous": anonymous, "own": own, "other": other, "reviewer": reviewer, "leader": leader}


def project(key):
    return lambda w: {"pk": w[key].pk}


def arrival(w):
    return {"pk": w["approved"].pk, "arrival_pk": w["arrival"].pk}


def agreement(key):
    return lambda w: {"pk": w["approved"].pk, "agreement_pk": w[key].pk}


def bulletin(key):
    return lambda w: {"pk": w[key].pk}


def lead(key):
    return lambda w: {"pk": w[key].pk}


def activity(key):
    return lambda w: {"pk": w[key].pk}


def signing_event(key):
    return lambda w: {"pk": w[key].pk}


def event_link(key):
    return lambda w: {"pk": w["signing_event"].pk, "project_pk": w[key].pk}


def milestone(w):
    return {"pk": w["approved"].pk, "milestone_pk": w["milestone"].pk}


def verified_arrival(w):
    return {"pk": w["approved"].pk, "arrival_pk": w["verified_arrival"].pk}


ROWS = [
    # --- accounts
    Row("login", "GET", everyone(200, anonymous=200)),
    Row("logout", "POST", everyone(LOGIN)),
    Row("password_change", "GET", everyone(200)),
    Row("password_change", "POST", everyone(200), note="empty form: errors shown"),
    Row("password_change_done", "GET", everyone(200)),
    Row("favicon", "GET", everyone(302, anonymous=302)),
    # --- dashboard, unit page, targets
    Row("dashboard", "GET", everyone(200)),
    Row("dashboard", "GET", everyone(200), query="?year=2021&quarter=2"),
    Row("dashboard_export", "GET", everyone(200), note="as the dashboard: every signed-in role"),
    Row("dashboard_export", "GET", everyone(200), query="?year=2021&quarter=2"),
    Row("unit_detail", "GET", answers(200, 404, 200, 200), lambda w: {"pk": w["unit_a"].pk}),
    Row("unit_detail", "GET", answers(404, 404, 200, 200), lambda w: {"pk": w["unit_c"].pk}, note="a unit it cooperates with"),
    Row("target_table_latest", "GET", everyone(302)),
    Row("target_table", "GET", everyone(200), lambda w: {"year": 2021}),
    Row("target_edit", "GET", answers(403, 403, 200, 403), lambda w: {"year": 2021}),
    Row("target_edit", "POST", answers(403, 403, 200, 403), lambda w: {"year": 2021}, note="empty form: errors"),
    Row("rules_edit", "GET", answers(403, 403, 200, 403), lambda w: {"year": 2021}),
    Row("rules_edit", "POST", answers(403, 403, 200, 403), lambda w: {"year": 2021}, note="empty form: errors"),
    # --- projects: lists
    Row("project_list", "GET", everyone(200)),
    Row("project_export", "GET", everyone(200)),
    Row("review_queue", "GET", answers(403, 403, 200, 200)),
    Row("review_approve_selected", "GET", everyone(405), note="POST only"),
    Row(
        "review_approve_selected",
        "POST",
        answers(403, 403, 302, 403),
        data=lambda w: {"project": f"{w['submitted'].pk}:{w['submitted'].version}"},
        note="reviewers only",
    ),
    Row("verification_queue", "GET", answers(403, 403, 200, 403)),
    Row("verification_queue", "GET", answers(403, 403, 200, 403), query="?page=2", note="a page beyond the last: the last"),
    Row("verification_queue", "POST", everyone(405), note="GET only"),
    # --- projects: one project
    Row("project_create", "GET", answers(200, 200, 200, 403)),
    Row("project_create", "POST", answers(200, 200, 200, 403), note="empty form: errors"),
    Row("project_detail", "GET", answers(200, 404, 200, 200), project("draft")),
    Row("project_detail", "GET", answers(200, 404, 200, 200), project("cooperating"), note="own unit cooperates"),
    Row("project_edit", "GET", answers(200, 404, 200, 403), project("draft")),
    Row("project_edit", "POST", answers(200, 404, 200, 403), project("draft"), note="empty form: errors"),
    Row("project_edit", "GET", answers(403, 404, 200, 403), project("approved"), note="approved: reviewers only"),
    Row("project_edit", "GET", answers(403, 404, 200, 403), project("cooperating"), note="cooperating: read-only"),
    Row("project_submit", "GET", answers(405, 404, 405, 405), project("draft"), note="POST only"),
    Row("project_submit", "POST", answers(302, 404, 403, 403), project("draft")),
    Row("project_submit", "POST", answers(403, 404, 403, 403), project("cooperating")),
    Row("project_withdraw", "POST", answers(302, 404, 302, 403), project("draft")),
    Row("project_withdraw", "POST", answers(403, 404, 302, 403), project("approved")),
    Row("project_approve", "POST", answers(403, 404, 302, 403), project("submitted")),
    Row("project_return", "POST", answers(403, 404, 302, 403), project("submitted"), lambda w: {"reason": "资料不全"}),
    Row(
        "arrival_add",
        "POST",
        answers(302, 404, 302, 403),
        project("approved"),
        lambda w: {"arrived_on": "2021-06-30", "amount": "0.5", "note": "二期到位"},
    ),
    Row(
        "arrival_add",
        "POST",
        answers(403, 404, 302, 403),
        project("cooperating"),
        lambda w: {"arrived_on": "2021-06-30", "amount": "0.5"},
    ),
    Row("arrival_verify", "POST", answers(403, 404, 302, 403), arrival),
    Row("arrival_evidence", "GET", answers(200, 404, 200, 200), arrival),
    Row("arrival_evidence", "GET", answers(200, 404, 200, 200), arrival, query="?inline=1", note="shown in the browser"),
    Row("arrival_edit", "GET", answers(200, 404, 200, 403), arrival, note="unverified"),
    Row(
        "arrival_edit",
        "POST",
        answers(302, 404, 302, 403),
        arrival,
        lambda w: {"arrived_on": "2021-05-03", "amount": "0.4", "note": "更正"},
        note="unverified",
    ),
    Row("arrival_edit", "GET", answers(403, 404, 200, 403), verified_arrival, note="verified: locked for staff"),
    Row(
        "arrival_edit",
        "POST",
        answers(403, 404, 302, 403),
        verified_arrival,
        lambda w: {"arrived_on": "2021-05-03", "amount": "0.4"},
        note="verified: locked for staff",
    ),
    Row("arrival_delete", "GET", answers(405, 404, 405, 405), arrival, note="POST only"),
    Row("arrival_delete", "POST", answers(302, 404, 302, 403), arrival, note="unverified"),
    Row("arrival_delete", "POST", answers(403, 404, 302, 403), verified_arrival, note="verified: reviewers only"),
    # --- landing: a project's milestones, on approved projects; staff of the lead unit and reviewers
    Row("milestone_edit", "GET", answers(200, 404, 200, 403), project("approved")),
    Row("milestone_edit", "POST", answers(302, 404, 302, 403), project("approved"), lambda w: {"started_actual_on": "2021-06-10"}),
    Row("milestone_edit", "POST", answers(200, 404, 200, 403), project("approved"), lambda w: {"producing_actual_on": "2021-06-01"}, note="before 开工: errors"),
    Row("milestone_edit", "GET", answers(403, 404, 403, 403), project("draft"), note="not approved: nobody"),
    Row("milestone_edit", "GET", answers(403, 404, 200, 403), project("cooperating"), note="cooperating: read-only"),
    Row("milestone_verify", "GET", answers(405, 404, 405, 405), milestone, note="POST only"),
    Row("milestone_verify", "POST", answers(403, 404, 302, 403), milestone),
    Row("milestone_evidence", "GET", answers(200, 404, 200, 200), milestone),
    Row("milestone_evidence", "GET", answers(200, 404, 200, 200), milestone, query="?inline=1", note="in the browser"),
    # --- projects: supplementary agreements (补充协议), as the ledger, on approved projects only
    Row("agreement_add", "GET", answers(200, 404, 200, 403), project("approved")),
    Row(
        "agreement_add",
        "POST",
        answers(302, 404, 302, 403),
        project("approved"),
        lambda w: {"signed_on": "2021-06-30", "amount": "-0.2", "note": "减资"},
    ),
    Row("agreement_add", "POST", answers(403, 404, 403, 403), project("draft"), note="not approved: nobody"),
    Row("agreement_add", "POST", answers(403, 404, 302, 403), project("cooperating"), lambda w: {"signed_on": "2021-06-30", "amount": "2"}),
    Row("agreement_verify", "GET", answers(405, 404, 405, 405), agreement("agreement"), note="POST only"),
    Row("agreement_verify", "POST", answers(403, 404, 302, 403), agreement("agreement")),
    Row("agreement_evidence", "GET", answers(200, 404, 200, 200), agreement("agreement")),
    Row("agreement_evidence", "GET", answers(200, 404, 200, 200), agreement("agreement"), query="?inline=1", note="in the browser"),
    Row("agreement_edit", "GET", answers(200, 404, 200, 403), agreement("agreement"), note="unverified"),
    Row(
        "agreement_edit",
        "POST",
        answers(302, 404, 302, 403),
        agreement("agreement"),
        lambda w: {"signed_on": "2021-05-03", "amount": "0.4", "note": "更正"},
        note="unverified",
    ),
    Row("agreement_edit", "GET", answers(403, 404, 200, 403), agreement("verified_agreement"), note="verified: locked for staff"),
    Row(
        "agreement_edit",
        "POST",
        answers(403, 404, 302, 403),
        agreement("verified_agreement"),
        lambda w: {"signed_on": "2021-05-03", "amount": "0.4"},
        note="verified: locked for staff",
    ),
    Row("agreement_delete", "GET", answers(405, 404, 405, 405), agreement("agreement"), note="POST only"),
    Row("agreement_delete", "POST", answers(302, 404, 302, 403), agreement("agreement"), note="unverified"),
    Row("agreement_delete", "POST", answers(403, 404, 302, 403), agreement("verified_agreement"), note="verified: reviewers only"),
    # --- import
    Row("import_upload", "GET", answers(200, 200, 200, 403)),
    Row("import_upload", "POST", answers(200, 200, 200, 403), note="no file: error shown"),
    Row("import_template", "GET", everyone(200)),
    Row("import_preview", "GET", answers(200, 404, 404, 404), lambda w: {"pk": w["batch"].pk}, note="the uploader's own"),
    Row("import_confirm", "POST", answers(302, 404, 404, 404), lambda w: {"pk": w["batch"].pk}),
    # --- special groups
    Row("group_list", "GET", everyone(200)),
    Row("group_detail", "GET", everyone(200), lambda w: {"pk": w["group"].pk}),
    # --- bulletins: drafts are the reviewers' alone, published ones everyone's
    Row("report_list", "GET", everyone(200)),
    Row("bulletin_generate", "GET", everyone(405), note="POST only"),
    Row("bulletin_generate", "POST", answers(403, 403, 302, 403), data=lambda w: {"year": 2021, "quarter": 3}),
    Row("job_status", "GET", answers(403, 403, 200, 403), lambda w: {"pk": w["job"].pk}),
    Row("notifications_read", "POST", everyone(302)),
    Row("bulletin_detail", "GET", answers(404, 404, 200, 404), bulletin("draft_bulletin"), note="draft"),
    Row("bulletin_detail", "GET", everyone(200), bulletin("published_bulletin"), note="published"),
    Row("bulletin_pdf", "GET", answers(404, 404, 200, 404), bulletin("draft_bulletin"), note="draft"),
    Row("bulletin_pdf", "GET", everyone(200), bulletin("published_bulletin"), note="published"),
    Row("bulletin_xlsx", "GET", answers(404, 404, 200, 404), bulletin("draft_bulletin"), note="draft"),
    Row("bulletin_xlsx", "GET", everyone(200), bulletin("published_bulletin"), note="published"),
    Row("bulletin_publish", "GET", everyone(405), bulletin("draft_bulletin"), note="POST only, whatever the bulletin"),
    Row("bulletin_publish", "POST", answers(404, 404, 302, 404), bulletin("draft_bulletin"), note="draft"),
    Row("bulletin_publish", "POST", answers(403, 403, 302, 403), bulletin("published_bulletin"), note="published: refused"),
    # --- industry chains: everyone reads, reviewers maintain the tree
    Row("chain_tree", "GET", everyone(200)),
    Row("chain_link_detail", "GET", everyone(200), lambda w: {"pk": w["link"].pk}),
    Row("chain_link_detail", "GET", everyone(404), lambda w: {"pk": w["link"].parent_id}, note="a chain is not a link"),
    Row("chain_node_create", "GET", answers(403, 403, 200, 403)),
    Row("chain_node_create", "GET", answers(403, 403, 200, 403), query="?parent=%C2%B2", note="not a node"),
    Row("chain_node_create", "POST", answers(403, 403, 200, 403), note="empty form: errors"),
    Row("chain_node_edit", "GET", answers(403, 403, 200, 403), lambda w: {"pk": w["link"].pk}),
    Row("chain_node_edit", "POST", answers(403, 403, 200, 403), lambda w: {"pk": w["link"].pk}, note="empty form: errors"),
    # --- the battle map: everyone reads; the leads and projects counted are those the user sees
    Row("battle_map", "GET", everyone(200)),
    Row("battle_map", "GET", everyone(200), query="?view=regions"),
    Row("battle_map", "GET", everyone(200), query="?industry=999999&year=1999", note="unknown industry and year: notes"),
    Row("battle_map", "GET", everyone(200), query="?industry=%C2%B2&year=%C2%B2", note="a digit int() refuses: notes"),
    Row("battle_map", "GET", everyone(200), query="?industry=99999999999999999999&year=99999999999999999999", note="beyond an integer column: notes"),
    # --- target enterprises: everyone reads, staff and reviewers add, reviewers and the adding unit edit
    Row("enterprise_list", "GET", everyone(200)),
    Row("enterprise_export", "GET", everyone(200)),
    Row("enterprise_detail", "GET", everyone(200), lambda w: {"pk": w["enterprise"].pk}),
    Row("enterprise_create", "GET", answers(200, 200, 200, 403)),
    Row("enterprise_create", "POST", answers(200, 200, 200, 403), note="empty form: errors"),
    Row("enterprise_edit", "GET", answers(200, 403, 200, 403), lambda w: {"pk": w["enterprise"].pk}, note="own unit's"),
    Row("enterprise_edit", "POST", answers(200, 403, 200, 403), lambda w: {"pk": w["enterprise"].pk}, note="empty form"),
    Row(
        "enterprise_edit",
        "GET",
        answers(403, 403, 200, 403),
        lambda w: {"pk": w["bureau_enterprise"].pk},
        note="added by the bureau: reviewers only",
    ),
    # --- the pipeline's import (目标企业、线索、活动)
    Row("leads_import_upload", "GET", answers(200, 200, 200, 403)),
    Row("leads_import_upload", "POST", answers(200, 200, 200, 403), note="no file: error shown"),
    Row("leads_import_template", "GET", everyone(200)),
    Row("leads_import_preview", "GET", answers(200, 404, 404, 404), lambda w: {"pk": w["lead_batch"].pk}, note="the uploader's own"),
    Row("leads_import_preview", "GET", answers(404, 404, 404, 404), lambda w: {"pk": w["batch"].pk}, note="a project batch"),
    Row("leads_import_confirm", "POST", answers(302, 404, 404, 404), lambda w: {"pk": w["lead_batch"].pk}),
    Row("import_preview", "GET", answers(404, 404, 404, 404), lambda w: {"pk": w["lead_batch"].pk}, note="a pipeline batch"),
    # --- leads: another unit's lead answers 404; a group's landing units see its leads, read-only
    Row("lead_board", "GET", everyone(200)),
    Row("lead_board", "GET", everyone(200), query="?unit=999999", note="an unknown unit: errors shown"),
    Row("lead_list", "GET", everyone(200)),
    Row("lead_list", "GET", everyone(200), query="?stage=negotiating&overdue=true&stale=false", note="linked filters"),
    Row("lead_create", "GET", answers(200, 200, 200, 403)),
    Row("lead_create", "GET", answers(200, 200, 200, 403), query="?enterprise=%C2%B2", note="not an id: an empty form"),
    Row("lead_create", "GET", answers(200, 200, 200, 403), query="?enterprise=99999999999999999999", note="not an id: an empty form"),
    Row("lead_create", "POST", answers(200, 200, 200, 403), note="empty form: errors"),
    Row("lead_detail", "GET", answers(200, 404, 200, 200), lead("lead")),
    Row("lead_detail", "GET", answers(200, 404, 200, 200), lead("group_lead"), note="own unit lands the group's projects"),
    Row("lead_edit", "GET", answers(200, 404, 200, 403), lead("lead")),
    Row("lead_edit", "POST", answers(200, 404, 200, 403), lead("lead"), note="empty form: errors"),
    Row("lead_edit", "GET", answers(403, 404, 200, 403), lead("group_lead"), note="a landing unit's staff: read-only"),
    Row("lead_stage", "GET", answers(405, 404, 405, 405), lead("lead"), note="POST only"),
    Row("lead_stage", "POST", answers(302, 404, 302, 403), lead("lead"), lambda w: {"stage": "paused", "resume_on": "2021-09-01"}),
    Row("lead_stage", "POST", answers(403, 404, 302, 403), lead("group_lead"), lambda w: {"stage": "stopped", "stop_reason": "企业放弃"}),
    Row("lead_convert", "GET", answers(200, 404, 200, 403), lead("lead")),
    Row("lead_convert", "POST", answers(200, 404, 200, 403), lead("lead"), note="empty form: errors"),
    Row("lead_convert", "GET", answers(403, 404, 200, 403), lead("group_lead"), note="a landing unit's staff: not theirs"),
    # --- the activity ledger: a unit's own and its leads' activities; the holding unit and reviewers correct them
    Row("activity_list", "GET", everyone(200)),
    Row("activity_list", "GET", everyone(200), query="?unit=999999&date_from=2021-13-01", note="bad filters: errors shown"),
    Row("activity_export", "GET", everyone(200)),
    Row("activity_create", "GET", answers(200, 200, 200, 403)),
    Row("activity_create", "GET", answers(200, 200, 200, 403), query="?lead=%C2%B2&enterprise=99999999999999999999", note="not ids"),
    Row("activity_create", "POST", answers(200, 200, 200, 403), note="empty form: errors"),
    Row("activity_detail", "GET", answers(200, 404, 200, 200), activity("activity")),
    Row("activity_detail", "GET", answers(200, 404, 200, 200), activity("group_activity"), note="a lead its unit lands"),
    Row("activity_edit", "GET", answers(200, 404, 200, 403), activity("activity")),
    Row("activity_edit", "POST", answers(200, 404, 200, 403), activity("activity"), note="empty form: errors"),
    Row("activity_edit", "GET", answers(403, 404, 200, 403), activity("group_activity"), note="another unit's: read-only"),
    Row("activity_delete", "GET", answers(405, 404, 405, 405), activity("activity"), note="POST only"),
    Row("activity_delete", "POST", answers(302, 404, 302, 403), activity("activity")),
    Row("activity_delete", "POST", answers(403, 404, 302, 403), activity("group_activity"), note="another unit's: read-only"),
    Row("activity_attachment", "GET", answers(200, 404, 200, 200), activity("activity")),
    Row("activity_attachment", "GET", answers(200, 404, 200, 200), activity("activity"), query="?inline=1", note="in the browser"),
    # --- the weekly activity index: read as the dashboard's ranking; reviewers store a week again
    Row("activity_index", "GET", everyone(200)),
    Row("activity_index", "GET", everyone(200), query="?year=2021&week=23"),
    Row("activity_index", "GET", everyone(200), query="?year=2021&week=54", note="a bad week: a message"),
    Row("activity_index", "POST", answers(403, 403, 302, 403), data=lambda w: {"year": "2021", "week": "23"}),
    # --- 落地跟踪: the district for reviewers and leaders, a unit's own view for its staff (another unit: 404)
    Row("landing_tracking", "GET", everyone(200), note="staff: their own unit"),
    Row("landing_tracking", "GET", everyone(200), query="?year=2021&quarter=4"),
    Row("landing_tracking", "GET", everyone(404), query="?unit=999999", note="no such unit"),
    Row("landing_tracking", "GET", everyone(404), query="?unit=abc", note="not a unit"),
    Row("landing_tracking", "GET", everyone(404), query="?unit=%C2%B2", note="not a unit"),
    Row("landing_tracking", "GET", everyone(404), query="?unit=99999999999999999999", note="not a unit"),
    Row("landing_tracking", "POST", everyone(405), note="GET only"),
    # --- signing events: everyone reads; reviewers and the organiser's staff enter them, a project's lead unit links it
    Row("signing_event_list", "GET", everyone(200)),
    Row("signing_event_list", "GET", everyone(200), query="?year=1999", note="a year without events: a note"),
    Row("signing_event_list", "GET", everyone(200), query="?year=%C2%B2", note="not a year: a note"),
    Row("signing_event_detail", "GET", everyone(200), signing_event("signing_event")),
    Row("signing_event_create", "GET", answers(200, 200, 200, 403)),
    Row("signing_event_create", "POST", answers(200, 200, 200, 403), note="empty form: errors"),
    Row("signing_event_edit", "GET", answers(200, 403, 200, 403), signing_event("signing_event"), note="organised by own unit"),
    Row("signing_event_edit", "POST", answers(200, 403, 200, 403), signing_event("signing_event"), note="empty form: errors"),
    Row("signing_event_edit", "GET", answers(403, 403, 200, 403), signing_event("bureau_event"), note="another unit's event"),
    Row("signing_event_link", "GET", answers(405, 405, 405, 405), signing_event("signing_event"), note="POST only"),
    Row(
        "signing_event_link",
        "POST",
        answers(302, 200, 302, 403),
        signing_event("signing_event"),
        lambda w: {"code": w["draft"].code},
        note="another unit's project: refused on the page",
    ),
    Row("signing_event_unlink", "GET", answers(405, 404, 405, 405), event_link("approved"), note="POST only"),
    Row("signing_event_unlink", "POST", answers(302, 404, 302, 403), event_link("approved")),
    Row("signing_event_unlink", "POST", answers(403, 404, 302, 403), event_link("cooperating"), note="cooperating: read-only"),
    Row("project_signing_event", "GET", answers(200, 404, 200, 403), project("draft")),
    Row("project_signing_event", "POST", answers(302, 404, 302, 403), project("draft"), lambda w: {"event": w["signing_event"].pk}),
    Row("project_signing_event", "GET", answers(403, 404, 200, 403), project("cooperating"), note="cooperating: read-only"),
    # --- key tasks: everyone reads them; a reporting unit's staff file, reviewers return, reviewers and leaders see the matrix
    Row("key_task_list", "GET", everyone(200)),
    Row("key_task_list", "GET", everyone(200), query="?year=1999&quarter=9", note="bad year and quarter: a note"),
    Row("task_matrix", "GET", answers(403, 403, 200, 200)),
    Row("unit_task_reports", "GET", answers(200, 404, 200, 200), lambda w: {"pk": w["unit_a"].pk}),
    Row("task_report_file", "GET", answers(200, 403, 403, 403), lambda w: {"pk": w["key_task"].pk, "quarter": 2}),
    Row("task_report_file", "POST", answers(400, 403, 403, 403), lambda w: {"pk": w["key_task"].pk, "quarter": 2}, note="empty form"),
    Row("task_report_file", "GET", everyone(404), lambda w: {"pk": w["key_task"].pk, "quarter": 5}, note="no such quarter"),
    Row("task_report_detail", "GET", answers(200, 404, 200, 200), lambda w: {"pk": w["task_report"].pk}),
    Row("task_report_return", "GET", answers(405, 404, 405, 405), lambda w: {"pk": w["task_report"].pk}, note="POST only"),
    Row(
        "task_report_return",
        "POST",
        answers(403, 404, 302, 403),
        lambda w: {"pk": w["task_report"].pk},
        lambda w: {"comment": "请补充进展"},
    ),
    # --- the special groups' reports: everyone reads; the first commissioner's unit and reviewers write
    Row("group_report_list", "GET", everyone(200)),
    Row("group_report_detail", "GET", everyone(200), lambda w: {"pk": w["reporting_group"].pk, "year": 2021, "quarter": 2}),
    Row("group_report_detail", "GET", everyone(404), lambda w: {"pk": w["reporting_group"].pk, "year": 2021, "quarter": 5}),
    Row(
        "group_report_detail",
        "POST",
        answers(302, 403, 302, 403),
        lambda w: {"pk": w["reporting_group"].pk, "year": 2021, "quarter": 2},
        lambda w: {"text": "本季度工作情况"},
        note="own unit's person is the first commissioner",
    ),
]


def supervision_world(unit_a) -> dict:
    """A key task unit_a reports on, its report of 2021 Q2, a group whose first commissioner is unit_a's."""
    key_task = KeyTaskFactory(units=[unit_a])
    reporting_group = SpecialGroupFactory()
    seat_commissioner(reporting_group, unit_a, 1)
    return {"key_task": key_task, "task_report": TaskReportFactory(task=key_task, unit=unit_a), "reporting_group": reporting_group}


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    RuleSetFactory(year=2021)
    unit_a = UnitFactory(name="甲园区")
    unit_b = UnitFactory(name="乙园区")
    unit_c = UnitFactory(name="丙部门", kind=UnitKind.DEPARTMENT)
    for unit in (unit_a, unit_b, unit_c):
        UnitTargetFactory(unit=unit, year=2021, agreement_capital=Decimal(10), major_projects=1)
    group = SpecialGroupFactory()
    now = timezone.now()
    draft = ProjectFactory(lead_unit=unit_a, status=Status.DRAFT, group=group)
    submitted = ProjectFactory(lead_unit=unit_a, status=Status.SUBMITTED, submitted_at=now)
    approved = ProjectFactory(lead_unit=unit_a, status=Status.APPROVED, group=group)
    cooperating = ProjectFactory(lead_unit=unit_c, cooperating=[unit_a], status=Status.APPROVED)
    slip = SimpleUploadedFile("回单.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    arrival_with_slip = ArrivalFactory(project=approved, arrived_on=datetime.date(2021, 5, 1), evidence=slip, verified=False)
    own = user_with_role(Role.STAFF, unit_a, username="own")
    permit = SimpleUploadedFile("开工许可.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    started = MilestoneFactory(project=approved, actual_on=datetime.date(2021, 6, 9), verified=False, evidence=permit)
    reviewer = user_with_role(Role.REVIEWER, username="reviewer")
    verified = ArrivalFactory(
        project=approved, arrived_on=datetime.date(2021, 5, 2), verified=True, verified_by=reviewer, verified_at=now
    )
    draft_bulletin = services.generate_bulletin(year=2021, quarter=2).bulletin
    published_bulletin = services.publish_bulletin(
        bulletin=services.generate_bulletin(year=2021, quarter=1).bulletin, user=reviewer
    )
    batch = ImportBatch.objects.create(
        uploaded_by=own, original_name="导入.xlsx", file=SimpleUploadedFile("导入.xlsx", b"not really a workbook")
    )
    lead_batch = ImportBatch.objects.create(
        uploaded_by=own, original_name="线索.xlsx", file=SimpleUploadedFile("线索.xlsx", b"no workbook"), kind=ImportBatch.Kind.PIPELINE
    )
    landing_group = SpecialGroupFactory()
    landing_group.landing_units.set([unit_a])
    lead_of_a = LeadFactory(owner_unit=unit_a, group=group)
    group_lead = LeadFactory(owner_unit=unit_c, group=landing_group)
    minutes = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    activity_of_a = ActivityFactory(unit=unit_a, lead=lead_of_a, attachment=minutes, attachment_name="纪要.pdf")
    signing_event = SigningEventFactory(organiser=unit_a, date=approved.signed_on)
    SigningEventProjectFactory(event=signing_event, project=approved)
    SigningEventProjectFactory(event=signing_event, project=cooperating)
    return {
        "signing_event": signing_event,
        "bureau_event": SigningEventFactory(organiser=unit_c),
        "activity": activity_of_a,
        "group_activity": ActivityFactory(unit=unit_c, lead=group_lead),
        "lead_batch": lead_batch,
        "lead": lead_of_a,
        "group_lead": group_lead,
        "unit_a": unit_a,
        "unit_c": unit_c,
        **supervision_world(unit_a),
        "group": group,
        "draft": draft,
        "submitted": submitted,
        "approved": approved,
        "cooperating": cooperating,
        "arrival": arrival_with_slip,
        "verified_arrival": verified,
        "milestone": started,
        "agreement": SupplementaryAgreementFactory(
            project=approved,
            signed_on=datetime.date(2021, 5, 1),
            verified=False,
            evidence=SimpleUploadedFile("补充协议.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
            evidence_name="补充协议.pdf",
        ),
        "verified_agreement": SupplementaryAgreementFactory(project=approved, signed_on=datetime.date(2021, 5, 2)),
        "batch": batch,
        "draft_bulletin": draft_bulletin,
        "published_bulletin": published_bulletin,
        "job": GenerationJob.objects.create(year=2021, quarter=2, requested_by=reviewer),
        "link": ChainNodeFactory(),
        "enterprise": TargetEnterpriseFactory(created_by_unit=unit_a),
        "bureau_enterprise": TargetEnterpriseFactory(),
        "users": {
            "anonymous": None,
            "own": own,
            "other": user_with_role(Role.STAFF, unit_b, username="other"),
            "reviewer": reviewer,
            "leader": user_with_role(Role.LEADER, username="leader"),
        },
    }


def answer(response) -> object:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method} {row.name}{row.query} {row.note}".strip())
def test_each_role_gets_the_expected_answer(world, row):
    url = reverse(row.name, kwargs=row.kwargs(world)) + row.query
    got = {}
    for role in ROLES:
        with transaction.atomic():
            client = Client()
            if world["users"][role] is not None:
                client.force_login(world["users"][role])
            if row.method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, row.data(world))
            got[role] = answer(response)
            transaction.set_rollback(True)
    assert got == row.expected


def url_names(patterns, skip_namespaces=("admin",)) -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace not in skip_namespaces:
                names |= url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_url_has_a_row():
    missing = url_names(get_resolver().url_patterns) - {row.name for row in ROWS}
    assert not missing, f"URLs without a row in the permission matrix: {sorted(missing)}"


def test_a_url_without_a_row_is_caught():
    assert "dashboard" in url_names(get_resolver().url_patterns)
