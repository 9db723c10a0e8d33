from datetime import datetime
from typing import Any

from django.core.cache import cache
from ninja import File, Router, Schema, Status, UploadedFile

from gridgov.common.errors import DomainError
from gridgov.common.paging import page_slice
from gridgov.common.when import to_utc
from gridgov.events import alerts, classifier, rates, screen, selectors, services
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.models import Source
from gridgov.events.photos import MAX_BYTES, photo_store

router = Router(tags=["events"])

ANONYMOUS_REPORTS_PER_HOUR = 30  # reports and photos together, per address


class ReportIn(Schema):
    subclass: str
    description: str
    lon: float | None = None
    lat: float | None = None
    component: str | None = None  # a registered city component's 16-digit identifier
    crs: str = "wgs84"
    address: str = ""
    urgency: str = "normal"
    source: str = "worker"
    client_uuid: str | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    extra: dict[str, Any] = {}
    photos: list[str] = []  # refs from POST /photos


class ActionIn(Schema):
    comment: str = ""
    version: int | None = None
    department_id: int | None = None
    assignee_id: int | None = None
    assignee_ids: list[int] = []  # dispatch to several: the first leads
    satisfaction: str | None = None
    extra_hours: float | None = None
    photos: list[str] = []  # refs from POST /photos


class WhistleIn(Schema):
    level: str
    department_ids: list[int]
    reason: str


class ReportBackIn(Schema):
    report: str


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _within_public_limit(request) -> bool:
    """Anonymous writes (reports, photos) per address and hour, counted in the shared cache."""
    key = f"public-write:{_client_ip(request)}"
    count = cache.get_or_set(key, 0, timeout=3600)
    if count >= ANONYMOUS_REPORTS_PER_HOUR:
        return False
    cache.incr(key)
    return True


@router.post("/", response={201: dict[str, Any]}, summary="Report an event (signed in)")
def event_report(request, payload: ReportIn):
    source = payload.source if payload.source in Source.values else Source.WORKER
    event = services.event_report(user=request.user, data=payload.dict(), source=source)
    return Status(201, selectors.event_as_dict(event, request.user))


@router.post(
    "/public",
    auth=None,
    response={201: dict[str, Any], 429: dict[str, Any]},
    summary="Report an event without signing in (rate-limited)",
)
def event_report_public(request, payload: ReportIn):
    if not _within_public_limit(request):
        return Status(
            429,
            {
                "code": "rate_limited",
                "message": "Too many reports from this address; try again later.",
                "field": None,
            },
        )
    event = services.event_report(user=None, data=payload.dict(), source=Source.RESIDENT)
    return Status(
        201, {"id": event.pk, "number": event.number, "state": event.state, "area": event.area.code}
    )


@router.post(
    "/alerts/{source}",
    auth=None,
    response={201: dict[str, Any]},
    summary="Camera/sensor alert webhook (HMAC-signed)",
)
def event_alert(request, source: str):
    """Header X-Gridgov-Signature: sha256=<hex HMAC-SHA256 of the raw body with the source's secret>."""
    event = alerts.alert_receive(
        source_name=source, body=request.body, signature=request.headers.get("X-Gridgov-Signature")
    )
    return Status(201, {"id": event.pk, "number": event.number, "area": event.area.code})


@router.get(
    "/suggest",
    response=list[dict[str, Any]],
    summary="The likeliest subclasses for a text, with the words that decided",
)
def event_suggest(request, text: str):
    return classifier.suggest(text)


def _photo_out(photo) -> dict[str, Any]:
    return {
        "ref": photo.ref,
        "width": photo.width,
        "height": photo.height,
        "exif_lon": photo.exif_lon,
        "exif_lat": photo.exif_lat,
    }


@router.post(
    "/photos",
    response={201: dict[str, Any]},
    summary="Upload a photo; use its ref in a report or an action",
)
def photo_upload(request, file: UploadedFile = File(...)):  # noqa: B008 (ninja idiom)
    return Status(
        201,
        _photo_out(
            photo_store(user=request.user, name=file.name, content=file.read(MAX_BYTES + 1))
        ),
    )


