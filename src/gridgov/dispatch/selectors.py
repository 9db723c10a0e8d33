"""What the dispatcher sees beside an event: nearest workers, the grid's sunk departments and
linked units, the offers made so far, and how to reach each person."""

from typing import Any

from django.conf import settings

from gridgov.accounts.models import User
from gridgov.dispatch.services import DEFAULT_RADIUS_M, nearest_workers


def meeting_url(worker_id: int, event_number: str) -> str | None:
    """Video hand-off: a configurable meeting-room URL (e.g. a self-hosted Jitsi) per worker."""
    template = getattr(settings, "GRIDGOV_MEETING_URL", "")
    if not template:
        return None
    return template.format(worker=worker_id, event=event_number)


def dispatch_panel(
    *, user: User, event, radius_m: float = DEFAULT_RADIUS_M, limit: int = 10
) -> dict[str, Any]:
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
                for u in d.staff.filter(is_active=True)
            ],
        }
        for d in grid.sunk_departments.all().order_by("name")
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
