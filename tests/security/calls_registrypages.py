"""The authorization matrix's calls for one part of issue 12 (rows in
authorization_matrix_registrypages.csv). Same shape as calls.CALLS."""

import datetime as dt

from gridgov.registry.models import Building, Compound, Household, Resident
from tests.registry.factories import id_number
from tests.security.calls import Builder, Call
from tests.security.world import World

API = "/api/v1/homes"
COMPOUND = "矩阵小区"
BUILDING = "矩阵楼"


def _compound(world: World) -> Compound:
    lon, lat = world["point"]
    compound, _created = Compound.objects.get_or_create(
        area=world["grid"],
        name=COMPOUND,
        defaults={"property_status": "managed", "lon": lon, "lat": lat},
    )
    return compound


def _building(world: World) -> Building:
    compound = _compound(world)
    building, _created = Building.objects.get_or_create(
        compound=compound,
        name=BUILDING,
        defaults={"area": world["grid"], "lon": compound.lon, "lat": compound.lat, "floors": 5},
    )
    return building


def _mover(world: World) -> Resident:
    """A living resident of another household of the world's grid: who may move in."""
    lon, lat = world["point"]
    household, _created = Household.objects.get_or_create(
        number="MX-MOVER", defaults={"area": world["grid"], "lon": lon, "lat": lat}
    )
    resident = Resident.objects.filter(household=household).first()
    if resident is None:
        resident = Resident.objects.create(
            household=household,
            name="矩阵迁入",
            id_number=id_number(),
            birth_date=dt.date(1960, 3, 1),
            gender="F",
            residence="registered",
            area=world["grid"],
            lon=lon,
            lat=lat,
        )
    return resident


def _person_link(world: World) -> str:
    return f"/registry/people/{world['resident'].pk}/"


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", "/registry/", ""): lambda w: Call(
        "GET", f"/registry/?q={w['resident'].name}", marker=_person_link(w)
    ),
    ("GET", "/registry/compounds/<compound_id>/", ""): lambda w: Call(
        "GET", f"/registry/compounds/{_compound(w).pk}/", marker=COMPOUND
    ),
    ("GET", "/registry/buildings/<building_id>/", ""): lambda w: Call(
        "GET", f"/registry/buildings/{_building(w).pk}/", marker=BUILDING
    ),
    ("GET", "/registry/households/<household_id>/", ""): lambda w: Call(
        "GET", f"/registry/households/{w['household'].pk}/", marker=_person_link(w)
    ),
    ("POST", "/registry/households/<household_id>/", ""): lambda w: Call(
        "POST",
        f"/registry/households/{w['household'].pk}/",
        {"kind": "rented", "note": "矩阵"},
        write=True,
    ),
    ("POST", "/registry/households/<household_id>/", "moved in from here"): lambda w: Call(
        "POST",
        f"/registry/households/{w['household'].pk}/",
        {"kind": "moved_in", "resident_id": str(_mover(w).pk)},
        write=True,
    ),
    ("POST", "/registry/households/<household_id>/", "corrected"): lambda w: Call(
        "POST",
        f"/registry/households/{w['household'].pk}/",
        {"kind": "corrected", "resident_id": str(w["resident"].pk), "name": "矩阵更正"},
        write=True,
    ),
    ("GET", "/registry/people/<resident_id>/", ""): lambda w: Call(
        "GET", f"/registry/people/{w['resident'].pk}/", marker=w["resident"].name
    ),
    ("POST", "/registry/people/<resident_id>/", ""): lambda w: Call(
        "POST", f"/registry/people/{w['resident'].pk}/", {"op": "reveal"}, write=True
    ),
    ("GET", f"{API}/compounds/{{compound_id}}", ""): lambda w: Call(
        "GET", f"{API}/compounds/{_compound(w).pk}", marker=COMPOUND
    ),
    ("GET", f"{API}/buildings/{{building_id}}", ""): lambda w: Call(
        "GET", f"{API}/buildings/{_building(w).pk}", marker=BUILDING
    ),
    ("GET", f"{API}/households/{{household_id}}", ""): lambda w: Call(
        "GET", f"{API}/households/{w['household'].pk}", marker=w["resident"].name
    ),
    ("GET", f"{API}/people/{{resident_id}}", ""): lambda w: Call(
        "GET", f"{API}/people/{w['resident'].pk}", marker=w["resident"].name
    ),
    ("POST", f"{API}/people/{{resident_id}}/reveal", ""): lambda w: Call(
        "POST", f"{API}/people/{w['resident'].pk}/reveal", write=True
    ),
}
