"""The command center's big screen: one read of everything it shows, cheap enough to poll
every few seconds — open events with their deadline colour, counts per area, on-duty workers,
today's rates and a two-week trend."""

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gridgov.accounts.models import User, full_name
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import (
    EVERYWHERE,
    can,
    get_in_scope,
    require_capability,
    scope_path,
)
from gridgov.areas.models import Area
from gridgov.common.errors import PermissionDenied
from gridgov.common.lookups import IdArray
from gridgov.common.unavailable import UNAVAILABLE_ERRORS
from gridgov.dispatch.models import WorkerPosition
from gridgov.dispatch.services import FIELD_ROLES, fresh_after
from gridgov.events import rates, whistle_chain
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.models import Event
from gridgov.events.selectors import subtree_ids
from gridgov.events.workflow import OPEN_OR_NEW, State

# What the map can show at once: markers beyond this are counted per grid, not sent one by
# one (the payload stays the same size whether 300 or 300,000 events are open).
MAX_MARKERS = 300
MAX_ALARMS = 20  # open urgent events shown above the map (decision 0024)
TREND_DAYS = 14


def open_counts(open_events, now) -> list[tuple[int, int, int, int]]:
    """(area id, open, yellow, red) per grid with open events: one GROUP BY over the partial
    index of open events. Red is past the stage deadline; yellow what the deadline sweep
    marked (80% of the stage's working time used) and not yet red."""
    overdue = Q(stage_due_at__lt=now)
    return list(
        open_events.order_by()
        .values("area_id")
        .annotate(
            # Counting area_id (never null), not id: the id is not in the index, and the
            # counts then need no heap page (an index-only scan of ~200 pages at 1M events).
            open=Count("area_id"),
            yellow=Count("area_id", filter=Q(stage_warned="yellow") & ~overdue),
            red=Count("area_id", filter=overdue),
        )
        .values_list("area_id", "open", "yellow", "red")
    )


def _colour(row: dict, now) -> str:
    """The marker's light, by the same rule as the counts (no working-time arithmetic per row)."""
    due = row["stage_due_at"]
    if due is None:
        return ""
    if due < now:
        return "red"
    return "yellow" if row["stage_warned"] == "yellow" else "green"


def _alarms(open_events) -> list[dict[str, Any]]:
    """Open events of an urgent subclass (gas, collapse…), newest first: the screen shows
    them above everything else until they are closed."""
    return [
        {
            "id": row["id"],
            "number": row["number"],
            "kind": row["subclass__name_zh"],
            "area": row["area__name"],
            "state": row["state"],
            "state_name": str(State(row["state"]).label),
            "reported_at": row["reported_at"].isoformat(),
            "lon": row["lon"],
            "lat": row["lat"],
        }
        for row in open_events.filter(subclass__urgent=True)
        .order_by("-reported_at", "-id")
        .values(
            "id", "number", "subclass__name_zh", "area__name", "state", "reported_at", "lon", "lat"
        )[:MAX_ALARMS]
    ]


def screen_json_shared(
    *, user: User, level: str = "grid", bbox: tuple[float, float, float, float] | None = None
) -> bytes:
    """`screen_summary` as the API's JSON, shared for GRIDGOV_SCREEN_CACHE_SECONDS by everyone
    who would get the same answer. Every open screen polls every few seconds, and the screens
    of a command center all show the same area: one computes, the others read it (decision
    0015). What is kept is the encoded answer, checked against `ScreenOut` once when built:
    validating and encoding some 200 KB again at every poll was most of a shared poll's time.

    The key holds everything the answer depends on: the role and superuser flag decide the
    capabilities (events, positions), the area decides the scope; nothing else of the user
    is read. The check of the capability itself runs first, uncached."""
    from gridgov.events.schemas import ScreenOut

    require_capability(user, Capability.SCREEN_VIEW)

    def build() -> bytes:
        summary = screen_summary(user=user, level=level, bbox=bbox)
        return ScreenOut.model_validate(summary).model_dump_json().encode()

    seconds = getattr(settings, "GRIDGOV_SCREEN_CACHE_SECONDS", 3)
    if seconds <= 0:
        return build()
    key = "screen:" + ":".join(
        map(str, (user.is_superuser, user.role, user.area_id, level, bbox, translation_key()))
    )
    try:
        found = cache.get(key)
    except UNAVAILABLE_ERRORS:  # a cache outage costs speed, not the screen
        found = None
    if isinstance(found, bytes):
        return found
    body = build()
    try:
        cache.set(key, body, seconds)
    except UNAVAILABLE_ERRORS:
        pass
    return body


def translation_key() -> str:
    # State names and messages are translated into the answer.
    return get_language() or ""


