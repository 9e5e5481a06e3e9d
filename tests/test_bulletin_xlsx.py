"""reports/workbook.py: the bulletin's Excel twin, read back with openpyxl from the demo data's snapshots.

openpyxl writes a number with 16 significant digits ("%.16g") and reads it back as an int or a
float. `figure` turns it into Decimal(str(value)), the shortest decimal of that float, so money
and targets (a few digits) come back exactly; a 28-digit rate or score comes back to ~16 digits,
so figures are compared to 15 significant digits: far finer than any display rounding (a
rate shows to 0.01%, four digits), far coarser than float noise, and any wrong cell (a
target in place of an actual, a neighbour's figure) is off by much more.
"""

import dataclasses
import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from reports.snapshot import ActivityBlock, ActivityRow, Snapshot, from_json
from reports.workbook import bulletin_workbook
from targets.scoring import Indicator
from tests.formula_texts import FORMULA_LIKE

DATA = Path(__file__).parent / "data"
RED = "FFC00000"
BEHIND_FILL = "FFFCE4D6"
FIRST_ROW = 5  # under the title, its note and the two header rows


def load(name: str) -> Snapshot:
    return from_json(json.loads((DATA / name).read_text()))


@pytest.fixture(scope="module")
def quarterly() -> Snapshot:
    return load("bulletin_q2.json")


@pytest.fixture(scope="module")
def annual() -> Snapshot:
    return load("bulletin_q4.json")


def read_back(snapshot: Snapshot):
    return openpyxl.load_workbook(io.BytesIO(bulletin_workbook(snapshot)))


@pytest.fixture(scope="module")
def quarterly_book(quarterly):
    return read_back(quarterly)


@pytest.fixture(scope="module")
def annual_book(annual):
    return read_back(annual)


def figure(cell) -> Decimal:
    assert isinstance(cell.value, int | float) and cell.data_type == "n", (cell.coordinate, cell.value)
    return Decimal(str(cell.value))


def same_figure(cell, expected: Decimal) -> bool:
    return abs(figure(cell) - expected) <= abs(expected) * Decimal("1e-15")


def is_count(cell) -> bool:
    """A whole number in the General format: "8" reads back as int whatever was written, so the format tells."""
    return isinstance(cell.value, int) and cell.number_format == "General"


def shown(cell):
    """What a cell holds, numbers as Decimal: comparable with the snapshot's short figures."""
    return figure(cell) if isinstance(cell.value, int | float) else cell.value


def header_columns(sheet, row: int = 3) -> dict[tuple[str, str | None], int]:
    """(upper header, lower header) → column; a header spanning both rows has None below."""
    columns, upper = {}, None
    for column in range(1, sheet.max_column + 1):
        upper = sheet.cell(row, column).value or upper
        columns[(upper, sheet.cell(row + 1, column).value)] = column
    return columns


def merged(sheet) -> set[str]:
    return {str(cell_range) for cell_range in sheet.merged_cells.ranges}


def heading(indicator: str) -> str:
    item = Indicator(indicator)
    return f"{item.label}（{'个' if item.is_count else '亿元'}）"


# --- The sheets ---------------------------------------------------------------------------


def test_a_quarterly_bulletin_has_every_sheet_but_the_five_year_goal(quarterly_book):
    assert quarterly_book.sheetnames == ["说明", "全区汇总", "园区", "区级部门", "专项招商组", "重大较大项目", "目标任务"]


def test_the_annual_assessment_adds_the_five_year_goal_sheet(annual_book):
    assert annual_book.sheetnames == ["说明", "全区汇总", "园区", "区级部门", "专项招商组", "重大较大项目", "五年目标", "目标任务"]


def test_the_workbook_is_titled_as_the_bulletin_and_created_by_the_issuer(quarterly_book, quarterly):
    assert (quarterly_book.properties.title, quarterly_book.properties.creator) == (
        "涪陵区招商引资工作2021年第2季度通报",
        quarterly.issuer,
    )


def test_every_sheet_has_a_bold_title_row_and_set_column_widths(annual_book):
    for sheet in annual_book:
        assert sheet["A1"].value and sheet["A1"].font.bold, sheet.title
        assert sheet.column_dimensions["A"].width > 0 and sheet.column_dimensions["A"].customWidth, sheet.title


