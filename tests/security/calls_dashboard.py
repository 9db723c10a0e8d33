"""The authorization matrix's calls for one part of issue 13 (rows in
authorization_matrix_dashboard.csv): the leaders' dashboard and its rates explorer. Same
shape as calls.CALLS.

Allowed means the world's grid (文汇社区第1网格, where the world's events are) is a row of
the figures by grid: the analytics readers of an area holding it. A reader of another area
(金甲社区's staff) gets an answer without it; everyone else a 403."""

from tests.conftest import WENHUI_GRID
from tests.security.calls import Builder, Call
from tests.security.world import World

API = "/api/v1/analytics"
BY_GRID = "group=grid&period=year"


def _has_world_grid(answer) -> bool:
    return isinstance(answer, dict) and any(r["key"] == WENHUI_GRID for r in answer["rows"])


def _rates(world: World) -> Call:
    return Call("GET", f"{API}/rates?{BY_GRID}", marker=_has_world_grid)


def _page(world: World) -> Call:
    return Call("GET", f"/leaders/?{BY_GRID}", marker=f'data-key="{WENHUI_GRID}"')


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", f"{API}/rates", ""): _rates,
    ("GET", "/leaders/", ""): _page,
}
