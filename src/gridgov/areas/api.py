"""The areas API: the grid tree, polygons, point lookup, validation and imports."""

from typing import Annotated, Any

from django.db.models import Count
from django.utils.translation import gettext as _
from ninja import Query, Router, Status, UploadedFile

from gridgov.areas import polygon_import, selectors, services
from gridgov.areas.coords import to_wgs84
from gridgov.areas.export import feature_collection
from gridgov.areas.models import Area
from gridgov.areas.schemas import (
    AreaCode,
    AreaDetail,
    AreaIn,
    AreaOut,
    AreaPatch,
    FeatureCollectionOut,
    ImportRefusedOut,
    LookupOut,
    TreeNode,
    ValidationOut,
)
from gridgov.areas.validation import validate_tree
from gridgov.common.errors import DomainError
from gridgov.common.schemas import ImportOut, Lat, Lon, SquareMetres, errors, upload
from gridgov.registry.kinds import KINDS

MAX_IMPORT_BYTES = 50 * 1024 * 1024
AreasFile = upload("GeoJSON (a FeatureCollection) or an Excel workbook")

router = Router(tags=["areas"])


@router.get(
    "/",
    response={200: list[AreaOut], **errors(400, 403, 404)},
    summary="Children of an area (default: the top of your scope)",
)
def area_children(request, parent: AreaCode | None = None):
    return [
        AreaOut.of(a)
        for a in selectors.area_children(user=request.user, code=parent).select_related("parent")
    ]


@router.get(
    "/tree",
    response={200: TreeNode | None, **errors(400, 403, 404)},
    summary="The tree under an area, without geometry",
)
def area_tree(request, root: AreaCode | None = None, depth: Annotated[int, Query(ge=0, le=6)] = 2):
    areas = list(
        selectors.area_subtree(user=request.user, root_code=root, max_depth=max(0, min(depth, 6)))
    )
    if not areas:
        return None
    nodes = {a.id: {"code": a.code, "name": a.name, "kind": a.kind, "children": []} for a in areas}
    for area in areas[1:]:
        if area.parent_id in nodes:
            nodes[area.parent_id]["children"].append(nodes[area.id])
    return nodes[areas[0].id]


@router.get(
    "/lookup",
    response={200: LookupOut, **errors(400, 403)},
    summary="Areas containing a point, top to deepest",
)
def area_lookup(request, lon: Lon, lat: Lat, crs: str = "wgs84"):
    lon, lat = to_wgs84(lon, lat, crs)
    chain = selectors.area_chain(user=request.user, lon=lon, lat=lat)
    return {
        "lon": lon,
        "lat": lat,
        "code": chain[-1].code if chain else None,
        "chain": [
            {"code": n.code, "name": n.name, "kind": n.kind, "level": i + 1}
            for i, n in enumerate(chain)
        ],
    }


@router.get(
    "/geojson",
    response={200: FeatureCollectionOut, **errors(400, 403, 404)},
    summary="A FeatureCollection of one level under an area (for maps)",
)
def area_geojson(
    request, root: AreaCode | None = None, level: Annotated[int, Query(ge=1, le=8)] = 2
):
    """level 1 is the root itself (default: the top of your scope), 2 its children, and so on."""
    areas, root_depth = selectors.areas_at_level(
        user=request.user, root_code=root, level=max(1, level)
    )
    return feature_collection(areas, root_depth)


@router.post(
    "/import",
    response={200: ImportOut, **errors(403), 400: ImportRefusedOut},
    summary="Import area polygons from GeoJSON or Excel: all rows or none",
)
def areas_import(request, file: UploadedFile = AreasFile, dry_run: bool = False):
    if file.size and file.size > MAX_IMPORT_BYTES:
        raise DomainError(_("The file is larger than 50 MB."), code="too_large", field="file")
    content = file.read()
    is_excel = content[:2] == b"PK" or (file.name or "").lower().endswith(".xlsx")
    rows = (
        polygon_import.features_from_excel(content)
        if is_excel
        else polygon_import.features_from_geojson(content)
    )
    result = polygon_import.import_polygons(user=request.user, rows=rows, dry_run=dry_run)
    body = {
        "created": result.created,
        "updated": result.updated,
        "errors": [e.as_dict() for e in result.errors],
    }
    if result.errors:
        message = _("%(count)s rows have errors; nothing was imported.") % {
            "count": len(result.errors)
        }
        return Status(400, {"code": "invalid_rows", "message": message, "field": "file", **body})
    return body


@router.get(
    "/{code}",
    response={200: AreaDetail, **errors(400, 403, 404)},
    summary="One area with its polygon, chain, people and counts",
)
def area_detail(request, code: AreaCode):
    area = selectors.area_get(user=request.user, code=code)
    codes = [c for c in area.path.strip("/").split("/") if c]
    chain_areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    counts = {"children": area.children.count()}
    for key, kind in KINDS.items():
        counts[key] = kind.model.objects.filter(area__path__startswith=area.path).count()
    workers = area.workers.select_related("user").annotate(n=Count("id"))
    detail = AreaOut.of(area).dict()
    detail.update(
        geometry=area.geometry,
        bbox=[area.min_lon, area.min_lat, area.max_lon, area.max_lat] if area.geometry else None,
        chain=[
            {"code": c, "name": chain_areas[c].name, "kind": chain_areas[c].kind, "level": i + 1}
            for i, c in enumerate(codes)
            if c in chain_areas
        ],
        grid_head=area.grid_head.get_full_name() or area.grid_head.username
        if area.grid_head
        else None,
        workers=[
            {"name": w.user.get_full_name() or w.user.username, "employment": w.employment}
            for w in workers
        ],
        sunk_departments=list(area.sunk_departments.values_list("name", flat=True)),
        linked_units=list(area.linked_units.values_list("name", flat=True)),
        counts=counts,
    )
    return detail


@router.get(
    "/{code}/validation",
    response={200: ValidationOut, **errors(400, 403, 404)},
    summary="Children outside the area, overlapping siblings and gaps",
)
def area_validation(request, code: AreaCode, tolerance_m2: SquareMetres = 1.0):
    areas = list(
        selectors.area_subtree(user=request.user, root_code=code).only(
            "id", "code", "parent_id", "geometry"
        )
    )
    findings = validate_tree(areas, tolerance_m2)
    return {"count": len(findings), "findings": [f.as_dict() for f in findings]}


@router.post("/", response={201: AreaOut, **errors(400, 403, 404, 409)}, summary="Add an area")
def area_create(request, payload: AreaIn):
    area = services.area_create(user=request.user, **payload.dict())
    return Status(201, AreaOut.of(area))


@router.patch(
    "/{code}",
    response={200: AreaOut, **errors(400, 403, 404, 409)},
    summary="Rename an area or replace its polygon",
)
def area_update(request, code: AreaCode, payload: AreaPatch):
    geometry: Any = ...
    if payload.clear_geometry:
        geometry = None
    elif payload.geometry is not None:
        geometry = payload.geometry
    return AreaOut.of(
        services.area_update(user=request.user, code=code, name=payload.name, geometry=geometry)
    )


@router.delete(
    "/{code}", response={204: None, **errors(400, 403, 404, 409)}, summary="Delete an empty area"
)
def area_delete(request, code: AreaCode):
    services.area_delete(user=request.user, code=code)
    return Status(204, None)
