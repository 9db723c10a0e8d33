"""Dispatch seen from an event: the panel beside it, the workers one may offer it to, a
worker's live tasks. It sits above gridgov.dispatch (decision 0022): dispatch knows workers,
positions and distances; what an event adds (open tasks, the admission list, offers) is
here, handed down to dispatch as a count expression when it must ride in dispatch's query."""

from typing import Any

from django.db.models import Count, Expression, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import require_capability
from gridgov.common.errors import NotFound
from gridgov.dispatch import selectors as dispatch_selectors
from gridgov.dispatch.services import DEFAULT_RADIUS_M, FIELD_ROLES
from gridgov.events.models import Assignment, Event
from gridgov.events.selectors import handles
from gridgov.events.workflow import TERMINAL, State


def open_tasks_count() -> Expression:
    """A worker's open events as an expression on the user row (OuterRef "pk"), so dispatch
    counts them inside the one query that reads the workers: no query per worker."""
    # The open states named, not "not terminal": a worker leads thousands of closed events
    # after a year, and only `state IN (...)` lets the (assignee, state) index skip them.
    not_terminal = [state for state in State.values if state not in TERMINAL]
    per_worker = (
        Event.objects.filter(assignee_id=OuterRef("pk"), state__in=not_terminal)
        .order_by()  # Event's default ordering would split the group
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(per_worker), 0)


def offer_refusal(event: Event, worker: dict[str, Any]) -> str | None:
    """Why the dispatch service would refuse to offer the event to this field worker, or
    None: the same rules as events.services (area, then the admission list), said before
    the dispatcher ticks instead of after they submit."""
    if worker.get("role") not in FIELD_ROLES:
        return _("Not a grid worker.")
    path = worker.get("grid_path")
    if not path or not event.area.path.startswith(path):
        return _("Works in another grid (%(grid)s); cannot take this event's area.") % {
            "grid": worker.get("grid_name") or worker.get("grid_code") or "—"
        }
    if not event.subclass.in_grid_list:
        # 入格事项清单: only listed matters may be given to grid staff.
        return _("%(kind)s is not on the grid admission list; dispatch it to a department.") % {
            "kind": event.subclass.name_zh
        }
    return None


def _judge(event: Event, workers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for worker in workers:
        worker["reason"] = offer_refusal(event, worker)
        worker["allowed"] = worker["reason"] is None
    return workers


def workers_nearest(
    *,
    user: User,
    lon: Any,
    lat: Any,
    radius_m: Any = DEFAULT_RADIUS_M,
    crs: str = "wgs84",
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The nearest on-duty workers with their open tasks (ties go to the less busy)."""
    return dispatch_selectors.workers_nearest(
        user=user,
        lon=lon,
        lat=lat,
        radius_m=radius_m,
        crs=crs,
        limit=limit,
        open_tasks=open_tasks_count,
    )


def _panel_event(user: User, event: Event) -> None:
    require_capability(user, Capability.POSITIONS_VIEW)
    if not handles(user, event):
        raise NotFound(_("No event #%(id)s.") % {"id": event.pk})


def dispatch_panel(
    *, user: User, event: Event, radius_m: float = DEFAULT_RADIUS_M, limit: int = 10
) -> dict[str, Any]:
    """Staff names and phones around an event: for those who may see where workers are and
    who handle this event (in their area); never for its reporter as such. Each worker says
    whether the event may be offered to them, and if not, why."""
    _panel_event(user, event)
    workers = workers_nearest(
        user=user, lon=event.lon, lat=event.lat, radius_m=radius_m, limit=limit
    )
    for worker in _judge(event, workers):
        worker["tel"] = f"tel:{worker['phone']}" if worker.get("phone") else None
        worker["meeting_url"] = dispatch_selectors.meeting_url(worker["id"], event.number)
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
    units = [
        {"id": u.pk, "name": u.name, "phone": u.phone or None}
        for u in grid.linked_units.all().order_by("name")[:20]
    ]
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
        "grid_name": grid.name,
        "grid_code": grid.code,
        "workers": workers,
        "departments": departments,
        "units": units,
        "offers": offers,
    }


def dispatch_search(*, user: User, event: Event, q: Any, limit: int = 20) -> list[dict[str, Any]]:
    """Field workers of the user's area found by name, wherever they are (the panel only
    lists those within 2 km): distance to the event when their position is fresh, whether
    they are on duty, their open tasks, and whether the event may be offered to them."""
    _panel_event(user, event)
    found = dispatch_selectors.workers_by_name(
        user=user, q=q, lon=event.lon, lat=event.lat, limit=limit, open_tasks=open_tasks_count
    )
    # Who may take it first (stable: on duty and nearest first within each).
    return sorted(_judge(event, found), key=lambda worker: not worker["allowed"])


def tasks_for(*, user: User) -> list[dict[str, Any]]:
    """A worker's live tasks: events offered to them or accepted, newest first."""
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


def search_widget(event: Event) -> dict[str, Any]:
    """What the page's name search needs (events/_dispatch_choice.html, web/event.js): its
    URL and its words, handed to the script as JSON (no inline script: CSP)."""
    return {
        "worker_search_url": reverse("api:dispatch_workers_search", args=[event.pk]),
        "dispatch_strings": {
            "short": _("Type at least one Chinese character or two letters of the name."),
            "searching": _("Searching…"),
            "none": _("Nobody of your area has this name."),
            "found": _("Found: %(n)s"),
            "tasks": _("open tasks: %(n)s"),
            "onDuty": _("on duty"),
            "offDuty": _("off duty"),
            "noPosition": _("no fresh position"),
            "listed": _("listed above"),
            "call": _("Call"),
        },
    }
