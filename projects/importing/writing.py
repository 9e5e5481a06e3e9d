"""Writing a checked ImportPlan: all of it in one transaction, or nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from landing.models import MILESTONE_ORDER, Milestone
from lib.sql import chunks, exact_sum, from_ten_thousandths

from .. import landing_facts
from ..codes import CodeBlock, peek_codes, reserve_codes
from ..models import (
    Arrival,
    Cooperation,
    Project,
    Status,
    SupplementaryAgreement,
    agreement_total_problem,
    agreements_problem,
    signing_date_problem,
)
from .columns import AGREEMENTS, ARRIVALS, MILESTONE_FIELDS, PROJECTS, RETIRED_STAGE, Problem, SheetSpec
from .reading import ImportPlan, ParsedRow, problems_from

ARRIVAL_FIELDS = ("arrived_on", "amount", "note")
AGREEMENT_FIELDS = ("signed_on", "amount", "note")
NOT_APPROVED_FOR_AGREEMENT = (
    "项目“{code}”导入后的状态为“{status}”，不能登记补充协议：补充协议只能补充已审核的项目"
    "（审核员导入时可勾选“导入后直接审核通过”，命令行 --approve）。"
)
# New rows are written in batches: a 20k-row import's write transaction (SQLite's one writer,
# which a project saved meanwhile waits for) takes seconds, not minutes (docs/performance.md).
BATCH = 500
# Checked for every row when the file is read (the units and groups it names exist, the codes
# it gives are free, a lead unit is not a cooperating one), so not again, row by row, here.
CHECKED_WHEN_READ = ("lead_unit", "group", "created_by", "reviewed_by", "project", "unit")
CONFLICT = "写入时与他人同时录入的数据冲突（如项目编号刚被占用），未写入任何数据；请重新导入。"


class ImportRejected(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the import file")
        self.problems = problems


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # project codes
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)  # codes the import made up, among `created`
    arrivals_created: int = 0
    arrivals_skipped: int = 0  # already stored
    agreements_created: int = 0  # supplementary agreements (补充协议)
    agreements_skipped: int = 0  # already stored: the same project, date and amount
    milestones_written: int = 0  # milestone actual dates created or changed (landing)
    dry_run: bool = False

    def summary(self) -> list[str]:
        lead = "试运行，未写入任何数据。将" if self.dry_run else "导入完成："
        lines = [
            f"{lead}新建项目 {len(self.created)} 个，更新 {len(self.updated)} 个，未变化 {len(self.unchanged)} 个；"
            f"新增到位资金 {self.arrivals_created} 条，已存在而跳过 {self.arrivals_skipped} 条。"
            + (f"新填或更改节点日期 {self.milestones_written} 个。" if self.milestones_written else "")
            + (
                f"新增补充协议 {self.agreements_created} 份，已存在而跳过 {self.agreements_skipped} 份。"
                if self.agreements_created or self.agreements_skipped
                else ""
            )
        ]
        for label, codes in (("新建", self.created), ("更新", self.updated), ("自动生成的项目编号", self.generated)):
            if codes:
                lines.append(f"{label}：{'、'.join(codes)}")
        return lines


def apply_plan(
    *, plan: ImportPlan, approve: bool, user=None, dry_run: bool = False, codes: CodeBlock | None = None
) -> ImportResult:
    """Write a checked plan in one transaction.

    Projects become submitted (approved with `approve`, reviewed by `user`); the arrivals it
    writes are unverified (verified with `approve`, by `user`). Raises
    ImportRejected when the plan has problems or a model refuses a row, having written
    nothing. A dry run makes every write and check, then rolls back: it reports exactly
    what the import would do, its new codes foreseen, not reserved. Otherwise the new
    projects' codes are `codes` (reserve_codes_for, called outside any transaction), or
    reserved here before the import's transaction starts.
    """
    if plan.problems:
        raise ImportRejected(plan.problems)
    if codes is None:
        codes = peek_codes(codes_needed(plan), taken=codes_in_file(plan)) if dry_run else reserve_codes_for(plan)
    with transaction.atomic():
        writer = _Writer(plan=plan, approve=approve, user=user, codes=codes)
        result = writer.write()
        if writer.problems:
            raise ImportRejected(writer.problems)
        result.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return result


def codes_needed(plan: ImportPlan) -> dict[int, int]:
    """How many new codes the plan's new projects without a code need, per signing year."""
    needed: Counter = Counter()
    for row in plan.projects:
        if not row.existing_id and not row.values.get("code"):
            needed[row.values["signed_on"].year] += 1
    return dict(needed)


def reserve_codes_for(plan: ImportPlan) -> CodeBlock:
    """Reserve, in a transaction of its own committed at once, the codes the plan's new projects
    need: the import's long transaction then holds no lock a project save would wait on."""
    return reserve_codes(codes_needed(plan), taken=codes_in_file(plan)) if not plan.problems else CodeBlock({})


