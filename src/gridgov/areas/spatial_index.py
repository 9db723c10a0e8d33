"""In-memory point-in-area index: one STRtree per depth of the tree, deepest first.

A point's answer is the deepest area whose polygon covers it (ties on a shared border go to
the lower code). Asking the deepest level first means a point inside a grid never meets the
county's or the street's long outlines: those are tested only for the few points that no
deeper polygon covers (outside every grid but inside a community, say, or outside the city).
Within a level the polygons are ordered by code, so the lowest tree index among the hits is
the lowest code. The chain up from the answer follows `parent_id`.

Each process keeps one. It is rebuilt when the tree version in the database
moves (checked at most every GRIDGOV_TREE_VERSION_CHECK_SECONDS), and at once
in the process that made the edit, so lookups follow edits without a query
per lookup. See docs/decisions/0002 and 0018.
"""

import gc
import itertools
import threading
import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import shapely
from django.conf import settings
from shapely.geometry import shape
from shapely.strtree import STRtree


class AreaNode(NamedTuple):
    # A named tuple, not a dataclass: 50,000 of them are made in a tenth of the time.
    id: int
    code: str
    name: str
    kind: str
    depth: int
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class _Level:
    tree: STRtree
    geometries: np.ndarray  # prepared polygons in code order
    nodes: np.ndarray  # their AreaNode objects: tree index i is nodes[i]


def _object_array(items: list) -> np.ndarray:
    # fromiter keeps each item whole (a plain assignment would unpack the named tuples).
    return np.fromiter(items, dtype=object, count=len(items))


def polygons_from_geojson(geometries: list[dict]) -> np.ndarray:
    """GeoJSON Polygon/MultiPolygon dicts to shapely geometries in one vectorised call.

    Building 50,000 shapes one `shape()` at a time takes over a second; handing GEOS one
    flat coordinate array with offsets takes a fraction of that. With any MultiPolygon in
    the lot every polygon becomes a MultiPolygon (a point is in it exactly when it is in
    one of its parts). Anything else (other types, 3-D coordinates) goes the slow way.
    """
    rings: list = []
    ring_ends = [0]
    polygon_ends = [0]
    part_ends = [0]
    try:
        multi = any(geometry["type"] == "MultiPolygon" for geometry in geometries)
        for geometry in geometries:
            kind = geometry["type"]
            if kind == "Polygon":
                parts = (geometry["coordinates"],)
            elif kind == "MultiPolygon":
                parts = geometry["coordinates"]
            else:
                raise ValueError(kind)
            for polygon in parts:
                rings.extend(polygon)
                polygon_ends.append(len(rings))
            part_ends.append(len(polygon_ends) - 1)
        ring_ends.extend(itertools.accumulate(len(ring) for ring in rings))
        positions = itertools.chain.from_iterable(itertools.chain.from_iterable(rings))
        flat = np.fromiter(positions, dtype=float)
        if flat.size != 2 * ring_ends[-1]:
            raise ValueError("not every position is (lon, lat)")
        xy = flat.reshape(-1, 2)
        offsets = (np.array(ring_ends), np.array(polygon_ends))
        if multi:
            return shapely.from_ragged_array(
                shapely.GeometryType.MULTIPOLYGON, xy, (*offsets, np.array(part_ends))
            )
        return shapely.from_ragged_array(shapely.GeometryType.POLYGON, xy, offsets)
    except (KeyError, TypeError, ValueError, shapely.errors.GEOSException):
        # e.g. a position with a third (height) value: the counts no longer add up.
        return _object_array([shape(geometry) for geometry in geometries])


OUTLINE_MAX_POLYGONS = 5000
OUTLINE_MARGIN = 1e-9  # degrees, about 0.1 mm: a point on an edge stays inside


def _outline(levels: list[np.ndarray]):
    """All polygons above the deepest level merged into one, a hair larger: a point outside
    it and outside every deepest polygon is outside every area, told with one test instead
    of one per level. None when there are too many polygons to merge quickly (or GEOS
    cannot merge them); the levels are then walked one by one."""
    count = sum(len(level) for level in levels)
    if count == 0 or count > OUTLINE_MAX_POLYGONS:
        return None
    try:
        outline = shapely.union_all(np.concatenate(levels)).buffer(OUTLINE_MARGIN)
    except shapely.errors.GEOSException:
        return None
    shapely.prepare(outline)
    return outline


