"""Reading the first sheet of an uploaded workbook, with one clear error for a file that is not one."""

import io

from django.utils.translation import gettext as _
from openpyxl import load_workbook

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
