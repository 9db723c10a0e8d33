"""Many demo events at once (`gridgov demo_events`): a city's years of history in minutes.

Unlike `demo.events`, which walks a few hundred reports through the services, this writes
finished rows: each event is drawn with a state and timestamps, deadlines, department and
assignee consistent with that state (older events are mostly closed, recent ones open), and
one "report" step on its timeline. PostgreSQL gets the rows by COPY (1M in a few minutes);
other databases by `bulk_create` in batches.

Numbers are `G` + the report date + a 9-digit serial: live intake numbers are digits only,
so the two never meet, and a later run continues after the highest serial already written.
"""

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import Substr
from django.utils import timezone
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.areas import hexes
from gridgov.areas.models import Area
from gridgov.events.models import Event, RoutingRule, Source, Subclass, TimelineEntry
from gridgov.events.workflow import State

NUMBER_PREFIX = "G"
BATCH = 20_000
# Wall-clock hours per working hour: 8 working hours a day, five days a week, roughly.
WALL_PER_WORKING_HOUR = 3.5
RECENT_DAYS = 14
# Hotspots (decision 0037): this share of events falls on one of SPOTS_PER_GRID fixed spots
# of its grid, each with one kind of problem that keeps coming back there (a market lane's
# vendors, a crossing that floods), so the hotspot map and the recurring problems of a
# bulk-generated city look like a real one's rather than uniform noise.
SPOT_SHARE = 0.3
SPOTS_PER_GRID = 2

SOURCES = [
    (Source.WORKER, 45),
    (Source.RESIDENT, 20),
    (Source.HOTLINE, 20),
    (Source.CAMERA, 8),
    (Source.OPEN311, 5),
    (Source.REFERRAL, 2),
]
URGENCIES = [("normal", 85), ("urgent", 12), ("critical", 3)]
# An event older than two weeks is almost always finished; a recent one is often still open.
OLD_STATES = [
    (State.EVALUATED, 32),
    (State.CLOSED, 52),
    (State.REJECTED, 6),
    (State.VOIDED, 2),
    (State.DEFERRED, 1),
    (State.SUSPENDED, 1),
    (State.IN_PROGRESS, 1),
    (State.DISPATCHED, 1),
]
RECENT_STATES = [
    (State.REPORTED, 6),
    (State.FILED, 6),
    (State.DISPATCHED, 10),
    (State.IN_PROGRESS, 14),
    (State.HANDLED, 8),
    (State.VERIFIED, 6),
    (State.CLOSED, 30),
    (State.EVALUATED, 14),
    (State.REJECTED, 4),
    (State.VOIDED, 2),
]
# How far along the loop each state is: 0 reported, 1 filed, 2 dispatched, 3 being handled,
# 4 handled, 5 verified, 6 closed.
STAGE = {
    State.REPORTED: 0,
    State.REJECTED: 0,
    State.VOIDED: 0,
    State.FILED: 1,
    State.DEFERRED: 1,
    State.SUSPENDED: 1,
    State.DISPATCHED: 2,
    State.IN_PROGRESS: 3,
    State.HANDLED: 4,
    State.VERIFIED: 5,
    State.CLOSED: 6,
    State.EVALUATED: 6,
}


@dataclass
class Place:
    area_id: int
    path: str
    name: str
    lon: float
    lat: float
    spread: float
    worker_id: int | None
    # (lon, lat, index in City.subclasses) of the grid's spots, drawn on first use
    spots: list[tuple[float, float, int]] = field(default_factory=list)


@dataclass
class City:
    grids: list[Place]
    subclasses: list[tuple[int, str, str, dict]]
    # (subclass id, street or district path) -> the department that answers there
    departments: dict[tuple[int, str], int | None] = field(default_factory=dict)
    routes: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    resident_id: int | None = None

    def department(self, subclass_id: int, grid_path: str) -> int | None:
        key = (subclass_id, grid_path)
        if key not in self.departments:
            # The deepest routing rule above the grid: a street's squad before the district's.
            rules = [r for r in self.routes.get(subclass_id, ()) if grid_path.startswith(r[0])]
            self.departments[key] = max(rules, key=lambda r: len(r[0]))[1] if rules else None
        return self.departments[key]