def codes_in_file(plan: ImportPlan) -> set[str]:
    return {row.values["code"] for row in plan.projects if row.values.get("code")}


def _status_after_import(current: str, *, approve: bool, facts_changed: bool) -> str:
    # Unchanged facts need no new review: re-importing a file leaves approved projects approved.
    if approve or (current == Status.APPROVED and not facts_changed):
        return Status.APPROVED
    return Status.SUBMITTED


def _attname(name: str) -> str:
    return Project._meta.get_field(name).attname


def project_facts(values: dict) -> dict:
    """A project row's values that are the project's own columns (not its code, cooperating units
    or milestone dates)."""
    others = ("code", "cooperating_units", RETIRED_STAGE, *MILESTONE_FIELDS.values())
    return {name: value for name, value in values.items() if name not in others}


def row_changes_project(values: dict, project: Project, units_before: set[int]) -> bool:
    """Whether a project row, written, would change the stored project's facts or cooperating units.

    `units_before` are the stored cooperating units' ids; a row without that column keeps them.
    """
    units = values.get("cooperating_units")
    if units is not None and set(units) != units_before:
        return True
    return any(getattr(project, _attname(name)) != value for name, value in project_facts(values).items())


class _Writer:
    def __init__(self, *, plan: ImportPlan, approve: bool, user, codes: CodeBlock):
        self.plan, self.approve, self.user, self.codes = plan, approve, user, codes
        self.now = timezone.now()
        self.problems: list[Problem] = []
        self.result = ImportResult()
        self.touched: set[int] = set()  # projects given milestones or arrivals in bulk, which sends no signal

    def write(self) -> ImportResult:
        ids = [row.existing_id for row in self.plan.projects if row.existing_id]
        stored = Project.objects.select_for_update().in_bulk(ids)
        cooperating: dict[int, set[int]] = {}
        for chunk in chunks(ids):
            for project_id, unit_id in Cooperation.objects.filter(project_id__in=chunk).values_list("project_id", "unit_id"):
                cooperating.setdefault(project_id, set()).add(unit_id)
        projects, rows_of_stored, written = {}, {}, []
        self.new: list[tuple[Project, list[int]]] = []  # with their cooperating units, written in bulk
        for row in self.plan.projects:
            project = self._write_project(row, stored.get(row.existing_id), cooperating.get(row.existing_id, set()))
            if project is not None:
                projects[project.code] = project
                written.append((row, project))
                if row.existing_id:
                    rows_of_stored[project] = row.row
        self._check_stored_arrivals(rows_of_stored)
        if not self.problems:
            self._create_new_projects()
        if not self.problems:
            self._write_milestones(written)
        self._write_arrivals(projects)  # checks every arrival row, writes them only if nothing was refused
        self._write_agreements(projects)  # the same for the supplementary agreements
        if not self.problems:  # the landing columns follow the bulk writes (a save sends its own signal)
            for chunk in chunks(sorted(self.touched)):
                landing_facts.refresh(chunk)
        return self.result

    def _check_stored_arrivals(self, rows: dict[Project, int]) -> None:
        """A stored project's new signing date may not fall after the arrivals it already has."""
        earliest: dict[int, object] = {}
        for chunk in chunks([project.pk for project in rows]):
            earliest.update(Arrival.objects.filter(project_id__in=chunk).earliest_per_project())
        for project, row in rows.items():
            problem = signing_date_problem(project.signed_on, earliest.get(project.pk))
            if problem:
                self.problems.append(Problem(PROJECTS.title, row, PROJECTS.header_of("signed_on"), problem))
        self._check_stored_agreements(rows)

    def _check_stored_agreements(self, rows: dict[Project, int]) -> None:
        """Nor after its supplementary agreements, and its new agreement capital with them may not fall below 0."""
        found: dict[int, dict] = {}
        for chunk in chunks([project.pk for project in rows]):
            stored = SupplementaryAgreement.objects.filter(project_id__in=chunk).values("project_id").order_by()
            for item in stored.annotate(earliest=Min("signed_on"), total=exact_sum("amount")):
                found[item["project_id"]] = item
        for project, row in rows.items():
            item = found.get(project.pk)
            if item is None:
                continue
            problems = agreements_problem(
                signed_on=project.signed_on,
                agreement_capital=project.agreement_capital,
                earliest=item["earliest"],
                total=from_ten_thousandths(item["total"]),
            )
            for name, message in problems.items():
                self.problems.append(Problem(PROJECTS.title, row, PROJECTS.header_of(name), message))

    def _create_new_projects(self) -> None:
        """The new projects, their history and cooperating units, in batches (CONFLICT if the database refuses)."""
        for project, units in self.new:
            project.cooperating_count = len(units)
        cooperations = [Cooperation(project=project, unit_id=unit) for project, units in self.new for unit in units]
        try:
            with transaction.atomic():
                bulk_create_with_history([p for p, _ in self.new], Project, batch_size=BATCH, default_user=self.user)
                for cooperation in cooperations:
                    cooperation.project_id = cooperation.project.pk
                bulk_create_with_history(cooperations, Cooperation, batch_size=BATCH, default_user=self.user)
        except IntegrityError:
            self.problems.append(Problem(None, None, None, CONFLICT))

    def _write_project(self, row: ParsedRow, project: Project | None, units_before: set[int]) -> Project | None:
        facts = project_facts(row.values)
        units = row.values.get("cooperating_units")  # None: the sheet has no such column; keep the stored ones
        new = project is None
        if new:
            project = Project(code=row.values.get("code") or "", created_by=self.user)
        changed = new or row_changes_project(row.values, project, units_before)
        status = _status_after_import(project.status, approve=self.approve, facts_changed=changed)
        if not changed and status == project.status:
            self.result.unchanged.append(project.code)
            return project
        if units is None and facts.get("lead_unit") in units_before:
            message = "该单位是此项目现有的配合单位，不能同时作牵头单位；请同时在「配合单位」列填写该项目的配合单位。"
            self.problems.append(Problem(PROJECTS.title, row.row, PROJECTS.header_of("lead_unit"), message))
            return None
        self._change(project, facts, status, new=new)
        if not self._clean(project, spec=PROJECTS, row=row.row, new=new):
            return None
        if new:
            self.new.append((project, list(dict.fromkeys(units or []))))
        else:
            project.save()
            if units is not None:
                self._replace_cooperating_units(project, units, row=row.row)
        (self.result.created if new else self.result.updated).append(project.code)
        return project

    def _change(self, project: Project, facts: dict, status: str, *, new: bool) -> None:
        for name, value in facts.items():
            setattr(project, _attname(name), value)
        project.status, project.return_reason = status, ""
        if status == Status.SUBMITTED:
            project.submitted_at, project.reviewed_at, project.reviewed_by = self.now, None, None
        else:
            project.submitted_at = project.submitted_at or self.now
            project.reviewed_at, project.reviewed_by = self.now, self.user
        if new and not project.code:
            project.code = self.codes.take(project.signed_on.year)
            self.result.generated.append(project.code)
        if not new:
            project.version += 1

    def _clean(self, instance, *, spec: SheetSpec, row: int, column: str | None = None, new: bool = False) -> bool:
        """full_clean, its errors kept as problems at the row; marks the history with the user.

        A new row skips what reading the file checked, and the per-row queries of uniqueness and
        constraints: the database enforces both when the batch is written (CONFLICT).
        """
        try:
            if new:
                instance.full_clean(exclude=CHECKED_WHEN_READ, validate_unique=False, validate_constraints=False)
            else:
                instance.full_clean()
        except ValidationError as error:
            self.problems.extend(problems_from(error, spec=spec, row=row, column=column))
            return False
        if self.user is not None:
            instance._history_user = self.user  # django-simple-history's hook for who changed it
        return True

    def _replace_cooperating_units(self, project: Project, units: list[int], *, row: int) -> None:
        try:
            project.set_cooperating_units(units, user=self.user)
        except ValidationError as error:
            column = PROJECTS.header_of("cooperating_units")
            self.problems.extend(problems_from(error, spec=PROJECTS, row=row, column=column))

    def _write_milestones(self, rows: list[tuple[ParsedRow, Project]]) -> None:
        """The rows' milestone actual dates (checked when read, landing.rules): a new one created, a
        changed one changed and 待核实 again; an unchanged one left (verified with `approve`). An
        empty cell leaves the stored milestone as it is."""
        rows = [(row, project) for row, project in rows if any(row.values.get(name) for name in MILESTONE_FIELDS.values())]
        stored: dict[tuple[int, str], Milestone] = {}
        for chunk in chunks([project.pk for _row, project in rows]):
            stored.update({(m.project_id, m.kind): m for m in Milestone.objects.filter(project_id__in=chunk)})
        new = []
        for row, project in rows:
            for kind in MILESTONE_ORDER:
                day = row.values.get(MILESTONE_FIELDS[kind])
                milestone = stored.get((project.pk, kind))
                unchanged = milestone is not None and milestone.actual_on == day
                if day is None or (unchanged and (milestone.verified or not self.approve)):
                    continue
                if milestone is None:
                    milestone = Milestone(project=project, kind=kind)
                    new.append(milestone)
                milestone.actual_on, milestone.updated_by = day, self.user
                # The operator's own approval verifies what it writes, as for arrivals (domain.md §7).
                milestone.verified, milestone.verified_by, milestone.verified_at = (
                    (True, self.user, self.now) if self.approve else (False, None, None)
                )
                self.result.milestones_written += 1
                column = PROJECTS.header_of(MILESTONE_FIELDS[kind])
                if milestone.pk and self._clean(milestone, spec=PROJECTS, row=row.row, column=column):
                    milestone.save()
        if new and not self.problems:
            bulk_create_with_history(new, Milestone, batch_size=BATCH, default_user=self.user)
            self.touched |= {milestone.project_id for milestone in new}

    def _write_arrivals(self, projects: dict[str, Project]) -> None:
        """Create the file's arrivals not stored yet, counting repeats: the file is a multiset."""
        wanted = list({row.values["project"] for row in self.plan.arrivals} - projects.keys())
        projects = {**projects, **Project.objects.in_bulk(wanted, field_name="code")}
        stored: Counter = Counter()
        new: list[Arrival] = []
        for chunk in chunks([project.pk for project in projects.values()]):
            stored.update(Arrival.objects.filter(project_id__in=chunk).values_list("project_id", *ARRIVAL_FIELDS))
        for row in self.plan.arrivals:
            project = projects.get(row.values["project"])
            if project is None:
                continue  # its project row was refused, which already fails the import
            values = {name: row.values[name] for name in ARRIVAL_FIELDS}
            key = (project.pk, *values.values())
            if stored[key] > 0:
                stored[key] -= 1
                self.result.arrivals_skipped += 1
                continue
            arrival = Arrival(project=project, created_by=self.user, **values)
            if self.approve:  # the operator's own approval verifies what it writes (domain.md §7)
                arrival.verified, arrival.verified_by, arrival.verified_at = True, self.user, self.now
            if self._clean(arrival, spec=ARRIVALS, row=row.row, new=True):
                new.append(arrival)
                self.touched.add(project.pk)
                self.result.arrivals_created += 1
        if not self.problems:
            try:
                with transaction.atomic():
                    bulk_create_with_history(new, Arrival, batch_size=BATCH, default_user=self.user)
            except IntegrityError:
                self.problems.append(Problem(None, None, None, CONFLICT))

    def _write_agreements(self, projects: dict[str, Project]) -> None:
        """Create the file's supplementary agreements not stored yet (the same project, date and
        amount: skipped), each checked against its project as the import leaves it (approved, signed
        by then); a project's agreement capital with all its agreements may not fall below 0."""
        if not self.plan.agreements:
            return
        wanted = list({row.values["project"] for row in self.plan.agreements} - projects.keys())
        projects = {**projects, **Project.objects.in_bulk(wanted, field_name="code")}
        stored: set[tuple] = set()
        totals: dict[int, Decimal] = {}
        for chunk in chunks([project.pk for project in projects.values() if project.pk]):
            rows = SupplementaryAgreement.objects.filter(project_id__in=chunk).values_list("project_id", "signed_on", "amount")
            for project_id, signed_on, amount in rows:
                stored.add((project_id, signed_on, amount))
                totals[project_id] = totals.get(project_id, Decimal(0)) + amount
        new: list[SupplementaryAgreement] = []
        column = AGREEMENTS.header_of("project")
        for row in self.plan.agreements:
            project = projects.get(row.values["project"])
            if project is None:
                continue  # its project row was refused, which already fails the import
            values = {name: row.values[name] for name in AGREEMENT_FIELDS}
            if project.pk and (project.pk, values["signed_on"], values["amount"]) in stored:
                self.result.agreements_skipped += 1
                continue
            if project.status != Status.APPROVED:
                message = NOT_APPROVED_FOR_AGREEMENT.format(code=project.code, status=Status(project.status).label)
                self.problems.append(Problem(AGREEMENTS.title, row.row, column, message))
                continue
            agreement = SupplementaryAgreement(project=project, created_by=self.user, **values)
            if self.approve:  # the operator's own approval verifies what it writes, as for arrivals
                agreement.verified, agreement.verified_by, agreement.verified_at = True, self.user, self.now
            if not self._clean(agreement, spec=AGREEMENTS, row=row.row, new=True):
                continue
            others = totals.get(project.pk, Decimal(0))
            problem = agreement_total_problem(project.agreement_capital, others, values["amount"])
            if problem:
                self.problems.append(Problem(AGREEMENTS.title, row.row, AGREEMENTS.header_of("amount"), problem))
                continue
            totals[project.pk] = others + values["amount"]
            new.append(agreement)
            self.result.agreements_created += 1
        if not self.problems:
            try:
                with transaction.atomic():
                    bulk_create_with_history(new, SupplementaryAgreement, batch_size=BATCH, default_user=self.user)
            except IntegrityError:
                self.problems.append(Problem(None, None, None, CONFLICT))