@router.post(
    "/photos/public",
    auth=None,
    response={201: dict[str, Any], 429: dict[str, Any]},
    summary="Upload a photo without signing in (rate-limited)",
)
def photo_upload_public(request, file: UploadedFile = File(...)):  # noqa: B008 (ninja idiom)
    if not _within_public_limit(request):
        return Status(
            429,
            {
                "code": "rate_limited",
                "message": "Too many uploads from this address; try again later.",
                "field": None,
            },
        )
    return Status(
        201, _photo_out(photo_store(user=None, name=file.name, content=file.read(MAX_BYTES + 1)))
    )


@router.get("/", response=dict[str, Any], summary="The queue: events in your area with filters")
def events_list(
    request,
    state: str | None = None,
    area: str | None = None,
    subclass: str | None = None,
    source: str | None = None,
    urgency: str | None = None,
    overdue: bool = False,
    warned: str | None = None,
    mine: bool = False,
    limit: int = 50,
    offset: int = 0,
):
    queryset = selectors.events_queue(
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
        },
    )
    calendar = WorkingCalendar.from_database()
    items = [
        selectors.event_as_dict(e, request.user, calendar)
        for e in queryset[page_slice(offset, limit, 200)]
    ]
    return {"count": queryset.count(), "items": items}


@router.get(
    "/rates",
    response=dict[str, Any],
    summary="Closure, on-time, acceptance, dispatch, rework, satisfaction and 12345 rates",
)
def events_rates(
    request,
    group: str | None = None,
    area: str | None = None,
    subclass: str | None = None,
    source: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
):
    """group: area (the level below the root), department, subclass, source, month or day."""
    if group not in (None, "area", "department", "subclass", "source", "month", "day"):
        raise DomainError(
            "group must be area, department, subclass, source, month or day.", field="group"
        )
    queryset = selectors.events_queue(
        user=request.user, filters={"area": area, "subclass": subclass, "source": source}
    )
    if since:
        queryset = queryset.filter(reported_at__gte=to_utc(since, field="since"))
    if until:
        queryset = queryset.filter(reported_at__lt=to_utc(until, field="until"))
    root_depth = request.user.area.depth if request.user.area_id else 0
    result = rates.rates_grouped(list(queryset.values(*rates.FIELDS)), group, root_depth)
    result["whistles"] = rates.whistle_counts(queryset.values("pk"))
    return result


@router.get(
    "/screen",
    response=dict[str, Any],
    summary="The big screen: open events, counts per grid, workers, today's rates, trend",
)
def events_screen(request, level: str = "grid"):
    if level not in ("grid", "child"):
        raise DomainError("level must be grid or child.", field="level")
    return screen.screen_summary(user=request.user, level=level)


@router.get(
    "/{event_id}", response=dict[str, Any], summary="One event with its timeline and whistles"
)
def event_detail(request, event_id: int):
    event = services.event_for_user(user=request.user, event_id=event_id)
    return selectors.event_as_dict(event, request.user, with_timeline=True)


@router.post(
    "/{event_id}/actions/{action}",
    response=dict[str, Any],
    summary="Take an action of the closed loop",
)
def event_action(request, event_id: int, action: str, payload: ActionIn):
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
    response={201: dict[str, Any]},
    summary="Whistle (吹哨): summon the departments of the level above",
)
def event_whistle(request, event_id: int, payload: WhistleIn):
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
    response=dict[str, Any],
    summary="Check in (报到) to a summons",
)
def summons_check_in(request, summons_id: int):
    summons = services.summons_check_in(user=request.user, summons_id=summons_id)
    return {
        "id": summons.pk,
        "checked_in_at": summons.checked_in_at.isoformat(),
        "late": summons.checked_in_at > summons.check_in_due_at,
    }


@router.post(
    "/summonses/{summons_id}/report", response=dict[str, Any], summary="Report back on a summons"
)
def summons_report(request, summons_id: int, payload: ReportBackIn):
    summons = services.summons_report(
        user=request.user, summons_id=summons_id, report=payload.report
    )
    return {"id": summons.pk, "reported_at": summons.reported_at.isoformat()}
