"""The demo's patrols (码上巡): the grid workers' check-ins at the coded places their patrol
plans cover, this month and the week before, so patrol coverage (docs/kpis.md) and the
coverage page have figures. Each place is visited about as often as its plan says by each
worker of its grid, some workers less diligent than others, so some places go unvisited for
a while; the community's grid heads spot-check a share of the places. Most scans are at the place; a few were sent without a
position or from far away, as phones do, and carry the flag the check-in service sets.

The rows are written in bulk (bulk.py) into the model the check-in service writes (tens of
thousands of scans; the service takes one at a time)."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.geometry import haversine_m
from gridgov.areas.models import Area
from gridgov.demo.bulk import rows_insert
from gridgov.registry.kinds import KINDS
from gridgov.smartcodes.models import CheckIn, PatrolPlan, SmartCode
from gridgov.smartcodes.services import FAR_M

DEGREES_PER_M = 1 / 111_320
WORK_HOURS = (8.0, 18.5)  # local hours a patrol scan falls between
HEAD_SPOT_CHECKS = 0.3  # the share of its community's places a grid head visits in a month


def build_patrols(*, seed: int = 530702, now: dt.datetime | None = None) -> int:
    """Check-ins for every active plan's places (see the module); returns how many."""
    rng = random.Random(seed + 21)
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    since = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    since -= dt.timedelta(days=7)
    every = dict(PatrolPlan.objects.filter(active=True).values_list("kind", "every_days"))
    patrollers: dict[int, list[int]] = defaultdict(list)  # area → its workers and head
    people = User.objects.filter(
        role__in=(Role.GRID_WORKER, Role.GRID_HEAD), is_active=True, area__isnull=False
    )
    for user_id, area_id in people.order_by("username").values_list("pk", "area_id"):
        patrollers[area_id].append(user_id)
    parent = dict(Area.objects.filter(kind="grid").values_list("pk", "parent_id"))
    diligence: dict[int, float] = {}
    rows = []
    for kind, days in sorted(every.items()):
        codes = SmartCode.objects.filter(kind=kind, revoked_at__isnull=True).order_by("pk")
        codes = list(codes.values_list("pk", "object_id", "area_id"))
        places = KINDS[kind].model.objects.filter(pk__in=[c[1] for c in codes])
        spots = {pk: (lon, lat) for pk, lon, lat in places.values_list("pk", "lon", "lat")}
        for code_id, object_id, area_id in codes:
            spot = spots.get(object_id)
            if spot is None or spot[0] is None:
                continue
            # Each worker of the grid patrols all of it, as often as the plan says, as
            # diligent as they are; the community's grid heads spot-check now and then.
            for user_id in patrollers.get(area_id, []):
                share = diligence.setdefault(user_id, rng.uniform(0.55, 1.0))
                for at in _visits(rng, since, local_now, days, share):
                    rows.append(_check_in(rng, code_id, user_id, spot, at))
            for user_id in patrollers.get(parent.get(area_id), []):
                if rng.random() < HEAD_SPOT_CHECKS:
                    for at in _visits(rng, since, local_now, 30, 1.0)[:1]:
                        rows.append(_check_in(rng, code_id, user_id, spot, at))
    rows_insert(rows)
    return len(rows)


def _visits(
    rng: random.Random, since: dt.datetime, now: dt.datetime, every_days: int, share: float
) -> list[dt.datetime]:
    """About one visit per `every_days` from `since` to `now`; each made with chance `share`."""
    visits = []
    day = since + dt.timedelta(days=rng.uniform(0, every_days))
    while day < now:
        if rng.random() < share:
            start = day.replace(hour=0, minute=0, second=0, microsecond=0)
            at = start + dt.timedelta(hours=rng.uniform(*WORK_HOURS))
            if at < now:
                visits.append(at)
        day += dt.timedelta(days=every_days * rng.uniform(0.8, 1.25))
    return visits


def _check_in(rng: random.Random, code_id: int, user_id: int, spot, at: dt.datetime) -> CheckIn:
    lon, lat = spot
    roll = rng.random()
    if roll < 0.04:  # the phone had no fix
        return CheckIn(
            code_id=code_id, user_id=user_id, at=at, received_at=at, flag=CheckIn.Flag.NO_POSITION
        )
    off_m = rng.uniform(250, 900) if roll < 0.07 else abs(rng.gauss(0, 25))
    bearing = rng.uniform(0, 2 * math.pi)
    where_lon = lon + off_m * DEGREES_PER_M * math.cos(bearing) / math.cos(math.radians(lat))
    where_lat = lat + off_m * DEGREES_PER_M * math.sin(bearing)
    distance = round(haversine_m(where_lon, where_lat, lon, lat), 1)
    far = distance > FAR_M
    return CheckIn(
        code_id=code_id,
        user_id=user_id,
        at=at,
        received_at=at,
        lon=round(where_lon, 6),
        lat=round(where_lat, 6),
        distance_m=distance,
        far=far,
        flag=CheckIn.Flag.FAR if far else CheckIn.Flag.AT_PLACE,
    )
