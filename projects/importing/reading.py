"""Reading an uploaded workbook safely and checking it into an ImportPlan; nothing is written.

Just past 400 lines: the safety checks (size, zip bomb, defusedxml) and the row checks read the
same open workbook in one pass; columns.py already holds the per-column parsing.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from landing.models import Milestone
from landing.rules import ACTUAL, Dates, date_problems, field_name
from lib.sql import chunks
from targets.models import UnitTarget

from ..models import Arrival, Project, SupplementaryAgreement, unusual_amount
from .columns import AGREEMENTS, ARRIVALS, MILESTONE_FIELDS, PROJECTS, SHEETS, CellError, Lookups, Problem, SheetSpec

MAX_ZIP_MEMBERS = 1000
MAX_COMPRESSION_RATIO = 100
# Small parts may compress better than 100:1 and are harmless, the total size being capped anyway.
RATIO_CHECKED_ABOVE_BYTES = 2**20
MAX_CONTENT_TYPES_BYTES = 2**20
MAX_COLUMNS = 100

File = str | os.PathLike | IO[bytes]


@dataclass
class ParsedRow:
    row: int  # Excel's row number
    values: dict[str, Any]  # model field → value, for the sheet's columns whose cell could be read
    existing_id: int | None = None  # the stored project a project row updates


@dataclass
class ImportPlan:
    projects: list[ParsedRow] = field(default_factory=list)
    arrivals: list[ParsedRow] = field(default_factory=list)
    agreements: list[ParsedRow] = field(default_factory=list)  # 补充协议 (domain.md §8)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # worth a second look; the import may go ahead

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_workbook(file: File) -> ImportPlan:
    """Read and check a workbook: a path, or a file object such as an UploadedFile.

    Writes nothing. Every problem found is in `plan.problems`; a refused file has one.
    """
    plan = ImportPlan()
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
    _check_projects(plan)
    _check_milestones(plan, today=timezone.localdate())
    _check_arrivals(plan)
    _check_agreements(plan)
    _check_amounts(plan)
    plan.problems.sort(key=place)
    plan.warnings.sort(key=place)
    return plan


def place(problem: Problem) -> tuple[int, int, int]:
    """Where a problem is in the workbook, for listing problems in reading order (stable)."""
    specs = [spec for spec in SHEETS if spec.title == problem.sheet]
    headers = [column.header for column in specs[0].columns] if specs else []
    column = headers.index(problem.column) if problem.column in headers else -1
    return (SHEETS.index(specs[0]) if specs else -1, problem.row or 0, column)


# --- Safety: size, zip bombs, and what openpyxl is given ---------------------------------------


class Refused(Exception):
    def __init__(self, message: str, sheet: str | None = None):
        super().__init__(message)
        self.problem = Problem(sheet, None, None, message)


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 2**10:.0f} KB"


def _read_limited(file: File) -> bytes:
    limit = settings.IMPORT_MAX_BYTES
    too_big = f"文件超过 {megabytes(limit)} 的上限，请拆分后分批导入。"
    if isinstance(file, (str, os.PathLike)):
        try:
            if os.path.getsize(file) > limit:
                raise Refused(too_big)
            with open(file, "rb") as handle:
                data = handle.read(limit + 1)
        except OSError as error:
            raise Refused(f"无法打开文件：{error.strerror or error}。") from error
    else:
        if (getattr(file, "size", None) or 0) > limit:
            raise Refused(too_big)
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise Refused(too_big)
    return data


def _check_archive(data: bytes) -> None:
    """An .xlsx is a zip: refuse anything else, and zip bombs, before any XML is parsed."""
    not_xlsx = "文件不是 Excel 工作簿（.xlsx）。旧版 .xls 或其他格式，请在 Excel 中“另存为” .xlsx 后再导入。"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Refused(not_xlsx) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise Refused(f"文件包含 {len(members)} 个部件，超过 {MAX_ZIP_MEMBERS} 个的上限，疑似异常文件，已拒绝。")
        unpacked = sum(member.file_size for member in members)
        if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
            raise Refused(
                f"文件解压后有 {megabytes(unpacked)}，超过 {megabytes(settings.IMPORT_MAX_UNPACKED_BYTES)} 的上限，"
                "疑似压缩炸弹，已拒绝。"
            )
        for member in members:
            ratio_checked = member.file_size > RATIO_CHECKED_ABOVE_BYTES
            if ratio_checked and member.file_size > MAX_COMPRESSION_RATIO * member.compress_size:
                raise Refused(f"文件中的部件“{member.filename}”压缩比超过 {MAX_COMPRESSION_RATIO} 倍，疑似压缩炸弹，已拒绝。")
        types = next((m for m in members if m.filename == "[Content_Types].xml"), None)
        if types is None or types.file_size > MAX_CONTENT_TYPES_BYTES:
            raise Refused(not_xlsx)
        declared = archive.read(types)
        if b"spreadsheetml" not in declared and b"ms-excel" not in declared:
            raise Refused(not_xlsx)


def open_workbook(file: File):
    data = _read_limited(file)
    _check_archive(data)
    try:
        # openpyxl parses with defusedxml when it is installed (openpyxl.xml.DEFUSEDXML).
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a malformed file fails in many ways inside openpyxl
        raise Refused(f"无法读取该 Excel 文件（{error}）。请用 Excel 打开后另存为 .xlsx 再导入。") from error


def _rows(worksheet, **bounds) -> Iterator[tuple]:
    """The sheet's rows as values; a read-only sheet parses its XML only here, row by row."""
    rows = worksheet.iter_rows(values_only=True, **bounds)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # malformed sheet XML surfaces only while reading
            raise Refused(f"无法读取该工作表（{error}）。", sheet=worksheet.title) from error
        yield row


