"""Operations on one project: create, edit, the review workflow, the arrived-capital ledger.

Each runs in one transaction on a locked row, calls `full_clean()` before saving, records
its author in the history (`_history_user`) and, for the project itself, bumps `version`,
so an edit made on a page read before any of these is refused (EditConflict), never lost.
Permissions are the views' business (access.permissions); these functions check the state. A
workflow action given the `version` the user's page showed is refused when the project
has changed since (the user acts on what they saw); without one it applies to the current state.

Past 400 lines on purpose: the workflow's transitions share one locked-row, versioned write
(_locked, _save); splitting them would copy it or hide it behind an import.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone

from access import permissions
from access.roles import access_of, display_name
from lib import display, uploads
from lib.sql import exact_sum, from_ten_thousandths
from targets import scoring
from targets.models import RuleSet, Unit

from .codes import next_code
from .models import Arrival, Project, Sector, Status, agreements_problem, signing_date_problem

CODE_ATTEMPTS = 3


class EditConflict(Exception):
    """The project changed since the editor's page was read; nothing was saved."""

    def __init__(self, project: Project):
        self.project = project
        latest = project.history.select_related("history_user").first()
        who = display_name(latest.history_user if latest else None)
        when = timezone.localtime(project.updated_at)
        at = when.strftime("%H:%M") if when.date() == timezone.localdate() else f"{when.month}月{when.day}日 {when:%H:%M}"
        super().__init__(f"该项目已被 {who} 于 {at} 修改，您的修改未保存；请刷新后重新填写。")


# --- Create and edit ---------------------------------------------------------------------


def create_project(
    *,
    user: AbstractBaseUser,
    facts: dict,
    cooperating_unit_ids: Sequence[int],
    submit_at_once: bool = False,
    then_submit: bool = False,
) -> Project:
    """A new project from the form's `facts` (model field → value), a draft of its lead unit.

    Without a code it gets the next <prefix><year>-NNNNN of its signing year (this year when
    unsigned), reserved before the save's transaction (projects.codes), so the save never
    waits on another's. `submit_at_once` puts it straight into the review queue (a reviewer's
    entry): it must then meet the submission rule (ValidationError, nothing saved). `then_submit`
    (a unit's 保存并提交) submits it in the same transaction when it meets the rule and
    keeps it a draft otherwise; the caller tells which by its status.
    """
    for attempt in range(CODE_ATTEMPTS):
        code = facts.get("code") or next_code((facts.get("signed_on") or timezone.localdate()).year)
        try:
            with transaction.atomic():
                project = _create(user, {**facts, "code": code}, cooperating_unit_ids, submit_at_once=submit_at_once)
                if then_submit:
                    _submit_if_complete(project, user=user)
                return project
        except IntegrityError:
            # The reserved code was written meanwhile by a transaction not yet committed when the
            # sequence skipped taken codes (an import's explicit code): take the next.
            if facts.get("code") or attempt == CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _create(user: AbstractBaseUser, facts: dict, cooperating_unit_ids: Sequence[int], *, submit_at_once: bool) -> Project:
    project = Project(**facts, created_by=user)
    if submit_at_once:
        _check_submission(project)
        project.status, project.submitted_at = Status.SUBMITTED, timezone.now()
    project.full_clean()
    project._history_user = user
    project.save()
    project.set_cooperating_units(cooperating_unit_ids, user=user)
    return project


def update_project(
    *,
    project: Project,
    user: AbstractBaseUser,
    facts: dict,
    cooperating_unit_ids: Sequence[int],
    version: int,
    then_submit: bool = False,
) -> Project:
    """Apply an edit made on the page that showed `version`; EditConflict when the project moved on.

    A project in review or approved must still meet the submission rule (ValidationError);
    `then_submit` as for create_project.
    """
    with transaction.atomic():
        current = _locked(project, version=version)
        for name, value in facts.items():
            setattr(current, name, value)
        if current.status in (Status.SUBMITTED, Status.APPROVED):
            _check_submission(current)
        _check_signing_date_against_arrivals(current)
        _check_against_agreements(current)
        _save(current, user=user)
        current.set_cooperating_units(cooperating_unit_ids, user=user)
        if then_submit:
            _submit_if_complete(current, user=user)
    return current


