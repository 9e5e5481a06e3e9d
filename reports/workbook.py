"""The bulletin as an Excel workbook, the twin of its PDF: every sheet read from the snapshot alone.
`ranking_workbook` writes the dashboard's tables with the same sheet writers.

Figures are numbers, never text: money a Decimal shown to two decimals, counts integers,
rates the rate itself shown as a percentage. "–" (text) where a unit has no target, so
nothing reads as a zero it is not. Rounding happens only in the number formats.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lib import display
from lib.xlsx import DATE_FORMAT, MONEY_FORMAT, new_workbook, put, put_header, workbook_bytes
from targets.scoring import Indicator

from .snapshot import (
    ActivityBlock,
    Cell,
    GroupReportBlock,
    KeyTaskBlock,
    KindSection,
    LandingBlock,
    LandingRow,
    SigningEventBlock,
    Snapshot,
    SnapshotTotalRow,
    TargetTable,
    UnitRow,
)

RATE_FORMAT = "0.00%"
DASH = "–"
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
BEHIND_FONT = Font(color="FFC00000")  # a rate below time progress
BEHIND_FILL = PatternFill("solid", fgColor="FFFCE4D6")  # a unit behind time progress
RIGHT = Alignment(horizontal="right")
WRAP = Alignment(wrap_text=True, vertical="top")
LEGEND = "底色：综合完成率落后序时进度的单位；红字：低于序时进度的完成率；“–”：未设目标，不考核。"
COVER_TEXT_WIDTH = 100
LINE_HEIGHT = 16  # points per wrapped line of 11-point text


@dataclass(frozen=True)
class Value:
    """One cell to write: the value, its number format and, when it stands out, its font."""

    value: object
    number_format: str | None = None
    font: Font | None = None


def bulletin_workbook(snapshot: Snapshot) -> bytes:
    """The bulletin's .xlsx: 说明, 全区汇总, one sheet per kind of unit, 专项招商组, 招商活动, 项目落地,
    集中签约活动, 重点任务, 专项组季报, 重大较大项目, 五年目标 (the year-end assessment only) and 目标任务."""
    workbook = new_workbook(title=snapshot.title, creator=snapshot.issuer)
    time_progress, annual, note = snapshot.time_progress, snapshot.annual, _as_of(snapshot.as_of, snapshot.time_progress)
    _cover(workbook.create_sheet("说明"), snapshot)
    _totals(workbook.create_sheet("全区汇总"), snapshot.totals, time_progress, note)
    for section in snapshot.sections:
        _section(workbook.create_sheet(section.label), section, time_progress, note, points=annual, score=annual)
    _groups(workbook.create_sheet("专项招商组"), snapshot)
    if snapshot.activities is not None:  # bulletins generated before the section have none
        _activities(workbook.create_sheet("招商活动"), snapshot.activities)
    # Bulletins generated before these sections (snapshot schema 1) have none of them.
    if snapshot.landing is not None:
        _landing(workbook.create_sheet("项目落地"), snapshot.landing)
    if snapshot.signing_events is not None:
        _signing_events(workbook.create_sheet("集中签约活动"), snapshot.signing_events)
    if snapshot.key_tasks is not None:
        _key_tasks(workbook.create_sheet("重点任务"), snapshot.key_tasks, snapshot.quarter)
    if snapshot.group_reports is not None:
        _group_reports(workbook.create_sheet("专项组季报"), snapshot.group_reports)
    _projects(workbook.create_sheet("重大较大项目"), snapshot)
    if snapshot.annual:
        _five_year(workbook.create_sheet("五年目标"), snapshot)
    _target_tables(workbook.create_sheet("目标任务"), snapshot)
    return workbook_bytes(workbook)


def ranking_workbook(
    *, title: str, creator: str, as_of: datetime.date, time_progress: Decimal, totals: Sequence[SnapshotTotalRow],
    sections: Sequence[KindSection],
) -> bytes:
    """The dashboard's tables as the bulletin lays them out: 全区汇总, then one sheet per kind
    of unit with each indicator's 完成/目标/完成率, 综合完成率, 序时进度 and the score."""
    workbook = new_workbook(title=title, creator=creator)
    note = _as_of(as_of, time_progress)
    _totals(workbook.create_sheet("全区汇总"), totals, time_progress, note)
    for section in sections:
        _section(workbook.create_sheet(section.label), section, time_progress, note, points=False, score=True)
    return workbook_bytes(workbook)