def test_the_cover_gives_the_issuer_dates_time_progress_and_each_summary_paragraph_on_its_own_wrapped_row(
    quarterly_book, quarterly
):
    sheet = quarterly_book["说明"]
    facts = {row[0].value: row[1] for row in sheet.iter_rows(min_row=3, max_row=6)}

    assert sheet["A1"].value == quarterly.title
    assert facts["发布单位"].value == "涪陵区招商投资局"
    assert (facts["发布日期"].value.date(), facts["发布日期"].number_format) == (quarterly.issued_on, "yyyy-mm-dd")
    assert facts["数据截至"].value.date() == quarterly.as_of
    assert (figure(facts["序时进度"]), facts["序时进度"].number_format) == (Decimal("0.5"), "0.00%")
    paragraphs = [cell for cell in sheet["B"] if cell.value in quarterly.summary]
    assert [cell.value for cell in paragraphs] == quarterly.summary
    assert all(cell.alignment.wrap_text for cell in paragraphs)
    assert len({cell.row for cell in paragraphs}) == len(quarterly.summary)


def test_the_district_totals_sheet_heads_parks_departments_and_district_over_actual_target_rate(quarterly_book):
    sheet = quarterly_book["全区汇总"]

    assert merged(sheet) == {"A3:A4", "B3:B4", "C3:E3", "F3:H3", "I3:K3"}
    assert [sheet.cell(3, c).value for c in (3, 6, 9)] == ["园区", "区级部门", "全区"]
    assert [sheet.cell(4, c).value for c in range(3, 12)] == ["完成", "目标", "完成率"] * 3


def test_the_district_totals_sheet_holds_the_snapshot_totals(quarterly_book, quarterly):
    sheet = quarterly_book["全区汇总"]
    columns = header_columns(sheet)

    for row, total in enumerate(quarterly.totals, start=FIRST_ROW):
        assert sheet.cell(row, 1).value == total.label
        for place, cell in (("园区", total.parks), ("区级部门", total.departments), ("全区", total.district)):
            actual = sheet.cell(row, columns[(place, "完成")])
            assert same_figure(actual, cell.actual)
            assert is_count(actual) == total.is_count
            rate = sheet.cell(row, columns[(place, "完成率")])
            assert rate.value == "–" if cell.rate is None else same_figure(rate, cell.rate)


# --- The units' sheets --------------------------------------------------------------------


def test_a_quarterly_unit_sheet_heads_each_indicator_over_actual_target_rate(quarterly_book, quarterly):
    sheet = quarterly_book["区级部门"]
    assert quarterly.sections[1].indicators == ["major_projects", "large_projects", "key_projects", "agreement_capital"]

    assert merged(sheet) == {"A3:A4", "B3:B4", "C3:E3", "F3:H3", "I3:K3", "L3:N3", "O3:O4", "P3:P4"}
    assert [sheet.cell(3, c).value for c in (1, 2, 3, 6, 9, 12, 15, 16)] == [
        "排名",
        "责任单位",
        "重大项目（个）",
        "较大项目（个）",
        "重点项目（个）",
        "协议资金（亿元）",
        "综合完成率",
        "序时进度",
    ]
    assert [sheet.cell(4, c).value for c in range(3, 15)] == ["完成", "目标", "完成率"] * 4
    assert "得分" not in {cell.value for row in sheet.iter_rows(max_row=4) for cell in row}


def test_the_annual_unit_sheet_adds_each_indicators_points_and_the_units_score(annual_book):
    sheet = annual_book["区级部门"]

    assert merged(sheet) == {"A3:A4", "B3:B4", "C3:F3", "G3:J3", "K3:N3", "O3:R3", "S3:S4", "T3:T4", "U3:U4"}
    assert [sheet.cell(4, c).value for c in range(3, 19)] == ["完成", "目标", "完成率", "得分"] * 4
    assert (sheet["S3"].value, sheet["T3"].value, sheet["U3"].value) == ("综合完成率", "序时进度", "得分")


@pytest.mark.parametrize("book, snapshot", [("quarterly_book", "quarterly"), ("annual_book", "annual")])
def test_unit_rows_follow_the_ranking_with_the_snapshots_figures(request, book, snapshot):
    workbook, snapshot = request.getfixturevalue(book), request.getfixturevalue(snapshot)
    for section in snapshot.sections:
        sheet = workbook[section.label]
        columns = header_columns(sheet)
        for row, unit in enumerate(section.rows, start=FIRST_ROW):
            assert (sheet.cell(row, 1).value, sheet.cell(row, 2).value) == (unit.rank, unit.name)
            for indicator in section.indicators:
                cell, head = unit.cells[indicator], heading(indicator)
                assert same_figure(sheet.cell(row, columns[(head, "完成")]), cell.actual)
                for lower, expected in [("目标", cell.target), ("完成率", cell.rate)] + (
                    [("得分", cell.points)] if snapshot.annual else []
                ):
                    written = sheet.cell(row, columns[(head, lower)])
                    assert written.value == "–" if expected is None else same_figure(written, expected), written.coordinate
            overall = sheet.cell(row, columns[("综合完成率", None)])
            assert overall.value == "–" if unit.score is None else same_figure(overall, unit.overall_rate)
            if snapshot.annual:
                assert same_figure(sheet.cell(row, columns[("得分", None)]), unit.score)


