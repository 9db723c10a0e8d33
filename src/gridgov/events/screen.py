"""The command center's big screen: one read of everything it shows, cheap enough to poll
every few seconds — open events with their deadline colour, counts per area, on-duty workers,
today's rates and a two-week trend."""

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import get_in_scope, require_capability, scope_path
from gridgov.areas.models import Area
from gridgov.common.errors import PermissionDenied
from gridgov.dispatch.models import WorkerPosition
from gridgov.dispatch.services import FIELD_ROLES, fresh_after
from gridgov.events import rates
from gridgov.events.calendar import WorkingCalendar, deadline_colour
from gridgov.events.models import Event
from gridgov.events.workflow import OPEN_STATES, State

MAX_MARKERS = 3000
TREND_DAYS = 14


def screen_summary(*, user: User, level: str = "grid") -> dict[str, Any]:
    """Only for the command center, leaders and area staff (the screen capability): it shows
    every open event of the area and where each on-duty worker is right now."""
    require_capability(user, Capability.SCREEN_VIEW)
    if scope_path(user) is None:
        raise PermissionDenied(_("Your account has no area: there is nothing to show."))
    now = timezone.now()
    calendar = WorkingCalendar.from_database()
    # The area's events only: a department's events elsewhere are not the area's picture.
    visible = get_in_scope(user, Event.objects.all(), Capability.EVENTS_VIEW)
    root_depth = user.area.depth if user.area_id else -1

    open_rows = list(
        visible.filter(state__in=(State.REPORTED, *OPEN_STATES))
        .order_by("-reported_at")
        .values(
            "id",
            "number",
            "lon",
            "lat",
            "state",
            "stage_started_at",
            "stage_due_at",
            "area__path",
            "subclass__name_zh",
            "reported_at",
        )[:MAX_MARKERS]
    )
    # Colour open events by the area at the shown level: the grid, or the level below the root.
    by_area: dict[str, Counter] = defaultdict(Counter)
    events = []
    for row in open_rows:
        colour = deadline_colour(row["stage_started_at"], row["stage_due_at"], now, calendar)
        codes = [c for c in row["area__path"].strip("/").split("/") if c]
        key = codes[-1] if level == "grid" else codes[min(len(codes) - 1, root_depth + 1)]
        by_area[key]["open"] += 1
        if colour in ("yellow", "red"):
            by_area[key][colour] += 1
        events.append(
            {
                "id": row["id"],
                "number": row["number"],
                "lon": row["lon"],
                "lat": row["lat"],
                "state": row["state"],
                "state_name": str(State(row["state"]).label),
                "kind": row["subclass__name_zh"],
                "deadline": colour,
                "reported_at": row["reported_at"].isoformat(),
            }
        )

    positions = get_in_scope(
        user, WorkerPosition.objects.all(), Capability.POSITIONS_VIEW, area_field="user__area"
    )
    workers = [
        {"id": uid, "name": first or username, "lon": lon, "lat": lat}
        for uid, first, username, lon, lat in positions.filter(
            on_duty=True,
            at__gte=fresh_after(),
            user__is_active=True,
            user__role__in=FIELD_ROLES,
        ).values_list("user_id", "user__first_name", "user__username", "lon", "lat")
    ]

    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today_rows = list(visible.filter(reported_at__gte=today).values(*rates.FIELDS))
    today_rates = rates.rates_for(today_rows, calendar)
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
    names = dict(Area.objects.filter(code__in=list(by_area)).values_list("code", "name"))
    return {
        "generated_at": now.isoformat(),
        "root": user.area.code if user.area_id else None,
        "open_total": sum(c["open"] for c in by_area.values()),
        "areas": {
            code: {"name": names.get(code, code), **counts} for code, counts in by_area.items()
        },
        "events": events,
        "workers": workers,
        "today": {
            "reported": today_rates["counts"]["reported"],
            "closed": today_rates["counts"]["closed"],
            "closure_rate": today_rates["closure_rate"],
            "on_time_closure_rate": today_rates["on_time_closure_rate"],
            "satisfaction_rate": today_rates["satisfaction_rate"],
        },
        "trend": {
            "days": [d.isoformat() for d in days],
            "reported": [reported.get(d, 0) for d in days],
            "closed": [closed.get(d, 0) for d in days],
        },
    }
