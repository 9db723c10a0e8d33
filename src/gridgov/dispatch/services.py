"""Worker positions and the nearest on-duty workers to a point (2 km by default, great circle)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Expression, IntegerField, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User, full_name
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import scope_path
from gridgov.areas.coords import to_wgs84
from gridgov.areas.geometry import check_point
from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.dispatch import position_index, tracks
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
    position = WorkerPosition(
        user=user, lon=lon, lat=lat, accuracy_m=accuracy_m, at=at, on_duty=on_duty
    )
    # One upsert on the hot table (one row per worker), one append to the track: one
    # statement on PostgreSQL (tracks.position_write).
    position.updated_at = timezone.now()
    tracks.position_write(
        user_id=user.pk,
        lon=lon,
        lat=lat,
        accuracy_m=accuracy_m,
        at=at,
        on_duty=on_duty,
        updated_at=position.updated_at,
    )
    position_index.positions.mark_dirty()
    return position


def tracks_purge(*, now: dt.datetime | None = None) -> int:
    """Tracks older than GRIDGOV_TRACK_DAYS go; return how many rows went.

    On PostgreSQL whole days go by dropping their partitions (the count is the planner's
    estimate of their rows), what is left before the cut-off (the default partition, the
    day that straddles it) is deleted row by row, and the next days' partitions are made.
    Idempotent: a second run finds nothing before the cut-off."""
    days = getattr(settings, "GRIDGOV_TRACK_DAYS", 30)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    dropped = 0
    if tracks.partitioned():
        dropped = tracks.partitions_drop_before(cutoff)
        tracks.partitions_ensure()
    deleted, _details = PositionSample.objects.filter(at__lt=cutoff).delete()
    return dropped + deleted


def nearest_workers(
    *,
    user: User,
    lon: Any,
    lat: Any,
    radius_m: Any = DEFAULT_RADIUS_M,
    crs: str = "wgs84",
    limit: int = 50,
    open_tasks: Callable[[], Expression] | None = None,
) -> list[dict[str, Any]]:
    """On-duty field workers with a fresh position within `radius_m` of the point, nearest
    first and, at equal distance, fewest open tasks first. Read inside the user's scope.

    `open_tasks` gives the count of a worker's open tasks as an expression on the user row
    (events.dispatching.open_tasks_count): dispatch knows no events (decision 0022), and the
    count rides in the one query that reads the workers. Without it every count is 0."""

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
    index = position_index.positions
    index.sync()
    fresh = fresh_after()
    asked = 2 * limit + 10  # a few spares for anyone the index's hint lets through wrongly
    near = index.nearest(lon, lat, radius_m, prefix, fresh, asked)
    answer: list[dict[str, Any]] = []
    start = 0
    # Usually one round: the hint about a person is rarely stale, and a stale one only
    # costs another read of the next few.
    while len(answer) < limit:
        if start >= len(near):
            if len(near) < asked:
                break  # everyone within the radius has been looked at
            asked *= 4
            near = index.nearest(lon, lat, radius_m, prefix, fresh, asked)
            continue
        cut = near[start : start + limit - len(answer)]
        # Whoever ties with the last of them competes on open tasks too.
        end = start + len(cut)
        while end < len(near) and near[end][0] == cut[-1][0]:
            cut.append(near[end])
            end += 1
        start = end
        people = _field_people([user_id for _d, user_id, _at in cut], prefix, open_tasks)
        rows = sorted(
            (distance, people[user_id]["open_tasks"], user_id, at)
            for distance, user_id, at in cut
            if user_id in people
        )
        answer += [
            {**people[user_id], "distance_m": distance, "at": at.isoformat()}
            for distance, _open, user_id, at in rows
        ]
    return answer[:limit]


def people_rows(
    people,
    open_tasks: Callable[[], Expression] | None,
    extra: tuple[str, ...] = (),
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Field people as the dispatcher sees them (name, grid, role, phone, open tasks, and
    the `extra` fields asked for), in one query; `people` is a User queryset, narrowed."""
    count = open_tasks() if open_tasks else Value(0, output_field=IntegerField())
    fields = ("first_name", "last_name", "username", "role", "area__code", "area__name")
    fields += ("area__path", "phone", "open_tasks", "pk", *extra)
    answer = []
    for row in people.annotate(open_tasks=count).values_list(*fields)[:limit]:
        first, last, username, role, code, grid_name, path, phone, n, pk = row[:10]
        answer.append(
            {
                "id": pk,
                "name": full_name(last, first) or username,
                "role": role,
                "grid_code": code,
                "grid_name": grid_name,
                "grid_path": path,
                "phone": phone or None,
                "open_tasks": n,
                **dict(zip(extra, row[10:], strict=True)),
            }
        )
    return answer


def _field_people(
    ids: list[int], prefix: str, open_tasks: Callable[[], Expression] | None
) -> dict[int, dict[str, Any]]:
    """Those of `ids` who are on duty, active field staff in scope right now, with their
    names and open tasks: one query (the index's hint about them may be seconds old)."""
    people = User.objects.filter(
        pk__in=ids, is_active=True, role__in=FIELD_ROLES, position__on_duty=True
    )
    if prefix:
        people = people.filter(area__path__startswith=prefix)
    return {row["id"]: row for row in people_rows(people, open_tasks)}
