"""Reading the first sheet of an uploaded workbook, with one clear error for a file that is not one."""

import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from gridgov.common.errors import DomainError

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
    header = [str(h or "").strip().lower() for h in next(rows, ())]
    body: list[tuple[int, tuple]] = []
    for number, values in enumerate(rows, start=2):
        if any(v not in (None, "") for v in values):
            body.append((number, values))
        if len(body) > MAX_ROWS:
            raise DomainError(
                _("A file may hold at most %(max)s rows.") % {"max": MAX_ROWS},
                code="too_large",
                field="file",
            )
    return header, body


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_sheet(rows: Iterable[list[Any]], title: str = "Sheet1") -> bytes:
    """A one-sheet workbook; the first row is the header (bold, widened)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    header: list[str] | None = None
    for row in rows:
        sheet.append(row)
        if header is None:
            header = [str(h) for h in row]
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    for index, text in enumerate(header or [], start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            10, len(text) * 2 + 2
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_response(rows: Iterable[list[Any]], filename: str) -> HttpResponse:
    response = HttpResponse(write_sheet(rows, filename.rsplit(".", 1)[0]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
