"""Care fixtures: a home in 文汇社区第1网格 with an elderly woman living alone and a man under
community correction (sensitive), and a person in 金甲社区 (another community)."""

import datetime as dt

import pytest

from gridgov.areas.models import Area
from gridgov.care.services import resident_tag_add
from gridgov.registry.models import Household, Resident
from tests.conftest import JINJIA, WENHUI_GRID
from tests.registry.factories import id_number


def person(point, area: Area, household: Household | None, name: str, **extra) -> Resident:
    return Resident.objects.create(
        area=area,
        lon=point[0],
        lat=point[1],
        address=household.address if household else "",
        household=household,
        name=name,
        id_number=id_number(),
        phone="13908881234",
        birth_date=dt.date(1940, 5, 1),
        gender="F",
        residence="registered",
        **extra,
    )


@pytest.fixture
def home(db, wenhui_point):
    grid = Area.objects.get(code=WENHUI_GRID)
    household = Household.objects.create(
        number="T-CARE-1",
        area=grid,
        lon=wenhui_point[0],
        lat=wenhui_point[1],
        address="丽江市古城区文汇社区玉泉小区3栋201室",
    )
    return household


@pytest.fixture
def granny(home, wenhui_point):
    granny = person(wenhui_point, home.area, home, "王秀英")
    Household.objects.filter(pk=home.pk).update(head=granny)
    return granny


@pytest.fixture
def convict(home, wenhui_point):
    return person(wenhui_point, home.area, home, "李建军")


@pytest.fixture
def granny_alone(granny, grid_worker):
    return resident_tag_add(
        user=grid_worker, resident_id=granny.pk, tag="elderly_alone", details={"health": "一般"}
    )


@pytest.fixture
def convict_tagged(convict, grid_worker):
    return resident_tag_add(
        user=grid_worker,
        resident_id=convict.pk,
        tag="community_correction",
        details={"term_ends": "2027-06-30", "officer": "司法所和所长"},
    )


@pytest.fixture
def jinjia_person(jinjia_point):
    grid = Area.objects.filter(parent__code=JINJIA).order_by("code").first()
    household = Household.objects.create(
        number="T-CARE-2", area=grid, lon=jinjia_point[0], lat=jinjia_point[1], address="金甲路1号"
    )
    return person(jinjia_point, grid, household, "和桂兰")