# --- The sheets ----------------------------------------------------------------------------


def _cover(sheet: Worksheet, snapshot: Snapshot) -> None:
    _title(sheet, snapshot.title)
    facts = [
        ("发布单位", Value(snapshot.issuer)),
        ("发布日期", Value(snapshot.issued_on, DATE_FORMAT)),
        ("数据截至", Value(snapshot.as_of, DATE_FORMAT)),
        ("序时进度", Value(snapshot.time_progress, RATE_FORMAT)),
    ]
    for row, (label, value) in enumerate(facts, start=3):
        _write_row(sheet, row, [Value(label, font=BOLD), value])
    row = 3 + len(facts) + 1
    for label, paragraphs in (("通报摘要", snapshot.summary), ("考核规则", [snapshot.rules_summary]), ("标记", [LEGEND])):
        put(sheet, row, 1, label).font = BOLD
        for paragraph in paragraphs:
            put(sheet, row, 2, paragraph).alignment = WRAP
            sheet.row_dimensions[row].height = LINE_HEIGHT * math.ceil(display.width(paragraph) / COVER_TEXT_WIDTH)
            row += 1
    _widths(sheet, [12, COVER_TEXT_WIDTH])


def _totals(sheet: Worksheet, totals: Sequence[SnapshotTotalRow], time_progress: Decimal, note: str) -> None:
    _title(sheet, "全区目标任务完成情况", note)
    figures = ["完成", "目标", "完成率"]
    _two_row_header(sheet, 3, ["指标", "单位"], [("园区", figures), ("区级部门", figures), ("全区", figures)])
    for row, total in enumerate(totals, start=5):
        cells = (total.parks, total.departments, total.district)
        values = [Value(total.label), Value("个" if total.is_count else "亿元")]
        _write_row(sheet, row, values + [v for cell in cells for v in _figures(cell, total.is_count, time_progress)])
    sheet.freeze_panes = "C5"
    _widths(sheet, [14, 6, *[10] * 9])


def _section(sheet: Worksheet, section: KindSection, time_progress: Decimal, note: str, *, points: bool, score: bool) -> None:
    """One kind's units in ranking order; `points` adds each indicator's points (the year-end
    assessment), `score` the score."""
    _title(sheet, f"{section.label}目标任务完成情况及排名", f"{note} {LEGEND}")
    figures = ["完成", "目标", "完成率", *(["得分"] if points else [])]
    groups = [(_indicator_heading(indicator), figures) for indicator in section.indicators]
    _two_row_header(sheet, 3, ["排名", "责任单位"], groups, ["综合完成率", "序时进度", *(["得分"] if score else [])])
    for row, unit in enumerate(section.rows, start=5):
        cells = _write_row(sheet, row, _unit_values(section, unit, time_progress, points, score))
        if unit.behind(time_progress):
            for cell in cells:
                cell.fill = BEHIND_FILL
    total = [Value(None), Value("合计", font=BOLD), *_indicator_values(section, section.total, time_progress, points)]
    _write_row(sheet, 5 + len(section.rows), total)
    sheet.freeze_panes = "C5"
    _widths(sheet, [6, 16, *[10] * (len(groups) * len(figures) + 3)])


