"""The resident API's public part (issue 11): public reports, place search and the kind of
problem a text suggests for anyone (/api/v1/public/*, rate-limited per client address), and
at /api/v1/resident/* the center's moderation and withdrawal at the desk, and the
reporter's choice of being named and withdrawal of their report's personal data."""

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import Field, Path, Query, Router, Schema

from gridgov.common.client import client_address_for_ratelimit
from gridgov.common.errors import DomainError
from gridgov.common.schemas import Id, Lat, Lon, Out, errors, public_errors
from gridgov.events import classifier
from gridgov.residents import moderation, places, public, withdrawal

router = Router(tags=["residents"])
# Anonymous reads of public reports and places, mounted at /api/v1/public.
public_router = Router(tags=["public"])

Number = Annotated[str, Path(max_length=20)]
READ_GROUP = "gridgov.public-read"
SUGGEST_TEXT_MAX = 500


class RateLimited(DomainError):
    status = 429

    def __init__(self) -> None:
        super().__init__(
            _("Too many requests from this address; please wait a minute."), code="rate_limited"
        )


def _read_limit(request) -> None:
    """Anonymous reads share one budget per client address and minute (in the shared cache,
    like the anonymous writes of common.ratelimits): a map that pans costs a few reads, a
    scraper walking the city is refused."""
    rate = f"{getattr(settings, 'GRIDGOV_PUBLIC_READS_PER_MINUTE', 300)}/m"
    if is_ratelimited(
        request,
        group=READ_GROUP,
        key=client_address_for_ratelimit,
        rate=rate,
        increment=True,
    ):
        raise RateLimited()


class PublicReportListedOut(Out):
    number: str
    subclass_name: str
    public_text: str
    lon: float = Field(description="rounded to about 100 m unless about a public facility")
    lat: float
    public_state: Literal[
        "received", "filed", "refused", "dispatched", "handled", "closed", "rated"
    ]
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    photos: list[str] = Field(description="URLs of the photos the center approved")
    reporter_name: str | None = Field(description="only if the reporter chose to be named")
    followers: int


class PublicStepOut(Out):
    at: dt.datetime
    label: str
    text: str


class PublicReportDetailOut(PublicReportListedOut):
    timeline: list[PublicStepOut]


class PlaceOut(Out):
    label: str
    address: str
    lon: float
    lat: float
    kind: Literal["area", "compound", "building", "unit", "market", "component"]


@public_router.get(
    "/reports",
    auth=None,
    response={200: list[PublicReportListedOut], **public_errors(429)},
    summary="Public reports around a point (radius_m ≤ 5000) or in a box, newest first",
)
def reports_public(
    request,
    lon: Lon | None = None,
    lat: Lat | None = None,
    radius_m: Annotated[float, Query(gt=0, le=public.MAX_RADIUS_M)] = 1000,
    bbox: Annotated[
        str | None, Query(max_length=100, description="min lon,min lat,max lon,max lat")
    ] = None,
    subclass: Annotated[str | None, Query(max_length=5)] = None,
    state: Literal["open", "closed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=public.MAX_LIMIT)] = 100,
):
    _read_limit(request)
    if bbox:
        box, centre = public.Box.parse(bbox), None
    elif lon is not None and lat is not None:
        box, centre = public.Box.around(lon, lat, radius_m), (lon, lat, radius_m)
    else:
        raise DomainError(_("Give a point (lon, lat) or a box (bbox)."), field="lon")
    return public.public_reports(
        box=box, centre=centre, subclass=subclass, state=state, limit=limit
    )


@public_router.get(
    "/reports/{number}",
    auth=None,
    response={200: PublicReportDetailOut, **public_errors(404, 429)},
    summary="One public report with its public timeline",
)
def report_public(request, number: Number):
    _read_limit(request)
    return public.public_report(number)


class PublicSuggestionOut(Out):
    """The same shape as /api/v1/events/suggest's answer."""

    code: str
    name: str
    score: float
    words: list[str]


@public_router.get(
    "/suggest",
    auth=None,
    response={200: list[PublicSuggestionOut], **public_errors(429)},
    summary="The likeliest kinds of problem for a text (anyone; rate-limited per address)",
)
def suggest_public(request, text: Annotated[str, Query(max_length=2000)] = ""):
    _read_limit(request)
    if len(text) > SUGGEST_TEXT_MAX:
        raise DomainError(
            _("Give at most %(n)s characters.") % {"n": SUGGEST_TEXT_MAX}, field="text"
        )
    return classifier.suggest(text)


@public_router.get(
    "/places",
    auth=None,
    response={200: list[PlaceOut], **public_errors(429)},
    summary="Registered places and addresses whose name holds q (at least 2 characters)",
)
def places_public(request, q: Annotated[str, Query(max_length=200)] = ""):
    _read_limit(request)
    return places.places_search(q=q)


class ModerationIn(Schema):
    """Every field is optional: one not sent (or null) keeps its value."""

    hidden: bool | None = None
    hidden_reason: str | None = Field(None, max_length=moderation.HIDDEN_REASON_MAX)
    public_text: str | None = Field(None, max_length=moderation.PUBLIC_TEXT_MAX)
    approved_photos: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None,
        max_length=moderation.PHOTOS_MAX,
        description='photo refs, "photo:<uuid>" or "<uuid>"; stored as bare uuids',
    )


class ModerationOut(Out):
    event_id: int
    hidden: bool
    hidden_reason: str
    public_text: str = Field(description="what the public reads (the default when not reworded)")
    reworded: bool
    approved_photos: list[str]


def _moderation_out(view) -> dict:
    return {
        "event_id": view.event_id,
        "hidden": view.hidden,
        "hidden_reason": view.hidden_reason,
        "public_text": public.public_wording(view.event, view),
        "reworded": bool(view.public_text),
        "approved_photos": list(view.approved_photos),
    }


@router.post(
    "/desk/{event_id}/moderation",
    response={200: ModerationOut, **errors(403, 404)},
    summary="Moderate a report's public view: hide it, reword it, approve photos (center)",
)
def event_moderate(request, event_id: Annotated[Id, Path()], payload: ModerationIn):
    view = moderation.public_view_moderate(user=request.user, event_id=event_id, **payload.dict())
    return _moderation_out(view)


class WithdrawnOut(Out):
    number: str
    withdrawn: bool


@router.post(
    "/desk/{event_id}/withdraw-reporter",
    response={200: WithdrawnOut, **errors(403, 404)},
    summary="Withdraw the reporter's personal data on their request (center); the report stays",
)
def event_reporter_withdraw(request, event_id: Annotated[Id, Path()]):
    event = withdrawal.reporter_withdraw_by_center(user=request.user, event_id=event_id)
    return {"number": event.number, "withdrawn": True}


class PublicityIn(Schema):
    reporter_named: bool


class PublicityOut(Out):
    number: str
    reporter_named: bool


@router.post(
    "/reports/{number}/publicity",
    response={200: PublicityOut, **errors(404)},
    summary="Whether the public sees my name on my report (the reporter)",
)
def report_publicity(request, number: Number, payload: PublicityIn):
    view = withdrawal.report_publicity_set(
        user=request.user, number=number, reporter_named=payload.reporter_named
    )
    return {"number": number, "reporter_named": view.reporter_named}


@router.post(
    "/reports/{number}/withdraw",
    response={200: WithdrawnOut, **errors(404)},
    summary="Withdraw my personal data from my report; the report stays",
)
def report_withdraw(request, number: Number):
    event = withdrawal.report_withdraw(user=request.user, number=number)
    return {"number": event.number, "withdrawn": True}