def city_load() -> City:
    """The demo city's grids (with a point inside each), subclasses, routes and workers."""
    workers = dict(
        User.objects.filter(username__startswith="gw", area__kind="grid")
        .order_by("-username")
        .values_list("area_id", "id")
    )
    grids = []
    for area in Area.objects.filter(kind="grid").order_by("code"):
        geometry = shape(area.geometry) if area.geometry else None
        if geometry is None or geometry.is_empty:
            continue
        point = geometry.representative_point()
        minx, miny, maxx, maxy = geometry.bounds
        grids.append(
            Place(
                area.pk,
                area.path,
                area.name,
                point.x,
                point.y,
                min(maxx - minx, maxy - miny) / 6,
                workers.get(area.pk),
            )
        )
    if not grids:
        raise ValueError("No grids: load the demo city first (gridgov demo).")
    city = City(
        grids=grids,
        subclasses=list(
            Subclass.objects.filter(active=True).values_list("id", "code", "name_zh", "time_limits")
        ),
        resident_id=User.objects.filter(username="resident").values_list("id", flat=True).first(),
    )
    for subclass_id, path, department_id in RoutingRule.objects.values_list(
        "subclass_id", "area__path", "department_id"
    ):
        city.routes.setdefault(subclass_id, []).append((path, department_id))
    return city


def _weighted(table: list) -> list:
    values, weights = zip(*table, strict=True)
    return [values, list(weights)]


def _limit(limits: dict, urgency: str, stage: str) -> float:
    return float(limits.get(urgency, limits.get("normal", {})).get(stage, 8))