def _groups(sheet: Worksheet, snapshot: Snapshot) -> None:
    note = _as_of(snapshot.as_of, snapshot.time_progress)
    _title(sheet, "专项招商组招商情况", f"{note} 项目和资金按项目本身计，不按来源和联合招商折算。")
    _header_row(sheet, 3, ["序号", "专项招商组", "组长", "项目个数（个）", "协议资金（亿元）", "到位资金（亿元）"])
    rows = [*snapshot.groups, snapshot.groups_total]
    for row, group in enumerate(rows, start=4):
        _write_row(
            sheet,
            row,
            [
                Value(group.number or None),
                Value(group.name, font=BOLD if group is rows[-1] else None),
                Value(group.leader or None),
                Value(group.projects),
                Value(group.agreement_capital, MONEY_FORMAT),
                Value(group.arrived_capital, MONEY_FORMAT),
            ],
        )
    sheet.freeze_panes = "A4"
    _widths(sheet, [6, 30, 10, 14, 16, 16])


def _activities(sheet: Worksheet, block: ActivityBlock) -> None:
    """The activities by kind per unit, and beside them the leads by stage, each with its total."""
    note = f"活动日期 {_day(block.start)}至{_day(block.end)}；线索按生成通报时所处阶段统计。"
    _title(sheet, "各单位招商活动和招商线索", note)
    groups = [("招商活动（次）", [*block.activity_kinds, "合计"]), ("招商线索（个）", [*block.lead_stages, "合计"])]
    _two_row_header(sheet, 3, ["责任单位"], groups)
    for row, item in enumerate([*block.rows, block.total], start=5):
        counts = [*item.activities, item.activities_total, *item.leads, item.leads_total]
        _write_row(sheet, row, [Value(item.unit, font=BOLD if item is block.total else None), *map(Value, counts)])
    sheet.freeze_panes = "B5"
    _widths(sheet, [16, *[9] * (len(block.activity_kinds) + len(block.lead_stages) + 2)])


def _landing(sheet: Worksheet, block: LandingBlock) -> None:
    """Each assessed unit's cohort and its total, then the projects past their start deadline."""
    note = f"截至{_day(block.as_of)}：各单位牵头、本年签约并计入考核的项目；开工、投产以已核实的实际日期为准。"
    _title(sheet, "项目落地情况", note)
    _header_row(sheet, 3, ["责任单位", "签约（个）", "开工（个）", "开工率", "投产（个）", "投产率", "超时限未开工（个）"])
    for row, item in enumerate([*block.rows, block.total], start=4):
        _write_row(sheet, row, _landing_values(item, bold=item is block.total))
    row = 4 + len(block.rows) + 2
    put(sheet, row, 1, f"超时限未开工项目（开工时限：签约后{block.start_limit_days}天）").font = BOLD
    _header_row(sheet, row + 1, ["责任单位", "项目编号", "项目名称", "签约日期", "开工时限", "超期（天）"])
    for offset, project in enumerate(block.overdue, start=row + 2):
        values = [Value(project.unit), Value(project.code), Value(project.name)]
        values += [Value(project.signed_on, DATE_FORMAT), Value(project.deadline, DATE_FORMAT), Value(project.days_overdue)]
        _write_row(sheet, offset, values)
    if not block.overdue:
        put(sheet, row + 2, 1, "没有超过开工时限未开工的项目。")
    elif block.shortened:
        put(sheet, row + 2 + len(block.overdue) + 1, 1, block.shortened_note)
    sheet.freeze_panes = "A4"
    _widths(sheet, [16, 16, 36, 12, 12, 12, 16])


def _landing_values(item: LandingRow, *, bold: bool) -> list[Value]:
    return [
        Value(item.unit, font=BOLD if bold else None),
        Value(item.signed),
        Value(item.started),
        _rate(item.start_rate),
        Value(item.producing),
        _rate(item.produce_rate),
        Value(item.overdue),
    ]


