"""Area scope of the acting user: the one place that turns a user into a subtree filter.

Every selector and service passes its queryset through `scope_queryset`, so a
community worker can never read or write outside their community.
"""

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from gridgov.common.errors import OutOfScope, PermissionDenied

if TYPE_CHECKING:
    from gridgov.accounts.models import User
    from gridgov.areas.models import Area

EVERYWHERE = ""


def scope_path(user: "User") -> str | None:
    """The materialized path prefix the user may act under; "" for everywhere, None for nowhere."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return EVERYWHERE
    if user.area_id is None:
        return None
    return user.area.path


def scope_queryset(queryset: QuerySet, user: "User", *, area_field: str = "area") -> QuerySet:
    prefix = scope_path(user)
    if prefix is None:
        return queryset.none()
    if prefix == EVERYWHERE:
        return queryset
    lookup = "path__startswith" if not area_field else f"{area_field}__path__startswith"
    return queryset.filter(Q(**{lookup: prefix}))


def area_in_scope(user: "User", area: "Area") -> bool:
    prefix = scope_path(user)
    return prefix is not None and area.path.startswith(prefix)


def can(user: "User", capability: str) -> bool:
    """True if the (possibly anonymous) user's role grants the capability."""
    return bool(user.is_authenticated and user.has_capability(capability))


def require_capability(user: "User", capability: str) -> None:
    if not can(user, capability):
        raise PermissionDenied()


def require_area_in_scope(user: "User", area: "Area", *, field: str | None = None) -> None:
    if not area_in_scope(user, area):
        raise OutOfScope(field=field)
