"""A report as an Excel workbook: values only (no formulas: a leader's copy must show the same
numbers in any program, and a figure cannot change when a cell is edited), one sheet per
table, each styled for printing: the title and the period above the header, widths set,
A4 landscape fitted to the page width, the title rows repeated on every page, page numbers
in the footer. Every text cell goes through `common.xlsx.cell_safe`.

Rates are fractions shown as percentages; a change of a rate is written in percentage points,
as the PDF writes it (80% that becomes 60% fell by 20 points; "-20%" would read as a fifth of
it lost, which is 64%); a change of a count is a signed number."""

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gridgov.common.xlsx import cell_safe
from gridgov.reports.figures import RATE_KEYS, rate_labels
from gridgov.reports.labels import period_title, table_titles

PERCENT = "0.00%"
COUNT_CHANGE = "+0;-0;0"
HOURS_CHANGE = "+0.0;-0.0;0.0"
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TITLE_FONT = Font(bold=True, size=16)
HEADER_ROW = 4  # rows 1-3: title, subtitle, a blank line


def _to_date(figures: dict) -> str:
    """A period still running is reported to date (its figures stop at `as_of`)."""
    day = figures["period"].get("as_of")  # absent from figures made before it was added
    return f" ({_('to date (as of %(day)s)') % {'day': day}})" if day else ""


def _sheet(book: Workbook, name: str, figures: dict, header: list[str], widths: list[int]):
    sheet: Worksheet = book.create_sheet(cell_safe(name)[:31])
    last = get_column_letter(len(header))
    sheet["A1"] = cell_safe(figures["title"])
    sheet["A1"].font = TITLE_FONT
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = cell_safe(
        f"{figures['area']['name']} {period_title(figures)}{_to_date(figures)} — {name}"
    )
    sheet["A2"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A2:{last}2")
    sheet.row_dimensions[1].height = 28
    for column, (text, width) in enumerate(zip(header, widths, strict=True), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=cell_safe(text))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[HEADER_ROW].height = 32
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"1:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = _("Page &P of &N")
    sheet.oddFooter.right.text = cell_safe(figures["generated_at"])
    return sheet


def points_format() -> str:
    """The number format of a change of a rate: the sign always shown, the unit after it in the
    active language (a literal in the format, so the cell still holds a number)."""
    unit = pgettext("unit of a change of a rate", "pp").replace('"', "")
    return ";".join(f'{sign}0.00" {unit}"' for sign in ("+", "-", ""))


def points(change: float | None) -> float | None:
    """A change of a rate (fractions 0..1) in percentage points: -0.25 is -25.0."""
    return None if change is None else round(change * 100, 2)


def _append(sheet: Worksheet, values: list[Any], formats: dict[int, str]) -> None:
    """One bordered row; `formats` maps a column (from 1) to the number format of its numbers
    (an empty cell keeps the default)."""
    row = sheet.max_row + 1
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=cell_safe(value))
        cell.border = BORDER
        if column in formats and isinstance(value, int | float) and not isinstance(value, bool):
            cell.number_format = formats[column]


def _summary(book: Workbook, figures: dict) -> None:
    labels = rate_labels()
    header = [
        _("Indicator"),
        _("This period"),
        _("Previous period"),
        _("Change (rates in percentage points)"),
    ]
    sheet = _sheet(book, table_titles()["summary"], figures, header, [34, 16, 16, 18])
    now, before = figures["summary"], figures["summary_previous"]
    counts = [
        ("reported", _("Reported")),
        ("due_to_close", _("Due to close")),
        ("closed", _("Closed")),
    ]
    for key, label in counts:
        change = now[key] - before[key]
        _append(sheet, [label, now[key], before[key], change], {4: COUNT_CHANGE})
    rates = {2: PERCENT, 3: PERCENT, 4: points_format()}
    for key in (*RATE_KEYS, "score"):
        change = None
        if now[key] is not None and before[key] is not None:
            change = points(now[key] - before[key])
        _append(sheet, [labels[key], now[key], before[key], change], rates)
    key = "average_handling_hours"
    change = None
    if now[key] is not None and before[key] is not None:
        change = round(now[key] - before[key], 1)
    _append(sheet, [labels[key], now[key], before[key], change], {4: HOURS_CHANGE})


def _ranked(book: Workbook, figures: dict, key: str, name_header: str) -> None:
    labels = rate_labels()
    header = [_("Rank"), name_header, _("Reported"), _("Due to close"), _("Closed")]
    header += [labels[k] for k in RATE_KEYS]
    header += [
        labels["score"],
        _("Closure rate, previous period"),
        _("Closure rate change (percentage points)"),
    ]
    widths = [7, 26, 10, 10, 10] + [12] * len(RATE_KEYS) + [12, 14, 16]
    sheet = _sheet(book, table_titles()[key], figures, header, widths)
    formats = dict.fromkeys(range(6, len(header)), PERCENT)
    formats[len(header)] = points_format()
    for row in figures[key]:
        values = [row["rank"], row["name"], row["reported"], row["due_to_close"], row["closed"]]
        values += [row[k] for k in RATE_KEYS]
        values += [row["score"], row["previous"]["closure_rate"], points(row["closure_change"])]
        _append(sheet, values, formats)


def _trend(book: Workbook, figures: dict) -> None:
    header = [_("Period"), _("Reported"), _("Closed"), _("Closure rate")]
    sheet = _sheet(book, table_titles()["trend"], figures, header, [16, 12, 12, 14])
    for row in figures["trend"]:
        values = [row["label"], row["reported"], row["closed"], row["closure_rate"]]
        _append(sheet, values, {4: PERCENT})


def report_xlsx(figures: dict) -> bytes:
    """The workbook of `report_figures`: summary, then the ranked tables, then the trend."""
    book = Workbook()
    book.remove(book.active)
    _summary(book, figures)
    child_level = _("Street") if figures["area"]["kind"] == "county" else _("Area")
    _ranked(book, figures, "areas", child_level)
    _ranked(book, figures, "departments", _("Department"))
    _ranked(book, figures, "categories", _("Category"))
    _ranked(book, figures, "sources", _("Source"))
    _trend(book, figures)
    book.properties.title = cell_safe(f"{figures['title']} {figures['period']['key']}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
