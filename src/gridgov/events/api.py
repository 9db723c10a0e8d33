"""The events API: reports, the queue, actions of the closed loop, whistles, photos, rates."""

from typing import Annotated, Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Query, Router, Status, UploadedFile

from gridgov.analytics.selectors import rates_report
from gridgov.common.errors import DomainError
from gridgov.common.schemas import Id, Offset, When, errors, public_errors, upload
from gridgov.common.when import to_utc
from gridgov.events import alerts, classifier, keyset, rates, screen, selectors, services
from gridgov.events.models import Source
from gridgov.events.photos import MAX_BYTES, photo_store
from gridgov.events.schemas import (
    ActionIn,
    AlertOut,
    EventDetailOut,
    EventOut,
    EventPage,
    PhotoOut,
    PublicReportOut,
    RatesReportOut,
    ReportBackIn,
    ReportedBackOut,
    ReportIn,
    ScreenOut,
    SuggestionOut,
    SummonsCheckedInOut,
    WhistleBlownOut,
    WhistleIn,
)

router = Router(tags=["events"])

# Filters of the queue are short codes; a bound keeps hostile query strings cheap.
Code = Annotated[str, Field(max_length=64)]
# The queue's period: a local date or a date and time (events.keyset.period_bound).
PeriodBound = Annotated[
    str,
    Field(
        max_length=40,
        pattern=r"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$",
    ),
]
PhotoFile = upload("A JPEG, PNG or WebP photo")


@router.post(
    "/",
    response={201: EventOut, **errors(400, 403, 404, 409)},
    summary="Report an event (signed in)",
)
def event_report(request, payload: ReportIn):
    event = services.event_report(user=request.user, data=payload.dict(), source=payload.source)
    return Status(201, selectors.event_as_dict(event, request.user))


@router.post(
    "/public",
    auth=None,
    response={201: PublicReportOut, **public_errors(400, 404, 409, 429)},
    summary="Report an event without signing in (rate-limited)",
)
def event_report_public(request, payload: ReportIn):
    # Counted against the address's hourly budget by common.ratelimits before it gets here.
    event = services.event_report(user=None, data=payload.dict(), source=Source.RESIDENT)
    return Status(201, {"id": event.pk, "number": event.number, "state": event.state})


@router.post(
    "/alerts/{source}",
    auth=None,
    response={201: AlertOut, **public_errors(400, 403, 404, 409)},
    summary="Camera/sensor alert webhook (HMAC-signed)",
)
def event_alert(
    request,
    source: Annotated[str, Path(max_length=100)],
    signature: Annotated[str | None, Header(alias=alerts.SIGNATURE_HEADER, max_length=200)] = None,
    timestamp: Annotated[str | None, Header(alias=alerts.TIMESTAMP_HEADER, max_length=20)] = None,
):
    """The raw JSON body {"camera_id", "type", "time", "snapshot_url"}, signed:
    X-Gridgov-Signature: sha256=<hex HMAC-SHA256 of the raw body with the source's secret>,
    or of `<timestamp>.<raw body>` when X-Gridgov-Timestamp (unix seconds) is sent."""
    event = alerts.alert_receive(
        source_name=source, body=request.body, signature=signature, timestamp=timestamp
    )
    return Status(201, {"id": event.pk, "number": event.number, "area": event.area.code})


@router.get(
    "/suggest",
    response={200: list[SuggestionOut], **errors()},
    summary="The likeliest subclasses for a text, with the words that decided",
)
def event_suggest(request, text: Annotated[str, Query(max_length=2000)]):
    return classifier.suggest(text)


def _photo_out(photo) -> dict:
    return {
        "ref": photo.ref,
        "width": photo.width,
        "height": photo.height,
        "exif_lon": photo.exif_lon,
        "exif_lat": photo.exif_lat,
    }


@router.post(
    "/photos",
    response={201: PhotoOut, **errors(400, 403)},
    summary="Upload a photo; use its ref in a report or an action",
)
def photo_upload(request, file: UploadedFile = PhotoFile):
    return Status(
        201,
        _photo_out(
            photo_store(user=request.user, name=file.name, content=file.read(MAX_BYTES + 1))
        ),
    )


@router.post(
    "/photos/public",
    auth=None,
    response={201: PhotoOut, **public_errors(400, 429)},
    summary="Upload a photo without signing in (rate-limited)",
)
def photo_upload_public(request, file: UploadedFile = PhotoFile):
    # Each photo counts against the address's hourly budget (common.ratelimits).
    return Status(
        201, _photo_out(photo_store(user=None, name=file.name, content=file.read(MAX_BYTES + 1)))
    )


