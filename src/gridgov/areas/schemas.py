"""Input and output schemas of the areas API (areas/api.py)."""

from typing import Annotated, Any

from ninja import Field, Schema

from gridgov.areas.codes import code12, level_name
from gridgov.areas.models import Area
from gridgov.common.schemas import ErrorOut, Out, RowErrorOut

# A division or grid code: 6 to 18 digits (12-digit padded forms accepted).
AreaCode = Annotated[str, Field(min_length=1, max_length=24)]


class AreaOut(Out):
    code: str
    code12: str | None
    name: str
    kind: str
    level_name: str
    depth: int
    parent_code: str | None
    generated: bool
    child_count: int | None = None

    @staticmethod
    def of(area: Area) -> "AreaOut":
        return AreaOut(
            code=area.code,
            code12=code12(area.code),
            name=area.name,
            kind=area.kind,
            level_name=level_name(area.kind),
            depth=area.depth,
            parent_code=area.parent.code if area.parent_id and area.parent else None,
            generated=area.is_generated,
            child_count=getattr(area, "child_count", None),
        )


class ChainItem(Schema):
    code: str
    name: str
    kind: str
    level: int


class AreaWorkerOut(Out):
    name: str
    employment: str


class AreaDetail(AreaOut):
    # GeoJSON Polygon or MultiPolygon: coordinates nest by type, so a free mapping.
    geometry: dict[str, Any] | None
    bbox: list[float] | None
    chain: list[ChainItem]
    grid_head: str | None
    workers: list[AreaWorkerOut]
    sunk_departments: list[str]
    linked_units: list[str]
    counts: dict[str, int]


class LookupOut(Out):
    lon: float
    lat: float
    code: str | None
    chain: list[ChainItem]


class AreaIn(Schema):
    code: AreaCode = Field(
        ..., description="Division or grid code (6/9/12/15/18 digits; 12-digit padded forms)"
    )
    name: str = Field(min_length=1, max_length=100)
    parent_code: AreaCode | None = None
    geometry: dict[str, Any] | None = Field(
        None, description="GeoJSON Polygon or MultiPolygon, WGS84 lon/lat"
    )


class AreaPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    geometry: dict[str, Any] | None = None
    clear_geometry: bool = False


class TreeNode(Schema):
    code: str
    name: str
    kind: str
    children: list["TreeNode"]


class FeatureProperties(Schema):
    code: str
    code12: str | None
    name: str
    kind: str
    level_name: str
    level: int
    parent_code: str | None
    generated: bool


class FeatureOut(Out):
    """A GeoJSON Feature; its geometry is a free mapping (Polygon or MultiPolygon)."""

    type: str
    id: str
    properties: FeatureProperties
    geometry: dict[str, Any] | None


class FeatureCollectionOut(Out):
    type: str
    features: list[FeatureOut]


class FindingOut(Out):
    kind: str = Field(description="outside_parent, overlap or gap")
    code: str
    other_code: str | None
    area_m2: float
    lon: float
    lat: float


class ValidationOut(Out):
    count: int
    findings: list[FindingOut]


class ImportRefusedOut(ErrorOut):
    """400 of an import: the error shape and, when rows were bad, each row's error (nothing
    was saved). An unreadable file gives the plain error shape, without rows."""

    created: int = 0
    updated: int = 0
    errors: list[RowErrorOut] = []
