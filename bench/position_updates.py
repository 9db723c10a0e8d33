"""Position updates under load: workers' phones posting their position through the API
(POST /api/v1/dispatch/positions, each client a grid worker with its own bearer token)
served by gunicorn (4 workers) on PostgreSQL with Redis as the cache, beside a bare Django
view writing the same two rows with the ORM (the latest position's upsert and the track's
insert in one transaction, nothing around them: bench/intake_urls.py), in the same run,
from 50 clients.

The measures of bench/event_intake.py: saturation (closed loop, requests/s and the
workers' CPU per request), latency at half the bare view's saturation (open loop, p50/p99),
then the queries of one update, counted in this process. Target (decision 0027): the API at
>= 50% of the bare view, p99 <= 100 ms at that rate.

PostgreSQL (BENCH_DATABASE_URL, dropped and created again; default bench_positions on the
local server) and Redis (db 5) must answer. Run: .venv/bin/python bench/position_updates.py
"""

import json
import os
import random
import sys
import tempfile

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_positions")
os.environ.setdefault("BENCH_PORT", "8918")

import event_intake  # noqa: E402
from event_intake import CLIENTS, DURATION, ROOT, WORKERS, Target, line, measured  # noqa: E402


def prepare() -> tuple[list[dict], list[dict], list[str]]:
    """Migrate, load the demo tree, make one grid worker with a token per client; the API
    rows and the bare rows (one worker's phone after another, small moves)."""
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "src")]
    import django

    django.setup()
    from django.core.management import call_command
    from shapely.geometry import shape

    from gridgov.accounts.models import User
    from gridgov.accounts.roles import Role
    from gridgov.accounts.services import api_token_create
    from gridgov.areas.models import Area

    call_command("migrate", verbosity=0)
    call_command("demo", "--areas-only", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    grids = list(Area.objects.filter(kind="grid").exclude(geometry=None)[:CLIENTS])
    workers = []
    for n in range(CLIENTS):
        grid = grids[n % len(grids)]
        user = User.objects.create(username=f"bench_worker_{n}", role=Role.GRID_WORKER, area=grid)
        _token, key = api_token_create(user=user, name="bench")
        workers.append((user.pk, key, shape(grid.geometry).representative_point()))
    rng = random.Random(9)
    api_rows, bare_rows = [], []
    for n in range(200_000):
        user_id, key, point = workers[n % len(workers)]
        lon = point.x + rng.uniform(-2e-4, 2e-4)
        lat = point.y + rng.uniform(-2e-4, 2e-4)
        accuracy = round(rng.uniform(3, 30), 1)
        api_rows.append({"_token": key, "lon": lon, "lat": lat, "accuracy_m": accuracy})
        bare_rows.append({"user_id": user_id, "lon": lon, "lat": lat, "accuracy_m": accuracy})
    return api_rows, bare_rows, [key for _u, key, _p in workers]


def queries_per_update(key: str, row: dict) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Bearer {key}"})
    body = {k: v for k, v in row.items() if k != "_token"}
    client.post("/api/v1/dispatch/positions", json.dumps(body), content_type="application/json")
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            "/api/v1/dispatch/positions", json.dumps(body), content_type="application/json"
        )
    assert response.status_code == 200, response.content
    return [q["sql"] for q in captured.captured_queries]


def main() -> None:
    event_intake.recreate_database()
    env = event_intake.environment(tempfile.mkdtemp(prefix="gridgov-bench-positions-"))
    api_rows, bare_rows, keys = prepare()
    json_headers = {"Content-Type": "application/json"}
    api = Target("API", "/api/v1/dispatch/positions", api_rows, json_headers, ok=200)
    bare = Target("bare view", "/bench/bare-position", bare_rows, json_headers, ok=200)
    server = event_intake.serve(env)
    try:
        for target in (bare, api):  # every worker loads its indexes and keeps the tokens
            event_intake.run(target, 3.0, None)
        print(
            f"position updates on PostgreSQL, gunicorn {WORKERS} sync workers, {CLIENTS} "
            f"clients (one worker each), Redis cache; {os.cpu_count()} CPUs shared with the server"
        )
        print(f"saturation ({DURATION:.0f} s each, back to back):")
        bare_full = measured(server, bare, DURATION, None)
        api_full = measured(server, api, DURATION, None)
        print(line("bare view upsert + insert", bare_full).replace("events/s", "updates/s"))
        print(line("API position update", api_full).replace("events/s", "updates/s"))
        ratio = api_full["per_second"] / bare_full["per_second"]
        print(f"  API / bare view: {ratio:.0%} (target >= 50%)")
        rate = bare_full["per_second"] / 2
        print(f"latency at {rate:.0f} requests/s offered (half the bare view's saturation):")
        bare_paced = measured(server, bare, DURATION, rate)
        api_paced = measured(server, api, DURATION, rate)
        print(line("bare view upsert + insert", bare_paced).replace("events/s", "updates/s"))
        print(line("API position update", api_paced).replace("events/s", "updates/s"))
        print(f"  API p99 {api_paced['p99']:.1f} ms (target <= 100 ms)")
    finally:
        server.terminate()
        server.wait(30)
    statements = queries_per_update(keys[0], api_rows[0])
    print(f"queries per update (warm process, token kept): {len(statements)}")
    for sql in statements:
        print(f"  {sql[:160]}")


if __name__ == "__main__":
    main()
