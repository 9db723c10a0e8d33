"""The command center's panels (decision 0039): each one bounded read, shared for a few
seconds by every screen that would get the same answer (events/screen_shared.py), sent as
the JSON bytes checked against its schema when built. For the screen's readers only (the
command center, leaders, area staff: Capability.SCREEN_VIEW), in their own area."""

from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpResponse
from ninja import Query, Router

from gridgov.common.schemas import errors
from gridgov.events import screen_panels, screen_rates
from gridgov.events.api import _bbox
from gridgov.events.screen import screen_events
from gridgov.events.screen_schemas import (
    CommandAlarmsOut,
    CommandCamerasOut,
    CommandRatesOut,
    CommandWhistlesOut,
    CommandWorkersOut,
)
from gridgov.events.screen_shared import shared_json

router = Router(tags=["command center"])

BBOX = Annotated[
    str | None,
    Query(
        max_length=100,
        pattern=r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$",
        description="min lon,min lat,max lon,max lat of a zoomed-in view: worker dots inside it",
    ),
]


def _json(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def _rates_seconds() -> int:
    # Rates over a month or a year move slowly and read more rollup rows than a poll should:
    # kept longer than the map (0 in tests, like the screen).
    screen = getattr(settings, "GRIDGOV_SCREEN_CACHE_SECONDS", 3)
    return getattr(settings, "GRIDGOV_COMMAND_RATES_SECONDS", 30) if screen > 0 else 0


@router.get(
    "/rates",
    response={200: CommandRatesOut, **errors(403)},
    summary="Today, this month, this year; areas and departments ranked for a period",
)
def command_rates(request, period: Literal["today", "month", "year"] = "month"):
    screen_events(request.user)  # refused before anything shared is read
    body = shared_json(
        "rates",
        request.user,
        (period,),
        lambda: screen_rates.command_rates(user=request.user, period=period),
        CommandRatesOut,
        seconds=_rates_seconds(),
    )
    return _json(body)


@router.get(
    "/alarms",
    response={200: CommandAlarmsOut, **errors(403)},
    summary="Open urgent events and open events past their deadline (the alarm strip)",
)
def command_alarms(request):
    screen_events(request.user)
    body = shared_json(
        "alarms",
        request.user,
        (),
        lambda: screen_panels.command_alarms(user=request.user),
        CommandAlarmsOut,
    )
    return _json(body)


@router.get(
    "/workers",
    response={200: CommandWorkersOut, **errors(400, 403)},
    summary="On-duty workers per grid, and as dots inside a zoomed-in box",
)
def command_workers(request, bbox: BBOX = None):
    screen_events(request.user)
    box = _bbox(bbox)
    body = shared_json(
        "workers",
        request.user,
        (box,),
        lambda: screen_panels.command_workers(user=request.user, bbox=box),
        CommandWorkersOut,
    )
    return _json(body)


@router.get(
    "/cameras",
    response={200: CommandCamerasOut, **errors(403)},
    summary="The newest camera alerts with their snapshot and stream link",
)
def command_cameras(request):
    screen_events(request.user)
    body = shared_json(
        "cameras",
        request.user,
        (),
        lambda: screen_panels.command_cameras(user=request.user),
        CommandCamerasOut,
    )
    return _json(body)


@router.get(
    "/whistles",
    response={200: CommandWhistlesOut, **errors(403)},
    summary="Whistles in progress with their chain of deadlines",
)
def command_whistles(request):
    screen_events(request.user)
    body = shared_json(
        "whistles",
        request.user,
        (),
        lambda: screen_panels.command_whistles(user=request.user),
        CommandWhistlesOut,
    )
    return _json(body)
