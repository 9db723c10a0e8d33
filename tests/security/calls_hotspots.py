"""The authorization matrix's calls for one part of issue 13 (rows in
authorization_matrix_hotspots.csv). Same shape as calls.CALLS.

The world gets a hotspot of its own: three events of one kind in the world's grid, at a
point of their own, within a day (a hotspot from 3 events; a recurring problem within 30
days). The markers are that cell and that place: a persona who may not read the grid's
analytics answers without them, or is refused."""

import h3

from gridgov.areas import hexes
from gridgov.events.models import Event, Subclass
from tests.security.calls import Builder, Call
from tests.security.world import World

API = "/api/v1/analytics/hotspots"
PAGE = "/leaders/hotspots/"
NOTE = "矩阵: 加装了防护栏"


def _hot_cell(world: World) -> int:
    """The world's hotspot (made once): three events of 0102 in a cell of the world's grid."""
    lon, lat = world["point"]
    lon, lat = lon + 0.0004, lat + 0.0004
    cell = hexes.cell_of(lon, lat)
    kind = Subclass.objects.get(code="0102")
    for serial in range(3):
        Event.objects.get_or_create(
            number=f"MXHOT{serial}",
            defaults={
                "subclass": kind,
                "description": "矩阵热点",
                "source": "worker",
                "area": world["grid"],
                "lon": lon,
                "lat": lat,
                "h3_cell": cell,
                "state": "closed",
            },
        )
    return cell


def _hex(world: World) -> str:
    return h3.int_to_str(_hot_cell(world))


def _hotspots(world: World) -> Call:
    cell = _hex(world)
    return Call(
        "GET",
        API,
        marker=lambda answer: any(f["id"] == cell for f in (answer or {}).get("features", [])),
    )


def _recurring(world: World) -> Call:
    place = f"h3:{_hex(world)}"
    return Call(
        "GET",
        f"{API}/recurring",
        marker=lambda answer: any(
            r["place"] == place and r["subclass"] == "0102" for r in (answer or {}).get("runs", [])
        ),
    )


def _treat(world: World) -> Call:
    body = {"place": f"h3:{_hex(world)}", "subclass": "0102", "note": NOTE}
    return Call("POST", f"{API}/recurring/treat", body=body, write=True)


def _page(world: World) -> Call:
    return Call("GET", PAGE, marker=f'data-place="h3:{_hex(world)}"')


def _page_treat(world: World) -> Call:
    body = {"place": f"h3:{_hex(world)}", "subclass": "0102", "note": NOTE, "back": PAGE}
    return Call("POST", f"{PAGE}treat/", body=body, write=True)


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", API, ""): _hotspots,
    ("GET", API, "a period of six years"): lambda w: Call(
        "GET", f"{API}?since=2020-01-01&until=2026-01-01"
    ),
    ("GET", f"{API}/recurring", ""): _recurring,
    ("POST", f"{API}/recurring/treat", ""): _treat,
    ("GET", PAGE, ""): _page,
    ("GET", PAGE, "a period of six years"): lambda w: Call(
        "GET", f"{PAGE}?since=2020-01-01&until=2026-01-01"
    ),
    ("POST", f"{PAGE}treat/", ""): _page_treat,
}
