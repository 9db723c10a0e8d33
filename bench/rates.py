"""Rates from the daily rollup beside a plain SQL GROUP BY over the events, same run, at 1M and
10M events on PostgreSQL; and the time to rebuild the rollup from the events.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<empty db> .venv/bin/python bench/rates.py \
        [--keep-rollups] [1000000 10000000]

`--keep-rollups` measures a database made before (by this script or bench/analytics_dashboard.py)
without rebuilding its rollups.

The events are made in the database (INSERT … SELECT over generate_series, secondary indexes
dropped during the load and made again after): two years of a district of 620 grids, most
closed, the last days open, deadlines met or missed. Sizes grow in the same database: the
first size is generated, measured, then topped up to the next.

"rollup" is `gridgov.analytics.selectors.rates_report` (what GET /api/v1/events/rates
returns, without HTTP): rollup rows summed + open events fallen due counted live. The
baseline is one GROUP BY over events computing the same counts (no working hours: the
issue's 4.8 s figure at 1M); the old row-by-row path took 62 s and 1.76 GB at 1M (issue 9).
"""

import os
import statistics
import sys
import time

from _setup import django_setup

QUERIES = [
    # (user, group, days back or None for all, label)
    ("admin", None, None, "all time, total"),
    ("admin", "area", None, "all time by street"),
    ("admin", "subclass", 365, "last year by subclass"),
    ("operator", "area", 30, "district, 30 days by street"),
    ("operator", "department", None, "district, all time by department"),
    ("operator", "month", None, "district, all time by month"),
    ("operator", "day", 30, "district, 30 days by day"),
    ("street", "area", 90, "street, 90 days by community"),
    ("street", "source", None, "street, all time by source"),
    ("admin", "day", 7, "7 days by day"),
]
BASELINE_SQL = """
SELECT {group} AS g, COUNT(*),
    SUM(CASE WHEN e.state = 'voided' THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.state <> 'voided' AND COALESCE(e.accepted_at, CASE WHEN e.state = 'rejected'
        THEN e.closed_at END) <= e.accept_due_at THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.state <> 'voided' AND e.dispatched_at IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.state <> 'voided' AND e.dispatched_at <= e.dispatch_due_at THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.state IN ('closed', 'evaluated') THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.state NOT IN ('voided', 'rejected') AND e.accepted_at IS NOT NULL AND
        (e.state IN ('closed', 'evaluated') OR e.handle_due_at <= now()) THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.state IN ('closed', 'evaluated') AND e.accepted_at IS NOT NULL
        AND e.handled_at <= e.handle_due_at THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.state NOT IN ('voided', 'rejected') AND e.accepted_at IS NOT NULL AND
        (e.state IN ('closed', 'evaluated') OR e.handle_due_at <= now())
        AND e.rework_count > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.state NOT IN ('voided', 'rejected') AND e.accepted_at IS NOT NULL
        AND e.satisfaction <> '' THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.satisfaction = 'satisfied' THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.satisfaction = 'basically' THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.satisfaction = 'dissatisfied' THEN 1 ELSE 0 END)
FROM events_event e JOIN areas_area a ON a.id = e.area_id
WHERE a.path LIKE %(prefix)s AND e.reported_at >= %(since)s
GROUP BY 1
"""
GENERATE_SQL = """
INSERT INTO events_event (number, client_uuid, description, urgency, source, lon, lat, address,
    reporter_name, reporter_phone, extra, state, version, pending_request, supervised,
    rework_count, satisfaction, reported_at, stage_warned, accepted_at, accept_due_at,
    dispatched_at, dispatch_due_at, handled_at, handle_due_at, closed_at, area_id, subclass_id,
    department_id)
SELECT 'B' || g, gen_random_uuid(), '基准测试事件', 'normal', source, 0, 0, '', '', '', '{}',
    state, 1, '', false,
    CASE WHEN handled AND rd < 0.08 THEN 1 ELSE 0 END,
    CASE WHEN state <> 'evaluated' THEN '' WHEN re < 0.7 THEN 'satisfied'
        WHEN re < 0.9 THEN 'basically' ELSE 'dissatisfied' END,
    rep, '',
    CASE WHEN filed THEN rep + ra * interval '3 hours' END,
    rep + interval '2 hours',
    CASE WHEN dispatched THEN rep + ra * interval '3 hours' + rb * interval '2 hours' END,
    CASE WHEN dispatched THEN rep + ra * interval '3 hours' + interval '90 minutes' END,
    CASE WHEN handled THEN rep + ra * interval '3 hours' + rb * interval '2 hours'
        + rc * interval '48 hours' END,
    CASE WHEN dispatched THEN rep + ra * interval '3 hours' + interval '36 hours' END,
    CASE WHEN state IN ('closed', 'evaluated') THEN rep + interval '60 hours'
        WHEN state = 'rejected' THEN rep + ra * interval '3 hours' END,
    area, subclass,
    CASE WHEN dispatched AND rf < 0.5 THEN (%(depts)s::bigint[])[1 + (subclass %% %(ndepts)s)] END
FROM (
    SELECT *,
        state NOT IN ('reported', 'rejected', 'voided') AS filed,
        state NOT IN ('reported', 'filed', 'rejected', 'voided') AS dispatched,
        state IN ('handled', 'verified', 'closed', 'evaluated') AS handled
    FROM (
        SELECT *,
            CASE
                WHEN age < 3 THEN (ARRAY['reported', 'filed', 'dispatched', 'in_progress',
                    'handled', 'verified', 'closed', 'evaluated', 'evaluated', 'rejected'])
                    [1 + floor(rs * 10)::int]
                WHEN age < 10 THEN (ARRAY['in_progress', 'closed', 'closed', 'evaluated',
                    'evaluated', 'evaluated', 'evaluated', 'evaluated', 'rejected', 'deferred'])
                    [1 + floor(rs * 10)::int]
                WHEN rs < 0.002 THEN 'in_progress' WHEN rs < 0.004 THEN 'suspended'
                WHEN rs < 0.35 THEN 'closed' WHEN rs < 0.94 THEN 'evaluated'
                WHEN rs < 0.97 THEN 'rejected' ELSE 'voided'
            END AS state
        FROM (
            SELECT g, rep, extract(epoch from (%(now)s - rep)) / 86400 AS age,
                rs, ra, rb, rc, rd, re, rf,
                (%(grids)s::bigint[])[1 + floor(power(rg, 1.3) * %(ngrids)s)::int] AS area,
                (%(subs)s::bigint[])[1 + floor(power(rh, 2) * %(nsubs)s)::int] AS subclass,
                (ARRAY['worker', 'worker', 'worker', 'worker', 'worker', 'worker', 'resident',
                    'resident', 'hotline', 'hotline', 'camera', 'open311', 'referral'])
                    [1 + floor(ri * 13)::int] AS source
            FROM (
                SELECT g, %(now)s - random() * %(days)s * interval '1 day' AS rep,
                    random() AS rs, random() AS ra, random() AS rb, random() AS rc,
                    random() AS rd, random() AS re, random() AS rf, random() AS rg,
                    random() AS rh, random() AS ri
                FROM generate_series(%(start)s, %(stop)s) g
            ) r
        ) a
    ) s
) f
"""


