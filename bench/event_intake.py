"""Intake under load: reports through the API (POST /api/v1/events/, bearer token) served by
gunicorn (4 workers) on PostgreSQL with Redis as the cache, beside a bare Django view that
inserts the same event row (bench/intake_urls.py), in the same run, from 50 clients.

Two measures each, for both endpoints:
- saturation: 50 clients send back to back (closed loop) for DURATION seconds: events/s.
  Latency there is only 50 / throughput (Little's law), so it is printed but not the target;
- latency at the target rate: 50 clients send on a fixed schedule (open loop, latency
  counted from the scheduled moment, so a stall is not hidden) at half the bare view's
  saturation rate, i.e. the throughput the API must hold: p50/p99; and at a steady
  BENCH_STEADY_RATE (20/s: 50 phones each reporting every 2.5 s).
Then the queries of one report, counted in this process.

PostgreSQL (BENCH_DATABASE_URL, dropped and created again; default bench_event_intake on the
local server) and Redis (db 5) must answer. Run: .venv/bin/python bench/event_intake.py
"""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

from _setup import gunicorn_serve

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
DURATION = float(os.environ.get("BENCH_SECONDS", "15"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
PORT = int(os.environ.get("BENCH_PORT", "8917"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_event_intake"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
# A steady load below saturation: 50 phones each reporting every 2.5 s.
STEADY_RATE = float(os.environ.get("BENCH_STEADY_RATE", "20"))
ROOT = Path(__file__).resolve().parents[1]


def recreate_database() -> None:
    import psycopg

    url = urllib.parse.urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def environment(data_dir: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "GRIDGOV_DATA_DIR": data_dir,
        "GRIDGOV_HTTPS": "false",
        "GRIDGOV_REQUIRE_2FA": "false",
        "GRIDGOV_JOBS_IN_PROCESS": "false",
        "DJANGO_SETTINGS_MODULE": "intake_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT / "src")]),
    }
    os.environ.update(env)
    return env


def prepare() -> tuple[str, list[dict], list[dict]]:
    """Migrate, load the demo tree, train the classifier once; the API rows and bare rows."""
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "src")]
    import django

    django.setup()
    from django.core.management import call_command
    from shapely.geometry import shape

    from gridgov.accounts.models import User
    from gridgov.accounts.services import api_token_create
    from gridgov.areas.models import Area
    from gridgov.events import classifier
    from gridgov.events.models import Subclass

    call_command("migrate", verbosity=0)
    call_command("demo", "--areas-only", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    classifier.train()
    operator = User.objects.get(username="operator")
    _token, key = api_token_create(user=operator)
    rng = random.Random(9)
    grids = list(Area.objects.filter(kind="grid").values_list("id", "geometry")[:200])
    points = [(gid, shape(g).representative_point()) for gid, g in grids]
    subclasses = list(Subclass.objects.filter(active=True).values_list("code", "id"))
    words = ["垃圾堆放", "井盖缺失", "占道经营", "路灯不亮", "噪音扰民", "违章停车", "污水外溢"]
    api_rows, bare_rows = [], []
    for n in range(60_000):
        area_id, point = rng.choice(points)
        code, subclass_id = rng.choice(subclasses)
        lon = point.x + rng.uniform(-1e-4, 1e-4)
        description = f"{rng.choice(words)}，{n}号附近，已经两天了"
        api_rows.append({"subclass": code, "description": description, "lon": lon, "lat": point.y})
        bare_rows.append(
            {
                "number": f"B{n:012d}",
                "subclass_id": subclass_id,
                "area_id": area_id,
                "reporter_id": operator.pk,
                "description": description,
                "lon": lon,
                "lat": point.y,
            }
        )
    return key, api_rows, bare_rows


class Target:
    """One endpoint with its rows handed out once each across all clients."""

    def __init__(
        self, name: str, path: str, rows: list[dict], headers: dict[str, str], ok: int = 201
    ):
        self.name, self.path, self.rows, self.headers = name, path, rows, headers
        self.ok = ok  # the status of a success
        self._next = 0
        self._lock = threading.Lock()

    def row(self) -> dict:
        with self._lock:
            row = self.rows[self._next]
            self._next += 1
            return row


def send(connection: HTTPConnection, target: Target) -> int:
    row = target.row()
    headers = target.headers
    if "_token" in row:  # a row sent by its own person (bench/position_updates.py)
        row = dict(row)
        headers = {**headers, "Authorization": f"Bearer {row.pop('_token')}"}
    body = json.dumps(row)
    try:
        connection.request("POST", target.path, body, headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except (ConnectionError, OSError):
        connection.close()  # the next request opens a new connection
        return 0


def run(target: Target, seconds: float, rate: float | None) -> dict:
    """CLIENTS threads for `seconds`: back to back (rate None) or at `rate` requests/s in all,
    each request's latency counted from its scheduled moment."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    end = start + seconds

    def client(index: int) -> None:
        connection = HTTPConnection("127.0.0.1", PORT, timeout=60)
        mine, bad = [], []
        interval = CLIENTS / rate if rate else 0.0
        scheduled = start + (index * interval / CLIENTS if rate else 0.0)
        while True:
            if rate:
                now = time.perf_counter()
                if scheduled > now:
                    time.sleep(scheduled - now)
                began = scheduled
                scheduled += interval
            else:
                began = time.perf_counter()
            if began >= end:
                break
            if began < start:
                time.sleep(start - began)
                continue
            status = send(connection, target)
            mine.append(time.perf_counter() - began)
            if status != target.ok:
                bad.append(status)
        connection.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(time.perf_counter(), end) - start
    latencies.sort()
    return {
        "count": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0.0,
        "failures": len(failures),
        "statuses": sorted(set(failures)),
    }


def workers_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by the gunicorn workers: per request, a figure
    that other loads on the machine change less than throughput."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def measured(server: subprocess.Popen, target: Target, seconds: float, rate: float | None):
    before = workers_cpu_seconds(server)
    result = run(target, seconds, rate)
    used = workers_cpu_seconds(server) - before
    result["cpu_ms"] = used / result["count"] * 1000 if result["count"] else 0.0
    return result


def serve(env: dict[str, str]) -> subprocess.Popen:
    return gunicorn_serve(env, workers=WORKERS, port=PORT, extra=["--timeout=60"])


def queries_per_report(key: str, row: dict) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Bearer {key}"})
    client.post("/api/v1/events/", json.dumps(row), content_type="application/json")
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            "/api/v1/events/", json.dumps({**row, "lon": row["lon"] + 1e-5}), "application/json"
        )
    assert response.status_code == 201, response.content
    return len(captured)


def line(name: str, result: dict) -> str:
    failed = f", {result['failures']} failed {result['statuses']}" if result["failures"] else ""
    return (
        f"  {name:<28} {result['per_second']:7.1f} events/s  p50 {result['p50']:7.1f} ms"
        f"  p99 {result['p99']:7.1f} ms  server CPU {result['cpu_ms']:5.1f} ms/request"
        f"  ({result['count']} requests{failed})"
    )


def main() -> None:
    recreate_database()
    env = environment(tempfile.mkdtemp(prefix="gridgov-bench-intake-"))
    key, api_rows, bare_rows = prepare()
    json_headers = {"Content-Type": "application/json"}
    api = Target(
        "API", "/api/v1/events/", api_rows, {**json_headers, "Authorization": f"Bearer {key}"}
    )
    bare = Target("bare view", "/bench/bare-insert", bare_rows, json_headers)
    server = serve(env)
    try:
        for target in (bare, api):  # every worker loads its indexes and models
            run(target, 3.0, None)
        print(
            f"intake on PostgreSQL, gunicorn {WORKERS} sync workers, {CLIENTS} clients, "
            f"Redis cache; {os.cpu_count()} CPUs shared with the server"
        )
        print(f"saturation ({DURATION:.0f} s each, back to back):")
        bare_full = measured(server, bare, DURATION, None)
        api_full = measured(server, api, DURATION, None)
        print(line("bare view insert", bare_full))
        print(line("API report", api_full))
        ratio = api_full["per_second"] / bare_full["per_second"]
        print(f"  API / bare view: {ratio:.0%} (target >= 50%)")
        rate = bare_full["per_second"] / 2
        print(f"latency at {rate:.0f} requests/s offered (half the bare view's saturation):")
        bare_paced = measured(server, bare, DURATION, rate)
        api_paced = measured(server, api, DURATION, rate)
        print(line("bare view insert", bare_paced))
        print(line("API report", api_paced))
        print(f"  API p99 {api_paced['p99']:.1f} ms (target <= 100 ms)")
        print(f"latency at a steady {STEADY_RATE:.0f} requests/s:")
        print(line("bare view insert", measured(server, bare, DURATION, STEADY_RATE)))
        print(line("API report", measured(server, api, DURATION, STEADY_RATE)))
    finally:
        server.terminate()
        server.wait(30)
    from gridgov.events.models import Event

    print(f"queries per report (warm process): {queries_per_report(key, api_rows[-1])}")
    stored = Event.objects.count()
    print(f"events stored: {stored:,}")


if __name__ == "__main__":
    main()