# --- Cells into rows -----------------------------------------------------------------------------


def header_key(text: Any) -> str:
    """Headers match ignoring spaces and full-width/ASCII forms: （亿元） is (亿元)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_sheets(workbook, plan: ImportPlan) -> None:
    lookups = Lookups.load()
    sheets = {header_key(worksheet.title): worksheet for worksheet in workbook.worksheets}  # not chartsheets
    for spec in SHEETS:
        worksheet = sheets.get(header_key(spec.title))
        if worksheet is None:
            if spec.required:
                plan.problems.append(Problem(None, None, None, f"工作簿中没有名为“{spec.title}”的工作表。"))
            continue
        told_later = Project.REQUIRED_TO_SUBMIT if spec is PROJECTS else ()
        rows = read_sheet(worksheet, spec, lookups, plan.problems, told_later=told_later)
        if spec is PROJECTS:
            plan.projects = rows
        elif spec is AGREEMENTS:
            plan.agreements = rows
        else:
            plan.arrivals = rows


def read_sheet(
    worksheet, spec: SheetSpec, lookups: Any, problems: list[Problem], *, told_later: Collection[str] = ()
) -> list[ParsedRow]:
    """The sheet's non-blank rows, each cell read by its column's parser (given `lookups`).

    An empty cell of a required column is a problem, unless its field is in `told_later`: the
    caller checks it with the row's other facts and says why in its own words.
    """
    worksheet.reset_dimensions()  # some writers record a wrong size: read to the real end
    positions = _column_positions(worksheet, spec, problems)
    if positions is None:
        return []
    present = [column for column in spec.columns if column.field in positions]
    rows, limit = [], settings.IMPORT_MAX_ROWS
    for number, cells in enumerate(_rows(worksheet, min_row=2, max_col=max(positions.values()) + 1), start=2):
        if all(_is_blank(value) for value in cells):
            continue
        if len(rows) == limit:
            problems.append(Problem(spec.title, number, None, f"数据超过 {limit} 行的上限，请拆分后分批导入。"))
            break
        values = {}
        for column in present:
            index = positions[column.field]
            value = cells[index] if index < len(cells) else None
            if _is_blank(value):
                if column.required and column.field not in told_later:
                    problems.append(Problem(spec.title, number, column.header, "必填，不能为空。"))
                elif not column.required:
                    values[column.field] = column.default
                continue
            try:
                values[column.field] = column.parse(value, lookups)
            except CellError as error:
                problems.append(Problem(spec.title, number, column.header, str(error)))
        rows.append(ParsedRow(number, values))
    return rows


def _column_positions(worksheet, spec: SheetSpec, problems: list[Problem]) -> dict[str, int] | None:
    """Where each known column is (field → 0-based index); None when a required one is missing."""
    by_key = {header_key(column.header): column for column in spec.columns}
    header = next(_rows(worksheet, min_row=1, max_row=1, max_col=MAX_COLUMNS), ())
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        column = None if _is_blank(title) else by_key.get(header_key(title))
        if column is None:
            continue  # the user's own extra column
        if column.field in positions:
            problems.append(Problem(spec.title, 1, column.header, "这一列出现了不止一次。"))
        positions.setdefault(column.field, index)
    missing = [column for column in spec.columns if column.required and column.field not in positions]
    for column in missing:
        problems.append(Problem(spec.title, 1, column.header, "缺少这一必填列。"))
    return None if missing else positions


# --- Rules across cells and rows, and against the database -------------------------------------


def problems_from(error: ValidationError, *, spec: SheetSpec, row: int, column: str | None = None) -> list[Problem]:
    """A model's ValidationError as problems at the row, in the field's column unless `column` is given."""
    items = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    return [
        Problem(spec.title, row, column or spec.header_of(name), message) for name, messages in items for message in messages
    ]


def validate_fields(model: type[models.Model], row: ParsedRow, spec: SheetSpec) -> list[Problem]:
    """The model's own field checks (lengths, digits) on the cells read, before anything is written."""
    # An empty optional cell ("") is not checked here: a project without a code gets one later.
    fields = [
        f.name for f in model._meta.concrete_fields if row.values.get(f.name, "") != "" and not f.is_relation
    ]
    instance = model(**{name: row.values[name] for name in fields})
    exclude = [f.name for f in model._meta.fields if f.name not in fields]
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return problems_from(error, spec=spec, row=row.row)
    return []