def test_the_total_row_is_the_sections_total(annual_book, annual):
    section = annual.sections[0]
    sheet = annual_book[section.label]
    columns = header_columns(sheet)
    row = FIRST_ROW + len(section.rows)

    assert (sheet.cell(row, 2).value, sheet.cell(row, 2).font.bold, sheet.max_row) == ("合计", True, row)
    for indicator in section.indicators:
        total, head = section.total[indicator], heading(indicator)
        assert same_figure(sheet.cell(row, columns[(head, "完成")]), total.actual)
        assert same_figure(sheet.cell(row, columns[(head, "目标")]), total.target)
        assert same_figure(sheet.cell(row, columns[(head, "完成率")]), total.rate)
        assert sheet.cell(row, columns[(head, "得分")]).value == "–"  # points belong to units


def test_a_unit_behind_time_progress_is_shaded_and_said_to_be_behind(quarterly_book, quarterly):
    tp = quarterly.time_progress
    section = quarterly.sections[0]
    sheet = quarterly_book[section.label]
    column = header_columns(sheet)[("序时进度", None)]
    assert {unit.behind(tp) for unit in section.rows} == {True, False}

    for row, unit in enumerate(section.rows, start=FIRST_ROW):
        cells = sheet[row][:column]
        assert cells[-1].value == ("落后" if unit.behind(tp) else "达到")
        assert {cell.fill.fgColor.rgb if cell.fill.fill_type else None for cell in cells} == {
            BEHIND_FILL if unit.behind(tp) else None
        }


def test_a_rate_below_time_progress_is_red_and_one_at_or_above_it_is_not(quarterly_book, quarterly):
    tp = quarterly.time_progress
    seen = set()
    for section in quarterly.sections:
        sheet = quarterly_book[section.label]
        columns = header_columns(sheet)
        for row, unit in enumerate(section.rows, start=FIRST_ROW):
            for indicator in section.indicators:
                written = sheet.cell(row, columns[(heading(indicator), "完成率")])
                red = written.font.color is not None and written.font.color.rgb == RED
                assert red == unit.cells[indicator].behind(tp), written.coordinate
                seen.add(red)
    assert seen == {True, False}


def test_an_indicator_without_a_target_shows_a_dash_not_a_zero(quarterly_book, quarterly):
    section = quarterly.sections[1]
    unit = next(u for u in section.rows if u.cells["major_projects"].target is None)
    row = FIRST_ROW + section.rows.index(unit)
    sheet = quarterly_book[section.label]

    assert [(c.value, c.data_type) for c in sheet[row][2:5]] == [(int(unit.cells["major_projects"].actual), "n"), ("–", "s"), ("–", "s")]


def test_the_headers_stay_in_view_when_scrolling(quarterly_book):
    assert quarterly_book["园区"].freeze_panes == "C5"
    assert quarterly_book["全区汇总"].freeze_panes == "C5"
    assert quarterly_book["重大较大项目"].freeze_panes == "A4"


def test_figures_are_numbers_in_their_formats(quarterly_book):
    sheet = quarterly_book["园区"]
    columns = header_columns(sheet)
    row = FIRST_ROW

    count = sheet.cell(row, columns[("较大项目（个）", "完成")])
    money = sheet.cell(row, columns[("协议资金（亿元）", "完成")])
    rate = sheet.cell(row, columns[("协议资金（亿元）", "完成率")])
    assert is_count(count)
    assert (money.data_type, money.number_format) == ("n", "0.00")
    assert (rate.data_type, rate.number_format) == ("n", "0.00%")
    assert 0 < rate.value < 10  # the rate itself (1.2485 shown 124.85%), not a percentage number


def test_a_float_in_the_snapshot_is_refused_because_figures_are_decimal(quarterly):
    group = dataclasses.replace(quarterly.groups[0], agreement_capital=6.77)

    with pytest.raises(TypeError):
        bulletin_workbook(dataclasses.replace(quarterly, groups=[group, *quarterly.groups[1:]]))


