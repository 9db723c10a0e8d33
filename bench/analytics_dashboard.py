"""The leaders' dashboard's reads (analytics.explorer, issue 13) at 1M and 10M events on
PostgreSQL, beside a plain SQL GROUP BY over the events computing the same counts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dash_1m \
        .venv/bin/python bench/analytics_dashboard.py [--keep-rollups] [1000000 [10000000]]

`--keep-rollups` measures again a database made before without rebuilding its rollups (the
rebuild takes ~15 min at 10M on two cores).

The events are made as bench/rates.py makes them (two years of the demo district, INSERT …
SELECT, indexes made again after) and the rollups rebuilt once. Each query is what one
dashboard view reads: the figures of a period by a grouping AND of the previous period (two
reads of the rollups), or the trend beside it. The page's target: ≤ 100 ms at 10M events.
Use a database of your own (bench_dash_*), never the load test's or another bench's.
"""

import datetime as dt
import os
import statistics
import sys
import time

from _setup import django_setup

# (user, grouping, period kind, area code or None, label)
QUERIES = [
    ("leader", "area", "month", None, "district, month by street (+ previous)"),
    ("leader", "department", "month", None, "district, month by department (+ previous)"),
    ("leader", "category", "quarter", None, "district, quarter by event class (+ previous)"),
    ("leader", "subclass", "year", None, "district, year by subclass (+ previous)"),
    ("leader", "source", "month", None, "district, month by source (+ previous)"),
    ("leader", "grid", "month", "530702001", "street 西安, month by grid (+ previous)"),
    ("leader", "area", "month", "530702001002", "community 文汇, month by grid (+ previous)"),
    ("leader", "day", "month", None, "district, month's trend by day"),
    ("leader", "week", "quarter", None, "district, quarter's trend by week"),
    ("leader", "month", "year", None, "district, year's trend by month"),
    ("street", "area", "month", None, "street staff, month by community (+ previous)"),
]


def _timed(call, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(size: int, now, *, rebuild: bool = True) -> None:
    from django.db import connection

    from gridgov.accounts.models import User
    from gridgov.analytics import explorer
    from gridgov.analytics.explorer_periods import period_containing
    from gridgov.analytics.services import rollups_rebuild
    from gridgov.areas.models import Area
    from rates import BASELINE_SQL

    if rebuild:
        started = time.perf_counter()
        rows = rollups_rebuild()
        print(
            f"{size:>11,} events: rollups rebuilt in {time.perf_counter() - started:.1f} s "
            f"({rows:,} daily rows)"
        )
    with connection.cursor() as cursor:  # as autovacuum would have, on a live system
        cursor.execute("ANALYZE areas_area")
    print(f"{size:>11,} events; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    users = {
        "leader": User.objects.get(username="t_bench_leader"),
        "street": User.objects.get(username="t_bench_street"),
    }
    today = now.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    medians = []
    for user, grouping, kind, code, label in QUERIES:
        period = period_containing(kind, today)
        area = Area.objects.get(code=code) if code else None
        query = explorer.Query(grouping, period, area)
        compare = grouping not in explorer.TIME_GROUPINGS
        seconds = _timed(
            lambda q=query, u=users[user], c=compare: explorer.explore(u, q, compare=c)
        )
        medians.append(seconds)
        print(f"{'':>13}{label:<52} {seconds * 1000:8.1f} ms")
    print(
        f"{'':>13}{'median of the dashboard reads':<52} {statistics.median(medians) * 1000:8.1f} ms"
        f"; slowest {max(medians) * 1000:.1f} ms"
    )
    month = period_containing("month", today)
    for label, group, prefix, since in (
        ("month by street", "split_part(a.path, '/', 3)", "/530702/%", month.since),
        ("month by grid, street 西安", "e.area_id", "/530702/530702001/%", month.since),
        ("year by subclass", "e.subclass_id", "/%", period_containing("year", today).since),
    ):

        def baseline(group=group, prefix=prefix, since=since):
            with connection.cursor() as cursor:
                cursor.execute(BASELINE_SQL.format(group=group), {"prefix": prefix, "since": since})
                cursor.fetchall()

        seconds = _timed(baseline, repeat=3)
        print(f"{'':>13}{'baseline GROUP BY over events, ' + label:<52} {seconds * 1000:8.1f} ms")


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or url.rsplit("/", 1)[-1].startswith(("load", "bench_r")):
        sys.exit("set DATABASE_URL to a PostgreSQL database of your own (bench_dash_*)")
    keep = "--keep-rollups" in sys.argv
    sizes = [int(a) for a in sys.argv[1:] if a != "--keep-rollups"] or [1_000_000]
    django_setup()
    from django.core.management import call_command
    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.accounts.roles import Role
    from gridgov.areas.models import Area
    from gridgov.events.models import Event
    from rates import generate

    if not Area.objects.exists():
        call_command("demo", "--areas-only", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    for name, role, code in (
        ("t_bench_leader", Role.LEADER, "530702"),
        ("t_bench_street", Role.AREA_STAFF, "530702001"),
    ):
        User.objects.update_or_create(
            username=name, defaults={"role": role, "area": Area.objects.get(code=code)}
        )
    now = timezone.now()
    for size in sorted(sizes):
        have = Event.objects.count()
        if have < size:
            seconds = generate(size, have, now)
            print(f"generated {size - have:,} events in {seconds:.0f} s (indexes included)")
        measure(size, now, rebuild=not keep)


if __name__ == "__main__":
    main()
