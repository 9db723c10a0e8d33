import io

import pytest
from openpyxl import Workbook, load_workbook

from gridgov.accounts.models import PiiAccess
from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.registry.excel import export_bytes, import_bytes, template_bytes
from gridgov.registry.models import Resident
from gridgov.registry.services import record_create
from tests.registry.factories import id_number, resident_data


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


@pytest.mark.django_db
def test_template_has_the_columns_in_chinese():
    header = sheet_rows(template_bytes("residents"))[0]
    assert header[:3] == ("名称", "身份证号", "手机号")
    assert "经度" in header
    assert "纬度" in header


@pytest.mark.django_db
def test_import_keeps_good_rows_and_reports_bad_ones_by_row_and_column(
    community_staff, wenhui_point
):
    header = list(sheet_rows(template_bytes("residents"))[0])
    lon, lat = wenhui_point

    def row(**values):
        base = {
            "名称": "木丽",
            "身份证号": id_number(),
            "手机号": "13908881111",
            "户籍状态": "户籍人口",
            "与户主关系": "户主",
            "住户": None,
            "经度": lon,
            "纬度": lat,
            "地址": "文汇社区",
        }
        base.update(values)
        return [base.get(h) for h in header]

    duplicate = id_number()
    content = workbook_bytes(
        [
            header,
            row(),
            row(身份证号="110105194912310021"),
            row(手机号="555"),
            row(身份证号=duplicate),
            row(身份证号=duplicate, 名称="重复"),
            row(经度=116.4, 纬度=39.9),
            row(户籍状态="外星"),
        ]
    )
    report = import_bytes(user=community_staff, kind_key="residents", content=content)
    assert (report.created, report.updated) == (2, 0)
    assert [(e["row"], e["column"]) for e in report.errors] == [
        (3, "身份证号"),
        (4, "手机号"),
        (6, "身份证号"),
        (7, "经度"),
        (8, "户籍状态"),
    ]
    assert all(e["message"] for e in report.errors)
    assert Resident.objects.count() == 2
    # importing the same file again updates, it does not duplicate
    again = import_bytes(user=community_staff, kind_key="residents", content=content)
    assert (again.created, again.updated) == (0, 2)
    assert Resident.objects.count() == 2


@pytest.mark.django_db
def test_a_file_that_is_not_excel_is_refused_and_nothing_changes(community_staff):
    for content in (b"not excel at all", b"PK\x03\x04broken zip", "姓名,身份证号\n".encode()):
        with pytest.raises(DomainError) as error:
            import_bytes(user=community_staff, kind_key="residents", content=content)
        assert error.value.field == "file"
    with pytest.raises(DomainError, match="身份证号|ID number"):
        import_bytes(
            user=community_staff, kind_key="residents", content=workbook_bytes([["名称"], ["x"]])
        )
    assert Resident.objects.count() == 0


@pytest.mark.django_db
def test_import_cannot_overwrite_a_record_outside_the_area(
    community_staff, other_community_staff, wenhui_point, jinjia_point
):
    data = resident_data(wenhui_point)
    record_create(user=community_staff, kind_key="residents", data=data)
    header = list(sheet_rows(template_bytes("residents"))[0])
    values = {
        "名称": "冒名",
        "身份证号": data["id_number"],
        "户籍状态": "户籍人口",
        "经度": jinjia_point[0],
        "纬度": jinjia_point[1],
    }
    report = import_bytes(
        user=other_community_staff,
        kind_key="residents",
        content=workbook_bytes([header, [values.get(h) for h in header]]),
    )
    assert report.created == report.updated == 0
    assert report.errors[0]["row"] == 2
    assert Resident.objects.get().name == data["name"]


@pytest.mark.django_db
def test_export_masks_and_audits_like_the_api(community_staff, operator, wenhui_point):
    data = resident_data(wenhui_point)
    record_create(user=community_staff, kind_key="residents", data=data)
    masked = sheet_rows(export_bytes(user=operator, kind_key="residents"))
    assert data["id_number"] not in str(masked)
    assert data["phone"] not in str(masked)
    with pytest.raises(PermissionDenied):
        export_bytes(user=operator, kind_key="residents", reveal=True)
    assert PiiAccess.objects.count() == 0
    revealed = sheet_rows(export_bytes(user=community_staff, kind_key="residents", reveal=True))
    assert data["id_number"] in str(revealed)
    assert PiiAccess.objects.get().channel == "export"
