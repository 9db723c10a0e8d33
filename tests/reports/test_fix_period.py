"""Issue 13: a report of a period still running says it is to date and plots no day after
today; an ended one is reported whole. The known district of tests/reports/conftest.py is
read on 11 March 2026."""

import io
import shutil
import subprocess

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from gridgov.areas.models import Area
from gridgov.reports.figures import report_figures
from gridgov.reports.pdf import report_pdf
from gridgov.reports.periods import period_parse
from gridgov.reports.xlsx import report_xlsx

MARCH = period_parse("month", "2026-03")
FEBRUARY = period_parse("month", "2026-02")
Q1 = period_parse("quarter", "2026-Q1")


def _figures(district, period):
    return report_figures(area=Area.objects.get(code="530702"), period=period, now=district["now"])


def test_a_running_month_stops_at_today(district):
    figures = _figures(district, MARCH)
    assert figures["period"]["as_of"] == "2026-03-11"
    labels = [row["label"] for row in figures["trend"]]
    assert labels[0] == "2026-03-01"
    assert labels[-1] == "2026-03-11"  # no 12-31 March plotted as zeros
    assert len(labels) == 11


def test_a_running_quarter_stops_at_this_month(district):
    labels = [row["label"] for row in _figures(district, Q1)["trend"]]
    assert labels == ["2026-01", "2026-02", "2026-03"]


def test_an_ended_month_is_whole(district):
    figures = _figures(district, FEBRUARY)
    assert figures["period"]["as_of"] is None
    assert len(figures["trend"]) == 28


def test_the_workbook_says_to_date(district):
    with translation.override("en"):
        book = load_workbook(io.BytesIO(report_xlsx(_figures(district, MARCH))))
        said = gettext("to date (as of %(day)s)") % {"day": "2026-03-11"}
    for sheet in book.worksheets:
        assert said in sheet["A2"].value, sheet.title
    with translation.override("en"):
        book = load_workbook(io.BytesIO(report_xlsx(_figures(district, FEBRUARY))))
        to_date = gettext("to date (as of %(day)s)").split("%")[0]
    assert to_date not in book.worksheets[0]["A2"].value


def _pdf_pages(content: bytes, tmp_path) -> list[str]:
    (tmp_path / "report.pdf").write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
        check=True,
        capture_output=True,
        timeout=120,
    ).stdout.decode()
    return [page for page in text.split("\f") if page.strip()]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_the_pdf_says_to_date_and_keeps_headings_with_their_tables(district, tmp_path):
    with translation.override("en"):
        pages = _pdf_pages(report_pdf(_figures(district, MARCH)), tmp_path)
    text = " ".join(" ".join(page.split()) for page in pages)
    assert "2026-03-01 to date (as of 2026-03-11)" in text
    assert "2026-03-31" not in text
    # No page ends with a heading whose table starts on the next page.
    with translation.override("en"):
        from gridgov.reports.labels import table_titles

        headings = set(table_titles().values())
    for page in pages[:-1]:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        # the footer ("page x of y", the title) is the last lines: look above it
        assert not any(line in headings for line in lines[-4:]), lines[-4:]
