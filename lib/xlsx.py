"""The .xlsx writers of every export: `write_xlsx` streams rows into one sheet; `new_workbook`,
`put` and `put_header` lay out a report cell by cell (merged headers, several sheets). Both
write every value by the same rules.

Text is always stored as text. A spreadsheet treats a cell starting with =, +, -, @ (and,
after a tab or CR, whatever follows) as a formula when the text is typed or pasted in,
so a project named "=HYPERLINK(...)" would become a live link in the reader's Excel
("formula injection"). openpyxl itself turns a string starting with "=" into a formula.
Such cells are written as strings with Excel's quote prefix (what typing '=... gives),
so they stay text even when someone edits the cell.

The guard (`safe_text` and `is_formula_like`) judges the text as it is written, i.e. after
the control characters XML cannot hold are dropped: "\x01=HYPERLINK(...)" is written as
"=HYPERLINK(...)", so it is guarded like it. It also looks past leading spaces and invisible
format characters (zero-width space, BOM, direction marks), and takes the full-width ＝＋－＠
as triggers too: Excel with a Chinese input method turns a typed "＝1＋1" into a formula. The
quote prefix is invisible in the cell, so guarding a harmless text costs nothing. Numbers and
dates are never text: a negative Decimal stays a number.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A line break is in the list because XML reads a CR as LF, so "\r=…" comes back as "\n=…".
# The full-width signs are what a Chinese input method types; Excel reads them as the ASCII ones.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# Control characters XML 1.0 cannot hold (openpyxl refuses them): dropped, never an error.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")

MONEY_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Column:
    """A column of an exported sheet: its header, width in characters and number format."""

    header: str
    width: float = 12
    number_format: str | None = None


def safe_text(text: str) -> tuple[str, bool]:
    """`text` as a cell holds it (CR and CRLF as LF, the control characters XML cannot hold
    dropped) and whether it must carry Excel's quote prefix: the one guard every writer uses."""
    written = ILLEGAL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return written, is_formula_like(written)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula once a user edits or re-enters it:
    it starts with a trigger, or its first visible character is one."""
    return text.startswith(FORMULA_TRIGGERS) or _visible_start(text).startswith(FORMULA_TRIGGERS)


def _visible_start(text: str) -> str:
    """`text` from its first character that is neither a space nor invisible (a control or
    format character such as a zero-width space or a BOM)."""
    for index, character in enumerate(text):
        if not (character.isspace() or unicodedata.category(character) in {"Cc", "Cf"}):
            return text[index:]
    return ""


def write_xlsx(
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    autofilter: bool = False,
    document_title: str = "",
    creator: str = "",
) -> bytes:
    """One sheet named `title`: a bold header row, then `rows`, each value in the column's format.

    Values may be str, int, Decimal (written as a number; never float here), date, datetime
    (an aware one is written in local time) or None. Text has CR/CRLF written as LF and the
    control characters XML cannot hold dropped. The workbook is write-only: rows stream into it one by one.
    With `autofilter`, the header row gets Excel's filter buttons over all the rows written;
    `document_title` and `creator` are the file's properties, when given.
    """
    workbook = Workbook(write_only=True)
    if document_title:
        workbook.properties.title = document_title
    if creator:
        workbook.properties.creator = creator
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, column.header) for column in columns])
    written = 0
    try:
        for row in rows:
            sheet.append([_cell(sheet, value, column) for value, column in zip(row, columns, strict=True)])
            written += 1
    except BaseException:
        _abandon(sheet)
        raise
    if autofilter:
        # Written with the sheet's tail, after the rows: the range can be known only now.
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{written + 1}"
    return workbook_bytes(workbook)


def new_workbook(*, title: str, creator: str) -> Workbook:
    """An empty normal (not write-only) workbook with its document properties. Write into its
    sheets with `put` and `put_header`, never by assigning `cell.value`, and turn it into
    bytes with `workbook_bytes`."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = title
    workbook.properties.creator = creator
    return workbook


def put(sheet: Worksheet, row: int, column: int, value: object, number_format: str | None = None) -> Cell:
    """Write one value as `write_xlsx` does; `number_format` applies to numbers and dates."""
    return _fill(sheet.cell(row=row, column=column), value, number_format)


def put_header(sheet: Worksheet, row: int, column: int, text: str, *, rows: int = 1, columns: int = 1) -> Cell:
    """A bold, centred header cell, merged over `rows` × `columns` cells when it spans more than one."""
    if rows > 1 or columns > 1:
        sheet.merge_cells(start_row=row, start_column=column, end_row=row + rows - 1, end_column=column + columns - 1)
    return _style_header(put(sheet, row, column, text))


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _abandon(sheet) -> None:
    """Finish a half-written sheet and delete its temporary file, which openpyxl would
    otherwise keep until the process exits."""
    sheet.close()
    sheet._writer.cleanup()


def _header_cell(sheet, header: str) -> WriteOnlyCell:
    return _style_header(_fill(WriteOnlyCell(sheet), header))


def _cell(sheet, value: object, column: Column) -> WriteOnlyCell:
    return _fill(WriteOnlyCell(sheet), value, column.number_format)


def _style_header(cell: Cell) -> Cell:
    cell.font, cell.alignment = HEADER_FONT, HEADER_ALIGNMENT
    return cell


def _fill(cell: Cell, value: object, number_format: str | None = None) -> Cell:
    """Give `cell` the value by the rules of every export (the module's docstring); a str is
    never given the number format."""
    if isinstance(value, str):
        return _fill_text(cell, value)
    if isinstance(value, float):
        raise TypeError("金额须为 Decimal，不得使用浮点数。")
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.make_naive(value)  # Excel has no time zones: local time, as users read it
    cell.value = value
    if number_format:
        cell.number_format = number_format
    elif isinstance(value, datetime.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
    return cell


def _fill_text(cell: Cell, text: str) -> Cell:
    # Every XML reader (Excel's too) turns CR and CRLF into LF; say so rather than let it happen.
    cell.value, guarded = safe_text(text)
    # Assigning a str never yields a number or date in openpyxl, but "=…" yields a formula.
    cell.data_type = "s"
    if guarded:
        cell.quotePrefix = True
    return cell