def _signing_events(sheet: Worksheet, block: SigningEventBlock) -> None:
    note = f"{block.as_of.year}年1月1日至{_day(block.as_of)}举办的活动，其签约项目截至{_day(block.as_of)}的情况；金额为项目全额，不折算。"
    _title(sheet, "集中签约活动", note)
    headers = ["活动名称", "活动日期", "主办单位", "签约数（个）", "签约额（亿元）", "开工率", "投产率", "到位资金（亿元）"]
    _header_row(sheet, 3, headers)
    for row, event in enumerate(block.rows, start=4):
        values = [Value(event.name), Value(event.held_on, DATE_FORMAT), Value(event.organiser), Value(event.signed)]
        values += [Value(event.agreement_capital, MONEY_FORMAT), _rate(event.start_rate), _rate(event.produce_rate)]
        _write_row(sheet, row, [*values, Value(event.arrived_capital, MONEY_FORMAT)])
    if not block.rows:
        put(sheet, 4, 1, "本年截至期末没有举办集中签约活动。")
    sheet.freeze_panes = "A4"
    _widths(sheet, [36, 12, 16, 12, 14, 10, 10, 16])


def _key_tasks(sheet: Worksheet, block: KeyTaskBlock, quarter: int) -> None:
    """The matrix (a row per reporting unit, a column per task), then the reports missing or returned."""
    note = f"报送截止{_day(block.due_on)}，按{_day(block.measured_on)}统计。空白：该单位不报送该项任务。"
    _title(sheet, f"重点任务第{quarter}季度推进情况", note)
    _header_row(sheet, 3, ["单位", *[f"{task.number}.{task.title}" for task in block.tasks]])
    for row, item in enumerate(block.rows, start=4):
        cells = _write_row(sheet, row, [Value(item.unit), *[Value(cell.label or None) for cell in item.cells]])
        for cell, task_cell in zip(cells[1:], item.cells):
            if task_cell.colour == "overdue":
                cell.font = BEHIND_FONT
    row = 4 + len(block.rows) + 1
    put(sheet, row, 1, "；".join(f"{entry.label}{entry.count}项" for entry in block.legend))
    row += 2
    put(sheet, row, 1, "未报送及退回待重报的季报").font = BOLD
    _header_row(sheet, row + 1, ["序号", "任务", "单位", "状态"])
    for offset, item in enumerate(block.missing, start=row + 2):
        _write_row(sheet, offset, [Value(item.number), Value(item.title), Value(item.unit), Value(item.state)])
    if not block.missing:
        put(sheet, row + 2, 1, "各单位均已报送。")
    sheet.freeze_panes = "B4"
    _widths(sheet, [16, *[12] * max(len(block.tasks), 3)])


def _group_reports(sheet: Worksheet, block: GroupReportBlock) -> None:
    note = f"报送截止{_day(block.due_on)}；数字为各组报送时冻结的本组数据（项目全额，不折算）。"
    _title(sheet, f"专项招商组第{block.quarter}季度报告", note)
    headers = ["序号", "专项招商组", "报送情况", "报送人", "报送日期", "本季签约（个）", "本季协议资金（亿元）"]
    headers += ["本年签约（个）", "本年协议资金（亿元）", "本年到位资金（亿元）", "线索（个）", "本季活动（次）", "工作情况（摘要）"]
    _header_row(sheet, 3, headers)
    for row, item in enumerate(block.rows, start=4):
        values = [Value(item.number), Value(item.group), Value(item.state_label), Value(item.submitted_by or None)]
        values.append(Value(item.submitted_on, DATE_FORMAT) if item.submitted_on else Value(DASH))
        if item.filed:
            values += [Value(item.quarter_projects), Value(item.quarter_capital, MONEY_FORMAT), Value(item.year_projects)]
            values += [Value(item.year_capital, MONEY_FORMAT), Value(item.arrived_capital, MONEY_FORMAT), Value(item.leads)]
            values += [Value(item.activities), Value(item.summary)]
        else:
            values += [Value(DASH)] * 7 + [Value(None)]
        cells = _write_row(sheet, row, values)
        if item.state == "overdue":
            cells[2].font = BEHIND_FONT
        cells[-1].alignment = WRAP
    sheet.freeze_panes = "C4"
    _widths(sheet, [6, 30, 14, 12, 12, 12, 14, 12, 14, 14, 10, 12, 60])


