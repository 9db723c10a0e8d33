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
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gridgov.common.errors import DomainError
from gridgov.common.links import web_url_clean
from gridgov.common.when import parse_when
from gridgov.events.models import Event, Source, Subclass
from gridgov.events.services import event_report
from gridgov.events.workflow import State
from gridgov.open311.formats import error, render
from gridgov.open311.models import ApiKey
from gridgov.open311.publication import (
    public_address,
    public_description,
    public_media_url,
    public_point,
    published_events,
)

CLOSED_STATES = (State.CLOSED, State.EVALUATED, State.REJECTED, State.VOIDED)
MAX_RESULTS = 1000
DEFAULT_WINDOW_DAYS = 90
MAX_FIELD_LENGTH = 500


def _jurisdiction_ok(request: HttpRequest) -> bool:
    wanted = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    return not wanted or wanted == getattr(
        settings, "OPEN311_JURISDICTION", "gucheng.lijiang.gov.cn"
    )


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
    """Every read of requests starts here: only what the subclass allows anonymous clients."""
    return published_events(
        Event.objects.select_related("subclass", "department", "area").annotate(
            updated=Max("timeline__at")
        )
    )


def _request_body(event: Event, updated: dt.datetime | None) -> dict:
    """One request as published: scrubbed description, rounded location (see publication)."""
    closed = event.state in CLOSED_STATES
    lat, lon = public_point(event)
    return {
        "service_request_id": event.number,
        "status": "closed" if closed else "open",
        "status_notes": str(event.get_state_display()),
        "service_name": event.subclass.name_zh,
        "service_code": event.subclass.code,
        "description": public_description(event),
        "agency_responsible": event.department.name if event.department else None,
        "service_notice": None,
        "requested_datetime": _iso(event.reported_at),
        "updated_datetime": _iso(updated or event.reported_at),
        "expected_datetime": _iso(event.handle_due_at or event.stage_due_at),
        "address": public_address(event),
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": public_media_url(event),
    }


