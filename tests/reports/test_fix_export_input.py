"""Issue 13, fix 1: the event export refuses dates far outside what the platform holds and an
unknown subclass with a 400 (API and page), as the rates do, and records nothing; its Excel
file keeps formula-like text as text without a visible apostrophe (the CSV keeps its guard)."""

import io

import pytest
from openpyxl import load_workbook

from gridgov.analytics.kpis import EARLIEST, LATEST
from gridgov.reports.models import EventExport
from tests.reports.test_export import API, _client, _csv, events  # noqa: F401 (fixture)

PAGE = "/reports/export/events.csv"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=0001-01-01&until=0001-01-02", "since"),
        ("until=9999-12-31", "until"),
        ("since=0001-01-01", "since"),
        ("since=9999-12-31", "since"),
        ("until=0001-01-01T08:00", "until"),
        ("since=2026-01-01&until=9999-12-31T23:00%2B14:00", "until"),
    ],
)
def test_extreme_dates_are_a_400_with_the_bounds(district_staff, events, query, field):  # noqa: F811
    client = _client(district_staff)
    answer = client.get(f"{API}?format=csv&{query}")
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["field"] == field
    assert body["code"] == "bad_period"
    assert EARLIEST.isoformat() in body["message"]
    assert LATEST.isoformat() in body["message"]
    page = client.get(f"{PAGE}?{query}")
    assert page.status_code == 400
    assert LATEST.isoformat() in page.content.decode()
    assert not EventExport.objects.exists()


def test_an_unknown_subclass_is_a_400(district_staff, events):  # noqa: F811
    client = _client(district_staff)
    answer = client.get(f"{API}?format=csv&subclass=ZZZZ")
    assert answer.status_code == 400
    assert answer.json()["field"] == "subclass"
    assert answer.json()["code"] == "unknown_subclass"
    assert client.get(f"{PAGE}?subclass=ZZZZ").status_code == 400
    assert not EventExport.objects.exists()


def test_a_known_subclass_still_exports(district_staff, events):  # noqa: F811
    code = events["wenhui"].subclass.code
    rows = _csv(_client(district_staff).get(f"{PAGE}?subclass={code}"))
    assert events["wenhui"].number in {row[0] for row in rows[1:]}


def test_formula_like_text_in_excel_is_a_string_cell_without_apostrophe(district_staff, events):  # noqa: F811
    answer = _client(district_staff).get("/reports/export/events.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).worksheets[0]
    row = next(r for r in sheet.iter_rows() if r[0].value == events["formula"].number)
    description = row[11]
    assert description.value == '=HYPERLINK("http://x")'
    assert description.data_type == "s"  # text: a spreadsheet shows it, never evaluates it
    formulas = [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == []


def test_the_csv_keeps_its_apostrophe(district_staff, events):  # noqa: F811
    rows = _csv(_client(district_staff).get(PAGE))
    formula = next(r for r in rows if r[0] == events["formula"].number)
    assert formula[11] == '\'=HYPERLINK("http://x")'
