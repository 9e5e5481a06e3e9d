"""One writer that turns rows into an .xlsx file, for every export.

Text is always stored as text. A spreadsheet treats a cell starting with =, +, -, @ (and,
after a tab or CR, whatever follows) as a formula when the text is typed or pasted in,
so a project named "=HYPERLINK(...)" would become a live link in the reader's Excel
("formula injection"). openpyxl itself turns a string starting with "=" into a formula.
Such cells are written as strings with Excel's quote prefix (what typing '=... gives),
so they stay text even when someone edits the cell.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# A line break is in the list because XML reads a CR as LF, so "\r=…" comes back as "\n=…".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
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


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def write_xlsx(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet named `title`: a bold header row, then `rows`, each value in the column's format.

    Values may be str, int, Decimal (written as a number; never float here), date, datetime
    (an aware one is written in local time) or None. Text has CR/CRLF written as LF and the
    control characters XML cannot hold dropped. The workbook is write-only: rows stream into it one by one.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, column.header) for column in columns])
    try:
        for row in rows:
            sheet.append([_cell(sheet, value, column) for value, column in zip(row, columns, strict=True)])
    except BaseException:
        _abandon(sheet)
        raise
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _abandon(sheet) -> None:
    """Finish a half-written sheet and delete its temporary file, which openpyxl would
    otherwise keep until the process exits."""
    sheet.close()
    sheet._writer.cleanup()


def _header_cell(sheet, header: str) -> WriteOnlyCell:
    cell = _cell(sheet, header, Column(header))
    cell.font, cell.alignment = HEADER_FONT, HEADER_ALIGNMENT
    return cell


def _cell(sheet, value: object, column: Column) -> WriteOnlyCell:
    if isinstance(value, str):
        return _text_cell(sheet, value)
    if isinstance(value, float):
        raise TypeError("金额须为 Decimal，不得使用浮点数。")
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.make_naive(value)  # Excel has no time zones: local time, as users read it
    cell = WriteOnlyCell(sheet, value=value)
    if column.number_format:
        cell.number_format = column.number_format
    elif isinstance(value, datetime.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
    return cell


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    guarded = is_formula_like(text)
    # Every XML reader (Excel's too) turns CR and CRLF into LF; say so rather than let it happen.
    text = ILLEGAL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    cell = WriteOnlyCell(sheet, value=text)
    # Assigning a str never yields a number or date in openpyxl, but "=…" yields a formula.
    cell.data_type = "s"
    if guarded:
        cell.quotePrefix = True
    return cell
