"""In-memory point-in-area index: an STRtree over every area that has a polygon.

Each process keeps one. It is rebuilt when the tree version in the database
moves (checked at most every GRIDGOV_TREE_VERSION_CHECK_SECONDS), and at once
in the process that made the edit, so lookups follow edits without a query
per lookup.
"""

import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from shapely.geometry import shape
from shapely.strtree import STRtree


@dataclass(frozen=True, slots=True)
class AreaNode:
    id: int
    code: str
    name: str
    kind: str
    depth: int
    parent_id: int | None


class AreaIndex:
    def __init__(
        self, nodes: dict[int, AreaNode], indexed_ids: list[int], geometries: list
    ) -> None:
        self.nodes = nodes
        self.by_code = {node.code: node for node in nodes.values()}
        self._ids = np.array(indexed_ids, dtype=np.int64)
        self._depths = np.array([nodes[i].depth for i in indexed_ids], dtype=np.int64)
        self._geometries = np.array(geometries, dtype=object)
        for geometry in geometries:
            shapely.prepare(geometry)
        self._tree = STRtree(self._geometries) if geometries else None

    @classmethod
    def from_rows(cls, rows) -> "AreaIndex":
        """rows: (id, code, name, kind, depth, parent_id, geometry-dict-or-None)."""
        nodes: dict[int, AreaNode] = {}
        ids: list[int] = []
        geometries: list = []
        for area_id, code, name, kind, depth, parent_id, geometry in rows:
            nodes[area_id] = AreaNode(area_id, code, name, kind, depth, parent_id)
            if geometry:
                ids.append(area_id)
                geometries.append(shape(geometry))
        return cls(nodes, ids, geometries)

    def __len__(self) -> int:
        return len(self._ids)

    def deepest(self, lon: float, lat: float) -> AreaNode | None:
        if self._tree is None:
            return None
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        return self._pick(hits)

    def _pick(self, hits: np.ndarray) -> AreaNode:
        # The deepest area wins; on a shared border between siblings the lower code wins,
        # so the answer does not depend on the order the tree returns hits in.
        if len(hits) == 1:
            return self.nodes[int(self._ids[hits[0]])]
        depths = self._depths[hits]
        best = hits[depths == depths.max()]
        return min((self.nodes[int(self._ids[i])] for i in best), key=lambda node: node.code)

    def deepest_many(self, lons, lats) -> list[AreaNode | None]:
        """Vectorised lookup for many points at once (imports, the lookup command, benchmarks)."""
        count = len(lons)
        answer: list[AreaNode | None] = [None] * count
        if self._tree is None or count == 0:
            return answer
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_index, geometry_index = self._tree.query(points, predicate="intersects")
        if len(point_index) == 0:
            return answer
        order = np.lexsort((geometry_index, point_index))
        point_index, geometry_index = point_index[order], geometry_index[order]
        starts = np.flatnonzero(np.r_[True, point_index[1:] != point_index[:-1]])
        ends = np.r_[starts[1:], len(point_index)]
        for start, end in zip(starts, ends, strict=True):
            answer[int(point_index[start])] = self._pick(geometry_index[start:end])
        return answer

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
