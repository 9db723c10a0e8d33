"""Area scope of the acting user: the one place that turns a user into a subtree filter.

Every read goes through `get_in_scope` (a capability, then the area subtree), so a
community worker can never read outside their community and a role without the right
reads nothing; services pass their querysets through `scope_queryset`.
"""

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from gridgov.accounts.roles import Role
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


def get_in_scope(
    user: "User", queryset: QuerySet, capability: str, *, area_field: str = "area"
) -> QuerySet:
    """The rows of `queryset` the user may read: none without the capability, those under the
    user's area otherwise (everything for a superuser). A user without an area reads nothing
    area-wide, whatever their role: an account half set up must not see the district.

    `area_field` is the path to the area from the model ("" when the model is the Area).
    """
    if not can(user, capability):
        return queryset.none()
    return scope_queryset(queryset, user, area_field=area_field)


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


def lives_as_resident(user: "User") -> bool:
    """A signed-in resident (not a superuser, whose role field may say resident): their pages
    are the resident front end's, never the staff's (issue 11)."""
    return bool(user.is_authenticated and user.role == Role.RESIDENT and not user.is_superuser)
