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
