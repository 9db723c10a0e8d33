"""What anyone may read of reports (issue 11): the public map and list around a place.

A report is public when the publication rule of its subclass publishes it (open311's
`published_events`, the same rule Open311 clients read by) and the center has not hidden
it (PublicView.hidden). What is shown is moderated: the center's public wording or else the
scrubbed description, the location rounded unless the report is about a public facility,
only the photos the center approved, and the reporter's name only if they chose it.

Reads must stay fast with years of history. A small box is turned into the few areas whose
bounding boxes meet it (rows of the small area table), so only those areas' events are read
through the area index; a box over many areas holds reports densely, so the reported_at
index is walked newest first and stops at the limit. Only the columns shown are read.
"""

import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, NotFound
from gridgov.events.models import Event, Subclass
from gridgov.events.workflow import CLOSED_STATES, OPEN_OR_NEW, State
from gridgov.open311 import publication
from gridgov.residents import rules
from gridgov.residents.models import Follow, PublicView
from gridgov.residents.selectors_timeline import timeline_public

MAX_RADIUS_M = 5000
MAX_LIMIT = 200
# One degree of latitude in metres (the sphere of WGS84's mean radius).
METRES_PER_DEGREE = 111_195.0
# A box at most this wide either way (about 11 km): the public map shows a part of a city.
MAX_BOX_DEGREES = 0.1
# Up to this many areas, their events are read by area; beyond, newest first (see above).
# In the demo city a 500 m circle meets about 20 areas, a 5 km one about 400.
AREAS_READ_BY_AREA = 40
# The columns the public list shows (and what the scrubbing and rounding need).
SHOWN_FIELDS = (
    "number",
    "subclass__code",
    "subclass__name_zh",
    "subclass__public_facility",
    "component_id",
    "description",
    "reporter_name",
    "reporter__first_name",
    "reporter__last_name",
    "area_id",
    "lon",
    "lat",
    "state",
    "reported_at",
    "closed_at",
    "public_view__hidden",
    "public_view__public_text",
    "public_view__approved_photos",
    "public_view__reporter_named",
)

# "closed" on the public map: finished one way or the other. "open": being dealt with —
# exactly the states of the open events' partial index (event_open_rep), so that a filter on
# open reports walks that small index; paused ones (deferred, suspended) are in neither.
FINISHED_STATES = (*CLOSED_STATES, State.REJECTED, State.VOIDED)
UNDERWAY_STATES = OPEN_OR_NEW


def reports_public(queryset: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """The reports of `queryset` anyone may read: published by their subclass, not hidden."""
    queryset = Event.objects.all() if queryset is None else queryset
    return publication.published_events(queryset).exclude(public_view__hidden=True)


@dataclass(frozen=True)
class Box:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @classmethod
    def parse(cls, text: str) -> "Box":
        try:
            values = [float(part) for part in text.split(",")]
        except ValueError:
            values = []
        if len(values) != 4 or not all(math.isfinite(v) for v in values):
            raise DomainError(_("The box is not min lon,min lat,max lon,max lat."), field="bbox")
        box = cls(*values)
        if not (
            -180 <= box.min_lon < box.max_lon <= 180 and -90 <= box.min_lat < box.max_lat <= 90
        ):
            raise DomainError(_("The box is not min lon,min lat,max lon,max lat."), field="bbox")
        if (
            box.max_lon - box.min_lon > MAX_BOX_DEGREES
            or box.max_lat - box.min_lat > MAX_BOX_DEGREES
        ):
            raise DomainError(_("The box is too large: zoom in."), field="bbox")
        return box

    @classmethod
    def around(cls, lon: float, lat: float, radius_m: float) -> "Box":
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise DomainError(_("The point is not on the map."), field="lon")
        if not 0 < radius_m <= MAX_RADIUS_M:
            raise DomainError(
                _("The radius is from 1 to %(max)s metres.") % {"max": MAX_RADIUS_M},
                field="radius_m",
            )
        dlat = radius_m / METRES_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        return cls(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine), enough for a few kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(min(1.0, a)))


def _area_ids_meeting(box: Box) -> list[int]:
    """Areas whose bounding box meets `box`, and those without a geometry (an event can only
    lie in an area that has one, but a half-imported tree must not hide reports)."""
    return list(
        Area.objects.filter(
            Q(min_lon__isnull=True)
            | Q(
                min_lon__lte=box.max_lon,
                max_lon__gte=box.min_lon,
                min_lat__lte=box.max_lat,
                max_lat__gte=box.min_lat,
            )
        ).values_list("pk", flat=True)
    )