def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    return render(
        {
            "changeset": "2026-11-24T00:00:00+08:00",
            "contact": getattr(settings, "OPEN311_CONTACT", "12345"),
            "key_service": "api_key from the district's back office (or `gridgov create_open311_key NAME`)",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-11-24T00:00:00+08:00",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
        fmt,
        "discovery",
    )


def services(request: HttpRequest, fmt: str) -> HttpResponse:
    if not _jurisdiction_ok(request):
        return error(fmt, 404, "unknown jurisdiction_id")
    rows = Subclass.objects.filter(active=True).select_related("event_class").order_by("code")
    return render([_service(s) for s in rows], fmt, "services")


def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    subclass = Subclass.objects.filter(code=code, active=True).first()
    if subclass is None:
        return error(fmt, 404, f"service_code {code} not found")
    attributes = []
    for order, field in enumerate(subclass.extra_fields or [], start=1):
        attributes.append(
            {
                "variable": True,
                "code": field.get("code"),
                "datatype": field.get("datatype", "string"),
                "required": bool(field.get("required")),
                "datatype_description": field.get("datatype_description", ""),
                "order": order,
                "description": field.get("description", field.get("code")),
                "values": [
                    {"key": v.get("key"), "name": v.get("name")} for v in field.get("values", [])
                ],
            }
        )
    return render(
        {"service_code": subclass.code, "attributes": attributes}, fmt, "service_definition"
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if not _jurisdiction_ok(request):
        return error(fmt, 404, "unknown jurisdiction_id")
    if request.method == "POST":
        return _post_request(request, fmt)
    return _list_requests(request, fmt)


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    if not ApiKey.valid(data.get("api_key")):
        return error(fmt, 403, "api_key is missing or not valid")
    subclass = Subclass.objects.filter(code=data.get("service_code") or "", active=True).first()
    if subclass is None:
        return error(
            fmt,
            404 if data.get("service_code") else 400,
            "service_code not found" if data.get("service_code") else "service_code is required",
        )
    if not (data.get("lat") and data.get("long")) and not data.get("address_string"):
        return error(
            fmt, 400, "lat and long, or an address_string of a registered place, are required"
        )
    # Only the attributes the service defines are kept, each of a bounded length: the rest
    # of a hostile form would sit in every copy of the event.
    defined = {str(field.get("code")) for field in subclass.extra_fields or []}
    sent = {
        key.removeprefix("attribute[").removesuffix("]"): value
        for key, value in data.items()
        if key.startswith("attribute[") and key.endswith("]")
    }
    attributes = {code: value for code, value in sent.items() if code in defined}
    for code, value in attributes.items():
        if len(value) > MAX_FIELD_LENGTH:
            return error(fmt, 400, f"attribute[{code}] is longer than {MAX_FIELD_LENGTH}")
    for field in subclass.extra_fields or []:
        if field.get("required") and not attributes.get(field.get("code")):
            return error(fmt, 400, f"attribute[{field.get('code')}] is required")
    try:
        # Published to every client as a link: a web address only, and not a megabyte of one.
        media_url = web_url_clean(data.get("media_url"), field="media_url")
    except DomainError as failure:
        return error(fmt, 400, failure.message)
    token = str(uuid.uuid4())
    extra = {
        "attributes": attributes,
        "media_url": media_url,
        "device_id": (data.get("device_id") or "")[:100] or None,
        "account_id": (data.get("account_id") or "")[:100] or None,
        "email": (data.get("email") or "")[:254] or None,
    }
    name = f"{data.get('last_name', '')}{data.get('first_name', '')}".strip()
    try:
        event = event_report(
            user=None,
            data={
                "subclass": subclass.code,
                "description": data.get("description") or subclass.name_zh,
                "lon": data.get("long") or None,
                "lat": data.get("lat") or None,
                "address": data.get("address_string", ""),
                "reporter_name": name,
                "reporter_phone": data.get("phone", ""),
                "extra": extra,
                "client_uuid": token,
            },
            source=Source.OPEN311,
        )
    except DomainError as failure:
        return error(fmt, 400, failure.message)
    return render(
        [
            {
                "service_request_id": event.number,
                "service_notice": None,
                "account_id": data.get("account_id") or None,
                "token": token,
            }
        ],
        fmt,
        "service_requests",
    )


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    queryset = _published()
    if params.get("service_request_id"):
        queryset = queryset.filter(
            number__in=[i.strip() for i in params["service_request_id"].split(",") if i.strip()]
        )
    else:
        if params.get("service_code"):
            queryset = queryset.filter(
                subclass__code__in=[c.strip() for c in params["service_code"].split(",")]
            )
        start = end = None
        for name in ("start_date", "end_date"):
            if params.get(name):
                try:
                    value = parse_when(params[name], field=name)
                except DomainError as exc:
                    return error(fmt, 400, exc.message)
                start, end = (value, end) if name == "start_date" else (start, value)
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_WINDOW_DAYS)
        if start is not None:
            queryset = queryset.filter(reported_at__gte=start)
        if end is not None:
            queryset = queryset.filter(reported_at__lte=end)
        statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            return error(fmt, 400, "status must be open or closed")
        if statuses == {"open"}:
            queryset = queryset.exclude(state__in=CLOSED_STATES)
        elif statuses == {"closed"}:
            queryset = queryset.filter(state__in=CLOSED_STATES)
    rows = queryset.order_by("-reported_at")[:MAX_RESULTS]
    return render([_request_body(e, e.updated) for e in rows], fmt, "service_requests")


def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    # An unpublished request answers like one that does not exist.
    event = _published().filter(number=request_id).first()
    if event is None:
        return error(fmt, 404, f"service_request_id {request_id} not found")
    return render([_request_body(event, event.updated)], fmt, "service_requests")


def token(request: HttpRequest, token_id: str, fmt: str) -> HttpResponse:
    try:
        key = uuid.UUID(token_id)
    except ValueError:
        return error(fmt, 404, "token not found")
    event = published_events(Event.objects.filter(client_uuid=key, source=Source.OPEN311)).first()
    if event is None:
        return error(fmt, 404, "token not found")
    return render(
        [{"service_request_id": event.number, "token": token_id}], fmt, "service_requests"
    )
