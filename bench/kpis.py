"""People's KPIs (analytics.kpis, issue 13) at 1M events on PostgreSQL, beside a plain SQL
GROUP BY over the same events computing the simplest counts of each family.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_kpis_1m \
        .venv/bin/python bench/kpis.py [1000000]

The events are made as bench/rates.py makes them: two years of the demo district, INSERT …
SELECT. Then the steps the KPIs read are added in SQL: each worker-source event is reported
by a worker of its grid; dispatched events get a dispatch step by one of eight dispatchers
(4% returned and dispatched again, half of those to the same department); handled events
get a handling report and a check by a worker of the grid; 10% of dispatched events are
offered to a worker of the grid, who answers. Each KPI read is `kpis_report` for the
district leader (what the API returns, without HTTP), for the last 30 days and the last
year. Use a database of your own (bench_kpis_*), never the load test's or another bench's.
"""

import datetime as dt
import os
import statistics
import sys
import time

from _setup import django_setup

STEPS_SQL = [
    # A worker of the grid reports the workers' events.
    """
    UPDATE events_event e SET reporter_id = w.user_id
    FROM (SELECT DISTINCT ON (area_id) area_id, id AS user_id FROM accounts_user
          WHERE role = 'grid_worker' AND area_id IS NOT NULL ORDER BY area_id, id) w
    WHERE e.area_id = w.area_id AND e.source = 'worker'
    """,
    # The first dispatch of every dispatched event, by one of the dispatchers.
    """
    INSERT INTO events_timelineentry (event_id, at, actor_id, action, from_state, to_state,
        comment, data)
    SELECT e.id, e.dispatched_at, (%(dispatchers)s::bigint[])[1 + e.id %% 8], 'dispatch',
        'filed', 'dispatched', '',
        jsonb_build_object('department', d.name, 'assignee', NULL)
    FROM events_event e LEFT JOIN areas_department d ON d.id = e.department_id
    WHERE e.dispatched_at IS NOT NULL
    """,
    # 4% returned ("not ours") an hour later and dispatched again two hours later: half to the
    # same department (buck-passing), half elsewhere (a wrong first dispatch).
    """
    INSERT INTO events_timelineentry (event_id, at, actor_id, action, from_state, to_state,
        comment, data)
    SELECT e.id, e.dispatched_at + s.after, s.actor, s.action, '', '', '',
        CASE WHEN s.action = 'return' THEN '{}'::jsonb ELSE jsonb_build_object(
            'department', CASE WHEN e.id %% 2 = 0 THEN d.name ELSE '其他部门' END,
            'assignee', NULL) END
    FROM events_event e LEFT JOIN areas_department d ON d.id = e.department_id,
    LATERAL (VALUES (interval '1 hour', NULL::bigint, 'return'),
                    (interval '2 hours', (%(dispatchers)s::bigint[])[1 + e.id %% 8], 'dispatch')
            ) s(after, actor, action)
    WHERE e.dispatched_at IS NOT NULL AND e.department_id IS NOT NULL AND e.id %% 25 = 0
    """,
    # The handling report and a worker's check of every handled event.
    """
    INSERT INTO events_timelineentry (event_id, at, actor_id, action, from_state, to_state,
        comment, data)
    SELECT e.id, e.handled_at + s.after, CASE WHEN s.action = 'feedback' THEN NULL
        ELSE w.user_id END, s.action, '', '', '', '{}'::jsonb
    FROM events_event e
    JOIN (SELECT DISTINCT ON (area_id) area_id, id AS user_id FROM accounts_user
          WHERE role = 'grid_worker' AND area_id IS NOT NULL ORDER BY area_id, id) w
        ON w.area_id = e.area_id,
    LATERAL (VALUES (interval '0 hours', 'feedback'),
                    ((e.id %% 40) * interval '1 hour', 'verify_pass')) s(after, action)
    WHERE e.handled_at IS NOT NULL
    """,
    # 10% of dispatched events offered to a worker of the grid, who accepts 0–7 hours later.
    """
    INSERT INTO events_assignment (event_id, worker_id, status, reason, offered_at, decided_at)
    SELECT e.id, w.user_id, 'accepted', '', e.dispatched_at,
        e.dispatched_at + (e.id %% 8) * interval '1 hour'
    FROM events_event e
    JOIN (SELECT DISTINCT ON (area_id) area_id, id AS user_id FROM accounts_user
          WHERE role = 'grid_worker' AND area_id IS NOT NULL ORDER BY area_id, id) w
        ON w.area_id = e.area_id
    WHERE e.dispatched_at IS NOT NULL AND e.id %% 10 = 3
    """,
    """
    INSERT INTO events_timelineentry (event_id, at, actor_id, action, from_state, to_state,
        comment, data)
    SELECT a.event_id, a.decided_at, a.worker_id, 'accept_task', '', '', '', '{}'::jsonb
    FROM events_assignment a WHERE a.reason = '' AND a.status = 'accepted'
    """,
]
BASELINES = {
    "workers": """
        SELECT e.reporter_id, COUNT(*), COUNT(*) FILTER (WHERE e.state <> 'reported'),
            COUNT(*) FILTER (WHERE e.accepted_at IS NOT NULL AND e.state <> 'voided')
        FROM events_event e JOIN areas_area a ON a.id = e.area_id
        WHERE a.path LIKE %(prefix)s AND e.reported_at >= %(since)s
            AND e.reporter_id IS NOT NULL
        GROUP BY 1
    """,
    "departments": """
        SELECT e.department_id,
            COUNT(*) FILTER (WHERE e.handled_at IS NOT NULL OR e.handle_due_at <= now()),
            COUNT(*) FILTER (WHERE e.handled_at <= e.handle_due_at),
            COUNT(*) FILTER (WHERE e.rework_count > 0)
        FROM events_event e JOIN areas_area a ON a.id = e.area_id
        WHERE a.path LIKE %(prefix)s AND e.reported_at >= %(since)s
            AND e.department_id IS NOT NULL AND e.accepted_at IS NOT NULL
        GROUP BY 1
    """,
    "dispatchers": """
        SELECT t.actor_id, COUNT(*), COUNT(*) FILTER (WHERE t.at <= e.dispatch_due_at)
        FROM events_timelineentry t JOIN events_event e ON e.id = t.event_id
        JOIN areas_area a ON a.id = e.area_id
        WHERE t.action = 'dispatch' AND a.path LIKE %(prefix)s AND e.reported_at >= %(since)s
        GROUP BY 1
    """,
}


