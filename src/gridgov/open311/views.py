"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) on top of the event flow.

Our states fold into open/closed, with the detail in status_notes; the handling
department is agency_responsible and the handling deadline expected_datetime. A
client written for any city works unchanged: .json and .xml, form-encoded POST,
errors as [{code, description}] with the HTTP status.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gridgov.events.models import Event, Source, Subclass
from gridgov.events.workflow import State
from gridgov.open311.attributes import DATATYPES
from gridgov.open311.changeset import services_changeset
from gridgov.open311.formats import GeoReportError, render
from gridgov.open311.http import georeport
from gridgov.open311.listing import page_of, window_of
from gridgov.open311.publication import (
    exact_location_public,
    public_address,
    public_media_url,
    public_point,
    public_wording,
    published_events,
)
from gridgov.open311.writes import open311_request_create

CLOSED_STATES = (State.CLOSED, State.EVALUATED, State.REJECTED, State.VOIDED)


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _service(subclass: Subclass) -> dict:
    return {
        "service_code": subclass.code,
        "service_name": subclass.name_zh,
        "description": f"{subclass.name_zh} / {subclass.name_en}",
        "metadata": bool(subclass.extra_fields),
        "type": "realtime",
        "keywords": ",".join(subclass.keywords.split()),
        "group": subclass.event_class.name_zh,
    }


def _published() -> QuerySet[Event]:
    """Every read of requests starts here: only what the subclass allows anonymous clients
    and the center did not hide, with the center's moderation read in the same query."""
    return published_events(
        Event.objects.select_related("subclass", "department", "area", "public_view").annotate(
            updated=Max("timeline__at")
        )
    )


def _request_body(event: Event, updated: dt.datetime | None) -> dict:
    """One request as published: the center's wording or the description, scrubbed; the
    location rounded; media only once approved (see publication)."""
    closed = event.state in CLOSED_STATES
    lat, lon = public_point(event)
    sent = ((event.extra or {}).get("open311") or {}).get("address_id")
    return {
        "service_request_id": event.number,
        "status": "closed" if closed else "open",
        "status_notes": str(event.get_state_display()),
        "service_name": event.subclass.name_zh,
        "service_code": event.subclass.code,
        "description": public_wording(event),
        "agency_responsible": event.department.name if event.department else None,
        "service_notice": None,
        "requested_datetime": _iso(event.reported_at),
        "updated_datetime": _iso(updated or event.reported_at),
        "expected_datetime": _iso(event.handle_due_at or event.stage_due_at),
        "address": public_address(event),
        # The place's id only where its address is public too (see publication).
        "address_id": sent if sent and exact_location_public(event) else None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": public_media_url(event),
    }


@georeport("GET", jurisdictional=False)
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    changeset = timezone.localtime(services_changeset().seen_at).isoformat(timespec="milliseconds")
    return render(
        {
            "changeset": changeset,
            "contact": getattr(settings, "OPEN311_CONTACT", "12345"),
            "key_service": "api_key from the district's back office (or `gridgov create_open311_key NAME`)",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
        fmt,
        "discovery",
    )


@georeport("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = Subclass.objects.filter(active=True).select_related("event_class").order_by("code")
    return render([_service(s) for s in rows], fmt, "services")


def _attribute(order: int, field: dict) -> dict:
    datatype = field.get("datatype") or "string"
    listed = datatype in ("singlevaluelist", "multivaluelist")
    return {
        "variable": bool(field.get("variable", True)),
        "code": field.get("code"),
        "datatype": datatype if datatype in DATATYPES else "string",
        "required": bool(field.get("required")),
        "datatype_description": field.get("datatype_description", ""),
        "order": order,
        "description": field.get("description", field.get("code")),
        "values": [
            {"key": v.get("key"), "name": v.get("name")}
            for v in (field.get("values") or [] if listed else [])
        ],
    }


@georeport("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    subclass = Subclass.objects.filter(code=code, active=True).first()
    if subclass is None:
        raise GeoReportError(404, f"service_code {code} not found")
    attributes = [
        _attribute(order, field) for order, field in enumerate(subclass.extra_fields or [], start=1)
    ]
    return render(
        {"service_code": subclass.code, "attributes": attributes}, fmt, "service_definition"
    )


@georeport("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        created = open311_request_create(data=request.POST, query=request.GET)
        return render(
            [
                {
                    "service_request_id": created.event.number,
                    "service_notice": None,
                    "account_id": created.account_id,
                    "token": created.token,
                }
            ],
            fmt,
            "service_requests",
        )
    return _list_requests(request, fmt)


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    queryset = _published()
    page = page_of(params)
    if params.get("service_request_id"):
        # The spec: service_request_id overrides every other filter.
        queryset = queryset.filter(
            number__in=[i.strip() for i in params["service_request_id"].split(",") if i.strip()]
        )
    else:
        if params.get("service_code"):
            queryset = queryset.filter(
                subclass__code__in=[c.strip() for c in params["service_code"].split(",")]
            )
        window = window_of(params)
        queryset = queryset.filter(reported_at__gte=window.start, reported_at__lte=window.end)
        statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise GeoReportError(400, "status must be open or closed")
        if statuses == {"open"}:
            queryset = queryset.exclude(state__in=CLOSED_STATES)
        elif statuses == {"closed"}:
            queryset = queryset.filter(state__in=CLOSED_STATES)
    rows = queryset.order_by("-reported_at", "-pk")[page]
    return render([_request_body(e, e.updated) for e in rows], fmt, "service_requests")


@georeport("GET")
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    # An unpublished request answers like one that does not exist.
    event = _published().filter(number=request_id).first()
    if event is None:
        raise GeoReportError(404, f"service_request_id {request_id} not found")
    return render([_request_body(event, event.updated)], fmt, "service_requests")


@georeport("GET")
def token(request: HttpRequest, token_id: str, fmt: str) -> HttpResponse:
    try:
        key = uuid.UUID(token_id)
    except ValueError:
        raise GeoReportError(404, "token not found") from None
    event = published_events(Event.objects.filter(client_uuid=key, source=Source.OPEN311)).first()
    if event is None:
        raise GeoReportError(404, "token not found")
    return render(
        [{"service_request_id": event.number, "token": token_id}], fmt, "service_requests"
    )
