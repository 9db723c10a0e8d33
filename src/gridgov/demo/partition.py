"""Split a polygon into n cells that tile it exactly (no gap, no overlap).

Voronoi cells of n seed points, relaxed a few times towards their centroids
(Lloyd) for even shapes, then clipped to the polygon. Where clipping a concave
polygon leaves a cell in pieces, the smaller pieces go to the neighbour they
share most border with, so every cell is one polygon and the union is unchanged.
"""

import random

import shapely
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry


def random_points_inside(polygon: BaseGeometry, count: int, rng: random.Random) -> list[Point]:
    min_x, min_y, max_x, max_y = polygon.bounds
    shapely.prepare(polygon)
    points: list[Point] = []
    while len(points) < count:
        point = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if polygon.contains(point):
            points.append(point)
    return points


def _voronoi_cells(points: list[Point], polygon: BaseGeometry) -> list[BaseGeometry]:
    diagram = shapely.voronoi_polygons(
        MultiPoint(points), extend_to=polygon.envelope.buffer(0.01), ordered=True
    )
    return [cell.intersection(polygon) for cell in diagram.geoms]


def _one_piece_each(cells: list[BaseGeometry]) -> list[BaseGeometry]:
    """Give stray pieces of multi-part cells to the neighbour sharing the longest border."""
    cells = list(cells)
    for index, cell in enumerate(cells):
        if cell.geom_type != "MultiPolygon":
            continue
        parts = sorted(cell.geoms, key=lambda g: g.area, reverse=True)
        cells[index] = parts[0]
        for piece in parts[1:]:
            best, best_length = None, 0.0
            for other_index, other in enumerate(cells):
                if other_index == index:
                    continue
                length = piece.boundary.intersection(other.boundary).length
                if length > best_length:
                    best, best_length = other_index, length
            if best is None:  # touches nobody but its own cell: keep it there
                cells[index] = cells[index].union(piece)
            else:
                cells[best] = cells[best].union(piece)
    return cells


def partition(
    polygon: BaseGeometry,
    count: int,
    rng: random.Random,
    *,
    iterations: int = 6,
    seeds: list[Point] | None = None,
) -> list[BaseGeometry]:
    if count <= 1:
        return [polygon]
    points = seeds or random_points_inside(polygon, count, rng)
    for _ in range(iterations):
        cells = _voronoi_cells(points, polygon)
        moved = []
        for cell, point in zip(cells, points, strict=True):
            if cell.is_empty:
                moved.append(point)
                continue
            centroid = cell.centroid
            moved.append(centroid if polygon.contains(centroid) else cell.representative_point())
        points = moved
    cells = _one_piece_each(_voronoi_cells(points, polygon))
    return [shapely.make_valid(c) if not c.is_valid else c for c in cells]


def reading_order(cells: list[BaseGeometry]) -> list[int]:
    """Indexes of cells numbered west→east in rows taken north→south (DB11/T 2157 grid numbering)."""
    if len(cells) <= 1:
        return list(range(len(cells)))
    anchors = [c.representative_point() for c in cells]
    min_y = min(a.y for a in anchors)
    max_y = max(a.y for a in anchors)
    rows = max(1, round(len(cells) ** 0.5))
    band = (max_y - min_y) / rows or 1.0

    def key(i: int) -> tuple[int, float]:
        row = min(rows - 1, int((max_y - anchors[i].y) / band))
        return row, anchors[i].x

    return sorted(range(len(cells)), key=key)


def polygon_of(geometry: BaseGeometry) -> BaseGeometry:
    """Drop lines and points that clipping may leave in a GeometryCollection."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    polygons = [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon)]
    return shapely.union_all(polygons)