def _project_key(values: dict[str, Any]) -> tuple | None:
    """What identifies a project without a code: lead unit, name, signing date."""
    key = (values.get("lead_unit"), values.get("name"), values.get("signed_on"))
    return None if None in key else key


def _stored_projects(rows: list[ParsedRow]) -> tuple[dict[str, Project], dict[tuple, list[Project]]]:
    by_code = Project.objects.in_bulk([row.values["code"] for row in rows if row.values.get("code")], field_name="code")
    by_key: dict[tuple, list[Project]] = {}
    names = list({row.values["name"] for row in rows if "name" in row.values})
    for chunk in chunks(names):
        for project in Project.objects.filter(name__in=chunk).only("code", "lead_unit", "name", "signed_on"):
            by_key.setdefault((project.lead_unit_id, project.name, project.signed_on), []).append(project)
    return by_code, by_key


def _missing_to_submit(row: ParsedRow, told: set[tuple[int, str]]) -> list[Problem]:
    """An imported project is submitted (or approved): the submission rule's missing facts, in its words.

    A cell already reported as unreadable (`told`, by row and header) is not reported again.
    """
    facts = {name: row.values.get(name) for name in Project.REQUIRED_TO_SUBMIT}
    missing = Project(**facts, agreement_capital=row.values.get("agreement_capital")).missing_to_submit()
    located = ((PROJECTS.header_of(name), message) for name, message in missing.items())
    return [Problem(PROJECTS.title, row.row, header, message) for header, message in located if (row.row, header) not in told]


def _check_projects(plan: ImportPlan) -> None:
    by_code, by_key = _stored_projects(plan.projects)
    first_rows: dict[tuple, int] = {}
    told = {(problem.row, problem.column) for problem in plan.problems if problem.sheet == PROJECTS.title}
    for row in plan.projects:
        plan.problems.extend(_missing_to_submit(row, told))
        plan.problems.extend(validate_fields(Project, row, PROJECTS))
        if row.values.get("lead_unit") in (row.values.get("cooperating_units") or ()):
            header = PROJECTS.header_of("cooperating_units")
            plan.problems.append(Problem(PROJECTS.title, row.row, header, "牵头单位不能同时是配合单位。"))
        for field_name, message in _match_stored_project(row, by_code, by_key, first_rows):
            plan.problems.append(Problem(PROJECTS.title, row.row, PROJECTS.header_of(field_name), message))


