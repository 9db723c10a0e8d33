"""Reads at a city's volume (issue 9, item 2): the queue (API and page; several filters and
roles), the big screen and the event page, at 100k and 1M events on PostgreSQL, each beside
the same run's baselines: a plain SQL page of 50 rows by the reported_at index, and a bare
Django view rendering that page as JSON through the same middleware.

Its own database per size (made if missing; the events are added by `gridgov demo_events`'s
generator, so a second run reuses them): BENCH_DATABASE_URL + "_<size>", default
postgres://postgres@127.0.0.1:5432/gridgov_bench_reads_100000 and ..._1000000.

    .venv/bin/python bench/reads.py [--sizes 100000,1000000] [--runs 40]

Or against a database already filled (a copy of the load template, decision 0020), with only
the cases whose label contains one of the words:

    .venv/bin/python bench/reads.py --database f_queue --only "queue page,area=street"
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gridgov_bench_reads"
TIMELINE_STEPS = 300  # the event page is read for an event with a long history


def _database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _time(call, runs: int) -> tuple[float, float, object]:
    result = call()  # warm: plans, caches, the first connection
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(samples)
    return p50, p95, result


def _long_event(operator):
    """One event with TIMELINE_STEPS timeline rows, two whistles and offers: the page must
    not read more (or more often) for it."""
    from gridgov.events.models import Assignment, Event, Summons, TimelineEntry, Whistle

    event = Event.objects.filter(state="in_progress", assignee__isnull=False).first()
    if not TimelineEntry.objects.filter(event=event).count() >= TIMELINE_STEPS:
        TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(event=event, actor=operator, action="comment", to_state=event.state)
                for _ in range(TIMELINE_STEPS)
            ]
        )
        from gridgov.areas.models import Department

        departments = list(Department.objects.all()[:4])
        for level in ("community", "street"):
            whistle = Whistle.objects.create(event=event, level=level, by=operator, reason="bench")
            Summons.objects.bulk_create(
                [
                    Summons(whistle=whistle, department=d, check_in_due_at=event.reported_at)
                    for d in departments
                ]
            )
        Assignment.objects.get_or_create(event=event, worker_id=event.assignee_id)
    return event


def _bare_view():
    """The baseline view: the newest 50 events' columns by the reported_at index, as JSON."""
    from django.http import JsonResponse

    from gridgov.events.models import Event

    def view(request):
        rows = list(
            Event.objects.order_by("-reported_at").values(
                "id", "number", "state", "reported_at", "area_id", "subclass_id"
            )[:50]
        )
        return JsonResponse({"items": rows})

    return view


