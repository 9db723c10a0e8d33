"""Polygons for area tests: a micro-grid square inside a grid, and a polygon that is not one."""

import shapely
from shapely.geometry import mapping, shape

from gridgov.areas.models import Area
from tests.conftest import WENHUI_GRID

BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[100.20, 26.80], [100.21, 26.81], [100.21, 26.80], [100.20, 26.81], [100.20, 26.80]]
    ],
}


def micro_square(grid_code: str) -> dict:
    polygon = shape(Area.objects.get(code=grid_code).geometry)
    centre = polygon.representative_point()
    return mapping(
        shapely.box(
            centre.x - 1e-4, centre.y - 1e-4, centre.x + 1e-4, centre.y + 1e-4
        ).intersection(polygon)
    )


def micro_grid_features() -> tuple[dict, dict]:
    """A valid micro-grid feature under 文汇社区第1网格, and an invalid (bow-tie) one."""
    good = {
        "type": "Feature",
        "properties": {"code": WENHUI_GRID + "001", "name": "微网格一"},
        "geometry": micro_square(WENHUI_GRID),
    }
    bad = {
        "type": "Feature",
        "properties": {"code": WENHUI_GRID + "002", "name": "微网格二"},
        "geometry": BOWTIE,
    }
    return good, bad