def _match_stored_project(row: ParsedRow, by_code, by_key, first_rows: dict[tuple, int]) -> list[tuple[str, str]]:
    """Set the stored project the row updates, if any; the problems in finding it, as (field, message).

    `first_rows` remembers, across rows, the first row of each code, key and stored project.
    """
    code, key = row.values.get("code"), _project_key(row.values)
    matches = by_key.get(key, []) if key else []
    if code:
        if ("code", code) in first_rows:
            return [("code", f"项目编号“{code}”与第{first_rows['code', code]}行重复。")]
        first_rows["code", code] = row.row
        if code not in by_code:
            if matches:  # a mistyped code would otherwise make a second copy of a stored project
                return [
                    (
                        "code",
                        f"系统中没有项目编号“{code}”，但已有项目“{matches[0].code}”的牵头单位、项目名称、签约日期"
                        "与此行相同；要更新该项目，请填写它的编号。",
                    )
                ]
            return []
        row.existing_id = by_code[code].pk
    elif key:
        if ("key", key) in first_rows:
            return [("name", f"与第{first_rows['key', key]}行的牵头单位、项目名称、签约日期都相同；如确是两个项目，请分别填写项目编号。")]
        first_rows["key", key] = row.row
        if len(matches) > 1:
            codes = "、".join(project.code for project in matches)
            return [("code", f"已有 {len(matches)} 个项目（{codes}）的牵头单位、项目名称、签约日期与此行相同，请填写项目编号，指明更新哪一个。")]
        if not matches:
            return []
        row.existing_id = matches[0].pk
    else:
        return []
    if ("project", row.existing_id) in first_rows:
        return [("code", f"与第{first_rows['project', row.existing_id]}行更新的是同一个已有项目。")]
    first_rows["project", row.existing_id] = row.row
    return []


def _check_milestones(plan: ImportPlan, *, today) -> None:
    """The rows' milestone dates, with those a stored project already has, obey the form's rules
    (landing.rules): not before signing, not after today, in order, 投产 after 开工, 达产 after 投产."""
    rows = [row for row in plan.projects if any(row.values.get(name) for name in MILESTONE_FIELDS.values())]
    stored: dict[int, dict[str, Dates]] = {}
    for chunk in chunks([row.existing_id for row in rows if row.existing_id]):
        milestones = Milestone.objects.filter(project_id__in=chunk).values_list("project_id", "kind", "actual_on")
        for project_id, kind, actual_on in milestones:
            stored.setdefault(project_id, {})[kind] = Dates(actual_on=actual_on)
    headers = {field_name(kind, ACTUAL): PROJECTS.header_of(name) for kind, name in MILESTONE_FIELDS.items()}
    for row in rows:
        if row.values.get("signed_on") is None:
            continue  # told already: the signing date is missing or unreadable
        dates = dict(stored.get(row.existing_id, {}))
        dates |= {kind: Dates(actual_on=row.values[name]) for kind, name in MILESTONE_FIELDS.items() if row.values.get(name)}
        problems = date_problems(dates, signed_on=row.values["signed_on"], today=today)
        plan.problems.extend(Problem(PROJECTS.title, row.row, headers[name], message) for name, message in problems.items())


def unknown_code(code: str) -> str:
    """The message for an arrival whose project is nowhere (or, for unit staff, not theirs to see)."""
    return f"找不到项目编号“{code}”：“项目”表和系统中都没有这个项目。"


def _check_arrivals(plan: ImportPlan) -> None:
    in_file = {row.values["code"] for row in plan.projects if row.values.get("code")}
    wanted = list({row.values["project"] for row in plan.arrivals if row.values.get("project")} - in_file)
    stored = Project.objects.in_bulk(wanted, field_name="code")
    for row in plan.arrivals:
        plan.problems.extend(validate_fields(Arrival, row, ARRIVALS))
        code = row.values.get("project")
        if code and code not in in_file and code not in stored:
            plan.problems.append(Problem(ARRIVALS.title, row.row, ARRIVALS.header_of("project"), unknown_code(code)))


