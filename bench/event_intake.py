"""Events taken in per second through the API (grid lookup, duplicate check, number, timeline),
with p50/p99 latency, beside a bare ORM insert of the same rows in the same run.

Runs on SQLite by default, on PostgreSQL with DATABASE_URL set (to an empty database).
"""

import json
import random
import statistics
import time

from _setup import django_setup

COUNT = 2000


def main() -> None:
    django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from shapely.geometry import shape

    from gridgov.accounts.services import api_token_create
    from gridgov.areas.models import Area
    from gridgov.events.models import Event, Subclass

    call_command("demo", "--areas-only", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    from gridgov.accounts.models import User

    _token, key = api_token_create(user=User.objects.get(username="admin"))
    client = Client(headers={"Authorization": f"Bearer {key}"})
    rng = random.Random(5)
    grids = [
        shape(g) for g in Area.objects.filter(kind="grid").values_list("geometry", flat=True)[:200]
    ]
    codes = list(Subclass.objects.values_list("code", flat=True))
    rows = []
    for _ in range(COUNT):
        point = rng.choice(grids).representative_point()
        rows.append(
            {
                "subclass": rng.choice(codes),
                "description": "基准测试事件",
                "lon": point.x + rng.uniform(-1e-4, 1e-4),
                "lat": point.y,
                "source": "worker",
            }
        )

    latencies = []
    started = time.perf_counter()
    for row in rows:
        t = time.perf_counter()
        response = client.post("/api/v1/events/", json.dumps(row), content_type="application/json")
        latencies.append(time.perf_counter() - t)
        assert response.status_code == 201, response.content
    api_seconds = time.perf_counter() - started

    area = Area.objects.filter(kind="grid").first()
    subclass = Subclass.objects.first()
    started = time.perf_counter()
    for n, row in enumerate(rows):
        Event.objects.create(
            number=f"B{n:09d}",
            subclass=subclass,
            description=row["description"],
            source="worker",
            area=area,
            lon=row["lon"],
            lat=row["lat"],
        )
    orm_seconds = time.perf_counter() - started

    latencies.sort()
    print(f"database: {connection.vendor}, {COUNT} events")
    print(
        f"  through the API: {COUNT / api_seconds:,.0f} events/s, p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {latencies[int(COUNT * 0.99)] * 1000:.1f} ms"
    )
    print(f"  bare ORM insert: {COUNT / orm_seconds:,.0f} events/s")
    print(f"  ratio API/ORM time: {api_seconds / orm_seconds:.1f}x")


if __name__ == "__main__":
    main()
