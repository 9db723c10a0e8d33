"""The resident API's actions part (issue 11): reports nearby and "me too", additions,
rating, "still not fixed", and the center's callback desk (回访).

The desk's operations are mounted here, under /api/v1/resident/desk/{event_id}/…, although
they are the center's: this router is the only one the residents app mounts."""

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import Field, Path, Query, Router, Schema, Status

from gridgov.common.client import client_address, client_address_for_ratelimit
from gridgov.common.errors import DomainError
from gridgov.common.schemas import Id, Lat, Lon, Out, errors, public_errors
from gridgov.residents import actions, callbacks, nearby

router = Router(tags=["residents"])

Number = Annotated[str, Path(max_length=20)]
SatisfactionIn = Literal[
    "very_satisfied", "satisfied", "basically", "dissatisfied", "very_dissatisfied"
]
# Generous bounds in the schema (a hostile body is cut early); the services' own limits
# answer in words with the field at fault.
PhotoRefs = Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=20)]
LongText = Annotated[str, Field(max_length=10_000)]

NEARBY_GROUP = "gridgov.resident-nearby"


class RateLimited(DomainError):
    status = 429


def _nearby_limit(request) -> None:
    rate = f"{getattr(settings, 'GRIDGOV_NEARBY_PER_HOUR', 600)}/h"
    if is_ratelimited(
        request,
        group=NEARBY_GROUP,
        key=client_address_for_ratelimit,
        rate=rate,
        method="GET",
        increment=True,
    ):
        raise RateLimited(_("Too many requests; please try again later."), code="rate_limited")


class NearbyOut(Out):
    number: str
    subclass_name: str
    public_text: str
    distance_m: int
    reported_at: dt.datetime
    followers: int


class FollowingOut(Out):
    following: bool


class AdditionIn(Schema):
    text: LongText = ""
    photos: PhotoRefs = []


class AdditionOut(Out):
    id: int
    number: str
    text: str
    photos: list[str]
    created_at: dt.datetime


class ResidentRatingIn(Schema):
    satisfaction: SatisfactionIn
    comment: LongText = ""


class ReopenIn(Schema):
    text: LongText
    photos: PhotoRefs = []


class ResidentActedOut(Out):
    number: str
    state: str
    satisfaction: str | None


class PhoneOut(Out):
    phone: str


class CallbackIn(Schema):
    reached: bool
    result: LongText = ""
    satisfaction: SatisfactionIn | None = None


class CallbackOut(Out):
    id: int
    at: dt.datetime
    by: str
    reached: bool
    result: str
    satisfaction: str | None


def _acted(event) -> dict:
    return {
        "number": event.number,
        "state": event.state,
        "satisfaction": event.satisfaction or None,
    }


@router.get(
    "/nearby",
    auth=None,
    response={200: list[NearbyOut], **public_errors(400, 429)},
    summary="Open public reports of a kind near a point (the “me too” prompt)",
)
def reports_nearby(
    request,
    lon: Annotated[Lon, Query()],
    lat: Annotated[Lat, Query()],
    subclass: Annotated[str, Query(max_length=64)],
    crs: Annotated[Literal["wgs84", "gcj02"], Query()] = "wgs84",
):
    _nearby_limit(request)
    return [
        found.__dict__
        for found in nearby.reports_nearby(lon=lon, lat=lat, subclass_code=subclass, crs=crs)
    ]


@router.post(
    "/reports/{number}/follow",
    response={200: FollowingOut, **errors(403, 404, 409)},
    summary="“Me too”: follow a public report instead of reporting it again",
)
def report_follow(request, number: Number):
    actions.follow_me_too(user=request.user, number=number)
    return {"following": True}


@router.delete(
    "/reports/{number}/follow",
    response={200: FollowingOut, **errors(403, 404, 409)},
    summary="Stop following a report",
)
def report_unfollow(request, number: Number):
    actions.follow_stop(user=request.user, number=number)
    return {"following": False}


@router.post(
    "/reports/{number}/additions",
    response={201: AdditionOut, **errors(403, 404, 409)},
    summary="Add words or photos to an unfinished report (its reporter or a follower)",
)
def report_addition(request, number: Number, payload: AdditionIn):
    addition = actions.addition_add(
        user=request.user, number=number, text=payload.text, photo_refs=payload.photos
    )
    return Status(
        201,
        {
            "id": addition.pk,
            "number": addition.event.number,
            "text": addition.text,
            "photos": [f"photo:{key}" for key in addition.photo_keys],
            "created_at": addition.created_at,
        },
    )


@router.post(
    "/reports/{number}/rating",
    response={200: ResidentActedOut, **errors(403, 404, 409)},
    summary="Rate a closed report on the five-level scale (its reporter)",
)
def report_rating(request, number: Number, payload: ResidentRatingIn):
    event = actions.report_rate(
        user=request.user,
        number=number,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
    )
    return _acted(event)


@router.post(
    "/reports/{number}/reopen",
    response={200: ResidentActedOut, **errors(403, 404, 409)},
    summary="“Still not fixed”: reopen a closed report for the center (reporter or follower)",
)
def report_reopen(request, number: Number, payload: ReopenIn):
    event = actions.report_reopen(
        user=request.user, number=number, text=payload.text, photo_refs=payload.photos
    )
    return _acted(event)


@router.get(
    "/desk/{event_id}/reporter-phone",
    response={200: PhoneOut, **errors(404)},
    summary="The reporter's phone unmasked, to call back (the center of the area; audited)",
)
def desk_reporter_phone(request, event_id: Annotated[Id, Path()]):
    phone = callbacks.reporter_phone_reveal(
        user=request.user, event_id=event_id, channel="api", ip=client_address(request)
    )
    return {"phone": phone}


@router.get(
    "/desk/{event_id}/callbacks",
    response={200: list[CallbackOut], **errors(404)},
    summary="The callbacks (回访) made on an event, newest first",
)
def desk_callbacks(request, event_id: Annotated[Id, Path()]):
    return [
        callbacks.callback_as_dict(c)
        for c in callbacks.callbacks_of(user=request.user, event_id=event_id)
    ]


@router.post(
    "/desk/{event_id}/callbacks",
    response={201: CallbackOut, **errors(403, 404, 409)},
    summary="Record a callback (回访): reached or not, what was said, the rating heard",
)
def desk_callback_record(request, event_id: Annotated[Id, Path()], payload: CallbackIn):
    callback = callbacks.callback_record(
        user=request.user,
        event_id=event_id,
        reached=payload.reached,
        result=payload.result,
        satisfaction=payload.satisfaction or "",
    )
    return Status(201, callbacks.callback_as_dict(callback))