def _projects(sheet: Worksheet, snapshot: Snapshot) -> None:
    start = snapshot.quarter_start
    _title(
        sheet,
        f"第{snapshot.quarter}季度签约的重大、较大项目",
        f"签约日期 {_day(start)}至{_day(snapshot.as_of)}。金额单位：亿元。",
    )
    headers = ["项目编号", "项目名称", "项目档次", "牵头单位", "配合单位", "项目来源", "产业类型"]
    _header_row(sheet, 3, [*headers, "协议资金（亿元）", "预计产值（亿元）", "签约日期", "专项招商组"])
    for row, project in enumerate(snapshot.projects, start=4):
        texts = [project.code, project.name, project.tier, project.lead_unit, project.cooperating_units]
        values = [Value(text or None) for text in [*texts, project.origin, project.sector]]
        values += [
            Value(project.agreement_capital, MONEY_FORMAT),
            _number(project.expected_output, MONEY_FORMAT),
            Value(project.signed_on, DATE_FORMAT),
            Value(project.group or None),
        ]
        _write_row(sheet, row, values)
    if not snapshot.projects:
        put(sheet, 4, 1, "本季度没有签约的重大、较大项目。")
    sheet.freeze_panes = "A4"
    _widths(sheet, [16, 36, 10, 16, 24, 10, 10, 16, 16, 12, 24])


def _five_year(sheet: Worksheet, snapshot: Snapshot) -> None:
    block = snapshot.five_year
    if block is None:
        _title(sheet, "五年目标", snapshot.five_year_note)
        _widths(sheet, [40])
        return
    _title(sheet, f"五年目标“{block.name}”（{block.start_year}—{block.end_year}年）完成情况")
    _write_row(sheet, 2, [Value("时间进度", font=BOLD), Value(block.progress, RATE_FORMAT)])
    _header_row(sheet, 3, ["指标", "完成", "目标", "完成率", "单位", "口径"])
    for row, goal in enumerate(block.rows, start=4):
        is_count = goal.unit == "个"
        values = [Value(goal.label), _figure(goal.actual, is_count), _figure(goal.target, is_count), _rate(goal.rate)]
        _write_row(sheet, row, [*values, Value(goal.unit), Value(goal.basis)])
    _widths(sheet, [18, 12, 12, 10, 6, 50])


def _target_tables(sheet: Worksheet, snapshot: Snapshot) -> None:
    """附件2: each kind's table under its title, one under the other."""
    _title(sheet, f"{snapshot.year}年重点任务分解表", "“–”表示该指标不考核该单位（不是目标为0），不计入合计。金额单位：亿元。")
    row = 4
    for table in snapshot.target_tables:
        row = _target_table(sheet, row, table) + 2
    widest = max((len(t.counts) + len(t.money) for t in snapshot.target_tables), default=0)
    _widths(sheet, [16, *[12] * widest])


def _target_table(sheet: Worksheet, row: int, table: TargetTable) -> int:
    """Write `table` from `row` on; returns the row of its 合计."""
    put(sheet, row, 1, table.title).font = BOLD
    groups = [("项目个数（个）", table.counts), ("资金（亿元）", table.money)]
    _two_row_header(sheet, row + 1, ["责任单位"], [group for group in groups if group[1]])
    row += 3
    for target_row in table.rows:
        _write_row(sheet, row, [Value(target_row.unit), *_targets(table, target_row.values)])
        row += 1
    _write_row(sheet, row, [Value("合计", font=BOLD), *_targets(table, table.total)])
    return row


def _targets(table: TargetTable, values: Sequence[Decimal | None]) -> list[Value]:
    counts = len(table.counts)
    return [_figure(value, index < counts) for index, value in enumerate(values)]


