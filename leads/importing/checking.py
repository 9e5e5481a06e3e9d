"""Reading and checking a pipeline workbook into a LeadImportPlan; nothing is written.

The file is opened and read by the project import's safe reader (size and row limits, zip bombs,
defusedxml); this module adds the rules across cells, rows, sheets and the database: the lead
rules of domain.md §10, duplicates, and references between sheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lib.sql import chunks
from projects.importing.columns import Problem, SheetSpec
from projects.importing.reading import File, ParsedRow, Refused, header_key, open_workbook, read_sheet, validate_fields

from ..models import OPEN_STAGES, Activity, Lead, LeadStage, TargetEnterprise
from .columns import ACTIVITIES, ENTERPRISES, LEADS, SHEETS, STAGE_DEPENDENT, Lookups


@dataclass(frozen=True)
class Ref:
    """What a lead or an activity points at: a row of this file (by Excel row) or a stored object."""

    row: int | None = None
    pk: int | None = None


@dataclass
class LeadImportPlan:
    enterprises: list[ParsedRow] = field(default_factory=list)
    leads: list[ParsedRow] = field(default_factory=list)
    activities: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def rows(self, spec: SheetSpec) -> list[ParsedRow]:
        by_title = {ENTERPRISES.title: self.enterprises, LEADS.title: self.leads, ACTIVITIES.title: self.activities}
        return by_title[spec.title]


def parse_lead_workbook(file: File) -> LeadImportPlan:
    """Read and check a workbook (a path or an uploaded file). Writes nothing; every problem
    found is in `plan.problems`, in the order of the sheets, rows and columns."""
    plan = LeadImportPlan()
    try:
        workbook = open_workbook(file)
    except Refused as refused:
        plan.problems.append(refused.problem)
        return plan
    try:
        _read_sheets(workbook, plan)
    except Refused as refused:
        plan.problems.append(refused.problem)
    finally:
        workbook.close()
    if not any(problem.row is None and problem.sheet is None for problem in plan.problems):
        _check_enterprises(plan)
        _check_leads(plan)
        _check_activities(plan)
    plan.problems.sort(key=place)
    return plan


def place(problem: Problem) -> tuple[int, int, int]:
    specs = [spec for spec in SHEETS if spec.title == problem.sheet]
    headers = [column.header for column in specs[0].columns] if specs else []
    column = headers.index(problem.column) if problem.column in headers else -1
    return (SHEETS.index(specs[0]) if specs else -1, problem.row or 0, column)


def _read_sheets(workbook, plan: LeadImportPlan) -> None:
    lookups = Lookups.load()
    sheets = {header_key(worksheet.title): worksheet for worksheet in workbook.worksheets}
    found = [spec for spec in SHEETS if header_key(spec.title) in sheets]
    if not found:
        titles = "、".join(f"“{spec.title}”" for spec in SHEETS)
        plan.problems.append(Problem(None, None, None, f"工作簿中没有{titles}中的任何一个工作表。"))
        return
    for spec in found:
        told_later = STAGE_DEPENDENT if spec is LEADS else ()
        rows = read_sheet(sheets[header_key(spec.title)], spec, lookups, plan.problems, told_later=told_later)
        plan.rows(spec).extend(rows)


def _problem(spec: SheetSpec, row: ParsedRow, field_name: str | None, message: str) -> Problem:
    return Problem(spec.title, row.row, spec.header_of(field_name), message)


def _first_rows(spec: SheetSpec, rows: list[ParsedRow], key, field_name: str, what: str) -> list[Problem]:
    """A problem for each row whose `key` (None: no key) an earlier row of the sheet already has."""
    problems, seen = [], {}
    for row in rows:
        value = key(row.values)
        if value is None:
            continue
        if value in seen:
            problems.append(_problem(spec, row, field_name, f"与第{seen[value]}行是同一{what}，请合并为一行。"))
        else:
            seen[value] = row.row
    return problems


# --- 目标企业 --------------------------------------------------------------------------------------


def _check_enterprises(plan: LeadImportPlan) -> None:
    rows = plan.enterprises
    names = [row.values["name"] for row in rows if row.values.get("name")]
    codes = [row.values["credit_code"] for row in rows if row.values.get("credit_code")]
    by_name = TargetEnterprise.objects.in_bulk(names, field_name="name")
    by_code = {enterprise.credit_code: enterprise for enterprise in _enterprises_where("credit_code", codes)}
    plan.problems += _first_rows(ENTERPRISES, rows, lambda values: values.get("name"), "name", "企业")
    plan.problems += _first_rows(ENTERPRISES, rows, lambda values: values.get("credit_code") or None, "credit_code", "企业")
    matched: dict[int, int] = {}  # stored enterprise → the row updating it
    for row in rows:
        plan.problems += validate_fields(TargetEnterprise, row, ENTERPRISES)
        plan.problems += _match_enterprise(row, by_name, by_code, matched)


def _match_enterprise(row: ParsedRow, by_name, by_code, matched: dict[int, int]) -> list[Problem]:
    """Find the stored enterprise a row updates: by credit code, else by exact name."""
    name, code = row.values.get("name"), row.values.get("credit_code")
    by_its_code, by_its_name = by_code.get(code) if code else None, by_name.get(name)
    if by_its_code and by_its_name and by_its_code != by_its_name:
        message = f"系统中已有名为“{name}”的另一家企业（统一社会信用代码为“{by_its_name.credit_code or '空'}”），请核对。"
        return [_problem(ENTERPRISES, row, "name", message)]
    existing = by_its_code or by_its_name
    if existing is None:
        return []
    if code and existing.credit_code and existing.credit_code != code:
        message = f"系统中的“{name}”统一社会信用代码为“{existing.credit_code}”，与本行不同，请核对。"
        return [_problem(ENTERPRISES, row, "credit_code", message)]
    if existing.pk in matched:
        return [_problem(ENTERPRISES, row, "name", f"与第{matched[existing.pk]}行更新的是同一家已有企业。")]
    matched[existing.pk] = row.row
    row.existing_id = existing.pk
    return []


def _enterprises_where(field_name: str, values: list[str]) -> list[TargetEnterprise]:
    found = []
    for chunk in chunks(values):
        found += TargetEnterprise.objects.filter(**{f"{field_name}__in": chunk})
    return found


class _Enterprises:
    """Resolve an enterprise named in a lead or activity row: by name or credit code, the file's
    目标企业 rows first, then the database."""

    def __init__(self, plan: LeadImportPlan, texts: set[str]):
        self.in_file: dict[str, int] = {}
        for row in plan.enterprises:
            for key in (row.values.get("name"), row.values.get("credit_code")):
                if key:
                    self.in_file.setdefault(key, row.row)
        wanted = list(texts - self.in_file.keys())
        self.stored = {e.name: e.pk for e in _enterprises_where("name", wanted)}
        self.stored |= {e.credit_code: e.pk for e in _enterprises_where("credit_code", wanted)}

    def resolve(self, text: str) -> Ref | None:
        if text in self.in_file:
            return Ref(row=self.in_file[text])
        if text in self.stored:
            return Ref(pk=self.stored[text])
        return None


def _resolve_enterprises(plan: LeadImportPlan, spec: SheetSpec) -> None:
    rows = plan.rows(spec)
    enterprises = _Enterprises(plan, {row.values["enterprise"] for row in rows if row.values.get("enterprise")})
    for row in rows:
        text = row.values.get("enterprise")
        if not text:
            continue
        ref = enterprises.resolve(text)
        if ref is None:
            message = f"找不到目标企业“{text}”：“目标企业”表和系统中都没有这家企业（按名称或统一社会信用代码）。"
            plan.problems.append(_problem(spec, row, "enterprise", message))
        row.values["enterprise"] = ref


# --- 线索 -----------------------------------------------------------------------------------------


STAGE_NEEDS = {
    "responsible_person": "在跟线索必须有责任人。",
    "next_step": "在跟线索必须有下一步工作。",
    "deadline": "在跟线索必须有下一步的截止日期。",
}


def _check_leads(plan: LeadImportPlan) -> None:
    rows = plan.leads
    stored = Lead.objects.in_bulk([row.values["code"] for row in rows if row.values.get("code")], field_name="code")
    plan.problems += _first_rows(LEADS, rows, lambda values: values.get("code"), "code", "线索")
    told = {(problem.row, problem.column) for problem in plan.problems if problem.sheet == LEADS.title}
    for row in rows:
        # The stage rules are also Lead.clean's: each cell is told once, in the import's words.
        stage_problems = [p for p in _stage_rules(row) if (p.row, p.column) not in told]
        stage_cells = {(p.row, p.column) for p in stage_problems}
        plan.problems += [p for p in validate_fields(Lead, row, LEADS) if (p.row, p.column) not in stage_cells]
        plan.problems += stage_problems
        existing = stored.get(row.values.get("code"))
        if existing is not None:
            row.existing_id = existing.pk
            if existing.stage == LeadStage.SIGNED or existing.project_id:
                message = f"线索“{existing.code}”已签约，不能再通过导入修改。"
                plan.problems.append(_problem(LEADS, row, "code", message))
    _resolve_enterprises(plan, LEADS)


def _stage_rules(row: ParsedRow) -> list[Problem]:
    """domain.md §10 on one row: an open lead's owner facts; 暂缓 needs its resume date, 终止 its
    reason; 已签约 needs a project, which a file cannot give."""
    values, stage = row.values, row.values.get("stage")
    if stage in OPEN_STAGES:
        return [_problem(LEADS, row, name, message) for name, message in STAGE_NEEDS.items() if not values.get(name)]
    if stage == LeadStage.PAUSED and not values.get("resume_on"):
        return [Problem(LEADS.title, row.row, "恢复日期", "暂缓的线索必须填写恢复跟进的日期（“恢复日期”列）。")]
    if stage == LeadStage.STOPPED and not values.get("stop_reason"):
        return [Problem(LEADS.title, row.row, "终止原因", "终止的线索必须填写终止原因（“终止原因”列）。")]
    if stage == LeadStage.SIGNED:
        message = "“已签约”的线索须在系统中关联签约项目，不能导入；请导入为“拟签约”，签约后在线索页面关联项目。"
        return [_problem(LEADS, row, "stage", message)]
    return []


# --- 活动 -----------------------------------------------------------------------------------------


def _activity_key(values: dict[str, Any]) -> tuple | None:
    key = (values.get("date"), values.get("unit"), values.get("kind"), values.get("summary"))
    return None if None in key else key


def _check_activities(plan: LeadImportPlan) -> None:
    rows = plan.activities
    plan.problems += _first_rows(ACTIVITIES, rows, _activity_key, "summary", "活动（日期、单位、类型、事由都相同）")
    in_file = {row.values["code"]: row.row for row in plan.leads if row.values.get("code")}
    wanted = list({row.values["lead"] for row in rows if row.values.get("lead")} - in_file.keys())
    stored_leads = {}
    for chunk in chunks(wanted):
        stored_leads.update(Lead.objects.filter(code__in=chunk).values_list("code", "pk"))
    stored = _stored_activities(rows)
    for row in rows:
        plan.problems += validate_fields(Activity, row, ACTIVITIES)
        row.existing_id = stored.get(_activity_key(row.values))
        code = row.values.get("lead")
        if not code:
            continue
        row.values["lead"] = Ref(row=in_file[code]) if code in in_file else Ref(pk=stored_leads.get(code))
        if code not in in_file and code not in stored_leads:
            message = f"找不到线索编号“{code}”：“线索”表和系统中都没有这条线索。"
            plan.problems.append(_problem(ACTIVITIES, row, "lead", message))
    _resolve_enterprises(plan, ACTIVITIES)


def _stored_activities(rows: list[ParsedRow]) -> dict[tuple, int]:
    """The stored activity each key names (the first entered, when several share it)."""
    summaries = sorted({row.values["summary"] for row in rows if row.values.get("summary")})
    stored: dict[tuple, int] = {}
    for chunk in chunks(summaries):
        found = Activity.objects.filter(summary__in=chunk).order_by("pk")
        for pk, *key in found.values_list("pk", "date", "unit", "kind", "summary"):
            stored.setdefault(tuple(key), pk)
    return stored
