"""The command center's panels beside the map (decision 0039): the alarm strip (urgent and
overdue events), on-duty workers per grid (and as dots when zoomed in), the newest camera
alerts with their snapshot and stream, and whistles still in progress with their chain.

Each panel is one bounded read of a few indexed queries, whatever the number of events:
lists are cut to what a wall shows and counted beside (the count says how many more)."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from gridgov.accounts.models import User, full_name
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import get_in_scope
from gridgov.dispatch.models import WorkerPosition
from gridgov.dispatch.services import FIELD_ROLES, fresh_after
from gridgov.events.models import Source, Summons, Urgency, Whistle
from gridgov.events.photos import Photo
from gridgov.events.screen import screen_events
from gridgov.events.services.whistles import DONE_FIELD, DUE_FIELD, STEP_NAMES, STEPS
from gridgov.events.whistle_chain import step_status
from gridgov.events.workflow import OPEN_OR_NEW, TERMINAL, State
from gridgov.registry.models import Camera

MAX_ALARMS = 12  # per kind: more do not fit on the strip; the totals say how many
MAX_DOTS = 500  # worker dots in a zoomed-in view
MAX_CAMERA_EVENTS = 4  # two rows of two snapshots
CAMERA_DAYS = 7
MAX_WHISTLES = 8

# Urgent: a subclass that is a danger to life or property, or filed at the top urgencies.
URGENT = Q(subclass__urgent=True) | Q(urgency__in=(Urgency.URGENT, Urgency.CRITICAL))
ALARM_FIELDS = (
    "id",
    "number",
    "subclass__name_zh",
    "area__name",
    "state",
    "reported_at",
    "stage_due_at",
    "lon",
    "lat",
)


def _alarm(row: dict) -> dict[str, Any]:
    due = row["stage_due_at"]
    return {
        "id": row["id"],
        "number": row["number"],
        "kind": row["subclass__name_zh"],
        "area": row["area__name"],
        "state_name": str(State(row["state"]).label),
        "reported_at": row["reported_at"].isoformat(),
        "due_at": due.isoformat() if due else None,
        "lon": row["lon"],
        "lat": row["lat"],
    }


def command_alarms(*, user: User) -> dict[str, Any]:
    """Open urgent events (newest first) and open events past their stage's deadline (the
    longest overdue first), each cut to MAX_ALARMS and counted: four queries."""
    visible, _prefix = screen_events(user)
    now = timezone.now()
    open_events = visible.filter(state__in=OPEN_OR_NEW).order_by()
    urgent = open_events.filter(URGENT)
    overdue = open_events.filter(stage_due_at__lt=now)
    return {
        "generated_at": now.isoformat(),
        "urgent_total": urgent.count(),
        "overdue_total": overdue.count(),
        "urgent": [
            _alarm(row)
            for row in urgent.order_by("-reported_at", "-id").values(*ALARM_FIELDS)[:MAX_ALARMS]
        ],
        "overdue": [
            _alarm(row)
            for row in overdue.order_by("stage_due_at", "id").values(*ALARM_FIELDS)[:MAX_ALARMS]
        ],
    }


def command_workers(
    *, user: User, bbox: tuple[float, float, float, float] | None = None
) -> dict[str, Any]:
    """On-duty workers with a fresh position, counted per grid (the district view: one
    figure per grid instead of hundreds of dots), and inside `bbox` up to MAX_DOTS of them
    as dots (the zoomed-in view). Two or three queries."""
    screen_events(user)
    positions = get_in_scope(
        user, WorkerPosition.objects.all(), Capability.POSITIONS_VIEW, area_field="user__area"
    ).filter(on_duty=True, at__gte=fresh_after(), user__is_active=True, user__role__in=FIELD_ROLES)
    grids = [
        {"code": code or "", "name": name or "", "count": n}
        for code, name, n in positions.order_by()
        .values_list("user__area__code", "user__area__name")
        .annotate(n=Count("user_id"))
        .order_by("user__area__code")
    ]
    dots: list[dict[str, Any]] = []
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        rows = (
            positions.filter(lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat)
            .order_by("user_id")
            .values_list(
                "user_id",
                "user__last_name",
                "user__first_name",
                "user__username",
                "lon",
                "lat",
                "user__area__code",
            )[: MAX_DOTS + 1]
        )
        dots = [
            {
                "id": uid,
                "name": full_name(last, first) or username,
                "lon": lon,
                "lat": lat,
                "grid": grid or "",
            }
            for uid, last, first, username, lon, lat, grid in rows
        ]
    return {
        "generated_at": timezone.now().isoformat(),
        "total": sum(g["count"] for g in grids),
        "grids": grids,
        "dots": dots[:MAX_DOTS],
        "dots_complete": len(dots) <= MAX_DOTS,
    }


def command_cameras(*, user: User) -> dict[str, Any]:
    """The newest camera alerts of the last CAMERA_DAYS days: the snapshot is the event's
    first photo, else the platform's snapshot link the webhook stored (`extra.snapshot_url`,
    checked as a web address at intake); the stream is the registered camera's `stream_url`
    (registry.Camera, found by `extra.camera_id`). Four queries."""
    visible, _prefix = screen_events(user)
    now = timezone.now()
    recent = visible.filter(
        source=Source.CAMERA, reported_at__gte=now - dt.timedelta(days=CAMERA_DAYS)
    )
    rows = list(
        recent.order_by("-reported_at", "-id").values(
            "id", "number", "subclass__name_zh", "area__name", "state", "reported_at", "extra"
        )[:MAX_CAMERA_EVENTS]
    )
    photos: dict[int, str] = {}
    for event_id, key in (
        Photo.objects.filter(event_id__in=[r["id"] for r in rows])
        .order_by("event_id", "-pk")
        .values_list("event_id", "key")
    ):
        photos[event_id] = reverse("photo_file", args=[key])  # the first photo wins
    codes = {str((r["extra"] or {}).get("camera_id") or "") for r in rows} - {""}
    cameras = {
        code: (name, stream or "")
        for code, name, stream in Camera.objects.filter(code__in=codes).values_list(
            "code", "name", "stream_url"
        )
    }
    events = []
    for r in rows:
        extra = r["extra"] if isinstance(r["extra"], dict) else {}
        code = str(extra.get("camera_id") or "")
        name, stream = cameras.get(code, (code, ""))
        snapshot = photos.get(r["id"]) or str(extra.get("snapshot_url") or "")
        events.append(
            {
                "id": r["id"],
                "number": r["number"],
                "kind": r["subclass__name_zh"],
                "area": r["area__name"],
                "state_name": str(State(r["state"]).label),
                "reported_at": r["reported_at"].isoformat(),
                "camera": name,
                "snapshot_url": snapshot,
                "stream_url": stream,
            }
        )
    return {
        "generated_at": now.isoformat(),
        "total": recent.order_by().count(),
        "days": CAMERA_DAYS,
        "events": events,
    }


def command_whistles(*, user: User) -> dict[str, Any]:
    """Whistles (吹哨) on open events with a summoned department not yet reported back,
    newest first, each with its chain: every department's three deadlines timed (the event
    page's chain, events/whistle_chain.py). Three queries."""
    visible, _prefix = screen_events(user)
    now = timezone.now()
    waiting = Summons.objects.filter(reported_at__isnull=True).values("whistle_id")
    in_progress = (
        Whistle.objects.filter(event__in=visible, pk__in=waiting)
        .exclude(event__state__in=TERMINAL)
        .order_by()
    )
    whistles = list(
        in_progress.select_related("event", "event__subclass", "event__area").order_by(
            "-at", "-id"
        )[:MAX_WHISTLES]
    )
    by_id = {w.pk: w for w in whistles}
    chains: dict[int, list[dict[str, Any]]] = {w.pk: [] for w in whistles}
    for s in (
        Summons.objects.filter(whistle__in=whistles)
        .select_related("department")
        .order_by("whistle_id", "pk")
    ):
        whistle = by_id[s.whistle_id]
        steps = []
        for step in STEPS:
            status = step_status(
                getattr(s, DUE_FIELD[step]), getattr(s, DONE_FIELD[step]), now, whistle.at
            )
            due = status["due"]
            steps.append(
                {
                    "step": step,
                    "name": str(STEP_NAMES[step]),
                    "status": status["status"],
                    "due": due.isoformat() if due else None,
                    "by": str(status["by"]),
                }
            )
        chains[s.whistle_id].append({"department": s.department.name, "steps": steps})
    return {
        "generated_at": now.isoformat(),
        "total": in_progress.count(),
        "whistles": [
            {
                "id": w.pk,
                "event_id": w.event_id,
                "number": w.event.number,
                "kind": w.event.subclass.name_zh if w.event.subclass_id else "",
                "area": w.event.area.name if w.event.area_id else "",
                "level_name": str(w.get_level_display()),
                "at": w.at.isoformat(),
                "reason": w.reason[:200],
                "summonses": chains[w.pk],
            }
            for w in whistles
        ],
    }