def _check_signing_date_against_arrivals(project: Project) -> None:
    earliest = Arrival.objects.filter(project=project).earliest_per_project().get(project.pk)
    problem = signing_date_problem(project.signed_on, earliest)
    if problem:
        raise ValidationError({"signed_on": problem})


def _check_against_agreements(project: Project) -> None:
    """A new signing date may not fall after the project's supplementary agreements, nor a new
    agreement capital take it below 0 with them (domain.md §8): one query."""
    found = project.agreements.aggregate(earliest=Min("signed_on"), total=exact_sum("amount"))
    problems = agreements_problem(
        signed_on=project.signed_on,
        agreement_capital=project.agreement_capital,
        earliest=found["earliest"],
        total=from_ten_thousandths(found["total"]),
    )
    if problems:
        raise ValidationError(problems)


def _locked(project: Project, *, version: int | None = None) -> Project:
    """The project's row, locked until the transaction ends; EditConflict when it is past `version`."""
    current = Project.objects.select_for_update().select_related("lead_unit").get(pk=project.pk)
    if version is not None and current.version != version:
        raise EditConflict(current)
    return current


def _save(project: Project, *, user: AbstractBaseUser) -> None:
    project.version += 1
    project.full_clean()
    project._history_user = user
    project.save()


# --- The review workflow -----------------------------------------------------------------

NEEDS_SIGNING_DATE = "该项目还没有签约日期：请先编辑项目、填写签约日期。已审核的项目必须有签约日期。"


class IncompleteSubmission(ValidationError):
    """The project lacks what a submission needs (Project.submission_problems), by field."""

    def __init__(self, problems: dict[str, str]):
        super().__init__({name: [message] for name, message in problems.items()})
        self.problems = problems


def _check_submission(project: Project) -> None:
    problems = project.submission_problems(target=project.agreement_target())
    if problems:
        raise IncompleteSubmission(problems)


def submit(*, project: Project, user: AbstractBaseUser, version: int | None = None) -> Project:
    """Draft or returned → submitted, into the review queue; the return reason is done with.

    IncompleteSubmission when the project lacks what a submission needs.
    """
    with transaction.atomic():
        current = _locked(project, version=version)
        _submit(current, user=user)
    return current


def _submit(project: Project, *, user: AbstractBaseUser) -> None:
    if project.status not in Project.EDITABLE_BY_STAFF:
        raise ValidationError(f"只有草稿或已退回的项目可以提交审核；该项目当前状态为「{project.get_status_display()}」。")
    _check_submission(project)
    project.status, project.submitted_at, project.return_reason = Status.SUBMITTED, timezone.now(), ""
    project.reviewed_at = project.reviewed_by = None
    _save(project, user=user)


def _submit_if_complete(project: Project, *, user: AbstractBaseUser) -> None:
    """Submit the project just saved when it meets the rule; otherwise it stays as saved."""
    try:
        _submit(project, user=user)
    except IncompleteSubmission:
        pass


def withdraw(*, project: Project, user: AbstractBaseUser, version: int | None = None) -> Project:
    """Any state → withdrawn: counted nowhere, kept with its history (never deleted)."""
    with transaction.atomic():
        current = _locked(project, version=version)
        if current.status == Status.WITHDRAWN:
            raise ValidationError("该项目已经撤回。")
        current.status = Status.WITHDRAWN
        _save(current, user=user)
    return current


def approve(*, project: Project, user: AbstractBaseUser, version: int | None = None) -> Project:
    with transaction.atomic():
        current = _locked(project, version=version)
        _check_under_review(current)
        if current.signed_on is None:
            raise ValidationError(NEEDS_SIGNING_DATE)
        current.status, current.return_reason = Status.APPROVED, ""
        current.reviewed_at, current.reviewed_by = timezone.now(), user
        _save(current, user=user)
    return current


CHANGED_SINCE_SHOWN = "该项目在您打开页面后已被修改，请打开项目核对后再审核。"


