"""What the dispatcher sees beside an event: nearest workers, the grid's sunk departments and
linked units, the offers made so far, and how to reach each person."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, require_capability, scope_path
from gridgov.common.errors import DomainError, NotFound
from gridgov.common.when import day_check
from gridgov.dispatch.models import PositionSample
from gridgov.dispatch.services import DEFAULT_RADIUS_M, nearest_workers
from gridgov.events.selectors import handles


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
) -> list[dict[str, Any]]:
    """Where the on-duty workers near a point are, with their phones: for those who
    dispatch and lead workers (the positions capability), inside their area."""
    require_capability(user, Capability.POSITIONS_VIEW)
    return nearest_workers(user=user, lon=lon, lat=lat, radius_m=radius_m, crs=crs, limit=limit)


def dispatch_panel(
    *, user: User, event, radius_m: float = DEFAULT_RADIUS_M, limit: int = 10
) -> dict[str, Any]:
    """Staff names and phones around an event: for those who may see where workers are and
    who handle this event (in their area); never for its reporter as such."""
    require_capability(user, Capability.POSITIONS_VIEW)
    if not handles(user, event):
        raise NotFound(_("No event #%(id)s.") % {"id": event.pk})
    workers = nearest_workers(
        user=user, lon=event.lon, lat=event.lat, radius_m=radius_m, limit=limit
    )
    for worker in workers:
        worker["tel"] = f"tel:{worker['phone']}" if worker.get("phone") else None
        worker["meeting_url"] = meeting_url(worker["id"], event.number)
    grid = event.area
    departments = [
        {
            "id": d.pk,
            "name": d.name,
            "phone": d.phone or None,
            "staff": [
                {"id": u.pk, "name": u.get_full_name() or u.username, "phone": u.phone or None}
                for u in d.staff.all()
            ],
        }
        # Staff of every department in one query, not one per department.
        for d in grid.sunk_departments.order_by("name").prefetch_related(
            Prefetch("staff", queryset=User.objects.filter(is_active=True).order_by("pk"))
        )
    ]
    units = [{"id": u.pk, "name": u.name} for u in grid.linked_units.all().order_by("name")[:20]]
    offers = [
        {
            "worker_id": a.worker_id,
            "worker": a.worker.get_full_name() or a.worker.username,
            "status": a.status,
            "status_name": str(a.get_status_display()),
            "reason": a.reason,
            "lead": a.worker_id == event.assignee_id,
        }
        for a in event.assignments.select_related("worker").order_by("offered_at", "pk")
    ]
    return {
        "radius_m": radius_m,
        "workers": workers,
        "departments": departments,
        "units": units,
        "offers": offers,
    }


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


def tasks_for(*, user: User) -> list[dict[str, Any]]:
    """A worker's live tasks: events offered to them or accepted, newest first."""
    from gridgov.events.models import Assignment
    from gridgov.events.services import TERMINAL

    rows = (
        Assignment.objects.filter(
            worker=user,
            status__in=(Assignment.Status.OFFERED, Assignment.Status.ACCEPTED),
        )
        .exclude(event__state__in=TERMINAL)
        .select_related("event", "event__subclass", "event__area")
        .order_by("-offered_at")[:200]
    )
    return [
        {
            "event_id": a.event_id,
            "number": a.event.number,
            "kind": a.event.subclass.name_zh,
            "description": a.event.description[:200],
            "address": a.event.address,
            "grid": a.event.area.name,
            "lon": a.event.lon,
            "lat": a.event.lat,
            "state": a.event.state,
            "version": a.event.version,
            "offer": a.status,
            "due_at": a.event.stage_due_at.isoformat() if a.event.stage_due_at else None,
        }
        for a in rows
    ]
