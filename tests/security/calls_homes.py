"""The authorization matrix's calls for one part of issue 12 (rows in
authorization_matrix_homes.csv): the homes search and the changes of a household.
Same shape as calls.CALLS."""

import uuid

from gridgov.registry.models import HouseholdChange
from tests.conftest import WENHUI_GRID
from tests.registry.factories import id_number
from tests.security.calls import Builder, Call
from tests.security.world import World

API = "/api/v1/homes"
CHANGE_NOTE = "矩阵变动: 出租"
SENT = uuid.UUID("00000000-0000-4000-8000-000000000012")


def _search(world: World, q: str, **extra: str) -> Call:
    """A search that finds the world's resident, 木强, for those who may find them that way."""
    query = "&".join(f"{key}={value}" for key, value in {"q": q, **extra}.items())
    return Call("GET", f"{API}/search?{query}", marker=lambda answer: _finds(world, answer))


def _finds(world: World, answer) -> bool:
    return bool(answer) and any(
        item["type"] == "person" and item["id"] == world["resident"].pk for item in answer["items"]
    )


def _change(world: World) -> HouseholdChange:
    """A change of the world's household recorded by the grid worker from the phone."""
    change, _created = HouseholdChange.objects.get_or_create(
        client_uuid=SENT,
        defaults={
            "household": world["household"],
            "area": world["grid"],
            "kind": HouseholdChange.Kind.RENTED,
            "happened_on": "2026-01-02",
            "note": CHANGE_NOTE,
            "recorded_by": world.users["grid_worker"],
        },
    )
    return change


def _changes_url(world: World) -> str:
    return f"{API}/households/{world['household'].pk}/changes"


def _history(world: World, query: str = "") -> Call:
    _change(world)
    return Call("GET", _changes_url(world) + query, marker=CHANGE_NOTE)


def _record(world: World, body: dict) -> Call:
    return Call("POST", _changes_url(world), body=body, write=True)


def _resend(world: World) -> Call:
    change = _change(world)
    return _record(world, {"kind": change.kind, "client_uuid": str(change.client_uuid)})


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", f"{API}/search", ""): lambda w: _search(w, w["resident"].name),
    ("GET", f"{API}/search", "grid"): lambda w: _search(w, w["resident"].name, grid=WENHUI_GRID),
    ("GET", f"{API}/search", "phone tail"): lambda w: _search(w, w["resident"].phone[-4:]),
    ("GET", f"{API}/search", "whole phone"): lambda w: _search(w, w["resident"].phone),
    ("GET", f"{API}/search", "ID tail"): lambda w: _search(w, w["resident"].id_number[-4:]),
    ("GET", f"{API}/search", "whole ID"): lambda w: _search(w, w["resident"].id_number),
    ("GET", f"{API}/households/{{household_id}}/changes", ""): _history,
    ("GET", f"{API}/households/{{household_id}}/changes", "reveal"): lambda w: _history(
        w, "?reveal=true"
    ),
    ("POST", f"{API}/households/{{household_id}}/changes", ""): lambda w: _record(
        w, {"kind": "vacant", "note": "矩阵: 空置"}
    ),
    ("POST", f"{API}/households/{{household_id}}/changes", "new resident"): lambda w: _record(
        w,
        {
            "kind": "registered",
            "person": {"name": "矩阵新人", "id_number": id_number(), "relation": "子女"},
        },
    ),
    ("POST", f"{API}/households/{{household_id}}/changes", "resent"): _resend,
}
