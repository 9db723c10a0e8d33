"""GeoJSON FeatureCollections of a subtree (the export command and the map)."""

from collections.abc import Iterable

from gridgov.areas.codes import code12, level_name
from gridgov.areas.models import Area


def area_feature(
    area: Area, root_depth: int, parent_code: str | None, with_geometry: bool = True
) -> dict:
    return {
        "type": "Feature",
        "id": area.code,
        "properties": {
            "code": area.code,
            "code12": code12(area.code),
            "name": area.name,
            "kind": area.kind,
            "level_name": level_name(area.kind),
            "level": area.depth - root_depth + 1,
            "parent_code": parent_code,
            "generated": area.is_generated,
        },
        "geometry": area.geometry if with_geometry else None,
    }


def feature_collection(areas: Iterable[Area], root_depth: int, with_geometry: bool = True) -> dict:
    features = []
    for area in areas:
        parent_code = area.path.rstrip("/").split("/")[-2] or None if area.depth > 0 else None
        features.append(area_feature(area, root_depth, parent_code, with_geometry))
    return {"type": "FeatureCollection", "features": features}