def screen_events(user: User):
    """The events the screen (and each command-center panel) shows, and the user's area
    path: the area's events only, for those with the screen capability. A department's
    events elsewhere are not the area's picture."""
    require_capability(user, Capability.SCREEN_VIEW)
    prefix = scope_path(user)
    if prefix is None:
        raise PermissionDenied(_("Your account has no area: there is nothing to show."))
    if not can(user, Capability.EVENTS_VIEW):
        return Event.objects.none(), prefix
    if prefix == EVERYWHERE:
        return Event.objects.all(), prefix
    # The subtree's ids as a list: as a subquery the planner guesses 4 areas and loops
    # over all of them (decision 0015).
    return Event.objects.filter(area_id__any=IdArray(subtree_ids(user, prefix))), prefix


def screen_summary(
    *, user: User, level: str = "grid", bbox: tuple[float, float, float, float] | None = None
) -> dict[str, Any]:
    """Only for the command center, leaders and area staff (the screen capability): open
    events of the area counted per grid (or per area of the level below the root), the
    newest MAX_MARKERS of them inside `bbox` (min lon, min lat, max lon, max lat) as markers,
    where each on-duty worker is right now, today's rates and a two-week trend."""
    visible, prefix = screen_events(user)
    now = timezone.now()
    areas = Area.objects.filter(path__startswith=prefix)
    root_depth = user.area.depth if user.area_id else -1
    open_events = visible.filter(state__in=OPEN_OR_NEW)

    counts = open_counts(open_events, now)
    places = {
        pk: (code, path, name)
        for pk, code, path, name in areas.filter(
            pk__in=[area_id for area_id, *_n in counts]
        ).values_list("pk", "code", "path", "name")
    }
    by_area: dict[str, Counter] = defaultdict(Counter)
    names: dict[str, str] = {}
    for area_id, n_open, yellow, red in counts:
        code, path, name = places.get(area_id, ("?", "/?/", "?"))
        codes = [c for c in path.strip("/").split("/") if c]
        key = code if level == "grid" else codes[min(len(codes) - 1, root_depth + 1)]
        by_area[key].update(open=n_open, yellow=yellow, red=red)
        if key == code:
            names[key] = name
    missing = [key for key in by_area if key not in names]
    if missing:
        names |= dict(Area.objects.filter(code__in=missing).values_list("code", "name"))

    in_view = open_events
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        in_view = in_view.filter(
            lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat
        )
    events = [
        {
            "id": row["id"],
            "number": row["number"],
            "lon": row["lon"],
            "lat": row["lat"],
            "state": row["state"],
            "state_name": str(State(row["state"]).label),
            "kind": row["subclass__name_zh"],
            "deadline": _colour(row, now),
            "reported_at": row["reported_at"].isoformat(),
        }
        for row in in_view.order_by("-reported_at", "-id").values(
            "id",
            "number",
            "lon",
            "lat",
            "state",
            "stage_due_at",
            "stage_warned",
            "subclass__name_zh",
            "reported_at",
        )[:MAX_MARKERS]
    ]

    alarms = _alarms(open_events)

    positions = get_in_scope(
        user, WorkerPosition.objects.all(), Capability.POSITIONS_VIEW, area_field="user__area"
    )
    workers = [
        {"id": uid, "name": full_name(last, first) or username, "lon": lon, "lat": lat}
        for uid, last, first, username, lon, lat in positions.filter(
            on_duty=True,
            at__gte=fresh_after(),
            user__is_active=True,
            user__role__in=FIELD_ROLES,
        ).values_list(
            "user_id", "user__last_name", "user__first_name", "user__username", "lon", "lat"
        )
    ]

    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today_rows = list(visible.filter(reported_at__gte=today).values(*rates.FIELDS))
    today_rates = rates.rates_for(today_rows, WorkingCalendar.from_database())

    since = today - dt.timedelta(days=TREND_DAYS - 1)
    reported = dict(
        visible.filter(reported_at__gte=since)
        .order_by()  # the model's default ordering would split the groups
        .annotate(day=TruncDate("reported_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    closed = dict(
        visible.filter(closed_at__gte=since)
        .order_by()
        .annotate(day=TruncDate("closed_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    days = [(since + dt.timedelta(days=i)).date() for i in range(TREND_DAYS)]
    return {
        "generated_at": now.isoformat(),
        "root": user.area.code if user.area_id else None,
        "open_total": sum(c["open"] for c in by_area.values()),
        "areas": {code: {"name": names.get(code, code), **n} for code, n in by_area.items()},
        "events": events,
        "events_complete": len(events) < MAX_MARKERS,
        "alarms": alarms,
        "workers": workers,
        "today": {
            "reported": today_rates["counts"]["reported"],
            "closed": today_rates["counts"]["closed"],
            "closure_rate": today_rates["closure_rate"],
            "on_time_closure_rate": today_rates["on_time_closure_rate"],
            "satisfaction_rate": today_rates["satisfaction_rate"],
        },
        "whistles": whistle_chain.screen_block(visible, now),
        "trend": {
            "days": [d.isoformat() for d in days],
            "reported": [reported.get(d, 0) for d in days],
            "closed": [closed.get(d, 0) for d in days],
        },
    }
