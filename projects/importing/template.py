"""The blank import workbook, which is also the bulk-entry template the browser offers."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, Any

import openpyxl
from django.conf import settings
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from lib.xlsx import put
from targets.models import Organisation

from .columns import SHEETS, Column, Lookups, SheetSpec

HELP_TITLE = "说明"
OPTIONS_TITLE = "可选值"
REQUIRED_FILL = PatternFill("solid", fgColor="FFE699")
OPTIONAL_FILL = PatternFill("solid", fgColor="E7E6E6")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

RULES = (
    "每个“项目”行是一个项目，每个“到位资金”行是一笔到位资金；第1行是表头，从第2行起填写。不登记到位资金时，“到位资金”工作表可以删除。",
    "表头为黄色的列必须填写，灰色的列可不填；列的顺序可以调整，表中多出的列会被忽略，空行会被跳过。",
    "金额一律以亿元为单位，最多4位小数（精确到万元），如 500万元填 0.05；超过 10000 亿元的金额会被拒绝，协议资金不能为 0。"
    "超过牵头单位当年全年目标或超过 100 亿元的金额，检查时会提醒核对，但不影响导入。",
    "导入的项目即提交审核，投资方和签约日期必须填写；到位日期不能早于项目的签约日期。",
    "日期可填 Excel 日期，或 2021-03-15、2021/03/15、2021.03.15 格式的文字。",
    "单位、专项招商组须与系统中的名称完全一致，见“可选值”工作表；产业类型、项目来源只能填下拉列表中的值。",
    "文件中只要有一处错误，整个文件都不会导入；系统会逐条列出错误所在的工作表、行号和列名，改正后重新导入即可。",
    "同一文件可以重复导入：填了项目编号的行更新该项目，不会重复新建；完全相同的到位资金记录（项目、日期、金额、备注都相同）不会重复登记。",
    "导入的项目进入“待审核”状态，经区招商投资局审核后才计入考核；内容与系统中完全相同的项目保持原状态不变。",
    "每个“补充协议”行是已审核项目的一份补充协议（增资填正数，减资填负数）：按签订日期计入当期协议资金，不新增项目个数，"
    "不改变项目等级；签订日期不能早于项目的签约日期、不能晚于今天，减资后项目的协议资金合计不能小于 0。"
    "项目编号、签订日期、协议资金变化都相同的补充协议视为同一份，重复导入不会重复登记；不登记补充协议时，该工作表可以删除。",
    "“项目”表未列出的列，导入时不改动已有项目的对应内容；列出但留空的可选列，会把该项清空（节点日期除外：留空不改动已填的节点）。",
    "项目阶段由节点日期得出：在“注册日期”“开工日期”“投产日期”“达产日期”列填写已达到节点的实际日期（不再有“项目阶段”列）。"
    "节点日期不能早于签约日期、不能晚于今天，不能早于前一个节点；投产须先有开工，达产须先有投产。",
)


def write_template(file: str | os.PathLike | IO[bytes]) -> None:
    """Write the blank workbook: the sheets with their headers, a 说明 sheet, and dropdowns
    listing today's units and groups. Imported as it is, it imports nothing, cleanly."""
    write_blank_workbook(file, sheets=SHEETS, lookups=Lookups.load(), title="招商项目导入模板：填写说明", rules=RULES)


def write_blank_workbook(
    file: str | os.PathLike | IO[bytes], *, sheets: Sequence[SheetSpec], lookups: Any, title: str, rules: Sequence[str]
) -> None:
    """A blank import workbook for `sheets`: headers coloured by need, dropdowns from each column's
    options (given `lookups`) listed on a 可选值 sheet, and a 说明 sheet with `rules` and every column."""
    organisation = Organisation.current()
    workbook = openpyxl.Workbook()
    data_sheets = [workbook.active, *(workbook.create_sheet() for _ in sheets[1:])]
    help_sheet = workbook.create_sheet(HELP_TITLE)
    option_ranges = _write_options(workbook.create_sheet(OPTIONS_TITLE), lookups, sheets)
    for worksheet, spec in zip(data_sheets, sheets):
        _write_data_sheet(worksheet, spec, option_ranges, organisation)
    _write_help(help_sheet, organisation, title, rules, sheets)
    workbook.save(file)


def _write_options(worksheet, lookups: Any, sheets: Sequence[SheetSpec]) -> dict[str, str]:
    """One column per distinct list of values; returns each dropdown column's range, by header."""
    lists: dict[tuple[str, ...], list[str]] = {}  # values → the headers offering them
    for spec in sheets:
        for column in spec.template_columns:
            values = tuple(column.options(lookups)) if column.options else ()
            if values:
                lists.setdefault(values, []).append(column.header)
    ranges = {}
    for index, (values, headers) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        put(worksheet, 1, index, "／".join(dict.fromkeys(headers))).font = BOLD
        for row, value in enumerate(values, start=2):
            put(worksheet, row, index, value)  # unit and group names are data: text, never a formula
        worksheet.column_dimensions[letter].width = 20
        for header in headers:
            ranges[header] = f"{quote_sheetname(OPTIONS_TITLE)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _write_data_sheet(worksheet, spec: SheetSpec, option_ranges: dict[str, str], organisation: Organisation) -> None:
    worksheet.title = spec.title
    worksheet.freeze_panes = "A2"
    last_row = settings.IMPORT_MAX_ROWS + 1
    for index, column in enumerate(spec.template_columns, start=1):
        letter = get_column_letter(index)
        cell = worksheet.cell(1, index, column.header)
        cell.font, cell.fill = BOLD, REQUIRED_FILL if column.required else OPTIONAL_FILL
        # A column's style is what Excel gives the cells typed into it; no empty cells are written.
        worksheet.column_dimensions[letter].width = column.width
        worksheet.column_dimensions[letter].number_format = column.number_format
        if column.header in option_ranges:
            validation = _dropdown(column, option_ranges[column.header], column.help_for(organisation))
            worksheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last_row}")


def _dropdown(column: Column, source: str, help_text: str) -> DataValidation:
    return DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=column.strict,
        errorTitle=f"{column.header}无效",
        error="请从下拉列表中选择。",
        showInputMessage=True,
        promptTitle=column.header,
        prompt=help_text[:250],  # Excel's limit is 255 characters
    )


def _write_help(worksheet, organisation: Organisation, title: str, rules: Sequence[str], sheets: Sequence[SheetSpec]) -> None:
    put(worksheet, 1, 1, title).font = Font(bold=True, size=14)
    rows = [[f"{number}. {rule}"] for number, rule in enumerate(rules, start=1)]
    row = _write_rows(worksheet, 2, rows) + 2  # a blank row, then the columns' table
    for column, header in enumerate(["工作表", "列名", "是否必填", "填写说明", "示例"], start=1):
        put(worksheet, row, column, header).font = BOLD
    for spec in sheets:
        for column in spec.template_columns:
            required = "必填" if column.required else "可不填"
            help_text, example = column.help_for(organisation), column.example_for(organisation)
            row = _write_rows(worksheet, row + 1, [[spec.title, column.header, required, help_text, example]])
            for cell in worksheet[row]:
                cell.alignment = WRAP
    for letter, width in zip("ABCDE", (10, 18, 12, 70, 24)):
        worksheet.column_dimensions[letter].width = width


def _write_rows(worksheet, first: int, rows: list[list[str]]) -> int:
    """`rows` from row `first` down, each value by the rules of every export; returns the last row."""
    for row, values in enumerate(rows, start=first):
        for column, value in enumerate(values, start=1):
            put(worksheet, row, column, value)
    return first + len(rows) - 1
