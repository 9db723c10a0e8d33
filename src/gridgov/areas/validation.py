"""Checks of the tree's geometry: children outside their parent, overlapping siblings, gaps.

Areas are compared in approximate square metres; anything below `tolerance_m2`
(default 1 m²) is floating-point noise from polygon clipping, not a finding.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass

import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree

from gridgov.areas.geometry import area_m2
from gridgov.areas.models import Area


@dataclass
class Finding:
    kind: str  # outside_parent, overlap, gap
    code: str
    other_code: str | None
    area_m2: float
    lon: float
    lat: float

    def as_dict(self) -> dict:
        return asdict(self)


def _where(geometry) -> tuple[float, float]:
    point = geometry.representative_point()
    return round(point.x, 6), round(point.y, 6)


def validate_tree(areas: list[Area], tolerance_m2: float = 1.0) -> list[Finding]:
    """Findings for the given areas (usually a subtree, parents included)."""
    geometries = {a.id: shape(a.geometry) for a in areas if a.geometry}
    codes = {a.id: a.code for a in areas}
    children: dict[int, list[int]] = defaultdict(list)
    for area in areas:
        if area.parent_id in geometries and area.id in geometries:
            children[area.parent_id].append(area.id)
    findings: list[Finding] = []
    for parent_id, child_ids in children.items():
        parent = geometries[parent_id]
        shapely.prepare(parent)
        for child_id in child_ids:
            outside = geometries[child_id].difference(parent)
            if area_m2(outside) > tolerance_m2:
                findings.append(
                    Finding(
                        "outside_parent",
                        codes[child_id],
                        codes[parent_id],
                        round(area_m2(outside), 1),
                        *_where(outside),
                    )
                )
        sibling_geometries = [geometries[i] for i in child_ids]
        tree = STRtree(sibling_geometries)
        left, right = tree.query(sibling_geometries, predicate="intersects")
        for i, j in zip(left, right, strict=True):
            if i >= j:
                continue
            overlap = sibling_geometries[i].intersection(sibling_geometries[j])
            size = area_m2(overlap)
            if size > tolerance_m2:
                findings.append(
                    Finding(
                        "overlap",
                        codes[child_ids[i]],
                        codes[child_ids[j]],
                        round(size, 1),
                        *_where(overlap),
                    )
                )
        covered = shapely.union_all(sibling_geometries)
        gap = parent.difference(covered)
        for piece in getattr(gap, "geoms", [gap]):
            size = area_m2(piece)
            if size > tolerance_m2:
                findings.append(
                    Finding("gap", codes[parent_id], None, round(size, 1), *_where(piece))
                )
    return findings
