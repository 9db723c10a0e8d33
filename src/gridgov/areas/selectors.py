"""Reads of the grid tree, always inside the acting user's scope."""

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import EVERYWHERE, get_in_scope, require_capability, scope_path
from gridgov.areas import spatial_index
from gridgov.areas.codes import normalize_code
from gridgov.areas.geometry import check_point
from gridgov.areas.models import Area
from gridgov.common.errors import NotFound, OutOfScope


def areas_visible(user: User) -> QuerySet[Area]:
    require_capability(user, Capability.AREAS_VIEW)  # a 403 rather than an empty tree
    return get_in_scope(user, Area.objects.all(), Capability.AREAS_VIEW, area_field="")


def area_get(*, user: User, code: str) -> Area:
    area = areas_visible(user).filter(code=normalize_code(code)).select_related("parent").first()
    if area is None:
        raise NotFound(
            _("There is no area with code %(code)s in your scope.") % {"code": code}, field="code"
        )
    return area


def area_scope_root(user: User) -> Area | None:
    """The top of what the user sees: their scope area, or the single root for an admin;
    None for an account without an area (it sees nothing area-wide)."""
    if user.area_id:
        return user.area
    if scope_path(user) != EVERYWHERE:
        return None
    roots = Area.objects.filter(parent__isnull=True)
    return roots.first() if roots.count() == 1 else None


def grid_level_under(root: Area | None) -> int:
    """The level (1 = root) at which the grids lie under `root`, for `/areas/geojson?level=`;
    the children's level when there are no grids."""
    grid = (
        Area.objects.filter(kind="grid", path__startswith=root.path).order_by("depth").first()
        if root
        else None
    )
    return grid.depth - root.depth + 1 if grid and root else 2


def area_children(*, user: User, code: str | None) -> QuerySet[Area]:
    require_capability(user, Capability.AREAS_VIEW)
    if code:
        parent = area_get(user=user, code=code)
        children = Area.objects.filter(parent=parent)
    else:
        root = area_scope_root(user)
        if root is None and scope_path(user) == EVERYWHERE:
            children = Area.objects.filter(parent__isnull=True)
        elif root is None:
            return Area.objects.none()
        else:
            children = Area.objects.filter(pk=root.pk)
    return children.annotate(child_count=Count("children")).order_by("code")


def area_subtree(
    *, user: User, root_code: str | None, max_depth: int | None = None
) -> QuerySet[Area]:
    """The root (default: the user's scope) and everything under it, root first, by path."""
    require_capability(user, Capability.AREAS_VIEW)
    if root_code:
        root = area_get(user=user, code=root_code)
        queryset = Area.objects.filter(path__startswith=root.path)
    else:
        root = area_scope_root(user)
        queryset = (
            areas_visible(user) if root is None else Area.objects.filter(path__startswith=root.path)
        )
    if max_depth is not None and root is not None:
        queryset = queryset.filter(depth__lte=root.depth + max_depth)
    return queryset.order_by("depth", "code")


def area_chain(*, user: User, lon: float, lat: float) -> list[spatial_index.AreaNode]:
    """The chain from the top to the deepest area containing the point (empty outside)."""
    require_capability(user, Capability.AREAS_VIEW)
    lon, lat = check_point(lon, lat)
    index = spatial_index.get_index()
    chain = index.chain(index.deepest(lon, lat))
    prefix = scope_path(user)
    if chain and prefix:
        path = "/" + "/".join(node.code for node in chain) + "/"
        if not path.startswith(prefix):
            raise OutOfScope(_("This point lies outside your area."))
    return chain


def areas_at_level(*, user: User, root_code: str | None, level: int) -> tuple[QuerySet[Area], int]:
    """The areas `level - 1` levels below the root (level 1 is the root itself), and the root's depth.

    Without a root and with several top-level areas (an imported country), the roots
    themselves are level 1. Only the one level is read, never the whole subtree.
    """
    root = area_get(user=user, code=root_code) if root_code else area_scope_root(user)
    if root is None:
        queryset = areas_visible(user).filter(depth=level - 1)
        return queryset.order_by("code"), 0
    queryset = Area.objects.filter(path__startswith=root.path, depth=root.depth + level - 1)
    return queryset.order_by("code"), root.depth
