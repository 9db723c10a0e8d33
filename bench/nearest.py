"""Nearest on-duty workers: the API over HTTP beside a PostGIS KNN query, same positions, same run.

10,000 field workers on PostgreSQL (20,000 generated events, the open ones handed to them,
so the open-task counts read real rows); gunicorn (4 sync workers) serves the API; another
process moves workers at 200 position updates a second through the service the API calls
(position_record: upsert of the hot row, one track row). While it runs, one client asks in
turn, from random points of the city (2 km, the 10 nearest):

- the API, GET /api/v1/dispatch/nearest over HTTP (bearer token, scope, names, open tasks);
- PostGIS KNN: `ORDER BY geog <-> point LIMIT 10` with a GiST index, on a generated
  geography column of the same hot table (so the same updates move it), with the same
  filters (on duty, fresh, within 2 km): the bare query, then the same question as the
  API (joined to the people, their scope, and their open tasks);
- in this process: the index alone, and the whole service call (index, catch-up, one query).

Then with the updates stopped, the API's answers are compared to PostGIS's (sphere distances).
Last, the purge: a day of track rows deleted row by row beside a day's partition dropped.

PostgreSQL (BENCH_NEAREST_DATABASE_URL, dropped and created again; default bench_nearest on
the local server). Without PostGIS (apt-get install postgresql-15-postgis-3; `make bench`
installs it) the baseline is skipped, loudly. Run: .venv/bin/python bench/nearest.py
"""

import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

from _setup import gunicorn_serve