# --- Headers -------------------------------------------------------------------------------


def _title(sheet: Worksheet, title: str, note: str = "") -> None:
    put(sheet, 1, 1, title).font = TITLE_FONT
    if note:
        put(sheet, 2, 1, note)


def _header_row(sheet: Worksheet, row: int, headers: Sequence[str]) -> None:
    for column, header in enumerate(headers, start=1):
        put_header(sheet, row, column, header)


def _two_row_header(
    sheet: Worksheet,
    row: int,
    leading: Sequence[str],
    groups: Sequence[tuple[str, Sequence[str]]],
    trailing: Sequence[str] = (),
) -> None:
    """附件2's header: each group's name over its columns' names; the other headers span both rows."""
    column = 1
    for header in leading:
        put_header(sheet, row, column, header, rows=2)
        column += 1
    for name, headers in groups:
        put_header(sheet, row, column, name, columns=len(headers))
        for offset, header in enumerate(headers):
            put_header(sheet, row + 1, column + offset, header)
        column += len(headers)
    for header in trailing:
        put_header(sheet, row, column, header, rows=2)
        column += 1


def _indicator_heading(indicator: str) -> str:
    item = Indicator(indicator)
    return f"{item.label}（{'个' if item.is_count else '亿元'}）"


# --- Cells ---------------------------------------------------------------------------------


def _write_row(sheet: Worksheet, row: int, values: Sequence[Value]) -> list:
    cells = []
    for column, value in enumerate(values, start=1):
        cell = put(sheet, row, column, value.value, value.number_format)
        if value.font:
            cell.font = value.font
        if value.value == DASH:
            cell.alignment = RIGHT  # in line with the figures around it
        cells.append(cell)
    return cells


def _unit_values(section: KindSection, unit: UnitRow, time_progress: Decimal, points: bool, score: bool) -> list[Value]:
    values = [_number(unit.rank, None), Value(unit.name), *_indicator_values(section, unit.cells, time_progress, points)]
    values.append(_number(unit.overall_rate, RATE_FORMAT))
    values.append(Value(DASH if unit.score is None else "落后" if unit.behind(time_progress) else "达到"))
    return values + ([_number(unit.score, MONEY_FORMAT)] if score else [])


def _indicator_values(section: KindSection, cells: dict[str, Cell], time_progress: Decimal, points: bool) -> list[Value]:
    values = []
    for indicator in section.indicators:
        cell = cells[indicator]
        values += _figures(cell, Indicator(indicator).is_count, time_progress)
        if points:
            values.append(_figure(cell.points, False))
    return values


def _figures(cell: Cell, is_count: bool, time_progress: Decimal) -> list[Value]:
    """完成, 目标, 完成率: the rate in red when below time progress."""
    rate = _rate(cell.rate)
    if cell.behind(time_progress):
        rate = Value(rate.value, rate.number_format, BEHIND_FONT)
    return [_figure(cell.actual, is_count), _figure(cell.target, is_count), rate]


def _figure(value: Decimal | None, is_count: bool) -> Value:
    """A count as an integer, money to two decimals, "–" for none."""
    if value is None:
        return Value(DASH)
    return Value(_whole(value)) if is_count else Value(value, MONEY_FORMAT)


def _rate(rate: Decimal | None) -> Value:
    return Value(DASH) if rate is None else Value(rate, RATE_FORMAT)


def _number(value: Decimal | int | None, number_format: str | None) -> Value:
    return Value(DASH) if value is None else Value(value, number_format)


def _whole(value: Decimal) -> int | Decimal:
    """Counts are whole; should one not be, it stays exact rather than be cut to an integer."""
    return int(value) if value == value.to_integral_value() else value


def _widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    """Widths in characters of the default font; a Chinese character takes about two."""
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _as_of(as_of: datetime.date, time_progress: Decimal) -> str:
    return f"截至{_day(as_of)}，序时进度{display.rate(time_progress)}。金额单位：亿元。"


def _day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
