"""Every write to the grid tree. Each bumps the tree version so lookups follow edits."""

from typing import Any

from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils.translation import gettext as _
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import require_area_in_scope, require_capability, scope_path
from gridgov.areas import spatial_index
from gridgov.areas.codes import AreaKind, check_child_code, kind_for_code, normalize_code
from gridgov.areas.geometry import parse_polygon, to_geojson
from gridgov.areas.models import Area, GridWorker, TreeVersion
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied


def tree_version_bump() -> None:
    updated = TreeVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        TreeVersion.objects.get_or_create(pk=1, defaults={"version": 1})
    spatial_index.invalidate()
    transaction.on_commit(spatial_index.invalidate)


def geometry_fields(raw: Any) -> dict:
    """The model fields for a polygon given as GeoJSON/WKT; None clears it."""
    if raw in (None, ""):
        return {
            "geometry": None,
            "min_lon": None,
            "min_lat": None,
            "max_lon": None,
            "max_lat": None,
        }
    geometry = parse_polygon(raw)
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    return {
        "geometry": to_geojson(geometry),
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
    }


def _parent_for(code: str, parent_code: str | None) -> Area | None:
    if parent_code in (None, ""):
        return None
    parent_code = normalize_code(parent_code)
    parent = Area.objects.filter(code=parent_code).first()
    if parent is None:
        raise NotFound(
            _("There is no area with code %(code)s.") % {"code": parent_code}, field="parent_code"
        )
    check_child_code(parent.code, code)
    return parent


def area_create(
    *,
    user: User,
    code: str,
    name: str,
    parent_code: str | None = None,
    geometry: Any = None,
    kind: str | None = None,
    is_generated: bool = False,
) -> Area:
    """Add an area under `parent_code`. Preconditions: the user may edit areas and the
    parent lies in the user's scope (only a superuser may add a root)."""
    require_capability(user, Capability.AREAS_EDIT)
    code = normalize_code(code)
    kind = kind or kind_for_code(code)
    if kind not in AreaKind.values:
        raise DomainError(_("Unknown level %(kind)r.") % {"kind": kind}, field="kind")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("An area needs a name."), field="name")
    parent = _parent_for(code, parent_code)
    if parent is None and not user.is_superuser:
        raise PermissionDenied(_("Only an administrator may add a top-level area."))
    if parent is not None:
        require_area_in_scope(user, parent, field="parent_code")
    fields = geometry_fields(geometry)
    _inside_parent(user, parent, fields.get("geometry"))
    with transaction.atomic():
        if Area.objects.filter(code=code).exists():
            raise Conflict(
                _("An area with code %(code)s already exists.") % {"code": code},
                code="duplicate",
                field="code",
            )
        area = Area.objects.create(
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            path=(parent.path if parent else "/") + code + "/",
            depth=(parent.depth + 1) if parent else 0,
            is_generated=is_generated,
            **fields,
        )
        tree_version_bump()
    return area


# Digitising noise along a shared edge is not a claim on the neighbour's land.
OUTSIDE_PARENT_TOLERANCE = 0.01


def _inside_parent(user: User, parent: Area | None, geometry: dict | None) -> None:
    """Staff may draw a boundary only inside the parent's (administrators importing a whole
    tree check it with `validate_areas`)."""
    if user.is_superuser or parent is None or not geometry or not parent.geometry:
        return
    child, outer = shape(geometry), shape(parent.geometry)
    if child.area and child.difference(outer).area > OUTSIDE_PARENT_TOLERANCE * child.area:
        raise DomainError(
            _("The boundary reaches outside %(parent)s.") % {"parent": parent.name},
            field="geometry",
        )


def area_update(
    *,
    user: User,
    code: str,
    name: str | None = None,
    geometry: Any = ...,
    is_generated: bool | None = None,
) -> Area:
    """Rename an area or replace its polygon (geometry=None clears it)."""
    require_capability(user, Capability.AREAS_EDIT)
    with transaction.atomic():
        area = Area.objects.select_for_update().filter(code=normalize_code(code)).first()
        if area is None:
            raise NotFound(_("There is no area with code %(code)s.") % {"code": code}, field="code")
        require_area_in_scope(user, area)
        changed: list[str] = []
        if name is not None:
            if not name.strip():
                raise DomainError(_("An area needs a name."), field="name")
            area.name = name.strip()
            changed.append("name")
        if geometry is not ...:
            if scope_path(user) == area.path and not user.is_superuser:
                # Staff do not redraw the area they answer for: that is their superior's call.
                raise PermissionDenied(_("The boundary of your own area is drawn above you."))
            fields = geometry_fields(geometry)
            _inside_parent(user, area.parent, fields.get("geometry"))
            for field, value in fields.items():
                setattr(area, field, value)
                changed.append(field)
        if is_generated is not None:
            area.is_generated = is_generated
            changed.append("is_generated")
        if changed:
            area.save(update_fields=changed)
            tree_version_bump()
    return area


