"""Place search for the resident's map (issue 11): registered addresses and place names,
never people."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gridgov.areas.models import Area
from gridgov.registry.models import Building, Compound, Household, Market, RentalHouse, Unit
from tests.conftest import WENHUI_GRID

pytestmark = pytest.mark.django_db

PLACES = "/api/v1/public/places"


@pytest.fixture(autouse=True)
def _no_rate_counts():
    cache.clear()


@pytest.fixture
def registered(wenhui_point):
    grid = Area.objects.get(code=WENHUI_GRID)
    place = {"area": grid, "lon": wenhui_point[0], "lat": wenhui_point[1]}
    compound = Compound.objects.create(
        name="玉龙花园", property_status="managed", address="古城区文汇路88号玉龙花园", **place
    )
    Building.objects.create(
        compound=compound, name="3栋", address="古城区文汇路88号玉龙花园3栋", **place
    )
    Unit.objects.create(
        name="文汇小学",
        kind="institution",
        contact_name="木春花",
        contact_phone="13908885555",
        address="古城区文汇路1号",
        **place,
    )
    Market.objects.create(name="忠义农贸市场", address="古城区忠义巷", **place)
    Household.objects.create(number="HH1", room="302", address="古城区秘密巷9号302室", **place)
    RentalHouse.objects.create(
        landlord_name="和秘密", landlord_phone="13908886666", address="古城区秘密巷10号", **place
    )
    return compound


def _search(q: str) -> list[dict]:
    response = Client().get(PLACES, {"q": q})
    assert response.status_code == 200, response.content
    return response.json()


def test_finds_an_address_and_an_area_name(registered, wenhui_point):
    by_address = _search("文汇路88")
    assert {"label": "玉龙花园", "kind": "compound"}.items() <= by_address[0].items()
    assert by_address[0]["address"] == "古城区文汇路88号玉龙花园"
    assert by_address[0]["lon"] == wenhui_point[0]
    assert "building" in {p["kind"] for p in by_address}
    grid = Area.objects.get(code=WENHUI_GRID)
    areas = [p for p in _search(grid.name[:4]) if p["kind"] == "area"]
    assert grid.name in {p["label"] for p in areas}
    assert all(set(p) == {"label", "address", "lon", "lat", "kind"} for p in areas)
    assert {"unit", "market"} <= {p["kind"] for p in _search("文汇小学") + _search("农贸")}


def test_no_personal_data(registered):
    assert _search("秘密") == []
    answer = str(_search("文汇"))
    for secret in ("木春花", "13908885555", "和秘密", "302室"):
        assert secret not in answer


def test_short_query_is_refused_with_400():
    for q in ("", "文", " 文 "):
        response = Client().get(PLACES, {"q": q})
        assert response.status_code == 400
        assert response.json()["field"] == "q"


def test_at_most_20_and_a_bounded_number_of_reads(registered, wenhui_point):
    grid = Area.objects.get(code=WENHUI_GRID)
    Compound.objects.bulk_create(
        Compound(
            name=f"文汇苑{n}",
            property_status="none",
            address=f"文汇路{n}号",
            area=grid,
            lon=wenhui_point[0],
            lat=wenhui_point[1],
        )
        for n in range(40)
    )
    with CaptureQueriesContext(connection) as queries:
        assert len(_search("文汇")) == 20
    assert len(queries) <= 16  # two reads per kind at most, plus the session's own