def agreement_key(values: dict[str, Any]) -> tuple:
    """What identifies a supplementary agreement: its project's code, its date, its amount."""
    return (values.get("project"), values.get("signed_on"), values.get("amount"))


def _check_agreements(plan: ImportPlan) -> None:
    """The 补充协议 sheet: its project exists (in the file or stored), and no row repeats another's
    project, date and amount. The rest (the project approved, dates against its signing, totals
    below 0) is checked when the rows are written, against the projects as the import leaves them,
    after what the user may import (permissions.py): a file never learns another unit's project's status."""
    in_file = {row.values["code"] for row in plan.projects if row.values.get("code")}
    wanted = list({row.values["project"] for row in plan.agreements if row.values.get("project")} - in_file)
    stored = Project.objects.in_bulk(wanted, field_name="code")
    column = AGREEMENTS.header_of("project")
    first_rows: dict[tuple, int] = {}
    for row in plan.agreements:
        plan.problems.extend(validate_fields(SupplementaryAgreement, row, AGREEMENTS))
        code = row.values.get("project")
        if code and code not in in_file and code not in stored:
            plan.problems.append(Problem(AGREEMENTS.title, row.row, column, unknown_code(code)))
        key = agreement_key(row.values)
        if None not in key and key in first_rows:
            message = f"与第{first_rows[key]}行的项目编号、签订日期、协议资金变化都相同：同一份补充协议只填一行。"
            plan.problems.append(Problem(AGREEMENTS.title, row.row, AGREEMENTS.header_of("amount"), message))
        first_rows.setdefault(key, row.row)


IMPORT_AMOUNT_NOTE = "请核对金额和单位（亿元，不是万元或元）；可以导入，审核员会看到该项目的金额尚未核对。"


def _check_amounts(plan: ImportPlan) -> None:
    """Warn of amounts above the lead unit's whole-year target of their year, or above 100 亿元
    (models.unusual_amount), as the project form asks for 「金额已核对」: a warning, not a problem."""
    years = {row.values["signed_on"].year for row in plan.projects if row.values.get("signed_on")}
    years |= {row.values["arrived_on"].year for row in plan.arrivals if row.values.get("arrived_on")}
    targets = {
        (unit_id, year): (agreement, arrived)
        for unit_id, year, agreement, arrived in UnitTarget.objects.filter(year__in=years).values_list(
            "unit_id", "year", "agreement_capital", "arrived_capital"
        )
    }
    for row in plan.projects:
        amount, signed_on = row.values.get("agreement_capital"), row.values.get("signed_on")
        year = signed_on.year if signed_on else None
        target = targets.get((row.values.get("lead_unit"), year), (None, None))[0]
        reason = unusual_amount(amount, target=target, year=year)
        if reason:
            plan.warnings.append(Problem(PROJECTS.title, row.row, PROJECTS.header_of("agreement_capital"), reason + IMPORT_AMOUNT_NOTE))
    leads = _lead_units_by_code(plan)
    for row in plan.arrivals:
        amount, arrived_on = row.values.get("amount"), row.values.get("arrived_on")
        year = arrived_on.year if arrived_on else None
        target = targets.get((leads.get(row.values.get("project")), year), (None, None))[1]
        reason = unusual_amount(amount, target=target, year=year, label="到位资金")
        if reason:
            plan.warnings.append(Problem(ARRIVALS.title, row.row, ARRIVALS.header_of("amount"), reason + IMPORT_AMOUNT_NOTE))


def _lead_units_by_code(plan: ImportPlan) -> dict[str, int]:
    """The lead unit of each project code the arrivals name: the file's own rows, else the stored project."""
    leads = {row.values["code"]: row.values.get("lead_unit") for row in plan.projects if row.values.get("code")}
    wanted = list({row.values["project"] for row in plan.arrivals if row.values.get("project")} - leads.keys())
    for chunk in chunks(wanted):
        leads.update(Project.objects.filter(code__in=chunk).values_list("code", "lead_unit_id"))
    return leads