def bench_size(size: int, runs: int, only: list[str] | None = None) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client, RequestFactory

    from gridgov.accounts.models import User
    from gridgov.demo.events_bulk import events_generate
    from gridgov.events.models import Event

    have = Event.objects.count()
    if have < size:
        started = time.perf_counter()
        events_generate(count=size - have, days=730, seed=size)
        print(f"  generated {size - have} events in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE events_event")
            cursor.execute("VACUUM ANALYZE events_timelineentry")
    users = {u.username: u for u in User.objects.filter(username__in=_ROLES)}
    operator = users["operator"]
    event = _long_event(operator)
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)

    print(f"\n== {Event.objects.count():,} events ==")
    print(f"{'case':58} {'p50 ms':>8} {'p95 ms':>8} {'KiB':>7}")

    def row(label, call):
        if only and not any(word in label for word in only):
            return None
        p50, p95, result = _time(call, runs)
        size_kib = len(getattr(result, "content", b"")) / 1024
        status = getattr(result, "status_code", 200)
        flag = "" if status == 200 else f"  HTTP {status}"
        print(f"{label:58} {p50:8.1f} {p95:8.1f} {size_kib:7.1f}{flag}")
        return result

    def sql_page():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, number, state, reported_at, area_id, subclass_id FROM events_event"
                " ORDER BY reported_at DESC LIMIT 50"
            )
            return cursor.fetchall()

    row("baseline: plain SQL, newest 50 by index", sql_page)
    view = _bare_view()
    factory = RequestFactory()

    def bare():
        request = factory.get("/bare")
        request.user = AnonymousUser()
        return view(request)

    row("baseline: bare Django view, newest 50 as JSON", bare)
    api = "/api/v1/events/"
    community = "530702001002"
    subclass = "0102"
    cases = [
        ("operator", "", "queue API operator (district), no filter"),
        ("operator", "state=reported", "queue API operator, state=reported"),
        ("operator", "state=closed", "queue API operator, state=closed"),
        ("operator", "state=verified&subclass=0404", "queue API operator, verified + subclass"),
        ("operator", f"subclass={subclass}&source=camera", "queue API operator, subclass+camera"),
        ("operator", f"area={community}", "queue API operator, area=community"),
        ("operator", "area=530702001002001&state=in_progress", "queue API operator, grid+state"),
        ("operator", "overdue=true", "queue API operator, overdue"),
        ("operator", "warned=yellow", "queue API operator, warned=yellow"),
        ("operator", "urgency=critical&source=referral", "queue API operator, critical+referral"),
        ("operator", "limit=50&area=530702001", "queue API operator, area=street (load mix)"),
        ("operator", "sort=deadline", "queue API operator, sort=deadline"),
        ("operator", "sort=urgency", "queue API operator, sort=urgency"),
        ("operator", "sort=deadline&state=dispatched", "queue API operator, deadline+dispatched"),
        ("operator", "supervised=true", "queue API operator, supervised"),
        ("operator", "urgent=true", "queue API operator, urgent"),
        ("community_staff", "sort=deadline", "queue API community staff, sort=deadline"),
        ("community_staff", "sort=urgency", "queue API community staff, sort=urgency"),
        ("grid_worker", "sort=deadline", "queue API grid worker, sort=deadline"),
        ("dept_handler", "sort=deadline", "queue API department handler, sort=deadline"),
        ("dept_handler", "sort=urgency", "queue API department handler, sort=urgency"),
        ("street_staff", "", "queue API street staff"),
        ("community_staff", "", "queue API community staff"),
        ("community_staff", "state=filed", "queue API community staff, state=filed"),
        ("grid_worker", "mine=true", "queue API grid worker, mine"),
        ("grid_worker", "", "queue API grid worker"),
        ("dept_handler", "", "queue API department handler"),
        ("dept_handler", "state=dispatched", "queue API department handler, dispatched"),
        ("resident", "", "queue API resident (own reports)"),
    ]
    for who, query, label in cases:
        row(label, lambda who=who, query=query: clients[who].get(f"{api}?{query}"))
    for sort in ("new", "deadline", "urgency"):
        cursor = clients["operator"].get(f"{api}?limit=50&sort={sort}").json().get("next_cursor")
        row(
            f"queue API operator, page 2 by cursor, sort={sort}",
            lambda sort=sort, cursor=cursor: clients["operator"].get(
                f"{api}?sort={sort}&cursor={cursor}"
            ),
        )
    row("queue page /events/ operator", lambda: clients["operator"].get("/events/"))
    row(
        "queue page /events/ operator, sort=deadline",
        lambda: clients["operator"].get("/events/?sort=deadline"),
    )
    row(
        "queue page /events/ department handler (inbox)",
        lambda: clients["dept_handler"].get("/events/"),
    )
    row(
        "queue page /events/ community staff, state=filed",
        lambda: clients["community_staff"].get("/events/?state=filed"),
    )
    row("screen API operator (district)", lambda: clients["operator"].get(f"{api}screen"))
    row(
        "screen API operator, zoomed to a community",
        lambda: clients["operator"].get(f"{api}screen?bbox=100.22,26.86,100.25,26.88"),
    )
    row("screen API community staff", lambda: clients["community_staff"].get(f"{api}screen"))
    row(
        f"event API detail ({TIMELINE_STEPS} timeline rows, 2 whistles)",
        lambda: clients["operator"].get(f"{api}{event.pk}"),
    )
    row(
        "event page /events/<id>/ (same event, dispatch panel)",
        lambda: clients["operator"].get(f"/events/{event.pk}/"),
    )


_ROLES = (
    "operator",
    "street_staff",
    "community_staff",
    "grid_worker",
    "dept_handler",
    "resident",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", help="an existing database's name (its events are kept)")
    parser.add_argument("--only", help="comma-separated words: only cases whose label has one")
    args = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    only = args.only.split(",") if args.only else None
    if args.database:
        base = base.rsplit("/", 1)[0] + f"/{args.database}"
        os.environ["DATABASE_URL"] = base
        _run(0, args.runs, only)
        return
    if not args.one:
        # One database per size (<base>_<size>), each in its own process: Django holds one.
        for size in args.sizes.split(","):
            env = os.environ | {"BENCH_DATABASE_URL": f"{base}_{size}"}
            subprocess.run(
                [sys.executable, __file__, "--one", "--sizes", size, "--runs", str(args.runs)],
                env=env,
                check=True,
            )
        return
    _database(base)
    _run(int(args.sizes), args.runs, only)


def _run(size: int, runs: int, only: list[str] | None) -> None:
    os.environ.update(GRIDGOV_HTTPS="false", GRIDGOV_REQUIRE_2FA="false")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _setup import django_setup

    django_setup()
    from django.core.management import call_command

    call_command("demo", "--areas-only", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    bench_size(size, runs, only)


if __name__ == "__main__":
    main()
