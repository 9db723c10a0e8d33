"""What dispatch reads: the nearest workers, field workers found by name, a worker's track,
and how to reach each person. Nothing here knows events (decision 0022): the panel beside
an event and a worker's tasks are in events/dispatching.py, which hands its open-task count
down as an expression."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Expression, Q
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User, has_cjk
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, require_capability, scope_path
from gridgov.areas.geometry import haversine_m
from gridgov.common.errors import DomainError, NotFound
from gridgov.common.when import day_check
from gridgov.dispatch.models import PositionSample
from gridgov.dispatch.services import (
    DEFAULT_RADIUS_M,
    FIELD_ROLES,
    fresh_after,
    nearest_workers,
    people_rows,
)

SEARCH_MAX_CHARS = 30
POSITION = ("position__lon", "position__lat", "position__at", "position__on_duty")


def meeting_url(worker_id: int, event_number: str) -> str | None:
    """Video hand-off: a configurable meeting-room URL (e.g. a self-hosted Jitsi) per worker."""
    template = getattr(settings, "GRIDGOV_MEETING_URL", "")
    if not template:
        return None
    return template.format(worker=worker_id, event=event_number)


def workers_nearest(
    *,
    user: User,
    lon: Any,
    lat: Any,
    radius_m: Any = DEFAULT_RADIUS_M,
    crs: str = "wgs84",
    limit: int = 50,
    open_tasks: Callable[[], Expression] | None = None,
) -> list[dict[str, Any]]:
    """Where the on-duty workers near a point are, with their phones: for those who
    dispatch and lead workers (the positions capability), inside their area."""
    require_capability(user, Capability.POSITIONS_VIEW)
    return nearest_workers(
        user=user,
        lon=lon,
        lat=lat,
        radius_m=radius_m,
        crs=crs,
        limit=limit,
        open_tasks=open_tasks,
    )


def _search_text(q: Any) -> str:
    text = " ".join(str(q or "").split())
    if len(text) > SEARCH_MAX_CHARS:
        raise DomainError(
            _("Search with at most %(n)s characters.") % {"n": SEARCH_MAX_CHARS}, field="q"
        )
    # One Chinese character is a family name already; one latin letter matches everyone.
    if not (has_cjk(text) or len(text) >= 2):
        raise DomainError(
            _("Type at least one Chinese character or two letters of the name."), field="q"
        )
    return text


def workers_by_name(
    *,
    user: User,
    q: Any,
    lon: float | None = None,
    lat: float | None = None,
    limit: int = 20,
    open_tasks: Callable[[], Expression] | None = None,
) -> list[dict[str, Any]]:
    """Active field workers of the user's area whose name (or account) holds `q`, however
    far away: with whether they are on duty now and, when their position is fresh, their
    distance to the point. On duty first, then nearest, then by name. One query."""
    require_capability(user, Capability.POSITIONS_VIEW)
    text = _search_text(q)
    prefix = scope_path(user)
    if prefix is None:
        return []
    people = User.objects.filter(is_active=True, role__in=FIELD_ROLES).annotate(
        written=Concat("last_name", "first_name")
    )
    if prefix:
        people = people.filter(area__path__startswith=prefix)
    people = people.filter(
        Q(written__icontains=text.replace(" ", ""))
        | Q(first_name__icontains=text)
        | Q(last_name__icontains=text)
        | Q(username__istartswith=text)
    ).order_by("last_name", "first_name", "pk")
    fresh = fresh_after()
    found = []
    for row in people_rows(people, open_tasks, POSITION, limit=max(1, min(limit, 50))):
        p_lon, p_lat, at, on_duty = (row.pop(name) for name in POSITION)
        current = at is not None and at >= fresh
        row["on_duty"] = bool(current and on_duty)
        row["at"] = at.isoformat() if at else None
        row["distance_m"] = (
            round(haversine_m(lon, lat, p_lon, p_lat), 1)
            if current and lon is not None and lat is not None
            else None
        )
        found.append(row)
    far = float("inf")
    found.sort(
        key=lambda r: (not r["on_duty"], r["distance_m"] if r["distance_m"] is not None else far)
    )
    return found


def worker_track(*, user: User, worker_id: int, day: Any = None) -> list[dict[str, Any]]:
    """A worker's patrol track for one local day (default today), the positions in order.
    The worker reads their own; those with the positions capability the workers of their
    area; anyone else is told there is no such worker (not that it exists elsewhere)."""
    worker = User.objects.select_related("area").filter(pk=worker_id).first()
    prefix = scope_path(user)
    own = worker is not None and worker.pk == user.pk
    in_area = (
        worker is not None
        and prefix is not None
        and can(user, Capability.POSITIONS_VIEW)
        and (prefix == "" or (worker.area_id is not None and worker.area.path.startswith(prefix)))
    )
    if not (own or in_area):
        raise NotFound(_("No such worker."))
    if day in (None, ""):
        day = timezone.localdate()
    elif isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            raise DomainError(_("date must be YYYY-MM-DD."), field="date") from None
    day_check(day, field="date")
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    rows = PositionSample.objects.filter(
        user=worker, at__gte=start, at__lt=start + dt.timedelta(days=1)
    ).order_by("at")
    return [
        {"lon": lon, "lat": lat, "accuracy_m": accuracy, "at": at.isoformat()}
        for lon, lat, accuracy, at in rows.values_list("lon", "lat", "accuracy_m", "at")[:20000]
    ]
