"""Who may edit the assessment and who may read which part of it.

Editing (zones, indicators, bands, computing, publishing) needs ASSESSMENT_EDIT *and* the
district level (a county's or a city's staff, or a superuser): the seed's rule is that the
district runs the one combined assessment. A user who belongs to a department never edits
it, whatever their role: "部门一律不能对街道开展单项工作考核".

Reading needs ANALYTICS_VIEW: a district's readers see every street, community and
department; a street's (or a community's) staff see the published results of their own
subtree only. A department's handler sees their own department's published result.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import EVERYWHERE, area_in_scope, can, scope_path
from gridgov.areas.codes import AreaKind
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, NotFound, OutOfScope, PermissionDenied

DISTRICT_KINDS = (AreaKind.COUNTY, AreaKind.CITY, AreaKind.PROVINCE)


def district_editor(user: User) -> bool:
    if not can(user, Capability.ASSESSMENT_EDIT):
        return False
    if user.is_superuser:
        return True
    return bool(user.area_id and not user.department_id and user.area.kind in DISTRICT_KINDS)


def require_editor(user: User, root: Area) -> None:
    if not district_editor(user):
        raise PermissionDenied(
            _("The classified assessment is set, computed and published by the district.")
        )
    if not area_in_scope(user, root):
        raise OutOfScope(field="root")


def editor_root(user: User, code: str | None) -> Area:
    """The district a district editor asks to change (403 before anything for others)."""
    if not district_editor(user):
        raise PermissionDenied(
            _("The classified assessment is set, computed and published by the district.")
        )
    root = district_root(code, user)
    require_editor(user, root)
    return root


def district_root(code: str | None, user: User) -> Area:
    """The district (county) the request is about: the code given, or the user's own
    district. 404 for an unknown code or one that is not a district."""
    if code:
        root = Area.objects.filter(code=code[:24]).first()
    else:
        root = user_district(user)
    if root is None:
        raise NotFound(field="root")
    if root.kind != AreaKind.COUNTY:
        raise DomainError(_("Choose a district (county)."), code="not_a_district", field="root")
    return root


def user_district(user: User) -> Area | None:
    """The county the user works in or under (a superuser: the first county)."""
    area = user.area if user.area_id else None
    if area is None and user.department_id:
        area = user.department.area
    if area is None:
        if user.is_superuser:
            return Area.objects.filter(kind=AreaKind.COUNTY).order_by("path").first()
        return None
    if area.kind == AreaKind.COUNTY:
        return area
    codes = [c for c in area.path.strip("/").split("/") if c]
    return Area.objects.filter(code__in=codes, kind=AreaKind.COUNTY).first() or (
        Area.objects.filter(kind=AreaKind.COUNTY, path__startswith=area.path)
        .order_by("path")
        .first()
    )


def reader_prefix(user: User) -> str | None:
    """The area subtree whose results the user reads; None for none."""
    if not can(user, Capability.ANALYTICS_VIEW):
        return None
    return scope_path(user)


def reads_root(user: User, root: Area) -> bool:
    """The user may open the district's assessment (seeing only their part of it)."""
    prefix = reader_prefix(user)
    if prefix is not None:
        return prefix == EVERYWHERE or prefix.startswith(root.path) or root.path.startswith(prefix)
    return own_department_in(user, root)


def own_department_in(user: User, root: Area) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.department_id
        and user.department.area.path.startswith(root.path)
    )


def reads_all_departments(user: User, root: Area) -> bool:
    """District readers see every department's result; others their own at most."""
    prefix = reader_prefix(user)
    return prefix is not None and root.path.startswith(prefix)
