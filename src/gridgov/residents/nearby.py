"""Open reports of one kind near a point, as the public may see them (issue 11): the "me
too" prompt a resident sees before sending a report that is probably there already.

Cheap at any history: the subclass, the open states (the partial index `event_open_rep`
holds only them, a few percent of the table) and a box around the point narrow the rows in
SQL, like intake's `likely_duplicate`; the exact distance is measured in Python on at most
`CANDIDATES` rows. Only what the publication rule lets anyone read, less what the center
hid, with the text scrubbed (or as the center worded it).
"""

import math
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils.translation import gettext as _

from gridgov.areas.coords import to_wgs84
from gridgov.areas.geometry import haversine_m
from gridgov.common.errors import DomainError
from gridgov.events.catalog_cache import catalog
from gridgov.events.models import Event, Subclass
from gridgov.events.workflow import OPEN_OR_NEW
from gridgov.open311.publication import PUBLIC_SOURCES, public_text, published_events
from gridgov.residents.models import Follow

MIN_RADIUS_M = 200
MAX_RESULTS = 10
# Rows read from the box at most, newest first: a box holds few open reports of one kind;
# this bounds the work if a street is flooded with them.
CANDIDATES = 200
PUBLIC_TEXT_CHARS = 200


@dataclass(frozen=True)
class Nearby:
    number: str
    subclass_name: str
    public_text: str
    distance_m: int
    reported_at: datetime
    followers: int


def public_events(queryset):
    """The events of `queryset` anyone may see: the subclass's publication rule, less those
    the center hid (a PublicView with hidden=True)."""
    return published_events(queryset).exclude(public_view__hidden=True)


def may_be_seen_by_public(event: Event) -> bool:
    """The same rule as `public_events` for one event already read."""
    publication = event.subclass.publication
    if publication == Subclass.Publication.NONE:
        return False
    if publication == Subclass.Publication.PUBLIC_SOURCES and event.source not in PUBLIC_SOURCES:
        return False
    try:
        return not event.public_view.hidden
    except Event.public_view.RelatedObjectDoesNotExist:  # no row: nobody hid it
        return True


def _subclass(code: str) -> Subclass:
    subclass = catalog().active_subclass(str(code or "").strip())
    if subclass is None:
        raise DomainError(
            _("Unknown event subclass %(code)r.") % {"code": code},
            code="unknown_subclass",
            field="subclass",
        )
    return subclass


def reports_nearby(*, lon: float, lat: float, subclass_code: str, crs: str = "wgs84") -> list:
    """Up to MAX_RESULTS open public reports of the subclass within its duplicate radius (at
    least MIN_RADIUS_M) of the point, nearest first. `crs`: the point's system (a phone's
    GCJ-02 is converted here, at the edge)."""
    subclass = _subclass(subclass_code)
    lon, lat = to_wgs84(lon, lat, crs)
    if subclass.publication == Subclass.Publication.NONE:
        return []  # nothing of this kind is ever shown: no query
    radius = max(subclass.duplicate_radius_m, MIN_RADIUS_M)
    dlat = radius / 111_320
    dlon = radius / (111_320 * max(0.01, math.cos(math.radians(lat))))
    rows = Event.objects.filter(
        subclass=subclass,
        state__in=OPEN_OR_NEW,
        lon__range=(lon - dlon, lon + dlon),
        lat__range=(lat - dlat, lat + dlat),
    )
    if subclass.publication == Subclass.Publication.PUBLIC_SOURCES:
        rows = rows.filter(source__in=PUBLIC_SOURCES)
    rows = rows.exclude(public_view__hidden=True).order_by("-reported_at")[:CANDIDATES]
    found = []
    for row in rows.values(
        "id",
        "number",
        "lon",
        "lat",
        "reported_at",
        "description",
        "reporter_name",
        "public_view__public_text",
    ):
        distance = haversine_m(lon, lat, row["lon"], row["lat"])
        if distance <= radius:
            found.append((distance, row))
    found.sort(key=lambda item: (item[0], -item[1]["reported_at"].timestamp()))
    found = found[:MAX_RESULTS]
    followers = (
        dict(
            Follow.objects.filter(event_id__in=[row["id"] for _d, row in found])
            .values("event_id")
            .annotate(n=Count("id"))
            .values_list("event_id", "n")
        )
        if found
        else {}
    )
    return [
        Nearby(
            number=row["number"],
            subclass_name=subclass.name_zh,
            public_text=_public_wording(row)[:PUBLIC_TEXT_CHARS],
            distance_m=round(distance),
            reported_at=row["reported_at"],
            followers=followers.get(row["id"], 0),
        )
        for distance, row in found
    ]


def _public_wording(row: dict) -> str:
    """The center's wording when it gave one (moderated, already public), else the
    description scrubbed of phones, ID numbers, e-mail addresses and the reporter's name."""
    if row["public_view__public_text"]:
        return row["public_view__public_text"]
    return public_text(row["description"], names=(row["reporter_name"],))
