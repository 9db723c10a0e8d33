"""The back office goes through the same services, scope and masking as the API."""

import io

import pytest
from django.test import Client
from openpyxl import Workbook

from gridgov.accounts.models import PiiAccess
from gridgov.areas.models import Area
from gridgov.registry.models import Resident
from gridgov.registry.pii import mask_id_number
from gridgov.registry.services import record_create
from tests.areas.factories import BOWTIE
from tests.conftest import WENHUI_GRID
from tests.registry.factories import resident_data


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def resident(community_staff, wenhui_point) -> Resident:
    return record_create(
        user=community_staff, kind_key="residents", data=resident_data(wenhui_point)
    )


@pytest.mark.django_db
def test_a_bad_polygon_in_the_admin_form_is_an_error_on_the_page(community_staff):
    import json

    response = signed_in(community_staff).post(
        "/admin/areas/area/add/",
        {
            "code": WENHUI_GRID + "001",
            "name": "微网格",
            "parent_code": WENHUI_GRID,
            "geometry_text": json.dumps(BOWTIE),
            "workers-TOTAL_FORMS": 0,
            "workers-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "多边形无效" in response.content.decode()
    assert not Area.objects.filter(code=WENHUI_GRID + "001").exists()


@pytest.mark.django_db
def test_admin_area_outside_scope_is_refused(other_community_staff):
    response = signed_in(other_community_staff).post(
        "/admin/areas/area/add/",
        {
            "code": WENHUI_GRID + "001",
            "name": "微网格",
            "parent_code": WENHUI_GRID,
            "geometry_text": "",
            "workers-TOTAL_FORMS": 0,
            "workers-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "超出您的管辖区域" in response.content.decode()
    assert not Area.objects.filter(code=WENHUI_GRID + "001").exists()


@pytest.mark.django_db
def test_resident_page_unmasked_for_staff_and_audited(community_staff, resident):
    page = (
        signed_in(community_staff)
        .get(f"/admin/registry/resident/{resident.pk}/change/")
        .content.decode()
    )
    assert resident.id_number in page
    audit = PiiAccess.objects.get()
    assert (audit.channel, audit.object_ids) == ("admin", [resident.pk])


@pytest.mark.django_db
def test_resident_pages_masked_for_an_operator_and_not_audited(operator, resident):
    client = signed_in(operator)
    listing = client.get("/admin/registry/resident/").content.decode()
    assert resident.name in listing
    assert resident.id_number not in listing
    assert mask_id_number(resident.id_number) in listing
    page = client.get(f"/admin/registry/resident/{resident.pk}/change/").content.decode()
    assert resident.id_number not in page
    assert resident.phone not in page
    assert PiiAccess.objects.count() == 0
    assert (
        client.post(f"/admin/registry/resident/{resident.pk}/change/", {"name": "x"}).status_code
        == 403
    )


@pytest.mark.django_db
def test_another_community_does_not_see_the_resident(other_community_staff, resident):
    client = signed_in(other_community_staff)
    assert resident.name not in client.get("/admin/registry/resident/").content.decode()
    assert (
        client.get(f"/admin/registry/resident/{resident.pk}/change/").status_code == 302
    )  # "does not exist" redirect


@pytest.mark.django_db
def test_admin_excel_import_reports_rows(community_staff, wenhui_point):
    client = signed_in(community_staff)
    template = client.get("/admin/registry/resident/excel/template/")
    assert template.status_code == 200
    workbook = Workbook()
    workbook.active.append(["名称", "身份证号", "户籍状态", "经度", "纬度"])
    workbook.active.append(
        ["木丽", "110105194912310021", "户籍人口", wenhui_point[0], wenhui_point[1]]
    )
    workbook.active.append(
        [
            "和强",
            resident_data(wenhui_point)["id_number"],
            "流动人口",
            wenhui_point[0],
            wenhui_point[1],
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "residents.xlsx"
    page = client.post("/admin/registry/resident/excel/import/", {"file": buffer}).content.decode()
    assert "新增 1 条" in page
    assert "校验位错误" in page
    assert Resident.objects.get().name == "和强"
    not_excel = io.BytesIO(b"hello")
    not_excel.name = "x.xlsx"
    page = client.post(
        "/admin/registry/resident/excel/import/", {"file": not_excel}
    ).content.decode()
    assert "不是 Excel" in page
    assert Resident.objects.count() == 1


@pytest.mark.django_db
def test_chinese_names_read_family_name_first():
    from gridgov.accounts.models import User

    assert User(last_name="和", first_name="丽华").get_full_name() == "和丽华"
    assert User(last_name="Smith", first_name="Ann").get_full_name() == "Ann Smith"
