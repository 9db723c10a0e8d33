"""The authorization matrix's calls for one part of issue 13 (rows in
authorization_matrix_command.csv): the command center's panels (decision 0039). Same shape
as calls.CALLS.

Each panel answers 200 with what the reader's area holds: a row is allowed when the
world's object (in 文汇) is in the answer. Builders run inside the row's savepoint."""

import datetime as dt

from django.utils import timezone

from gridgov.events.models import Event
from tests.security.calls import Builder, Call
from tests.security.world import World

API = "/api/v1/command"


def _overdue(world: World) -> Call:
    event = world["reported"]
    Event.objects.filter(pk=event.pk).update(stage_due_at=timezone.now() - dt.timedelta(hours=2))
    return Call(
        "GET",
        f"{API}/alarms",
        marker=lambda answer: event.pk in [a["id"] for a in answer["overdue"]],
    )


def _camera(world: World) -> Call:
    event = world["reported"]
    Event.objects.filter(pk=event.pk).update(source="camera")
    return Call("GET", f"{API}/cameras", marker=event.number)


def _workers(world: World) -> Call:
    lon, lat = world["reported"].lon, world["reported"].lat
    box = f"{lon - 0.01:.5f},{lat - 0.01:.5f},{lon + 0.01:.5f},{lat + 0.01:.5f}"
    return Call("GET", f"{API}/workers?bbox={box}", marker=world.users["grid_worker"].first_name)


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", f"{API}/rates", ""): lambda w: Call(
        "GET",
        f"{API}/rates?period=year",
        marker=lambda answer: answer["periods"]["year"]["reported"] > 0,
    ),
    ("GET", f"{API}/alarms", ""): _overdue,
    ("GET", f"{API}/workers", ""): _workers,
    ("GET", f"{API}/cameras", ""): _camera,
    ("GET", f"{API}/whistles", ""): lambda w: Call(
        "GET", f"{API}/whistles", marker=w["in_progress"].number
    ),
}