def reports_in_box(
    *, box: Box, subclass: str | None = None, state: str | None = None
) -> QuerySet[Event]:
    """Public reports inside `box`, newest first (a queryset, not yet cut to `limit`)."""
    queryset = Event.objects.filter(
        lon__gte=box.min_lon, lon__lte=box.max_lon, lat__gte=box.min_lat, lat__lte=box.max_lat
    )
    area_ids = _area_ids_meeting(box)
    if len(area_ids) <= AREAS_READ_BY_AREA:
        queryset = queryset.filter(area_id__in=area_ids)
    queryset = reports_public(queryset)
    if subclass:
        # By id, so that the (subclass, reported_at) index can serve the walk.
        subclass_id = Subclass.objects.filter(code=subclass).values_list("pk", flat=True).first()
        queryset = queryset.filter(subclass_id=subclass_id or 0)
    if state == "open":
        queryset = queryset.filter(state__in=UNDERWAY_STATES)
    elif state == "closed":
        queryset = queryset.filter(state__in=FINISHED_STATES)
    return (
        queryset.select_related("subclass", "public_view", "reporter")
        .only(*SHOWN_FIELDS)
        .order_by("-reported_at", "-id")
    )


def public_reports(
    *,
    box: Box,
    centre: tuple[float, float, float] | None = None,
    subclass: str | None = None,
    state: str | None = None,
    limit: int = 100,
) -> list[dict]:
    """The list of the public map: inside `box`, and within `centre` = (lon, lat, radius_m)
    when given (the box is the circle's; its corners are dropped here)."""
    limit = max(1, min(limit, MAX_LIMIT))
    # Over-read a little: the corners of a circle's box are about a fifth of it.
    wanted = math.ceil(limit * 1.3) if centre else limit
    fetched = list(reports_in_box(box=box, subclass=subclass, state=state)[:wanted])
    if centre is not None:
        lon, lat, radius = centre
        fetched = [e for e in fetched if distance_m(lon, lat, e.lon, e.lat) <= radius]
    events = fetched[:limit]
    followers = followers_of([e.pk for e in events])
    return [report_as_dict(e, followers=followers.get(e.pk, 0)) for e in events]


def followers_of(event_ids: list[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    return dict(
        Follow.objects.filter(event_id__in=event_ids)
        .values("event_id")
        .annotate(n=Count("id"))
        .values_list("event_id", "n")
    )


def public_report(number: str) -> dict:
    """One public report with its public timeline; NotFound when it is not public."""
    event = (
        reports_public(Event.objects.filter(number=number))
        .select_related("subclass", "public_view", "reporter")
        .first()
    )
    if event is None:
        raise NotFound(_("No public report %(number)s.") % {"number": number})
    data = report_as_dict(event, followers=followers_of([event.pk]).get(event.pk, 0))
    data["timeline"] = public_timeline(event)
    return data


def _view(event: Event) -> PublicView | None:
    try:
        return event.public_view
    except PublicView.DoesNotExist:
        return None


def public_wording(event: Event, view: PublicView | None = None) -> str:
    """The center's public wording, or the scrubbed description; scrubbed either way."""
    view = view if view is not None else _view(event)
    text = view.public_text if view is not None and view.public_text else event.description
    return publication.public_text(text, names=(event.reporter_name,))


def reporter_display_name(event: Event) -> str:
    if event.reporter_name:
        return event.reporter_name
    reporter: User | None = event.reporter
    if reporter is None:
        return ""
    return f"{reporter.last_name}{reporter.first_name}".strip()


def public_photo_url(key: str) -> str:
    return reverse("residents:public_photo", args=[key])


def report_as_dict(event: Event, *, followers: int) -> dict:
    view = _view(event)
    lat, lon = publication.public_point(event)
    return {
        "number": event.number,
        "subclass_name": event.subclass.name_zh,
        "public_text": public_wording(event, view),
        "lon": lon,
        "lat": lat,
        "public_state": rules.public_state(event.state),
        "reported_at": event.reported_at,
        "closed_at": event.closed_at,
        "photos": [public_photo_url(k) for k in (view.approved_photos if view else [])],
        "reporter_name": (reporter_display_name(event) or None)
        if view is not None and view.reporter_named
        else None,
        "followers": followers,
    }


def public_timeline(event: Event) -> list[dict]:
    """The resident's public timeline (the same steps and labels the reporter reads), each
    text scrubbed as the description is: anyone reads this one."""
    names = (event.reporter_name,)
    return [
        {**step, "text": publication.public_text(step["text"], names=names)}
        for step in timeline_public(list(event.timeline.order_by("at", "id")))
    ]
