"""A month's report of a small known district: the figures by hand, the workbook opened with
openpyxl (values, no formulas, print setup), the PDF rendered to PNG pages by pdftoppm, and
`gridgov report` writing both."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import gettext
from openpyxl import load_workbook

from gridgov.areas.models import Area
from gridgov.reports.figures import rate_labels, report_figures
from gridgov.reports.pdf import report_pdf
from gridgov.reports.periods import period_parse
from gridgov.reports.xlsx import points_format, report_xlsx
from tests.conftest import WENHUI

MARCH = period_parse("month", "2026-03")


@pytest.fixture
def figures(district):
    return report_figures(area=Area.objects.get(code="530702"), period=MARCH, now=district["now"])


def test_district_figures_by_hand(figures, district):
    summary = figures["summary"]
    # 4 reported in March; 3 closed + 1 open past its deadline are due; 2 closed on time.
    assert (summary["reported"], summary["due_to_close"], summary["closed"]) == (4, 4, 3)
    assert summary["closure_rate"] == 0.75
    assert summary["on_time_closure_rate"] == 0.5
    before = figures["summary_previous"]
    assert (before["reported"], before["closed"], before["closure_rate"]) == (1, 1, 1.0)
    assert figures["title"] == "古城区网格化服务管理中心"
    assert figures["previous_period"]["key"] == "2026-02"
    # Streets ranked by closure: the other street 1/1 first, 西安 2/3 second, down a third
    # from February's 1/1.
    ranked = [
        (row["key"], row["rank"], row["reported"], row["closure_rate"]) for row in figures["areas"]
    ]
    assert ranked == [(district["other"], 1, 1, 1.0), (district["xian"], 2, 3, 0.6667)]
    xian = figures["areas"][1]
    assert xian["name"] == "西安街道"
    assert xian["previous"]["closure_rate"] == 1.0
    assert xian["closure_change"] == -0.3333
    sources = {row["key"]: (row["reported"], row["closed"]) for row in figures["sources"]}
    assert sources == {"worker": (3, 2), "hotline": (1, 1)}
    # Every event of the story is of one subclass: its category's figures are the district's,
    # the average handling time included (summed, not averaged).
    [category] = figures["categories"]
    for key in ("reported", "closed", "closure_rate", "average_handling_hours"):
        assert category[key] == summary[key], key
    assert summary["average_handling_hours"] is not None
    # Every day of March up to the day it is read (11 March, the month still running), quiet
    # ones as zeros; none of the days to come.
    assert len(figures["trend"]) == 11
    assert figures["trend"][-1]["label"] == "2026-03-11"
    by_day = {row["label"]: row["reported"] for row in figures["trend"]}
    assert by_day["2026-03-06"] == 4
    assert sum(by_day.values()) == 4


def test_street_report_ranks_its_communities(district):
    figures = report_figures(
        area=Area.objects.get(code="530702001"), period=MARCH, now=district["now"]
    )
    assert figures["summary"]["reported"] == 3
    assert [(row["key"], row["reported"]) for row in figures["areas"]] == [(WENHUI, 3)]
    assert figures["title"] == "古城区网格化服务管理中心"


def test_workbook_holds_values_styled_for_printing(figures):
    book = load_workbook(io.BytesIO(report_xlsx(figures)))
    assert len(book.sheetnames) == 6
    summary = book.worksheets[0]
    assert summary["A1"].value == "古城区网格化服务管理中心"
    assert "A1:D1" in {str(r) for r in summary.merged_cells.ranges}
    assert summary.print_title_rows == "$1:$4"
    assert summary.page_setup.orientation == "landscape"
    assert summary.page_setup.fitToWidth == 1
    assert "&P" in summary.oddFooter.center.text
    # Rows and headers found by the labels the report itself uses, in the active language.
    rows = {row[0].value: row[1:] for row in summary.iter_rows(min_row=5)}
    reported = rows[gettext("Reported")]  # this period, previous, change
    assert [c.value for c in reported] == [4, 1, 3]
    assert reported[2].number_format == "+0;-0;0"
    # Closure: 75% now, 100% in February, down 25 percentage points: the change is -25 with
    # a points format, not -0.25 shown as "-25.00%" (a rate's change is not a share of it).
    closure = rows[rate_labels()["closure_rate"]]
    assert [c.value for c in closure] == [0.75, 1.0, -25.0]
    assert [c.number_format for c in closure] == ["0.00%", "0.00%", points_format()]
    assert points_format().startswith('+0.00" ')
    assert summary["D4"].value == gettext("Change (rates in percentage points)")
    areas = book.worksheets[1]
    rows = list(areas.iter_rows(min_row=5, values_only=True))
    assert [r[:6] for r in rows] == [
        (1, figures["areas"][0]["name"], 1, 1, 1, 1.0),
        (2, "西安街道", 3, 3, 2, 0.6667),
    ]
    assert areas.cell(row=6, column=6).number_format == "0.00%"
    # 西安's closure, 66.67% from February's 100%: -33.33 points.
    last = areas.max_column
    assert areas.cell(row=4, column=last).value == gettext(
        "Closure rate change (percentage points)"
    )
    assert rows[1][last - 1] == -33.33
    assert areas.cell(row=6, column=last).number_format == points_format()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"a formula in {sheet.title}!{cell.coordinate}"


def test_pdf_renders_to_pages(figures, tmp_path):
    content = report_pdf(figures)
    assert content.startswith(b"%PDF")
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (tmp_path / "report.pdf").write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(tmp_path / "report.pdf"), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 2 <= len(pages) <= 6
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"],
        check=True,
        capture_output=True,
        timeout=120,
    ).stdout.decode()
    assert "古城区网格化服务管理中心" in text
    assert "西安街道" in text
    assert "75.00%" in text  # the district's closure
    assert "66.67%" in text  # 西安's
    assert "-33.33" in text  # 西安's change in points against February


def test_report_command_writes_both_files(district, tmp_path):
    pdf, xlsx = tmp_path / "m.pdf", tmp_path / "m.xlsx"
    call_command(
        "report",
        period="month",
        date="2026-03",
        root="530702",
        fmt="pdf",
        out=str(pdf),
        stdout=io.StringIO(),
    )
    call_command(
        "report",
        "--period",
        "month",
        "--date",
        "2026-03",
        "--root",
        "530702",
        "--format",
        "xlsx",
        "--out",
        str(xlsx),
        stdout=io.StringIO(),
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    book = load_workbook(xlsx)
    assert book.worksheets[0]["A1"].value == "古城区网格化服务管理中心"
    assert not list(Path(tmp_path).glob("*.part"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-13", "--root", "530702"], "2026-13"),
        (["--date", "2026-03", "--root", "999999"], "999999"),
    ],
)
def test_report_command_refuses_bad_input(db, tmp_path, args, message):
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("report", "--period", "month", "--format", "pdf", "--out", str(out), *args)
    assert not out.exists()
