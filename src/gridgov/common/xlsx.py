"""Workbooks in and out: the first sheet of an upload, with one clear error for a file that is
not one, and one writer whose every cell is safe to open in a spreadsheet.

Every .xlsx the server writes goes through `write_sheet`, so `cell_safe` is the one place
that neutralises formulas (CWE-1236: a resident's name `=HYPERLINK(...)` must stay text for
the staffer who opens the export) and drops the characters XML 1.0 forbids (openpyxl raises
on them, which would turn one bad name into a failed export).
"""

import datetime as dt
import io
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gridgov.common.errors import DomainError
from gridgov.common.text import xml_safe

MAX_ROWS = 200_000


def read_sheet(content: bytes) -> tuple[list[str], list[tuple[int, tuple]]]:
    """The lower-cased header and the non-empty rows with their sheet row numbers."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError, ValueError … for a non-workbook
        raise DomainError(
            _("The file is not an Excel workbook (.xlsx)."), code="bad_file", field="file"
        ) from error
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [str(cell_unescaped(h) or "").strip().lower() for h in next(rows, ())]
    body: list[tuple[int, tuple]] = []
    for number, raw in enumerate(rows, start=2):
        values = tuple(cell_unescaped(v) for v in raw)
        if any(v not in (None, "") for v in values):
            body.append((number, values))
        if len(body) > MAX_ROWS:
            raise DomainError(
                _("A file may hold at most %(max)s rows.") % {"max": MAX_ROWS},
                code="too_large",
                field="file",
            )
    return header, body


# What a spreadsheet reads as the start of a formula (or of a DDE payload, for tab and CR).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def cell_safe(value: Any) -> Any:
    """The value as it may be written to a cell: text without XML-forbidden characters and,
    when it could start a formula, behind an apostrophe so that it stays text. Numbers,
    dates and booleans are written as they are (a negative number is not a formula)."""
    if value is None or isinstance(value, bool | int | float | dt.date | dt.datetime):
        return value
    text = xml_safe(str(value))
    return QUOTE + text if text.startswith(FORMULA_TRIGGERS) else text


def cell_unescaped(value: Any) -> Any:
    """An uploaded cell with the apostrophe `cell_safe` added taken off again, so that an
    export edited and imported back keeps its text (the import writes it through the
    services, and every later export neutralises it again)."""
    if (
        isinstance(value, str)
        and value.startswith(QUOTE)
        and value[1:].startswith(FORMULA_TRIGGERS)
    ):
        return value[1:]
    return value


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def write_sheet(rows: Iterable[list[Any]], title: str = "Sheet1") -> bytes:
    """A one-sheet workbook; the first row is the header (bold, widened).

    Written in openpyxl's write-only mode, row by row, without a cell object per value
    kept in memory: a community's 25,000 residents are written in a third less time."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_SHEET_TITLE_FORBIDDEN.sub("", xml_safe(title))[:31] or "Sheet1")
    bold = Font(bold=True)
    iterator = iter(rows)
    header = next(iterator, None)
    if header is not None:
        # Widths must be set before the first row is written in write-only mode.
        for index, text in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(
                10, len(str(text)) * 2 + 2
            )
        cells = []
        for value in header:
            cell = WriteOnlyCell(sheet, value=cell_safe(value))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    for row in iterator:
        sheet.append([cell_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_response(rows: Iterable[list[Any]], filename: str) -> HttpResponse:
    response = HttpResponse(write_sheet(rows, filename.rsplit(".", 1)[0]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