class Drawer:
    """Draws one plausible event row (a dict by attribute name) at a time."""

    def __init__(self, city: City, rng: random.Random, now: dt.datetime, days: int):
        self.city, self.rng, self.now, self.days = city, rng, now, days
        self.sources = _weighted(SOURCES)
        self.urgencies = _weighted(URGENCIES)
        self.old_states = _weighted(OLD_STATES)
        self.recent_states = _weighted(RECENT_STATES)

    def _hours(self, working_hours: float) -> dt.timedelta:
        return dt.timedelta(hours=working_hours * WALL_PER_WORKING_HOUR)

    def _within(self, start: dt.datetime, limit: dt.timedelta, late_share: float) -> dt.datetime:
        """A moment after start: by the deadline mostly, late sometimes, never in the future."""
        share = self.rng.uniform(1.0, 2.5) if self.rng.random() < late_share else self.rng.random()
        return min(start + limit * share, self.now)

    def draw(self, share: float) -> dict:
        """An event reported `share` of the way from the first day to now: rows come in the
        order they were reported, as a live table fills (and as its pages lie on disk)."""
        rng = self.rng
        grid = rng.choice(self.city.grids)
        kind = rng.randrange(len(self.city.subclasses))
        lon = grid.lon + rng.uniform(-grid.spread, grid.spread)
        lat = grid.lat + rng.uniform(-grid.spread, grid.spread)
        if rng.random() < SPOT_SHARE:
            lon, lat, kind = self._spot(grid)
        subclass_id, code, name, limits = self.city.subclasses[kind]
        source = rng.choices(*self.sources)[0]
        urgency = rng.choices(*self.urgencies)[0]
        age = dt.timedelta(seconds=(1 - share) * self.days * 86400)
        reported_at = self.now - age
        table = self.recent_states if age.days < RECENT_DAYS else self.old_states
        state = rng.choices(*table)[0]
        row = {
            "number": "",
            "client_uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
            "subclass_id": subclass_id,
            "description": f"{name}（批量演示数据）",
            "urgency": urgency,
            "source": source,
            "area_id": grid.area_id,
            "lon": round(lon, 6),
            "lat": round(lat, 6),
            "address": grid.name,
            "reporter_id": self._reporter(source, grid),
            "state": state,
            "reported_at": reported_at,
        }
        row["h3_cell"] = hexes.cell_of(row["lon"], row["lat"])
        self._progress(row, state, grid, limits, urgency, reported_at)
        return row

    def _spot(self, grid: Place) -> tuple[float, float, int]:
        """One of the grid's fixed spots, a few metres off (one H3 cell, mostly)."""
        rng = self.rng
        if not grid.spots:
            grid.spots = [
                (
                    grid.lon + rng.uniform(-grid.spread, grid.spread),
                    grid.lat + rng.uniform(-grid.spread, grid.spread),
                    rng.randrange(len(self.city.subclasses)),
                )
                for _ in range(SPOTS_PER_GRID)
            ]
        lon, lat, kind = rng.choice(grid.spots)
        return lon + rng.uniform(-5e-5, 5e-5), lat + rng.uniform(-5e-5, 5e-5), kind

    def _reporter(self, source: str, grid: Place) -> int | None:
        if source == Source.WORKER:
            return grid.worker_id
        # A few of the residents' reports are the demo resident's, so their list is not empty.
        if source == Source.RESIDENT and self.rng.random() < 0.002:
            return self.city.resident_id
        return None

    def _progress(self, row, state, grid, limits, urgency, reported_at) -> None:  # noqa: C901
        """Timestamps, deadlines and who holds the event, consistent with how far it got."""
        rng, stage = self.rng, STAGE[state]
        row["accept_due_at"] = reported_at + self._hours(_limit(limits, urgency, "accept"))
        row["stage_started_at"], row["stage_due_at"] = reported_at, row["accept_due_at"]
        row["version"] = stage
        if stage == 0:
            if state != State.REPORTED:  # rejected or voided: answered, finished
                row["accepted_at"] = self._within(reported_at, self._hours(1), 0.05)
                row["stage_started_at"] = row["stage_due_at"] = None
            self._warn(row)
            return
        accepted_at = self._within(reported_at, row["accept_due_at"] - reported_at, 0.05)
        row["accepted_at"] = accepted_at
        row["dispatch_due_at"] = accepted_at + self._hours(_limit(limits, urgency, "dispatch"))
        row["stage_started_at"], row["stage_due_at"] = accepted_at, row["dispatch_due_at"]
        if stage == 1:
            if state != State.FILED:
                row["stage_started_at"] = row["stage_due_at"] = None
            self._warn(row)
            return
        dispatched_at = self._within(accepted_at, row["dispatch_due_at"] - accepted_at, 0.08)
        row["dispatched_at"] = dispatched_at
        row["department_id"] = self.city.department(row["subclass_id"], grid.path)
        if row["department_id"] is None or rng.random() < 0.4:
            row["assignee_id"] = grid.worker_id
        row["handle_due_at"] = dispatched_at + self._hours(_limit(limits, urgency, "handle"))
        row["stage_started_at"], row["stage_due_at"] = dispatched_at, row["handle_due_at"]
        if stage <= 3:
            self._warn(row)
            return
        handled_at = self._within(dispatched_at, row["handle_due_at"] - dispatched_at, 0.12)
        row["handled_at"] = handled_at
        row["rework_count"] = 1 if rng.random() < 0.04 else 0
        row["stage_started_at"], row["stage_due_at"] = handled_at, None
        if stage < 6:
            return
        row["closed_at"] = min(handled_at + dt.timedelta(hours=rng.uniform(0.5, 30)), self.now)
        row["stage_started_at"] = None
        if state == State.EVALUATED:
            row["satisfaction"] = rng.choices(
                ["satisfied", "basically", "dissatisfied"], weights=[8, 2, 1]
            )[0]

    def _warn(self, row: dict) -> None:
        """What the deadline sweep would have marked on an open stage."""
        due, started = row.get("stage_due_at"), row.get("stage_started_at")
        if due is None or started is None:
            return
        if due < self.now:
            row["stage_warned"] = "red"
        elif started + (due - started) * 0.8 < self.now:
            row["stage_warned"] = "yellow"