# --- Groups, projects, the five-year goal ---------------------------------------------------


def test_the_activity_sheet_lists_each_units_activities_and_leads_as_numbers(quarterly):
    block = ActivityBlock(
        start=datetime.date(2021, 4, 1),
        end=datetime.date(2021, 6, 30),
        activity_kinds=["外出拜访", "企业来访", "招商活动", "洽谈", "考察", "新闻宣传"],
        lead_stages=["线索", "接洽", "洽谈", "拟签约", "已签约", "暂缓", "终止"],
        rows=[
            ActivityRow("涪陵新城区", [3, 1, 0, 2, 0, 4], [2, 1, 1, 0, 1, 0, 0]),
            ActivityRow("区商务委", [0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0, 1]),
        ],
        total=ActivityRow("合计", [3, 1, 1, 2, 0, 4], [2, 1, 1, 0, 1, 0, 1]),
    )
    book = read_back(dataclasses.replace(quarterly, activities=block))
    assert book.sheetnames[4:7] == ["专项招商组", "招商活动", "重大较大项目"]
    sheet = book["招商活动"]
    assert sheet["A3"].value == "责任单位" and sheet["B3"].value == "招商活动（次）" and sheet["I3"].value == "招商线索（个）"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5, max_row=7)]
    assert rows[0] == ["涪陵新城区", 3, 1, 0, 2, 0, 4, 10, 2, 1, 1, 0, 1, 0, 0, 5]
    assert rows[2] == ["合计", 3, 1, 1, 2, 0, 4, 11, 2, 1, 1, 0, 1, 0, 1, 6]


def test_the_groups_sheet_lists_each_group_then_the_total(quarterly_book, quarterly):
    sheet = quarterly_book["专项招商组"]
    rows = [[shown(cell) for cell in row] for row in sheet.iter_rows(min_row=4)]
    total = quarterly.groups_total

    assert rows[:-1] == [
        [g.number, g.name, g.leader, g.projects, g.agreement_capital, g.arrived_capital] for g in quarterly.groups
    ]
    assert rows[-1] == [None, "合计", None, total.projects, total.agreement_capital, total.arrived_capital]
    assert total.projects > 0


def test_the_projects_sheet_lists_the_quarters_major_and_large_projects(quarterly_book, quarterly):
    sheet = quarterly_book["重大较大项目"]
    rows = list(sheet.iter_rows(min_row=4))

    assert [cell.value for cell in sheet[3]] == [
        "项目编号",
        "项目名称",
        "项目档次",
        "牵头单位",
        "配合单位",
        "项目来源",
        "产业类型",
        "协议资金（亿元）",
        "预计产值（亿元）",
        "签约日期",
        "专项招商组",
    ]
    assert len(rows) == len(quarterly.projects) > 0
    for cells, project in zip(rows, quarterly.projects, strict=True):
        assert [cell.value for cell in cells[:7]] == [
            project.code,
            project.name,
            project.tier,
            project.lead_unit,
            project.cooperating_units or None,
            project.origin,
            project.sector,
        ]
        assert shown(cells[7]) == project.agreement_capital
        assert shown(cells[8]) == (project.expected_output if project.expected_output is not None else "–")
        assert (cells[9].value.date(), cells[9].number_format) == (project.signed_on, "yyyy-mm-dd")
        assert cells[10].value == (project.group or None)


def test_a_project_name_that_looks_like_a_formula_comes_back_as_quoted_text(quarterly):
    name = '=HYPERLINK("http://x")'
    project = dataclasses.replace(quarterly.projects[0], name=name)
    content = bulletin_workbook(dataclasses.replace(quarterly, projects=[project]))

    cell = openpyxl.load_workbook(io.BytesIO(content))["重大较大项目"]["B4"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (name, "s", True)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)