def area_delete(*, user: User, code: str) -> None:
    require_capability(user, Capability.AREAS_EDIT)
    with transaction.atomic():
        area = Area.objects.filter(code=normalize_code(code)).first()
        if area is None:
            raise NotFound(_("There is no area with code %(code)s.") % {"code": code}, field="code")
        require_area_in_scope(user, area)
        if scope_path(user) == area.path:
            raise PermissionDenied(_("You cannot delete the area you are scoped to."))
        if area.children.exists():
            raise Conflict(
                _("The area still has sub-areas; delete or move them first."), code="has_children"
            )
        try:
            area.delete()
        except ProtectedError:
            raise Conflict(_("Records are still placed in this area."), code="in_use") from None
        tree_version_bump()


def grid_worker_assign(*, user: User, grid_code: str, worker: User, employment: str) -> GridWorker:
    require_capability(user, Capability.AREAS_EDIT)
    grid = Area.objects.filter(code=normalize_code(grid_code)).first()
    if grid is None:
        raise NotFound(
            _("There is no area with code %(code)s.") % {"code": grid_code}, field="grid_code"
        )
    require_area_in_scope(user, grid)
    if grid.kind not in (AreaKind.GRID, AreaKind.MICRO_GRID):
        raise DomainError(_("Workers are assigned to grids."), field="grid_code")
    if employment not in GridWorker.Employment.values:
        raise DomainError(_("Employment must be full-time or part-time."), field="employment")
    assignment, _created = GridWorker.objects.update_or_create(
        grid=grid, user=worker, defaults={"employment": employment}
    )
    return assignment


def grid_worker_save(
    *,
    user: User,
    assignment_id: int | None,
    grid_code: str,
    worker: User,
    employment: str,
    since: Any = None,
) -> GridWorker:
    """Place a worker in a grid, or move an assignment (`assignment_id`) to another grid.
    Preconditions: the old grid, the new grid and the worker all lie in the user's area."""
    require_capability(user, Capability.AREAS_EDIT)
    if worker.area_id is None:
        raise DomainError(_("Give the worker an area first."), field="user")
    require_area_in_scope(user, worker.area, field="user")
    with transaction.atomic():
        if assignment_id is None:
            assignment = grid_worker_assign(
                user=user, grid_code=grid_code, worker=worker, employment=employment
            )
        else:
            assignment = GridWorker.objects.select_for_update().filter(pk=assignment_id).first()
            if assignment is None:
                raise NotFound(_("No such assignment."))
            require_area_in_scope(user, Area.objects.get(pk=assignment.grid_id))
            grid = Area.objects.filter(code=normalize_code(grid_code)).first()
            if grid is None or grid.kind not in (AreaKind.GRID, AreaKind.MICRO_GRID):
                raise DomainError(_("Workers are assigned to grids."), field="grid")
            require_area_in_scope(user, grid, field="grid")
            if employment not in GridWorker.Employment.values:
                raise DomainError(
                    _("Employment must be full-time or part-time."), field="employment"
                )
            if GridWorker.objects.exclude(pk=assignment.pk).filter(grid=grid, user=worker).exists():
                raise Conflict(_("The worker is already in this grid."), code="duplicate")
            assignment.grid, assignment.user, assignment.employment = grid, worker, employment
            assignment.save(update_fields=["grid", "user", "employment"])
        if since is not None and assignment.since != since:
            assignment.since = since
            assignment.save(update_fields=["since"])
    return assignment


def grid_worker_remove(*, user: User, assignment_id: int) -> None:
    require_capability(user, Capability.AREAS_EDIT)
    assignment = GridWorker.objects.select_related("grid").filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound(_("No such assignment."))
    require_area_in_scope(user, assignment.grid)
    assignment.delete()