def _next_serial() -> int:
    """One past the highest serial of earlier runs (fixed width, so the string maximum is it)."""
    highest = Event.objects.filter(number__startswith=NUMBER_PREFIX).aggregate(
        top=Max(Substr("number", 1 + len(NUMBER_PREFIX) + 8))
    )["top"]
    return int(highest) + 1 if highest and highest.isdigit() else 1


def _rows(drawer: Drawer, count: int, serial: int) -> Iterator[dict]:
    for n in range(count):
        row = drawer.draw((n + drawer.rng.random()) / count)
        local_day = timezone.localtime(row["reported_at"]).strftime("%Y%m%d")
        row["number"] = f"{NUMBER_PREFIX}{local_day}{serial + n:09d}"
        yield row


def _full(row: dict, defaults: dict) -> dict:
    return defaults | row


def events_generate(
    *, count: int, days: int = 730, seed: int | None = None, timeline: bool = True
) -> int:
    """Add `count` events spread over the last `days` days; returns how many were written.

    Precondition: the demo city is loaded (grids, subclasses, routing, grid workers)."""
    if count < 0 or days < 1:
        raise ValueError("count must be ≥ 0 and days ≥ 1")
    if count == 0:
        # Nothing to add: loading the city and rebuilding the rollups took half a minute.
        return 0
    city = city_load()
    drawer = Drawer(city, random.Random(seed), timezone.now(), days)
    fields = [f for f in Event._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    serial = _next_serial()
    rows = _rows(drawer, count, serial)
    written = 0
    while written < count:
        batch = [
            _full(row, defaults)
            for _, row in zip(range(min(BATCH, count - written)), rows, strict=False)
        ]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _copy_batch(batch, fields, timeline)
            else:
                _bulk_batch(batch, timeline)
        written += len(batch)
    _rollups_rebuild()
    return written


def _copy_batch(batch: list[dict], fields: list, timeline: bool) -> None:
    """COPY with ids drawn from the table's own sequence, so live intake never collides."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Event._meta.db_table, len(batch)],
        )
        ids = [r[0] for r in cursor.fetchall()]
        columns = ", ".join(["id", *(f.column for f in fields)])
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {Event._meta.db_table} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, batch, strict=True):
                copy.write_row([pk, *(_db_value(f, row[f.attname]) for f in fields)])
        if timeline:
            table = TimelineEntry._meta.db_table
            with raw.copy(
                f"COPY {table} (event_id, at, actor_id, action, from_state, to_state, comment, data)"
                " FROM STDIN"
            ) as copy:
                for pk, row in zip(ids, batch, strict=True):
                    copy.write_row(
                        [
                            pk,
                            row["reported_at"],
                            row["reporter_id"],
                            "report",
                            "",
                            "reported",
                            "",
                            "{}",
                        ]
                    )


def _db_value(field, value):
    if field.get_internal_type() == "JSONField":
        return "{}" if value in ({}, None) else _json(value)
    return value


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _bulk_batch(batch: list[dict], timeline: bool) -> None:
    events = Event.objects.bulk_create([Event(**row) for row in batch], batch_size=1000)
    # auto_now_add stamped the rows now; they happened when the event was reported.
    for event, row in zip(events, batch, strict=True):
        event.reported_at = row["reported_at"]
    Event.objects.bulk_update(events, ["reported_at"], batch_size=500)
    if timeline:
        steps = TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(
                    event_id=e.pk, actor_id=e.reporter_id, action="report", to_state="reported"
                )
                for e in events
            ],
            batch_size=1000,
        )
        for step, event in zip(steps, events, strict=True):
            step.at = event.reported_at
        TimelineEntry.objects.bulk_update(steps, ["at"], batch_size=500)


def _rollups_rebuild() -> None:
    """Keep the daily rollups (gridgov.analytics, when installed) equal to the events."""
    try:
        from gridgov.analytics.services import rollups_rebuild
    except ImportError:
        return
    rollups_rebuild()