@router.get(
    "/",
    response={200: EventPage, **errors(400, 403)},
    summary="The queue: events in your area with filters",
)
def events_list(
    request,
    state: Code | None = None,
    area: Code | None = None,
    subclass: Code | None = None,
    source: Code | None = None,
    urgency: Code | None = None,
    overdue: bool = False,
    warned: Code | None = None,
    mine: bool = False,
    supervised: bool = False,
    urgent: bool = False,
    since: PeriodBound | None = None,
    until: PeriodBound | None = None,
    sort: Literal["new", "deadline", "urgency"] = "new",
    limit: Annotated[int, Field(ge=1, le=keyset.MAX_LIMIT)] = 50,
    offset: Offset = 0,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
):
    """`sort`: new (newest first), deadline (soonest stage deadline first, events without one
    last) or urgency (most urgent first, then by deadline). Page with `cursor` (the
    `next_cursor` of the page before, in the same sort: another sort's cursor is a 400);
    `offset` is kept for old clients up to 10,000. Beyond one page `count` is an estimate
    (`count_exact`). `mine`: handed, offered or (departments) dispatched or whistled to you;
    `supervised`: under supervision (督办); `urgent`: of an urgent subclass (the alarm).
    `since`/`until`: reported from, to — local dates (both days included) or date-times
    (`until` excluded)."""
    page = keyset.events_queue_page(
        user=request.user,
        filters={
            "state": state,
            "area": area,
            "subclass": subclass,
            "source": source,
            "urgency": urgency,
            "overdue": overdue,
            "warned": warned,
            "mine": mine,
            "supervised": supervised,
            "urgent": urgent,
            "since": since,
            "until": until,
        },
        after=cursor,
        limit=limit,
        offset=offset,
        sort=sort,
    )
    return {
        "count": page.count,
        "count_exact": page.count_exact,
        "next_cursor": page.next_cursor,
        "items": selectors.page_as_dicts(page.events, request.user),
    }


RateGroup = Literal["area", "department", "subclass", "source", "month", "day"]


@router.get(
    "/rates",
    response={200: RatesReportOut, **errors(400, 403)},
    summary="Closure, on-time, acceptance, dispatch, rework, satisfaction and 12345 rates",
)
def events_rates(
    request,
    group: RateGroup | None = None,
    area: Code | None = None,
    subclass: Code | None = None,
    source: Code | None = None,
    since: When | None = None,
    until: When | None = None,
):
    """group: area (the level below the root), department, subclass, source, month or day."""
    queryset = selectors.events_for_rates(
        user=request.user, filters={"area": area, "subclass": subclass, "source": source}
    )
    if since:
        queryset = queryset.filter(reported_at__gte=to_utc(since, field="since"))
    if until:
        queryset = queryset.filter(reported_at__lt=to_utc(until, field="until"))
    # From the daily rollup (gridgov.analytics), not by reading every event.
    result = rates_report(
        user=request.user,
        group=group,
        area=area,
        subclass=subclass,
        source=source,
        since=to_utc(since, field="since") if since else None,
        until=to_utc(until, field="until") if until else None,
    )
    result["whistles"] = rates.whistle_counts(queryset.values("pk"))
    return result


@router.get(
    "/screen",
    response={200: ScreenOut, **errors(403)},
    summary="The big screen: open events, counts per grid, workers, today's rates, trend",
)
def events_screen(
    request,
    level: Literal["grid", "child"] = "grid",
    bbox: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$",
            description="min lon,min lat,max lon,max lat of the map's view: markers inside it",
        ),
    ] = None,
):
    """Open events counted per grid (all of them), and the newest 300 inside `bbox` as
    markers (`events_complete` false when there are more: zoom in)."""
    body = screen.screen_json_shared(user=request.user, level=level, bbox=_bbox(bbox))
    # Already checked against ScreenOut when it was built (and shared): sent as it is.
    return HttpResponse(body, content_type="application/json")


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in text.split(","))
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise DomainError(_("The box is not min lon,min lat,max lon,max lat."), field="bbox")
    return min_lon, min_lat, max_lon, max_lat


@router.get(
    "/{event_id}",
    response={200: EventDetailOut, **errors(403, 404)},
    by_alias=True,
    summary="One event with its timeline and whistles",
)
def event_detail(request, event_id: Id):
    event = services.event_for_user(user=request.user, event_id=event_id)
    return selectors.event_as_dict(event, request.user, with_timeline=True)


@router.post(
    "/{event_id}/actions/{action}",
    response={200: EventDetailOut, **errors(400, 403, 404, 409)},
    by_alias=True,
    summary="Take an action of the closed loop",
)
def event_action(request, event_id: Id, action: Code, payload: ActionIn):
    data = payload.dict()
    event = services.event_act(
        user=request.user,
        event_id=event_id,
        action=action,
        comment=data.pop("comment"),
        version=data.pop("version"),
        data=data,
    )
    return selectors.event_as_dict(event, request.user, with_timeline=True)


@router.post(
    "/{event_id}/whistles",
    response={201: WhistleBlownOut, **errors(400, 403, 404, 409)},
    summary="Whistle (吹哨): summon the departments of the level above",
)
def event_whistle(request, event_id: Id, payload: WhistleIn):
    whistle = services.whistle_blow(user=request.user, event_id=event_id, **payload.dict())
    return Status(
        201,
        {
            "id": whistle.pk,
            "level": whistle.level,
            "summonses": list(whistle.summonses.values_list("pk", flat=True)),
        },
    )


@router.post(
    "/summonses/{summons_id}/check-in",
    response={200: SummonsCheckedInOut, **errors(400, 403, 404, 409)},
    summary="Check in (报到) to a summons",
)
def summons_check_in(request, summons_id: Id):
    summons = services.summons_check_in(user=request.user, summons_id=summons_id)
    return {
        "id": summons.pk,
        "checked_in_at": summons.checked_in_at.isoformat(),
        "late": summons.checked_in_at > summons.check_in_due_at,
    }


@router.post(
    "/summonses/{summons_id}/report",
    response={200: ReportedBackOut, **errors(400, 403, 404, 409)},
    summary="Report back on a summons",
)
def summons_report(request, summons_id: Id, payload: ReportBackIn):
    summons = services.summons_report(
        user=request.user, summons_id=summons_id, report=payload.report
    )
    return {"id": summons.pk, "reported_at": summons.reported_at.isoformat()}