def _indexes(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events_event' "
        "AND indexname NOT IN ('events_event_pkey', 'events_event_number_key', "
        "'events_event_client_uuid_key') AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
    )
    return cursor.fetchall()


def generate(total: int, have: int, now) -> float:
    """Top the events up to `total`; seconds taken (load + indexes made again)."""
    from django.db import connection, transaction

    from gridgov.areas.models import Area, Department
    from gridgov.events.models import Subclass

    grids = list(Area.objects.filter(kind="grid").order_by("code").values_list("pk", flat=True))
    subs = list(Subclass.objects.order_by("code").values_list("pk", flat=True))
    depts = list(Department.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    # One transaction: a failed load leaves the table and its indexes as they were.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before CREATE INDEX
        indexes = _indexes(cursor)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        step = 1_000_000
        for start in range(have + 1, total + 1, step):
            cursor.execute(
                GENERATE_SQL,
                {
                    "start": start,
                    "stop": min(start + step - 1, total),
                    "now": now,
                    "days": 730,
                    "grids": grids,
                    "ngrids": len(grids),
                    "subs": subs,
                    "nsubs": len(subs),
                    "depts": depts,
                    "ndepts": len(depts),
                },
            )
            print(f"  … {min(start + step - 1, total):,} events", flush=True)
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
    with connection.cursor() as cursor:
        # As autovacuum would leave it: statistics, and the visibility map that lets the
        # live count of open events be an index-only scan.
        cursor.execute("VACUUM ANALYZE events_event")
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(size: int, now, *, rebuild_rollups: bool = True) -> None:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.analytics.models import AreaDayRollup
    from gridgov.analytics.selectors import rates_report
    from gridgov.analytics.services import rollups_rebuild, rollups_verify

    rows, rebuild = 0, 0.0
    if rebuild_rollups:
        started = time.perf_counter()
        rows = rollups_rebuild()
        rebuild = time.perf_counter() - started
    with connection.cursor() as cursor:  # as autovacuum would have, on a live system
        cursor.execute("ANALYZE areas_area")
    checked = "verify skipped (BENCH_VERIFY_MAX)"
    if size <= int(os.environ.get("BENCH_VERIFY_MAX", "1000000")):
        started = time.perf_counter()
        differences = rollups_verify()
        verify = time.perf_counter() - started
        checked = f"verify {verify:.1f} s, " + (
            "equal" if not differences else f"{len(differences)} DIFFERENCES"
        )
    print(
        f"{size:>11,} events: rollups rebuilt in {rebuild:.1f} s ({rows:,} daily rows, "
        f"{AreaDayRollup.objects.count():,} area rows); {checked}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    users = {
        "admin": User.objects.get(username="admin"),
        "operator": User.objects.get(username="t_bench_operator"),
        "street": User.objects.get(username="t_bench_street"),
    }
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    timings: list[float] = []
    per_query = []
    for user, group, days, label in QUERIES:
        since = today - dt.timedelta(days=days) if days else None
        times = []
        for _ in range(5):
            t = time.perf_counter()
            rates_report(user=users[user], group=group, since=since)
            times.append(time.perf_counter() - t)
        timings += times
        per_query.append((label, statistics.median(times)))
    print(
        f"{'':>11}  rates from the rollup, {len(timings)} calls over {len(QUERIES)} queries: "
        f"p50 {percentile(timings, 0.5) * 1000:.1f} ms, p95 {percentile(timings, 0.95) * 1000:.1f} ms"
    )
    for label, median in per_query:
        print(f"{'':>13}{label:<36} {median * 1000:8.1f} ms")
    baseline = []
    for label, group, prefix, days in (
        ("all time by street", "split_part(a.path, '/', 3)", "/530702/%", None),
        ("district, 30 days by street", "split_part(a.path, '/', 3)", "/530702/%", 30),
        ("last year by subclass", "e.subclass_id", "/%", 365),
    ):
        since = today - dt.timedelta(days=days) if days else dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
        with connection.cursor() as cursor:
            t = time.perf_counter()
            cursor.execute(BASELINE_SQL.format(group=group), {"prefix": prefix, "since": since})
            cursor.fetchall()
            baseline.append((label, time.perf_counter() - t))
    for label, seconds in baseline:
        print(f"{'':>13}baseline GROUP BY over events, {label:<28} {seconds * 1000:8.1f} ms")


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/rates.py runs on PostgreSQL: set DATABASE_URL to an empty database")
    keep = "--keep-rollups" in sys.argv  # measure a database made before, rollups as they are
    sizes = [int(a) for a in sys.argv[1:] if a != "--keep-rollups"] or [1_000_000, 10_000_000]
    django_setup()
    from django.core.management import call_command
    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.accounts.roles import Role
    from gridgov.areas.models import Area
    from gridgov.events.models import Event

    if not Area.objects.exists():
        call_command("demo", "--areas-only", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    for name, role, code in (
        ("t_bench_operator", Role.OPERATOR, "530702"),
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
        measure(size, now, rebuild_rollups=not keep)


if __name__ == "__main__":
    main()