def _timed(call, repeat: int = 2) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def add_steps() -> float:
    from django.db import connection, transaction

    from gridgov.accounts.models import User

    dispatchers = list(
        User.objects.filter(username__startswith="t_bench_dispatcher").values_list("pk", flat=True)
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in STEPS_SQL:
            cursor.execute(sql, {"dispatchers": dispatchers})
    with connection.cursor() as cursor:
        for table in ("events_event", "events_timelineentry", "events_assignment"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def measure(size: int, now: dt.datetime) -> None:
    from django.db import connection

    from gridgov.accounts.models import User
    from gridgov.analytics.kpis import kpis_report
    from gridgov.events.models import Assignment, TimelineEntry

    leader = User.objects.get(username="t_bench_leader")
    print(
        f"{size:>11,} events, {TimelineEntry.objects.count():,} timeline steps, "
        f"{Assignment.objects.count():,} offers; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    today = now.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    for days in (30, 365):
        since = today - dt.timedelta(days=days - 1)
        for family in ("workers", "departments", "dispatchers"):
            answer: dict = {}

            def read(family=family, since=since, answer=answer):
                answer.update(kpis_report(user=leader, family=family, since=since, until=today))

            seconds = _timed(read)
            label = f"kpis_report {family}, last {days} days ({answer['total']} rows)"
            print(f"{'':>13}{label:<58} {seconds * 1000:8.1f} ms")

            def baseline(family=family, since=since):
                with connection.cursor() as cursor:
                    cursor.execute(
                        BASELINES[family],
                        {"prefix": "/530702/%", "since": since.isoformat()},
                    )
                    cursor.fetchall()

            seconds = _timed(baseline)
            label = f"baseline GROUP BY, {family}, last {days} days"
            print(f"{'':>13}{label:<58} {seconds * 1000:8.1f} ms")


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or not url.rsplit("/", 1)[-1].startswith("bench_kpis"):
        sys.exit("set DATABASE_URL to a PostgreSQL database of your own (bench_kpis_*)")
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
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
    district = Area.objects.get(code="530702")
    User.objects.update_or_create(
        username="t_bench_leader", defaults={"role": Role.LEADER, "area": district}
    )
    for i in range(8):
        User.objects.update_or_create(
            username=f"t_bench_dispatcher{i}", defaults={"role": Role.OPERATOR, "area": district}
        )
    now = timezone.now()
    have = Event.objects.count()
    if have < size:
        seconds = generate(size, have, now)
        print(f"generated {size - have:,} events in {seconds:.0f} s (indexes included)")
        print(f"added the KPIs' steps in {add_steps():.0f} s")
    measure(size, now)


if __name__ == "__main__":
    main()