WORKERS = int(os.environ.get("BENCH_FIELD_WORKERS", "10000"))
UPDATES_PER_S = float(os.environ.get("BENCH_UPDATES", "200"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
TRACK_ROWS = int(os.environ.get("BENCH_TRACK_ROWS", "1000000"))
SERVERS = int(os.environ.get("BENCH_WORKERS", "4"))
MOVERS = int(os.environ.get("BENCH_MOVERS", "4"))
PORT = int(os.environ.get("BENCH_PORT", "8926"))
DATABASE_URL = os.environ.get(
    "BENCH_NEAREST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_nearest"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
ROOT = Path(__file__).resolve().parents[1]
RADIUS = 2000
LIMIT = 10
CENTRE = (100.235, 26.872)  # the old town, where most workers are

KNN = """
SELECT p.user_id, ST_Distance(p.geog, q.pt, false)
FROM dispatch_workerposition p, (SELECT ST_MakePoint(%(lon)s, %(lat)s)::geography AS pt) q
WHERE p.on_duty AND p.at >= %(fresh)s AND ST_DWithin(p.geog, q.pt, %(radius)s, false)
ORDER BY p.geog <-> q.pt LIMIT %(limit)s
"""
# The same question as the API: field staff, active, in scope, with names and open tasks.
KNN_FULL = """
SELECT p.user_id, round(ST_Distance(p.geog, q.pt, false)::numeric, 1) AS d,
       u.first_name, u.last_name, u.username, a.code, u.phone,
       (SELECT count(*) FROM events_event e
        WHERE e.assignee_id = u.id AND e.state <> ALL(%(terminal)s)) AS open_tasks
FROM dispatch_workerposition p
JOIN accounts_user u ON u.id = p.user_id
LEFT JOIN areas_area a ON a.id = u.area_id,
(SELECT ST_MakePoint(%(lon)s, %(lat)s)::geography AS pt) q
WHERE p.on_duty AND p.at >= %(fresh)s AND ST_DWithin(p.geog, q.pt, %(radius)s, false)
  AND u.is_active AND u.role = ANY(%(roles)s) AND a.path LIKE %(prefix)s
ORDER BY p.geog <-> q.pt LIMIT %(limit)s
"""


def recreate_database() -> None:
    import psycopg

    url = urllib.parse.urlparse(DATABASE_URL)
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        name = url.path.lstrip("/")
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def environment() -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "GRIDGOV_DATA_DIR": tempfile.mkdtemp(prefix="gridgov-bench-nearest-"),
        "GRIDGOV_HTTPS": "false",
        "GRIDGOV_REQUIRE_2FA": "false",
        "DJANGO_SETTINGS_MODULE": "gridgov.config.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    os.environ.update(env)
    return env


def spot(rng: random.Random, bounds: tuple) -> tuple[float, float]:
    # Workers cluster where people live: the urban core around the old town, some spread out.
    if rng.random() < 0.7:
        return CENTRE[0] + rng.gauss(0, 0.03), CENTRE[1] + rng.gauss(0, 0.03)
    return rng.uniform(bounds[0], bounds[2]), rng.uniform(bounds[1], bounds[3])


def prepare() -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.accounts.services import api_token_create
    from gridgov.areas.models import Area
    from gridgov.dispatch.models import WorkerPosition
    from gridgov.events.workflow import TERMINAL

    call_command("migrate", verbosity=0)
    call_command("demo", "--areas-only", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    rng = random.Random(4)
    district = Area.objects.get(code="530702")
    bounds = (district.min_lon, district.min_lat, district.max_lon, district.max_lat)
    grids = list(Area.objects.filter(kind="grid"))
    hashed = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench{i}",
                first_name=f"W{i}",
                role="grid_worker",
                area=rng.choice(grids),
                password=hashed,
                phone=f"1380000{i:04d}",
            )
            for i in range(WORKERS)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    WorkerPosition.objects.bulk_create(
        [WorkerPosition(user=u, lon=(p := spot(rng, bounds))[0], lat=p[1], at=now) for u in users],
        batch_size=2000,
    )
    events = "no events (demo_events failed)"
    try:
        call_command(
            "demo_events",
            "--count",
            "20000",
            "--days",
            "60",
            "--seed",
            "3",
            stdout=open(os.devnull, "w"),
        )  # noqa: SIM115
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE events_event SET assignee_id = %s + (random() * 1e9)::bigint %% %s "
                "WHERE state <> ALL(%s)",
                [users[0].pk, WORKERS, [str(state) for state in TERMINAL]],
            )
            cursor.execute("SELECT count(*) FROM events_event WHERE assignee_id IS NOT NULL")
            events = f"{cursor.fetchone()[0]} open events handed to them"
    except Exception as error:  # noqa: BLE001 - the bench goes on without events
        events = f"no events ({error})"
    postgis = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            cursor.execute(
                "ALTER TABLE dispatch_workerposition ADD COLUMN geog geography(Point, 4326) "
                "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED"
            )
            cursor.execute(
                "CREATE INDEX bench_position_geog ON dispatch_workerposition USING gist (geog)"
            )
            cursor.execute("ANALYZE")
    except Exception as error:  # noqa: BLE001 - said loudly below
        postgis = False
        print(f"== PostGIS is not available ({error}): the PostGIS baseline is SKIPPED ==")
    operator = User.objects.get(username="operator")
    _token, key = api_token_create(user=operator)
    return {
        "key": key,
        "bounds": bounds,
        "user_ids": [u.pk for u in users],
        "postgis": postgis,
        "events": events,
    }


def mover(user_ids: list[int], bounds: tuple, stop, moved, rate: float, seed: int) -> None:
    """`rate` position_record calls a second, in ticks of 50 ms (several of these run, as
    several server processes would take the worker apps' posts)."""
    from django.db import connections

    connections.close_all()  # the forked process opens its own connection
    from gridgov.accounts.models import User
    from gridgov.dispatch.services import position_record

    rng = random.Random(seed)
    people = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    per_tick = max(1, round(rate / 20))
    next_tick = time.perf_counter()
    while not stop.is_set():
        for user_id in rng.sample(user_ids, per_tick):
            x, y = spot(rng, bounds)
            position_record(user=people[user_id], lon=x, lat=y, accuracy_m=10)
        with moved.get_lock():
            moved.value += per_tick
        next_tick += 0.05
        time.sleep(max(0.0, next_tick - time.perf_counter()))


def serve(env: dict[str, str]) -> subprocess.Popen:
    return gunicorn_serve(env, workers=SERVERS, port=PORT)


def ask_api(key: str, lon: float, lat: float) -> tuple[float, list[dict]]:
    import json

    started = time.perf_counter()
    connection = HTTPConnection("127.0.0.1", PORT, timeout=10)
    connection.request(
        "GET",
        f"/api/v1/dispatch/nearest?lon={lon}&lat={lat}&radius_m={RADIUS}&limit={LIMIT}",
        headers={"Authorization": f"Bearer {key}"},
    )
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    assert response.status == 200, body[:300]
    return elapsed, json.loads(body)


def figures(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"p50 {statistics.median(ordered) * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms"
        f"  ({len(ordered)} calls)"
    )


def purge_costs() -> None:
    """A day of track rows deleted row by row, beside another day's partition dropped."""
    import datetime as dt

    from django.db import connection

    from gridgov.dispatch import tracks

    if not tracks.partitioned():
        print("purge: the track table is not partitioned (not PostgreSQL): skipped")
        return
    base = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=60)
    days = [base, base + dt.timedelta(days=1)]
    for day in days:
        tracks.partitions_ensure(today=day, days_ahead=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM accounts_user WHERE role = 'grid_worker'")
        low, high = cursor.fetchone()
        started = time.perf_counter()
        for day in days:
            # One day of samples, spread over the day, for the workers in turn.
            cursor.execute(
                "INSERT INTO dispatch_positionsample (lon, lat, accuracy_m, at, user_id) "
                "SELECT 100.2 + random() * 0.1, 26.8 + random() * 0.1, 10, "
                "%s::timestamptz + (n * 86400.0 / %s) * interval '1 second', "
                "%s + n %% (%s - %s + 1) FROM generate_series(0, %s - 1) n",
                [f"{day} 00:00:00+00", TRACK_ROWS, low, high, low, TRACK_ROWS],
            )
        filled = time.perf_counter() - started
        cursor.execute("ANALYZE dispatch_positionsample")
        started = time.perf_counter()
        cursor.execute(
            "DELETE FROM dispatch_positionsample WHERE at >= %s AND at < %s",
            [f"{days[0]} 00:00:00+00", f"{days[1]} 00:00:00+00"],
        )
        deleted = cursor.rowcount
        delete_s = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {tracks.TABLE}_p{days[0]:%Y%m%d}")  # emptied above
        started = time.perf_counter()
        dropped = tracks.partitions_drop_before(
            dt.datetime.combine(days[1] + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        )
        drop_s = time.perf_counter() - started
    per_day = 17_280_000
    print(
        f"purge of one day of tracks ({TRACK_ROWS:,} rows a day here; written in "
        f"{filled:.1f} s for two days):"
    )
    print(
        f"  DELETE of a day's rows:   {delete_s * 1000:9.0f} ms for {deleted:,} rows "
        f"(~{delete_s * per_day / max(deleted, 1):.0f} s at 17.3M rows, plus vacuuming them)"
    )
    print(
        f"  DROP of a day partition:  {drop_s * 1000:9.1f} ms ({dropped:,} rows, estimated; "
        "the same at any size)"
    )


def main() -> None:
    recreate_database()
    env = environment()
    setup = prepare()
    from django.db import connection

    from gridgov.accounts.models import User
    from gridgov.accounts.scope import scope_path
    from gridgov.dispatch.position_index import positions
    from gridgov.dispatch.services import FIELD_ROLES, fresh_after, nearest_workers
    from gridgov.events.workflow import TERMINAL

    operator = User.objects.get(username="operator")
    server = serve(env)
    stop = multiprocessing.Event()
    moved = multiprocessing.Value("l", 0)
    rng = random.Random(11)
    key, bounds = setup["key"], setup["bounds"]
    try:
        for _ in range(40):  # every gunicorn worker loads its index once
            ask_api(key, *spot(rng, bounds))
        connection.close()  # nothing open across the fork
        movers = [
            multiprocessing.get_context("fork").Process(
                target=mover,
                args=(setup["user_ids"], bounds, stop, moved, UPDATES_PER_S / MOVERS, 5 + n),
                daemon=True,
            )
            for n in range(MOVERS)
        ]
        for process in movers:
            process.start()
        time.sleep(3)
        api, knn, knn_full, index_only, service = [], [], [], [], []
        cursor = connection.cursor()
        params = {
            "radius": RADIUS,
            "limit": LIMIT,
            "terminal": [str(s) for s in TERMINAL],
            "roles": [str(r) for r in FIELD_ROLES],
            "prefix": scope_path(operator) + "%",
        }
        started = time.perf_counter()
        moved_before = moved.value
        while time.perf_counter() - started < SECONDS:
            lon, lat = spot(rng, bounds)
            elapsed, _answer = ask_api(key, lon, lat)
            api.append(elapsed)
            if setup["postgis"]:
                query = {**params, "lon": lon, "lat": lat, "fresh": fresh_after()}
                t = time.perf_counter()
                cursor.execute(KNN, query)
                cursor.fetchall()
                knn.append(time.perf_counter() - t)
                t = time.perf_counter()
                cursor.execute(KNN_FULL, query)
                cursor.fetchall()
                knn_full.append(time.perf_counter() - t)
            t = time.perf_counter()
            nearest_workers(user=operator, lon=lon, lat=lat, radius_m=RADIUS, limit=LIMIT)
            service.append(time.perf_counter() - t)
            t = time.perf_counter()
            positions.nearest(lon, lat, RADIUS, scope_path(operator), fresh_after(), LIMIT)
            index_only.append(time.perf_counter() - t)
        rate = (moved.value - moved_before) / (time.perf_counter() - started)
        stop.set()
        for process in movers:
            process.join()
        load = os.getloadavg()[0]
        print(
            f"nearest on PostgreSQL: {WORKERS:,} field workers ({setup['events']}), "
            f"gunicorn {SERVERS} sync workers, {os.cpu_count()} CPUs shared by all; "
            f"{rate:.0f} position updates/s during the run; {RADIUS} m, the {LIMIT} nearest; "
            f"load average {load:.1f}"
        )
        print(f"  API over HTTP (token, scope, names, tasks)   {figures(api)}")
        if setup["postgis"]:
            print(f"  PostGIS KNN, bare (in this process)         {figures(knn)}")
            print(f"  PostGIS KNN, same answer as the API          {figures(knn_full)}")
            print(
                f"  API p50 / PostGIS bare p50: "
                f"{statistics.median(api) / statistics.median(knn):.2f}x; "
                f"/ PostGIS same answer: {statistics.median(api) / statistics.median(knn_full):.2f}x"
            )
        else:
            print("  PostGIS KNN: SKIPPED (no PostGIS)")
        print(f"  in process: the index alone                  {figures(index_only)}")
        print(f"  in process: the service (catch-up, 1 query)  {figures(service)}")

        if setup["postgis"]:
            time.sleep(1.5)  # every server catches up with the last moves
            same = 0
            checks = 100
            for _ in range(checks):
                lon, lat = spot(rng, bounds)
                _elapsed, answer = ask_api(key, lon, lat)
                cursor.execute(KNN_FULL, {**params, "lon": lon, "lat": lat, "fresh": fresh_after()})
                rows = cursor.fetchall()
                same += [a["id"] for a in answer] == [r[0] for r in rows] or (
                    # equal distances may come in either order
                    sorted(a["distance_m"] for a in answer) == sorted(float(r[1]) for r in rows)
                )
            print(f"  with the updates stopped: {same}/{checks} API answers equal to PostGIS's")
    finally:
        stop.set()
        server.terminate()
        server.wait()
    purge_costs()


if __name__ == "__main__":
    main()
