"""H3 hexagons of points: each event's cell, for hotspots and recurring problems (issue 13,
docs/decisions/0037). One resolution is stored; coarser views take each cell's parent."""

import h3

# Resolution 9: cells of about 0.1 km² (edge ~174 m), a block or a stretch of street:
# fine enough to say "this corner again", coarse enough that a problem coming back to the
# same spot lands in the same cell.
RESOLUTION = 9


def cell_of(lon: float, lat: float) -> int:
    """The cell of a WGS84 point at RESOLUTION, as the signed 64-bit integer the database
    stores (H3 indexes use 63 bits, so the sign bit is always clear)."""
    return h3.str_to_int(h3.latlng_to_cell(lat, lon, RESOLUTION))


# The coarser views a hotspot map offers: 7 (~5 km², a neighbourhood), 8 (~0.7 km², a few
# blocks) and the stored 9. Coarser than 7 a district is a handful of cells: no map.
RESOLUTIONS = (7, 8, 9)

# An H3 index keeps its resolution in bits 52–55 and one 3-bit digit per resolution below it
# (digit r at bits 3·(15−r)); digits finer than the cell's resolution are all 7 (0b111).
_RESOLUTION_SHIFT = 52


def parent_offset_and_mask(resolution: int) -> tuple[int, int]:
    """(offset, mask) such that `(cell - offset) | mask` is the parent at `resolution` of a
    stored cell (RESOLUTION): lower the resolution field, then set the dropped digits to 7.
    Plain integer arithmetic, so the database can GROUP BY a coarser cell with no H3 in SQL
    (tests/analytics/test_hotspots.py checks it against h3.cell_to_parent)."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {RESOLUTIONS}")
    offset = (RESOLUTION - resolution) << _RESOLUTION_SHIFT
    mask = 0
    for digit in range(resolution + 1, RESOLUTION + 1):
        mask |= 7 << (3 * (15 - digit))
    return offset, mask


def parent_of(cell: int, resolution: int) -> int:
    offset, mask = parent_offset_and_mask(resolution)
    return (cell - offset) | mask


def cell_hex(cell: int) -> str:
    """The usual hexadecimal spelling of a cell ("8940d4c1a2bffff")."""
    return h3.int_to_str(cell)


def cell_from_hex(text: str) -> int | None:
    """The integer of a valid hexadecimal cell at RESOLUTION, None for anything else."""
    try:
        valid = h3.is_valid_cell(text) and h3.get_resolution(text) == RESOLUTION
    except (TypeError, ValueError):
        return None
    return h3.str_to_int(text) if valid else None


def boundary(cell: int) -> list[list[float]]:
    """The cell's outline as a closed GeoJSON ring of [lon, lat] (h3 gives (lat, lon))."""
    ring = [[round(lon, 7), round(lat, 7)] for lat, lon in h3.cell_to_boundary(h3.int_to_str(cell))]
    return [*ring, ring[0]]


def centre(cell: int) -> tuple[float, float]:
    """(lon, lat) of the cell's centre."""
    lat, lon = h3.cell_to_latlng(h3.int_to_str(cell))
    return lon, lat
