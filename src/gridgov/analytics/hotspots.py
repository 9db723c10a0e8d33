"""Hotspots: the H3 cells where many events were reported in a period (issue 13, decision
0037). One GROUP BY over the events of the user's area and period, on the cell stored at
intake (areas.hexes); coarser resolutions group the stored cell's parent, computed in SQL
by integer arithmetic, so the database returns one row per cell, never one per event.

The contract the command-center screen codes against is in docs/decisions/0037.
"""

import datetime as dt
import re
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import area_in_scope, require_capability, scope_path
from gridgov.analytics.kpis import EARLIEST, LATEST
from gridgov.areas import hexes
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, NotFound
from gridgov.events.models import CatalogClass, Event, Subclass
from gridgov.events.workflow import State

DEFAULT_DAYS = 30
MAX_DAYS = 366
# Three reports from one block in a month is no longer chance: the center looks at it. Kept
# the same at every resolution so that a number on the map means the same thing.
DEFAULT_MIN_COUNT = 3
MAX_CELLS = 500
TOP_SUBCLASSES = 3
# A false report or one the center refused to file says nothing about the place.
NOT_A_PROBLEM = (State.VOIDED, State.REJECTED)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def day_in_bounds(day: dt.date, field: str, code: str = "invalid_period") -> dt.date:
    """A day from outside within the years the rates, KPIs and reports accept, with their
    message: checked before any arithmetic, since a day after 9999-12-31 or a period before
    0001-01-01 overflows Python's dates (a 500, not the clear 400 the caller is owed)."""
    if not EARLIEST <= day <= LATEST:
        raise DomainError(
            _("A date between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST},
            code=code,
            field=field,
        )
    return day


def _when(text: str | dt.datetime | dt.date | None, field: str, *, end: bool) -> dt.datetime | None:
    """A bound of the period: an aware datetime as given, or a local day (its start, or the
    start of the next day when it ends the period: "until 2026-11-30" includes the 30th)."""
    if text is None or text == "":
        return None
    tz = timezone.get_default_timezone()
    if isinstance(text, dt.datetime):
        day_in_bounds(text.date(), field)
        return text if timezone.is_aware(text) else timezone.make_aware(text, tz)
    if isinstance(text, dt.date):
        day = text
    elif _DATE.match(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise DomainError(_("Not a date."), code="invalid_period", field=field) from None
    else:
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise DomainError(
                _("Give a date (2026-11-01) or a date and time."),
                code="invalid_period",
                field=field,
            ) from None
        day_in_bounds(value.date(), field)
        return value if timezone.is_aware(value) else timezone.make_aware(value, tz)
    day_in_bounds(day, field)
    if end:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def period_window(
    since: str | dt.datetime | dt.date | None,
    until: str | dt.datetime | dt.date | None,
    *,
    default_days: int = DEFAULT_DAYS,
) -> tuple[dt.datetime, dt.datetime]:
    """[since, until) of a request: the last `default_days` by default, at most MAX_DAYS."""
    start = _when(since, "since", end=False)  # read first: a bad since is named first
    end = _when(until, "until", end=True) or timezone.now()
    start = start or end - dt.timedelta(days=default_days)
    if start >= end:
        raise DomainError(
            _("The period must start before it ends."), code="invalid_period", field="since"
        )
    if end - start > dt.timedelta(days=MAX_DAYS):
        raise DomainError(
            _("The period may cover at most %(days)d days.") % {"days": MAX_DAYS},
            code="invalid_period",
            field="since",
        )
    return start, end


def area_for(user: User, code: str | None) -> Area | None:
    """The area a request names, if the user may read it. Unknown and out of scope answer
    alike (404): a code outside one's area must not tell whether it exists."""
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None or not area_in_scope(user, area):
        raise NotFound(field="area")
    return area


def subclass_for(code: str | None) -> Subclass | None:
    if not code:
        return None
    found = Subclass.objects.filter(code=code).first()
    if found is None:
        raise DomainError(_("Unknown event type."), code="unknown_subclass", field="subclass")
    return found


def category_for(category: int | None) -> CatalogClass | None:
    if category is None:
        return None
    found = CatalogClass.objects.filter(pk=category).first()
    if found is None:
        raise DomainError(_("Unknown category."), code="unknown_category", field="category")
    return found


def events_in_scope(
    *,
    user: User,
    since: dt.datetime,
    until: dt.datetime,
    area: Area | None = None,
    subclass: Subclass | None = None,
    category: CatalogClass | None = None,
) -> QuerySet:
    """The events a hotspot or recurrence counts: reported in [since, until) in the user's
    area (or `area` inside it), real problems only, placed on the map. Requires
    ANALYTICS_VIEW; a user without an area reads nothing."""
    require_capability(user, Capability.ANALYTICS_VIEW)
    prefix = area.path if area is not None else scope_path(user)
    events = Event.objects.filter(reported_at__gte=since, reported_at__lt=until).exclude(
        state__in=NOT_A_PROBLEM
    )
    if prefix is None:
        return events.none()
    if prefix:
        # The grid ids themselves (a city has a few thousand): the planner then reads the
        # (area, state, reported_at) index per grid instead of joining the area table.
        grids = Area.objects.filter(path__startswith=prefix).values_list("pk", flat=True)
        events = events.filter(area_id__in=list(grids))
    if subclass is not None:
        events = events.filter(subclass=subclass)
    if category is not None:
        events = events.filter(subclass__event_class=category)
    return events


def _subclass_name(row: dict) -> str:
    english = (get_language() or "").startswith("en")
    return row["name_en"] if english else row["name_zh"]


def hotspot_cells(
    *,
    user: User,
    since: str | dt.datetime | dt.date | None = None,
    until: str | dt.datetime | dt.date | None = None,
    subclass: str | None = None,
    category: int | None = None,
    area: Area | None = None,
    resolution: int = hexes.RESOLUTION,
    min_count: int | None = None,
) -> list[dict[str, Any]]:
    """The hotspot cells, most events first (at most MAX_CELLS); see `hotspots_geojson`."""
    return hotspots_report(
        user=user,
        since=since,
        until=until,
        subclass=subclass,
        category=category,
        area=area,
        resolution=resolution,
        min_count=min_count,
    )["cells"]


def hotspots_report(
    *,
    user: User,
    since: str | dt.datetime | dt.date | None = None,
    until: str | dt.datetime | dt.date | None = None,
    subclass: str | None = None,
    category: int | None = None,
    area: Area | None = None,
    resolution: int = hexes.RESOLUTION,
    min_count: int | None = None,
) -> dict[str, Any]:
    """{"meta": …, "cells": [{cell, count, share, top_subclasses, boundary}]}: the cells at
    `resolution` with at least `min_count` events in the period. Five queries whatever the
    number of events: the total, the hotspot cells, their number, their subclasses, names."""
    require_capability(user, Capability.ANALYTICS_VIEW)
    if resolution not in hexes.RESOLUTIONS:
        raise DomainError(
            _("Resolution must be 7, 8 or 9."), code="invalid_resolution", field="resolution"
        )
    min_count = DEFAULT_MIN_COUNT if min_count is None else min_count
    if min_count < 1:
        raise DomainError(_("The threshold must be at least 1."), field="min_count")
    if area is not None and not area_in_scope(user, area):
        raise NotFound(field="area")
    start, end = period_window(since, until)
    events = events_in_scope(
        user=user,
        since=start,
        until=end,
        area=area,
        subclass=subclass_for(subclass),
        category=category_for(category),
    ).filter(h3_cell__isnull=False)
    offset, mask = hexes.parent_offset_and_mask(resolution)
    placed = events.annotate(hex=(F("h3_cell") - offset).bitor(mask) if offset else F("h3_cell"))
    total = placed.count()
    grouped = placed.values("hex").annotate(n=Count("id")).filter(n__gte=min_count).order_by()
    found = grouped.count() if total else 0
    rows = list(grouped.order_by("-n", "hex")[:MAX_CELLS]) if found else []
    cells = [row["hex"] for row in rows]
    top = _top_subclasses(placed, cells)
    return {
        "meta": {
            "since": start.isoformat(),
            "until": end.isoformat(),
            "resolution": resolution,
            "min_count": min_count,
            "total": total,
            "cells": found,
            "truncated": found > len(rows),
        },
        "cells": [
            {
                "cell": hexes.cell_hex(row["hex"]),
                "count": row["n"],
                "share": round(row["n"] / total, 4),
                "top_subclasses": top.get(row["hex"], []),
                "boundary": hexes.boundary(row["hex"]),
            }
            for row in rows
        ],
    }


def _top_subclasses(placed: QuerySet, cells: list[int]) -> dict[int, list[dict]]:
    """The TOP_SUBCLASSES most reported kinds of each cell (one GROUP BY, one name read)."""
    if not cells:
        return {}
    rows = (
        placed.filter(Q(hex__in=cells))
        .values("hex", "subclass_id")
        .annotate(n=Count("id"))
        .order_by("hex", "-n", "subclass_id")
    )
    per_cell: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        kinds = per_cell.setdefault(row["hex"], [])
        if len(kinds) < TOP_SUBCLASSES:
            kinds.append((row["subclass_id"], row["n"]))
    ids = {pk for kinds in per_cell.values() for pk, _n in kinds}
    names = {
        row["pk"]: row
        for row in Subclass.objects.filter(pk__in=ids).values("pk", "code", "name_zh", "name_en")
    }
    return {
        cell: [
            {"code": names[pk]["code"], "name": _subclass_name(names[pk]), "count": n}
            for pk, n in kinds
        ]
        for cell, kinds in per_cell.items()
    }


def hotspots_geojson(**kwargs: Any) -> dict[str, Any]:
    """The hotspots as a GeoJSON FeatureCollection (the contract of decision 0037): one
    hexagon Polygon per cell, [lon, lat], with its count, share and top subclasses; "meta"
    (a foreign member, allowed by RFC 7946) says the period, threshold and totals."""
    report = hotspots_report(**kwargs)
    return {
        "type": "FeatureCollection",
        "meta": report["meta"],
        "features": [
            {
                "type": "Feature",
                "id": cell["cell"],
                "geometry": {"type": "Polygon", "coordinates": [cell["boundary"]]},
                "properties": {
                    "cell": cell["cell"],
                    "count": cell["count"],
                    "share": cell["share"],
                    "top_subclasses": cell["top_subclasses"],
                },
            }
            for cell in report["cells"]
        ],
    }
