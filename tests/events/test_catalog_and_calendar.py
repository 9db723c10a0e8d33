import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from gridgov.common.errors import DomainError
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.catalog_excel import catalog_bytes, catalog_import
from gridgov.events.models import CalendarDay, CatalogClass, Subclass


def edited(rows_change) -> bytes:
    workbook = load_workbook(io.BytesIO(catalog_bytes()))
    sheet = workbook.active
    rows_change(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_catalog_round_trip_updates_and_reports_bad_rows():
    header = [c.value for c in load_workbook(io.BytesIO(catalog_bytes())).active[1]]

    def change(sheet):
        sheet.cell(2, header.index("handle_hours") + 1, 6)  # first subclass: 6 working hours
        sheet.cell(3, header.index("class_code") + 1, "99")  # unknown class
        sheet.append(
            [
                "0599",
                "占道晾晒",
                "Drying on the street",
                "05",
                "晾晒 占道",
                "street",
                1,
                1,
                4,
                None,
                None,
                True,
                50,
                24,
                True,
            ]
        )
        sheet.append(["12345", "坏", "", "01", "", "street", 1, 1, 4])

    result = catalog_import(edited(change))
    assert (result["created"], result["updated"]) == (
        1,
        Subclass.objects.count() - 2,
    )  # all but the new and the bad one
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (3, "class_code"),
        (Subclass.objects.count() + 2, "code"),
    ]
    first = Subclass.objects.order_by("code").first()
    assert first.limit_hours("normal", "handle") == 6
    assert Subclass.objects.get(code="0599").duplicate_radius_m == 50
    with pytest.raises(DomainError):
        catalog_import(b"not excel")


@pytest.mark.django_db
def test_catalog_command(tmp_path):
    path = tmp_path / "catalog.xlsx"
    call_command("catalog", "export", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("catalog", "import", str(path), stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith(f"created 0, updated {Subclass.objects.count()}")


@pytest.mark.django_db
def test_calendar_import_feeds_the_deadlines(tmp_path):
    path = tmp_path / "2026.csv"
    path.write_text(
        "date,is_workday,name\n2026-10-01,0,国庆节\n2026-10-10,1,国庆调休\n", encoding="utf-8"
    )
    call_command("calendar_import", str(path), stdout=io.StringIO())
    calendar = WorkingCalendar.from_database()
    assert not calendar.is_working_day(dt.date(2026, 10, 1))
    assert calendar.is_working_day(dt.date(2026, 10, 10))
    bad = tmp_path / "bad.csv"
    bad.write_text("date,is_workday,name\n2026-13-01,0,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2"):
        call_command("calendar_import", str(bad), stdout=io.StringIO())
    assert CalendarDay.objects.count() == 2


@pytest.mark.django_db
def test_the_shipped_catalog_has_the_national_codes_and_the_two_lists():
    assert Subclass.objects.get(code="0102").name_zh == "暴露垃圾"
    assert Subclass.objects.get(code="0501").enforcement
    assert not Subclass.objects.get(code="0102").enforcement
    assert not Subclass.objects.get(
        code="0403"
    ).in_grid_list  # gas leaks go straight to the gas company
    grid_classes = CatalogClass.objects.filter(
        family="event", code__gte="11"
    )  # the 15 classes of the grid event list
    assert grid_classes.count() == 15
    assert all(c.subclasses.exists() for c in grid_classes)
