"""Data quality of the registry: each check finds what it should and nothing else, per grid and
rolled up per community; the worklist links to the pages; the sensitive rule holds."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.accounts.models import PiiAccess
from gridgov.areas.models import Area
from gridgov.care.models import CareTag, ResidentTag
from gridgov.care.quality import quality_figures, quality_worklist
from gridgov.common.errors import NotFound, PermissionDenied
from gridgov.registry.models import Building, Compound, Household, Resident
from gridgov.registry.pii import id_birth_date
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID
from tests.registry.factories import id_number

TODAY = timezone.localdate()


def _household(grid: Area, number: str, **fields) -> Household:
    defaults = {"lon": 100.2, "lat": 26.87, "address": f"文汇路{number}号", "room": "101"}
    return Household.objects.create(area=grid, number=number, **(defaults | fields))


def _person(household: Household | None, name: str, *, area=None, **fields) -> Resident:
    number = fields.pop("id_number", None) or id_number()
    birth = fields.pop("birth_date", None) or id_birth_date(number)
    return Resident.objects.create(
        area=area or household.area,
        household=household,
        name=name,
        id_number=number,
        birth_date=birth,
        gender="F",
        residence="registered",
        lon=100.2,
        lat=26.87,
        phone=fields.pop("phone", "13908881234"),
        **fields,
    )


def _adult_id() -> str:
    while True:
        number = id_number()
        age = (TODAY - id_birth_date(number)).days // 365
        if 20 <= age <= 75:
            return number


@pytest.fixture
def grids(db):
    wenhui_grid = Area.objects.get(code=WENHUI_GRID)
    jinjia_grid = Area.objects.filter(parent__code=JINJIA).order_by("code").first()
    return wenhui_grid, jinjia_grid


@pytest.fixture
def registry(grids):
    """One case of each check in 文汇's first grid, the clean case beside it, and one bad
    household in 金甲 that 文汇's staff must never see."""
    grid, other = grids
    good = _household(grid, "1")
    _person(good, "好人", id_number=_adult_id())
    empty = _household(grid, "2")  # nobody living: the one there moved out
    _person(empty, "走了", status=Resident.Status.MOVED_OUT)
    _household(grid, "3", occupancy=Household.Occupancy.VACANT)  # vacant: not a problem
    no_address = _household(grid, "4", address="")
    _person(no_address, "无址")
    no_door = _household(grid, "5", room="")
    _person(no_door, "无门牌")
    compound = Compound.objects.create(
        area=grid, name="玉泉小区", property_status="managed", lon=100.2, lat=26.87
    )
    building = Building.objects.create(area=grid, compound=compound, name="3栋", lon=1, lat=1)
    in_building = _household(grid, "6", room="", building=building)  # a building: standard
    _person(in_building, "楼里")
    bad_id = _household(grid, "7")
    _person(bad_id, "错号", id_number="53070219800101001X", birth_date=dt.date(1980, 1, 1))
    _person(bad_id, "短号", id_number="5307021980", birth_date=dt.date(1980, 1, 1))
    _person(bad_id, "二月三十", id_number="530702198002300012", birth_date=dt.date(1980, 2, 1))
    no_phone = _household(grid, "8")
    _person(no_phone, "无电话", id_number=_adult_id(), phone="")
    child_id = next(n for n in iter(id_number, None) if (TODAY - id_birth_date(n)).days < 15 * 365)
    _person(no_phone, "孩子", id_number=child_id, phone="")  # a child: no phone expected
    twin_a, twin_b = _household(grid, "9", address="同址路1号"), _household(grid, "10")
    shared = _adult_id()
    _person(twin_a, "同名", id_number=shared)
    _person(twin_b, "同名", birth_date=id_birth_date(shared))
    _household(grid, "11", address="同址路1号")
    far = _household(other, "99", address="")  # 金甲: no one and no address
    return {
        "good": good,
        "empty": empty,
        "no_address": no_address,
        "no_door": no_door,
        "far": far,
        "twin_a": twin_a,
        "twin_b": twin_b,
    }


@pytest.mark.django_db
def test_each_check_counts_what_it_should_in_the_grid(grid_worker, registry):
    totals = quality_figures(user=grid_worker)["totals"]["counts"]
    assert totals == {
        "households_empty": 2,  # "2" (moved out) and "11"; "3" is vacant
        "people_bad_id": 3,
        "people_no_phone": 1,
        "addresses_nonstandard": 2,
        "people_duplicate": 2,
        "households_same_address": 2,
        "tags_review_overdue": 0,
    }
