"""Excel with the labels people read: exported by name and label, edited, imported back onto
the same records; what an import may not change, and hostile files, refused row by row."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from gridgov.areas.models import Area
from gridgov.common.errors import PermissionDenied
from gridgov.registry.excel import column_header, export_bytes, import_bytes
from gridgov.registry.kinds import KINDS
from gridgov.registry.models import Building, Compound, Household, Resident
from gridgov.registry.services import record_create
from tests.conftest import WENHUI_GRID
from tests.registry.factories import id_number, resident_data


def named_status(row: dict) -> str:
    return row[column_header(KINDS["residents"], "status")]


def rows_of(content: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def book(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def home(community_staff, wenhui_point):
    grid = Area.objects.get(code=WENHUI_GRID)
    compound = Compound.objects.create(
        area=grid,
        name="玉泉小区",
        property_status="managed",
        lon=wenhui_point[0],
        lat=wenhui_point[1],
    )
    building = Building.objects.create(
        area=grid, compound=compound, name="3栋", lon=wenhui_point[0], lat=wenhui_point[1]
    )
    household = Household.objects.create(
        area=grid,
        number="530702001002001000123",
        building=building,
        room="201",
        address="文汇路12号玉泉小区3栋201室",
        lon=wenhui_point[0],
        lat=wenhui_point[1],
    )
    head = record_create(
        user=community_staff,
        kind_key="residents",
        data=resident_data(wenhui_point, name="和丽华", household=household.number),
    )
    household.head = head
    household.save(update_fields=["head"])
    child = record_create(
        user=community_staff,
        kind_key="residents",
        data=resident_data(wenhui_point, name="和小明", phone="", household=household.number),
    )
    return household, head, child


@pytest.mark.django_db
def test_the_export_names_things_as_people_do(community_staff, home):
    household, head, _child = home
    rows = rows_of(export_bytes(user=community_staff, kind_key="residents", reveal=True))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:2] == ["记录编号", "网格"]
    assert first["记录编号"] == head.pk
    assert first["网格"] == "文汇社区第1网格"
    assert first["户籍状态"] == "户籍人口"
    assert first["住户"].startswith("文汇路12号玉泉小区3栋201室 · 和丽华")
    assert named_status(first) == str(Resident.Status.LIVING.label)
    text = str(rows)
    for code in ("registered", WENHUI_GRID, household.number, "living"):
        assert code not in text
    households = rows_of(export_bytes(user=community_staff, kind_key="households"))
    named = dict(zip(households[0], households[1], strict=True))
    assert named["楼栋"] == "玉泉小区 3栋"
    occupancy = column_header(KINDS["households"], "occupancy")
    assert named[occupancy] == str(Household.Occupancy.OWNER.label)  # the label, not "owner"
    assert named[occupancy] != "owner"
    with translation.override("en"):
        english = rows_of(export_bytes(user=community_staff, kind_key="residents"))
    assert english[0][:3] == ["Record ID", "grid", "name"]
    assert "Registered (户籍)" in english[1]


@pytest.mark.django_db
def test_export_edit_import_updates_the_same_records_even_their_id_numbers(community_staff, home):
    _household, head, child = home
    rows = rows_of(export_bytes(user=community_staff, kind_key="residents", reveal=True))
    header = rows[0]
    fixed_id = id_number()
    for row in rows[1:]:
        if row[0] == head.pk:
            row[header.index("名称")] = "和丽花"
            row[header.index("身份证号")] = fixed_id
        if row[0] == child.pk:
            row[header.index("手机号")] = "13908889999"
    report = import_bytes(user=community_staff, kind_key="residents", content=book(rows))
    assert (report.created, report.updated, report.errors) == (0, 2, [])
    assert Resident.objects.count() == 2
    head.refresh_from_db()
    child.refresh_from_db()
    assert (head.name, head.id_number, head.household_id) == ("和丽花", fixed_id, home[0].pk)
    assert child.phone == "13908889999"


@pytest.mark.django_db
def test_a_masked_export_edited_keeps_what_was_masked(community_staff, home):
    _household, head, _child = home
    before = Resident.objects.values().get(pk=head.pk)
    rows = rows_of(export_bytes(user=community_staff, kind_key="residents"))
    header = rows[0]
    assert head.id_number not in str(rows)
    row = next(r for r in rows[1:] if r[0] == head.pk)
    row[header.index("与户主关系")] = "户主"
    report = import_bytes(user=community_staff, kind_key="residents", content=book(rows))
    assert report.errors == []
    after = Resident.objects.values().get(pk=head.pk)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"relation", "updated_at"}


@pytest.mark.django_db
def test_status_and_occupancy_change_only_through_the_history(community_staff, home):
    household, head, _child = home
    rows = rows_of(export_bytes(user=community_staff, kind_key="residents", reveal=True))
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == head.pk)
    status = column_header(KINDS["residents"], "status")
    row[header.index(status)] = "Moved out"
    row[header.index("名称")] = "改名"
    report = import_bytes(user=community_staff, kind_key="residents", content=book(rows))
    assert [(e["row"], e["column"]) for e in report.errors] == [(rows.index(row) + 1, status)]
    head.refresh_from_db()
    assert (head.status, head.name) == ("living", "和丽华")
    homes = rows_of(export_bytes(user=community_staff, kind_key="households", reveal=True))
    occupancy = column_header(KINDS["households"], "occupancy")
    homes[1][homes[0].index(occupancy)] = "Rented out"
    report = import_bytes(user=community_staff, kind_key="households", content=book(homes))
    assert report.errors[0]["column"] == occupancy
    household.refresh_from_db()
    assert household.occupancy == "owner"


@pytest.mark.django_db
def test_hostile_record_ids_are_refused_row_by_row_and_nothing_else_changes(
    community_staff, other_community_staff, jinjia_point, home
):
    _household, head, child = home
    outsider = record_create(
        user=other_community_staff,
        kind_key="residents",
        data=resident_data(jinjia_point, name="外人"),
    )
    rows = rows_of(export_bytes(user=community_staff, kind_key="residents", reveal=True))
    header = rows[0]
    template = next(r for r in rows[1:] if r[0] == child.pk)

    def variant(record_id, name):
        row = list(template)
        row[0], row[header.index("名称")] = record_id, name
        return row

    hostile = [
        variant(outsider.pk, "抢占"),  # someone in another community
        variant("abc", "乱码"),
        variant(-3, "负数"),
        variant(1.5, "小数"),
        variant(10**9, "不存在"),
        variant(child.pk, "第一次"),
        variant(child.pk, "第二次"),  # the same record twice
    ]
    head_row = next(r for r in rows[1:] if r[0] == head.pk)
    head_row[header.index("身份证号")] = child.id_number  # another record's ID number
    report = import_bytes(
        user=community_staff, kind_key="residents", content=book([header, *hostile, head_row])
    )
    assert report.updated == 1
    assert [e["row"] for e in report.errors] == [2, 3, 4, 5, 6, 8, 9]
    assert report.errors[0]["column"] == "记录编号"
    assert "外人" not in str(report.errors)
    outsider.refresh_from_db()
    child.refresh_from_db()
    head.refresh_from_db()
    assert (outsider.name, child.name, head.name) == ("外人", "第一次", "和丽华")


@pytest.mark.django_db
def test_a_household_named_by_its_address_or_number_on_import(community_staff, home, wenhui_point):
    household, _head, _child = home
    header = ["名称", "身份证号", "户籍状态", "住户", "经度", "纬度"]
    by_address = ["木丽", id_number(), "户籍人口", household.address, *wenhui_point]
    by_number = ["木华", id_number(), "户籍人口", household.number, *wenhui_point]
    unknown = ["木云", id_number(), "户籍人口", "没有这个地址", *wenhui_point]
    report = import_bytes(
        user=community_staff,
        kind_key="residents",
        content=book([header, by_address, by_number, unknown]),
    )
    assert report.created == 2
    assert [(e["row"], e["column"]) for e in report.errors] == [(4, "住户")]
    assert Resident.objects.filter(household=household).count() == 4


@pytest.mark.django_db
def test_a_reader_without_the_right_to_edit_cannot_import_an_export(
    operator, community_staff, home
):
    _household, head, _child = home
    rows = rows_of(export_bytes(user=operator, kind_key="residents"))
    rows[1][rows[0].index("名称")] = "改名"
    with pytest.raises(PermissionDenied):
        import_bytes(user=operator, kind_key="residents", content=book(rows))
    head.refresh_from_db()
    assert head.name == "和丽华"


@pytest.mark.django_db
def test_formulas_in_an_edited_export_stay_text_and_make_no_new_record(community_staff, home):
    _household, head, child = home
    rows = rows_of(export_bytes(user=community_staff, kind_key="residents", reveal=True))
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == head.pk)
    row[header.index("名称")] = '\'=HYPERLINK("http://evil.example")'  # as an export writes it
    other = next(r for r in rows[1:] if r[0] == child.pk)
    # a formula where the record ID goes reads as empty (no cached value): the row is found
    # by its ID number instead, the same record, and no new one is made
    other[0] = "=1+1"
    report = import_bytes(user=community_staff, kind_key="residents", content=book(rows))
    head.refresh_from_db()
    assert (
        head.name == '=HYPERLINK("http://evil.example")'
    )  # stored as text, escaped again on export
    assert (report.created, report.updated, report.errors) == (0, 2, [])
    assert Resident.objects.count() == 2