class AreaIndex:
    def __init__(self, nodes: dict[int, AreaNode], indexed_ids: list[int], geometries) -> None:
        self.nodes = nodes
        self.by_code = {node.code: node for node in nodes.values()}
        if not isinstance(geometries, np.ndarray):
            geometries = _object_array(list(geometries))
        shapely.prepare(geometries)
        indexed = [nodes[i] for i in indexed_ids]
        self._count = len(indexed)
        by_depth: dict[int, list[int]] = {}
        for position, node in enumerate(indexed):
            by_depth.setdefault(node.depth, []).append(position)
        self._levels: list[_Level] = []
        self._outline = None
        for depth in sorted(by_depth, reverse=True):
            # Rows usually come in code order already: sorting them again costs next to nothing.
            chosen = np.array(sorted(by_depth[depth], key=lambda i: indexed[i].code))
            level_geometries = geometries[chosen]
            self._levels.append(
                _Level(
                    STRtree(level_geometries),
                    level_geometries,
                    _object_array([indexed[i] for i in chosen]),
                )
            )
        self._outline = _outline([level.geometries for level in self._levels[1:]])

    @classmethod
    def from_rows(cls, rows) -> "AreaIndex":
        """rows: (id, code, name, kind, depth, parent_id, geometry-dict-or-None)."""
        nodes: dict[int, AreaNode] = {}
        ids: list[int] = []
        geojson: list[dict] = []
        for row in rows:
            nodes[row[0]] = AreaNode(*row[:6])
            if row[6]:
                ids.append(row[0])
                geojson.append(row[6])
        return cls(nodes, ids, polygons_from_geojson(geojson) if geojson else [])

    def __len__(self) -> int:
        return self._count

    def deepest(self, lon: float, lat: float) -> AreaNode | None:
        if not self._levels:
            return None
        point = shapely.Point(lon, lat)
        # The deepest polygons are small: the tree's own predicate is the quickest there.
        hits = self._levels[0].tree.query(point, predicate="intersects")
        if len(hits):
            return self._levels[0].nodes[hits.min()]
        if self._outline is not None and not shapely.intersects_xy(self._outline, lon, lat):
            return None
        for level in self._levels[1:]:
            candidates = level.tree.query(point)
            if len(candidates) == 0:
                continue
            # intersects_xy uses the prepared polygon (the tree's own predicate would
            # prepare the point and walk every edge of a county's outline).
            hits = candidates[shapely.intersects_xy(level.geometries[candidates], lon, lat)]
            if len(hits):
                return level.nodes[hits.min()]
        return None

    def deepest_many(self, lons, lats) -> list[AreaNode | None]:
        """Vectorised lookup for many points at once (imports, the lookup command, benchmarks)."""
        xs = np.asarray(lons, dtype=float)
        ys = np.asarray(lats, dtype=float)
        answer = np.full(len(xs), None, dtype=object)
        if not self._levels or len(xs) == 0:
            return answer.tolist()
        todo = np.arange(len(xs))
        # A hundred thousand new point objects set off the cyclic garbage collector over and
        # over, and each pass walks every object of a Django process: ten times the cost of
        # making them. Points hold no references, so no cycle is missed by pausing it.
        collecting = gc.isenabled()
        gc.disable()
        try:
            points = shapely.points(xs, ys)
        finally:
            if collecting:
                gc.enable()
        for number, level in enumerate(self._levels):
            if number == 1 and self._outline is not None:
                todo = todo[shapely.intersects_xy(self._outline, xs[todo], ys[todo])]
            point_index, geometry_index = level.tree.query(points[todo])
            inside = shapely.intersects_xy(
                level.geometries[geometry_index], xs[todo[point_index]], ys[todo[point_index]]
            )
            point_index, geometry_index = point_index[inside], geometry_index[inside]
            if len(point_index) == 0:
                continue
            # The lowest tree index among a point's hits is its lowest code at this depth.
            none = len(level.nodes)
            best = np.full(len(todo), none, dtype=np.int64)
            np.minimum.at(best, point_index, geometry_index)
            found = best < none
            answer[todo[found]] = level.nodes[best[found]]
            todo = todo[~found]
            if len(todo) == 0:
                break
        return answer.tolist()

    def chain(self, node: AreaNode | None) -> list[AreaNode]:
        chain: list[AreaNode] = []
        while node is not None:
            chain.append(node)
            node = self.nodes.get(node.parent_id) if node.parent_id is not None else None
        chain.reverse()
        return chain


_lock = threading.Lock()
_state: dict = {"index": None, "version": None, "checked_at": 0.0}


def _load_index() -> tuple[AreaIndex, int]:
    from gridgov.areas.models import Area

    version = current_version()
    rows = Area.objects.values_list(
        "id", "code", "name", "kind", "depth", "parent_id", "geometry"
    ).iterator(chunk_size=5000)
    return AreaIndex.from_rows(rows), version


def current_version() -> int:
    from gridgov.areas.models import TreeVersion

    row = TreeVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


def get_index() -> AreaIndex:
    now = time.monotonic()
    index = _state["index"]
    if (
        index is not None
        and now - _state["checked_at"] < settings.GRIDGOV_TREE_VERSION_CHECK_SECONDS
    ):
        return index
    with _lock:
        version = current_version()
        _state["checked_at"] = time.monotonic()
        if _state["index"] is None or version != _state["version"]:
            _state["index"], _state["version"] = _load_index()
        return _state["index"]


def invalidate() -> None:
    """Forget the index in this process; the next lookup rebuilds it."""
    with _lock:
        _state["index"] = None
        _state["version"] = None