def test_unit_names_follow_the_same_text_rules_as_every_export(quarterly):
    section = quarterly.sections[0]
    unit = dataclasses.replace(section.rows[0], name="@区\x07\r\n甲")
    sections = [dataclasses.replace(section, rows=[unit, *section.rows[1:]]), *quarterly.sections[1:]]

    cell = read_back(dataclasses.replace(quarterly, sections=sections))[section.label]["B5"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("@区\n甲", "s", True)


@pytest.mark.parametrize("text, written", FORMULA_LIKE)
def test_names_a_spreadsheet_could_run_are_quoted_text_in_every_sheet_even_behind_control_characters(
    quarterly, text, written
):
    project = dataclasses.replace(quarterly.projects[0], name=text, lead_unit=text)
    section = quarterly.sections[0]
    unit = dataclasses.replace(section.rows[0], name=text)
    group = dataclasses.replace(quarterly.groups[0], name=text, leader=text)
    snapshot = dataclasses.replace(
        quarterly,
        projects=[project],
        sections=[dataclasses.replace(section, rows=[unit, *section.rows[1:]]), *quarterly.sections[1:]],
        groups=[group, *quarterly.groups[1:]],
        summary=[text],
    )

    book = read_back(snapshot)

    cells = [
        book["重大较大项目"]["B4"],
        book["重大较大项目"]["D4"],
        book[section.label]["B5"],
        book["专项招商组"]["B4"],
        book["专项招商组"]["C4"],
    ]
    cells += [row[1] for row in book["说明"].iter_rows() if row[1].value == written]  # the summary paragraph
    assert len(cells) == 6
    for cell in cells:
        assert (cell.value, cell.data_type, cell.quotePrefix) == (written, "s", True)


def test_the_five_year_sheet_gives_each_goal_against_its_target(annual_book, annual):
    sheet = annual_book["五年目标"]
    rows = [[shown(cell) for cell in row] for row in sheet.iter_rows(min_row=4)]

    assert sheet["A1"].value == "五年目标“5311”（2021—2025年）完成情况"
    assert (figure(sheet["B2"]), sheet["B2"].number_format) == (annual.five_year.progress, "0.00%")
    assert [cell.value for cell in sheet[3]] == ["指标", "完成", "目标", "完成率", "单位", "口径"]
    assert rows == [
        [goal.label, goal.actual, goal.target, goal.rate, goal.unit, goal.basis] for goal in annual.five_year.rows
    ]
    assert is_count(sheet.cell(3 + len(rows), 2))  # 产值100亿级企业: a count
    assert sheet["B4"].number_format == "0.00"


def test_without_a_five_year_goal_the_sheet_gives_the_note(annual):
    note = "2021年没有设置五年目标。"

    sheet = read_back(dataclasses.replace(annual, five_year=None, five_year_note=note))["五年目标"]
    assert (sheet["A1"].value, sheet["A2"].value, sheet.max_row) == ("五年目标", note, 2)


# --- The target tables (附件2) --------------------------------------------------------------


def test_the_target_sheet_is_the_snapshots_target_tables_in_the_layout_of_attachment_2(quarterly_book, quarterly):
    sheet = quarterly_book["目标任务"]
    cells = list(sheet.iter_rows())
    titles = [table.title for table in quarterly.target_tables]
    starts = [row[0].row for row in cells if row[0].value in titles]
    assert len(starts) == len(quarterly.target_tables) == 2

    spans = set()
    for start, table in zip(starts, quarterly.target_tables, strict=True):
        counts, money = len(table.counts), len(table.money)
        assert sheet.cell(start, 1).font.bold
        assert [sheet.cell(start + 1, c).value for c in (1, 2, 2 + counts)] == ["责任单位", "项目个数（个）", "资金（亿元）"]
        assert [sheet.cell(start + 2, c).value for c in range(2, 2 + counts + money)] == table.counts + table.money
        spans.add(f"A{start + 1}:A{start + 2}")
        for first, width in ((2, counts), (2 + counts, money)):
            if width > 1:  # the departments' 资金 is one column: nothing to merge
                spans.add(f"{get_column_letter(first)}{start + 1}:{get_column_letter(first + width - 1)}{start + 1}")
        body = [[shown(c) for c in row[: 1 + counts + money]] for row in cells[start + 2 : start + 3 + len(table.rows)]]
        expected = [[r.unit, *("–" if v is None else v for v in r.values)] for r in table.rows]
        assert body == expected + [["合计", *("–" if v is None else v for v in table.total)]]
    assert merged(sheet) == spans == {"A5:A6", "B5:D5", "E5:G5", "A16:A17", "B16:D16"}

def test_target_counts_are_integers_and_target_money_two_decimals(quarterly_book, quarterly):
    table = quarterly.target_tables[0]
    row = next(r for r in quarterly_book["目标任务"].iter_rows() if r[0].value == table.rows[0].unit)

    assert all(is_count(c) for c in row[1 : 1 + len(table.counts)])
    assert {c.number_format for c in row[1 + len(table.counts) : 1 + len(table.counts) + len(table.money)]} == {"0.00"}