@dataclass(frozen=True)
class SelectionApproved:
    """What approving a selection did: the projects approved, and those left as they were with why."""

    approved: list[Project]
    skipped: list[tuple[Project, str]]


def approve_selected(*, selection: Sequence[tuple[int, int]], user: AbstractBaseUser) -> SelectionApproved:
    """Approve each (project id, version its page showed) as `approve` does one, each in its own
    transaction: one that moved on since the page, is no longer submitted or lacks its signing
    date is skipped with the reason, the others are approved. Ids of no project are ignored.
    Whether the user may review is the caller's business, as for `approve`."""
    versions = dict(selection)
    projects = Project.objects.in_bulk(list(versions))
    approved, skipped = [], []
    for pk, version in versions.items():
        project = projects.get(pk)
        if project is None:
            continue
        try:
            approved.append(approve(project=project, user=user, version=version))
        except EditConflict:
            skipped.append((project, CHANGED_SINCE_SHOWN))
        except ValidationError as error:
            skipped.append((project, "".join(error.messages)))
    return SelectionApproved(approved, skipped)


def return_for_changes(*, project: Project, user: AbstractBaseUser, reason: str, version: int | None = None) -> Project:
    """Submitted → returned with a reason the submitting unit sees until it resubmits."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "退回时必须填写退回原因，让填报单位知道要改什么。"})
    with transaction.atomic():
        current = _locked(project, version=version)
        _check_under_review(current)
        current.status, current.return_reason = Status.RETURNED, reason
        current.reviewed_at, current.reviewed_by = timezone.now(), user
        _save(current, user=user)
    return current


def _check_under_review(project: Project) -> None:
    if project.status != Status.SUBMITTED:
        raise ValidationError(f"只有待审核的项目可以审核；该项目当前状态为「{project.get_status_display()}」。")


# --- The arrived-capital ledger ------------------------------------------------------------


def add_arrival(
    *,
    project: Project,
    user: AbstractBaseUser,
    arrived_on: datetime.date,
    amount: Decimal,
    note: str = "",
    evidence: UploadedFile | None = None,
) -> Arrival:
    """One ledger entry; the evidence is stored under a random name, its own name kept for download."""
    arrival = Arrival(project=project, arrived_on=arrived_on, amount=amount, note=note, created_by=user)
    if evidence is not None:
        arrival.evidence = evidence
        arrival.evidence_name = uploads.kept_name(evidence)
    arrival.full_clean()
    arrival._history_user = user
    arrival.save()
    return arrival


def correct_arrival(
    *,
    arrival: Arrival,
    user: AbstractBaseUser,
    arrived_on: datetime.date,
    amount: Decimal,
    note: str = "",
    evidence: UploadedFile | None = None,
) -> Arrival:
    """Correct an entry's facts; a new evidence file replaces the old one (deleted once committed).

    `arrival` is the entry as the user's permission was checked on: when it has been verified
    since, nothing changes (ValidationError), as for delete_arrival.
    """
    with transaction.atomic():
        current = Arrival.objects.select_for_update().filter(pk=arrival.pk).first()
        if current is None:
            raise ValidationError("该笔到位资金已被删除。")
        if current.verified and not arrival.verified:
            raise ValidationError("该笔到位资金刚刚被核实，未修改；请刷新页面后再操作。")
        current.arrived_on, current.amount, current.note = arrived_on, amount, note
        replaced = uploads.replace_file(current, evidence) if evidence is not None else None
        current.full_clean()
        current._history_user = user
        current.save()
        uploads.delete_on_commit(replaced)
    return current


def verify_arrival(*, arrival: Arrival, user: AbstractBaseUser) -> Arrival:
    """A reviewer confirms the entry against its evidence; verifying twice changes nothing."""
    return verify_entry(arrival, user=user)


def verify_entry(entry, *, user: AbstractBaseUser):
    """Mark a ledger entry (an arrival, a supplementary agreement) verified by `user`, on its
    locked row; an entry already verified stays as it was. Returns the entry as stored."""
    with transaction.atomic():
        current = type(entry).objects.select_for_update().get(pk=entry.pk)
        if current.verified:
            return current
        current.verified, current.verified_by, current.verified_at = True, user, timezone.now()
        current.full_clean()
        current._history_user = user
        current.save()
    return current


def delete_arrival(*, arrival: Arrival, user: AbstractBaseUser) -> Arrival:
    """Remove a wrong ledger entry; its history keeps the last values and who deleted it.

    `arrival` is the entry as the user's permission was checked on: when it has been verified
    since, nothing is deleted (ValidationError), since verifying may have taken the right away.
    The evidence file leaves the storage only once the deletion is committed, so a rolled-back
    deletion never loses it. Returns the deleted entry (its values, no longer its row).
    """
    with transaction.atomic():
        current = Arrival.objects.select_for_update().filter(pk=arrival.pk).first()
        if current is None:
            raise ValidationError("该笔到位资金已被删除。")
        if current.verified and not arrival.verified:
            raise ValidationError("该笔到位资金刚刚被核实，未删除；请刷新页面后再操作。")
        current._history_user = user
        current.delete()
        uploads.delete_on_commit(current.evidence)
    return current


# --- What a project would score, and who else signed with its investor -------------------


@dataclass(frozen=True)
class Credit:
    unit: Unit
    lead: bool
    share: Decimal  # origin weight × joint share
    agreement_capital: Decimal
    arrived_capital: Decimal | None = None


@dataclass(frozen=True)
class ScorePreview:
    """The tier and each unit's credit a project's facts give under its signing year's rules.

    `reason` says why it would count nowhere (then `credits` is empty) or is "" when it counts.
    """

    year: int | None
    tier: scoring.Tier | None
    reason: str = ""
    credits: list[Credit] = field(default_factory=list)
    origin_weight: Decimal | None = None
    lead_share: Decimal | None = None

    @property
    def counts(self) -> bool:
        return not self.reason


def score_preview(
    *,
    lead_unit: Unit,
    cooperating_units: Sequence[Unit],
    sector: str,
    origin: str,
    agreement_capital: Decimal,
    expected_output: Decimal | None,
    signed_on: datetime.date | None,
    arrived_capital: Decimal | None = None,
    rules_by_year: dict[int, scoring.Rules] | None = None,
) -> ScorePreview:
    """Tier and credits per unit (lead first): scoring.tier_of and scoring.credit_shares.

    One query, none when given the rules of the years concerned (`rules_by_year`, as the import
    preview does for its many rows; a year missing there has no rules).
    """
    if signed_on is None:
        return ScorePreview(None, None, "尚未填写签约日期：签约后才按签约年度的规则计分。")
    if rules_by_year is None:
        rule_set = RuleSet.objects.filter(year=signed_on.year).first()
        rules_by_year = {} if rule_set is None else {rule_set.year: rule_set.as_rules()}
    rules = rules_by_year.get(signed_on.year)
    if rules is None:
        return ScorePreview(signed_on.year, None, f"{signed_on.year}年尚未设置考核规则（年度规则），无法计分。")
    industrial = sector == Sector.INDUSTRIAL
    tier = scoring.tier_of(
        agreement_capital=agreement_capital, expected_output=expected_output, industrial=industrial, rules=rules
    )
    if rules.origin_weights[scoring.Origin(origin)] == 0:
        return ScorePreview(signed_on.year, tier, "项目来源的权重为 0（如区内项目）：不计入任何单位，也不计个数。")
    if tier is scoring.Tier.BELOW:
        threshold = rules.general_industrial_investment if industrial else rules.general_non_industrial_investment
        kind = "工业" if industrial else "非工业"
        return ScorePreview(
            signed_on.year, tier, f"协议资金未达{kind}一般项目标准（{display.plain(threshold)} 亿元）：记录在案，但不计入考核。"
        )
    units = {unit.pk: unit for unit in [lead_unit, *cooperating_units]}
    facts = scoring.Project(
        id=0,
        lead_unit=lead_unit.pk,
        cooperating_units=tuple(unit.pk for unit in cooperating_units),
        industrial=industrial,
        origin=scoring.Origin(origin),
        agreement_capital=agreement_capital,
        expected_output=expected_output,
        signed_on=signed_on,
        approved=True,
    )
    credits = [
        Credit(
            unit=units[unit_id],
            lead=unit_id == lead_unit.pk,
            share=share,
            agreement_capital=agreement_capital * share,
            arrived_capital=None if arrived_capital is None else arrived_capital * share,
        )
        for unit_id, share in scoring.credit_shares(facts, rules)
    ]
    return ScorePreview(
        signed_on.year, tier, "", credits, origin_weight=rules.origin_weights[facts.origin], lead_share=rules.lead_share
    )


def normalized_investor(investor: str) -> str:
    return "".join(investor.split()).lower()


def investor_key() -> Lower:
    """The investor column as normalized_investor spells it, in SQL (ASCII and full-width spaces, tabs removed)."""
    stripped = F("investor")
    for space in (" ", "\u3000", "\t"):
        stripped = Replace(stripped, Value(space), Value(""))
    return Lower(stripped)


SUPPLEMENT_CANDIDATES_SHOWN = 10


def supplement_candidates(
    *, user: AbstractBaseUser, investor: str, signed_on: datetime.date | None, exclude_pk: int | None = None
) -> list[Project]:
    """Approved projects of the same investor (case and spaces ignored) signed on or before
    `signed_on`, among those `user` may see, latest first: what a new entry of this investor may
    really be a supplementary agreement of (domain.md §8: the reviewer decides). One query."""
    wanted = normalized_investor(investor)
    if not wanted:
        return []
    candidates = Project.objects.visible_to(user).approved().annotate(investor_key=investor_key()).filter(investor_key=wanted)
    if signed_on is not None:
        candidates = candidates.filter(signed_on__lte=signed_on)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return list(candidates.select_related("lead_unit").order_by("-signed_on", "-pk")[:SUPPLEMENT_CANDIDATES_SHOWN])


def same_investor_same_year(*, investor: str, year: int, exclude_pk: int | None = None) -> list[Project]:
    """Other live projects of this investor (case and spaces ignored) signed in `year`: one query.

    Double counting is the classic failure of these tallies: a warning, never a block.
    """
    wanted = normalized_investor(investor)
    if not wanted:
        return []
    matches = (
        Project.objects.exclude(status=Status.WITHDRAWN)
        .filter(signed_on__year=year)
        .annotate(investor_key=investor_key())
        .filter(investor_key=wanted)
        .select_related("lead_unit")
        .order_by("signed_on", "pk")
    )
    if exclude_pk is not None:
        matches = matches.exclude(pk=exclude_pk)
    return list(matches)


@dataclass(frozen=True)
class SameInvestor:
    """The same-investor warning as `user` may see it: the matches they may open, a count of the rest."""

    investor: str
    year: int | None
    visible: list[Project]
    others: int  # other units' matches: counted, never named
    # Approved projects of the investor the user may see, signed by then: 「是否为已有项目的补充协议？」
    candidates: list[Project] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.visible or self.others or self.candidates)


def same_investor_warning(
    *, user: AbstractBaseUser, investor: str, signed_on: datetime.date | None, exclude_pk: int | None = None
) -> SameInvestor | None:
    """Same investor, same signing year (same_investor_same_year), split by what `user` may see:
    another unit's project is never named to its staff, only counted (the reviewer checks it).
    With the approved projects of the investor `user` may see (supplement_candidates): the entry
    may be a supplementary agreement of one of them (domain.md §8)."""
    if not investor:
        return None
    candidates = supplement_candidates(user=user, investor=investor, signed_on=signed_on, exclude_pk=exclude_pk)
    matches = [] if signed_on is None else same_investor_same_year(investor=investor, year=signed_on.year, exclude_pk=exclude_pk)
    if not matches and not candidates:
        return None
    if permissions.sees_everything(access_of(user)) or not matches:
        visible = matches
    else:
        allowed = set(Project.objects.visible_to(user).filter(pk__in=[m.pk for m in matches]).values_list("pk", flat=True))
        visible = [match for match in matches if match.pk in allowed]
    year = signed_on.year if signed_on else None
    return SameInvestor(investor, year, visible, len(matches) - len(visible), candidates)
