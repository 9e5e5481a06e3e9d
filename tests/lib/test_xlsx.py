"""lib/xlsx.py: every export's writer. Text is text, money a number, dates dates."""

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from django.utils import timezone

from lib.xlsx import DATE_FORMAT, MONEY_FORMAT, Column, new_workbook, put, put_header, workbook_bytes, write_xlsx
from tests.formula_texts import FORMULA_LIKE, NUL_FIRST, PLAIN

COLUMNS = [Column("名称", 30), Column("金额（亿元）", 12, MONEY_FORMAT), Column("日期", 12, DATE_FORMAT)]


def read_back(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def one_cell(value, column=Column("值")):
    return read_back(write_xlsx(title="表", columns=[column], rows=[[value]]))["A2"]


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        '=HYPERLINK("http://evil.example","点我")',
        "+86 023 1234",
        "-1",
        "@SUM(1)",
        "\t=1+1",
        "=",
        "-",
    ],
)
def test_text_starting_like_a_formula_is_stored_as_quoted_text(text):
    cell = one_cell(text)

    assert cell.data_type == "s"
    assert cell.value == text
    assert cell.quotePrefix is True


@pytest.mark.parametrize("text, written", FORMULA_LIKE + NUL_FIRST)
def test_control_characters_are_dropped_before_the_guard_looks_so_a_hidden_formula_is_quoted_too(text, written):
    cell = one_cell(text)

    assert (cell.value, cell.data_type, cell.quotePrefix) == (written, "s", True)


@pytest.mark.parametrize("text, written", FORMULA_LIKE + NUL_FIRST)
def test_a_laid_out_report_guards_its_cells_and_headers_alike(text, written):
    workbook = new_workbook(title="通报", creator="招商局")
    sheet = workbook.create_sheet("表")
    put(sheet, 1, 1, text)
    put_header(sheet, 2, 1, text, columns=2)

    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes(workbook)))["表"]
    for cell in (sheet["A1"], sheet["A2"]):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (written, "s", True)


@pytest.mark.parametrize("text", PLAIN)
def test_ordinary_text_gets_no_quote_prefix(text):
    assert one_cell(text).quotePrefix is False


@pytest.mark.parametrize("number", [Decimal("-1.5"), Decimal("-0"), -3, 0])
def test_negative_numbers_stay_numbers(number):
    cell = one_cell(number)

    assert (cell.value, cell.data_type, cell.quotePrefix) == (number, "n", False)


def test_no_formula_reaches_the_file():
    content = write_xlsx(title="表", columns=[Column("值")], rows=[["=1+1"], ["@A1"], ["+A1"]])

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert 't="inlineStr"' in sheet_xml


def test_a_carriage_return_is_written_as_the_line_break_every_reader_sees_and_still_guarded():
    cell = one_cell("\r=1+1")

    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", "\n=1+1", True)
    assert one_cell("甲\r\n乙").value == "甲\n乙"


def test_plain_text_keeps_its_value_and_gets_no_quote_prefix():
    cell = one_cell("锂电池材料 a=b")

    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", "锂电池材料 a=b", False)


def test_text_that_looks_like_a_number_or_date_stays_text():
    assert (one_cell("0012").value, one_cell("0012").data_type) == ("0012", "s")
    assert one_cell("2021-03-15").value == "2021-03-15"


def test_control_characters_xml_cannot_hold_are_dropped_instead_of_failing():
    assert one_cell("甲\x00乙\x07丙\x1f").value == "甲乙丙"


def test_decimal_money_is_a_number_in_the_money_format_with_full_precision():
    worksheet = read_back(
        write_xlsx(title="表", columns=COLUMNS, rows=[["甲", Decimal("1.2345"), None], ["乙", Decimal("0"), None]])
    )

    assert [(c.value, c.data_type, c.number_format) for c in (worksheet["B2"], worksheet["B3"])] == [
        (1.2345, "n", "0.00"),
        (0, "n", "0.00"),
    ]


def test_a_decimal_without_a_column_format_still_shows_two_decimals():
    assert one_cell(Decimal("3.5")).number_format == MONEY_FORMAT


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_float_is_refused_because_money_is_decimal():
    with pytest.raises(TypeError):
        write_xlsx(title="表", columns=[Column("值")], rows=[[0.1]])


def test_dates_are_dates_and_aware_datetimes_are_local_time():
    moment = datetime.datetime(2021, 3, 15, 2, 30, tzinfo=datetime.timezone.utc)  # 10:30 in Chongqing
    worksheet = read_back(
        write_xlsx(
            title="表",
            columns=[Column("日期"), Column("时间")],
            rows=[[datetime.date(2021, 3, 15), moment]],
        )
    )

    day, time = worksheet["A2"], worksheet["B2"]
    assert (day.data_type, day.value, day.number_format) == ("d", datetime.datetime(2021, 3, 15), "yyyy-mm-dd")
    assert time.value == timezone.make_naive(moment).replace(microsecond=0)
    assert time.number_format == "yyyy-mm-dd hh:mm"


def test_none_is_an_empty_cell():
    assert one_cell(None).value is None


def test_the_sheet_has_its_title_a_bold_header_and_column_widths():
    worksheet = read_back(write_xlsx(title="招商项目", columns=COLUMNS, rows=[]))

    assert worksheet.title == "招商项目"
    assert [cell.value for cell in worksheet[1]] == ["名称", "金额（亿元）", "日期"]
    assert all(cell.font.bold for cell in worksheet[1])
    assert worksheet.column_dimensions["A"].width == 30
    assert worksheet.freeze_panes == "A2"


def test_a_header_that_looks_like_a_formula_is_text_too():
    cell = read_back(write_xlsx(title="表", columns=[Column("=SUM(A:A)")], rows=[]))["A1"]

    assert (cell.data_type, cell.value) == ("s", "=SUM(A:A)")


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_row_with_the_wrong_number_of_cells_is_refused_and_leaves_no_temporary_file():
    before = set(ALL_TEMP_FILES)

    with pytest.raises(ValueError):
        write_xlsx(title="表", columns=COLUMNS, rows=[["甲", Decimal(1), None], ["只有一列"]])

    assert set(ALL_TEMP_FILES) == before
