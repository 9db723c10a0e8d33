"""The authorization matrix's calls for one part of issue 13 (rows in
authorization_matrix_kpis.csv). Same shape as calls.CALLS."""

from typing import Any

from gridgov.events.models import TimelineEntry
from tests.conftest import WENHUI_GRID
from tests.security.calls import Builder, Call
from tests.security.world import World

API = "/api/v1/analytics/kpis"
PAGE = "/leaders/kpis/"


def _dispatched_by_operator(world: World) -> None:
    """The world's dispatched event was sent to the street's squad by the world's operator
    (the step the dispatch KPIs read): once, whatever the order of the rows."""
    TimelineEntry.objects.get_or_create(
        event=world["dispatched"],
        action="dispatch",
        actor=world.users["operator"],
        defaults={
            "to_state": "dispatched",
            "data": {"department": world["squad"].name, "assignee": None},
        },
    )


def _has_row(pk: int):
    def found(answer: Any) -> bool:
        return isinstance(answer, dict) and any(row["id"] == pk for row in answer.get("rows", []))

    return found


def _workers(w: World) -> Call:
    # The world's grid: a district has more workers than a page of rows.
    url = f"{API}/workers?area={WENHUI_GRID}"
    return Call("GET", url, marker=_has_row(w.users["grid_worker"].pk))


def _squad_on_page(w: World) -> Call:
    _dispatched_by_operator(w)
    url = f"{PAGE}?family=departments"
    return Call("GET", url, marker=f'data-department="{w["squad"].pk}"')


def _departments(w: World) -> Call:
    _dispatched_by_operator(w)
    return Call("GET", f"{API}/departments", marker=_has_row(w["squad"].pk))


def _dispatchers(w: World) -> Call:
    _dispatched_by_operator(w)
    return Call("GET", f"{API}/dispatchers", marker=_has_row(w.users["operator"].pk))


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", f"{API}/workers", ""): _workers,
    ("GET", f"{API}/departments", ""): _departments,
    ("GET", f"{API}/dispatchers", ""): _dispatchers,
    ("GET", PAGE, ""): lambda w: Call("GET", PAGE, marker='id="kpis-period"'),
    ("GET", PAGE, "the world's worker"): lambda w: Call(
        "GET",
        f"{PAGE}?family=workers&area={WENHUI_GRID}",
        marker=f'data-person="{w.users["grid_worker"].pk}"',
    ),
    ("GET", PAGE, "the squad"): _squad_on_page,
    ("GET", PAGE, "bad period"): lambda w: Call(
        "GET", f"{PAGE}?since=2026-10-31&until=2026-10-01", marker='id="kpis-error"'
    ),
}
