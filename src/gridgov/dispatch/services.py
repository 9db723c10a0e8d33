"""Worker positions and the nearest on-duty workers to a point (2 km by default, great circle)."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import scope_path
from gridgov.areas.coords import to_wgs84
from gridgov.areas.geometry import check_point
from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.dispatch import position_index
from gridgov.dispatch.models import PositionSample, WorkerPosition

FIELD_ROLES = (Role.GRID_WORKER, Role.GRID_HEAD)
DEFAULT_RADIUS_M = 2000
MAX_RADIUS_M = 50_000


def fresh_after() -> dt.datetime:
    # A position older than this says nothing about where the worker is now.
    return timezone.now() - dt.timedelta(
        minutes=getattr(settings, "GRIDGOV_POSITION_FRESH_MINUTES", 30)
    )


def position_record(
    *,
    user: User,
    lon: Any,
    lat: Any,
    crs: str = "wgs84",
    accuracy_m: Any = None,
    on_duty: bool = True,
    at: dt.datetime | None = None,
) -> WorkerPosition:
    """A worker's own position from the app. Only field staff send positions."""
    if not (user.is_authenticated and (user.role in FIELD_ROLES or user.is_superuser)):
        raise PermissionDenied(_("Only grid workers send positions."))
    lon, lat = check_point(lon, lat)
    lon, lat = to_wgs84(lon, lat, crs)
    if accuracy_m is not None:
        try:
            accuracy_m = float(accuracy_m)
        except (TypeError, ValueError):
            raise DomainError(
                _("Accuracy must be a number of metres."), field="accuracy_m"
            ) from None
        if not 0 <= accuracy_m <= 100_000:
            raise DomainError(_("Accuracy must be between 0 and 100 km."), field="accuracy_m")
    at = at or timezone.now()
    with transaction.atomic():
        position, _created = WorkerPosition.objects.update_or_create(
            user=user,
            defaults={
                "lon": lon,
                "lat": lat,
                "accuracy_m": accuracy_m,
                "at": at,
                "on_duty": on_duty,
            },
        )
        PositionSample.objects.create(user=user, lon=lon, lat=lat, accuracy_m=accuracy_m, at=at)
    return position


def tracks_purge(*, now: dt.datetime | None = None) -> int:
    days = getattr(settings, "GRIDGOV_TRACK_DAYS", 30)
    deleted, _details = PositionSample.objects.filter(
        at__lt=(now or timezone.now()) - dt.timedelta(days=days)
    ).delete()
    return deleted


def nearest_workers(
    *,
    user: User,
    lon: Any,
    lat: Any,
    radius_m: Any = DEFAULT_RADIUS_M,
    crs: str = "wgs84",
    limit: int = 50,
) -> list[dict[str, Any]]:
    """On-duty field workers with a fresh position within `radius_m` of the point, nearest
    first and, at equal distance, fewest open tasks first. Read inside the user's scope."""
    from gridgov.events.models import Event
    from gridgov.events.services import TERMINAL

    lon, lat = check_point(lon, lat)
    lon, lat = to_wgs84(lon, lat, crs)
    try:
        radius_m = float(radius_m)
    except (TypeError, ValueError):
        raise DomainError(_("radius_m must be a number of metres."), field="radius_m") from None
    if not 0 < radius_m <= MAX_RADIUS_M:
        raise DomainError(_("radius_m must be between 0 and 50,000."), field="radius_m")
    prefix = scope_path(user)
    if prefix is None:
        return []
    limit = max(1, min(limit, 500))
    position_index.positions.sync()
    near = position_index.positions.nearest(lon, lat, radius_m, prefix, fresh_after(), limit)
    # Only the nearest (and whoever ties with the last of them) need their workload and details.
    cut = near[:limit]
    if len(near) > limit:
        cut += [row for row in near[limit:] if row[0] == cut[-1][0]]
    ids = [user_id for _d, user_id, _at in cut]
    open_tasks = (
        dict(
            Event.objects.filter(assignee_id__in=ids)
            .exclude(state__in=TERMINAL)
            .order_by()  # Event's default ordering would split the groups
            .values_list("assignee_id")
            .annotate(n=Count("id"))
            .values_list("assignee_id", "n")
        )
        if ids
        else {}
    )
    cut.sort(key=lambda row: (row[0], open_tasks.get(row[1], 0), row[1]))
    # The index may lag a role or account change by up to 30 s: the people are read fresh.
    people = {
        row[0]: row
        for row in User.objects.filter(
            pk__in=ids, is_active=True, role__in=FIELD_ROLES
        ).values_list(
            "pk", "first_name", "last_name", "username", "area__code", "area__path", "phone"
        )
    }
    return [
        {
            "id": user_id,
            "name": f"{people[user_id][1]} {people[user_id][2]}".strip() or people[user_id][3],
            "grid_code": people[user_id][4],
            "distance_m": distance,
            "open_tasks": open_tasks.get(user_id, 0),
            "at": at.isoformat(),
            "phone": people[user_id][6] or None,
        }
        for distance, user_id, at in cut
        if user_id in people and (people[user_id][5] or "").startswith(prefix)
    ][:limit]
