"""The registry as community staff and grid workers use it (issue 12): search and the
household and person pages and APIs, at the demo's 81,536 residents and at 1,000,000 (a
city), on PostgreSQL; target p95 ≤ 200 ms. Each size is measured beside the same run's
baselines: the plain SQL of the same lookups, and a bare Django view answering the household
(with its people and history) as JSON.

Its own database per size, made once and reused (the demo city, then `gridgov
demo_residents` up to the size): BENCH_DATABASE_URL + "_<size>", default
postgres://postgres@127.0.0.1:5432/bench_registry_81536 and ..._1000000. The code measured is
a snapshot of a git revision (default HEAD): what has landed, not the tree in progress.
A case whose page or function has not landed yet says so.

    .venv/bin/python bench/registry_pages.py [--sizes 81536,1000000] [--runs 30]
        [--revision HEAD] [--only "search,household"] [--plans]

--plans prints, for every case over the target (or all with --plans=all), its slowest query
and that query's plan (EXPLAIN ANALYZE, BUFFERS).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _registry_city import DEFAULT_URL, city_ensure, database_use, django_setup, snapshot

TARGET_MS = 200
COMMUNITY = "530702001002"  # 文汇社区: community_staff's area, grid_worker's grid is inside
ROLES = ("operator", "community_staff", "grid_worker")


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


def _plan(call, show: str) -> None:
    """The slowest query of one call and its plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    queries = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    total = sum(float(q["time"]) for q in queries) * 1000
    reads = [q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    print(f"      {len(queries)} queries, {total:.0f} ms in the database; the slowest read:")
    if not reads:
        return
    sql = reads[0]["sql"]
    print(f"      {sql[:600]}")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        for (line,) in cursor.fetchall():
            print(f"        {line}")


def _lookups() -> dict:
    """What is looked up: real values from the database, the same in every run of a size."""
    from django.db import connection

    from gridgov.registry.models import Building, Household, Resident

    def one(sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            return row[0] if row else None

    prefix = f"/530702/530702001/{COMMUNITY}/"
    in_community = Resident.objects.filter(area__path__startswith=prefix, status="living").order_by(
        "id"
    )
    grid_person = (
        Resident.objects.filter(area__code=f"{COMMUNITY}001", status="living")
        .exclude(phone="")
        .order_by("id")
        .first()
    )
    household = (
        Household.objects.filter(area__path__startswith=prefix, building__isnull=False)
        .order_by("-id")
        .first()
    )
    building = Building.objects.filter(area__path__startswith=prefix).order_by("-id").first()
    return {
        # The most common full name in the district: a name search with many hits.
        "common": one(
            "SELECT name FROM registry_resident WHERE char_length(name) = 2"
            " GROUP BY name ORDER BY count(*) DESC, name LIMIT 1"
        ),
        "rare": next(p.name for p in in_community[:500] if len(p.name) == 3),
        "surname": "和",  # a Naxi surname: one character, a prefix search
        "phone_tail": grid_person.phone[-4:],
        "id_tail": grid_person.id_number[-4:],
        "phone": grid_person.phone,
        "compound": building.compound.name if building and building.compound else "文汇",
        "household": household.pk,
        "person": household.head_id or household.residents.first().pk,
        "building": building.pk,
        "compound_id": building.compound_id,
    }


def _bare_view():
    """The baseline view: a household with its people and history, as JSON, no scope or mask."""
    from django.http import JsonResponse

    from gridgov.registry.models import Household, HouseholdChange, Resident

    def view(request, pk):
        household = Household.objects.values("id", "address", "occupancy", "head_id").get(pk=pk)
        people = list(
            Resident.objects.filter(household_id=pk).values("id", "name", "relation", "status")
        )
        history = list(
            HouseholdChange.objects.filter(household_id=pk).values("id", "kind", "happened_on")
        )
        return JsonResponse({"household": household, "people": people, "history": history})

    return view


def _sql_baselines(look: dict) -> list[tuple[str, str, list]]:
    """(label, SQL, params): the plain SQL of the lookups the cases make."""
    return [
        (
            "baseline SQL: name contains, first 20 (district)",
            "SELECT id, name, household_id FROM registry_resident"
            " WHERE UPPER(name) LIKE UPPER(%s) AND status = 'living' ORDER BY id LIMIT 20",
            [f"%{look['common']}%"],
        ),
        (
            "baseline SQL: name contains, count (district)",
            "SELECT count(*) FROM registry_resident"
            " WHERE UPPER(name) LIKE UPPER(%s) AND status = 'living'",
            [f"%{look['common']}%"],
        ),
        (
            "baseline SQL: name starts with, first 20 (district)",
            "SELECT id, name, household_id FROM registry_resident"
            " WHERE name LIKE %s AND status = 'living' ORDER BY id LIMIT 20",
            [f"{look['rare'][:2]}%"],
        ),
        (
            "baseline SQL: phone tail in a community",
            "SELECT r.id, r.name FROM registry_resident r JOIN areas_area a ON a.id = r.area_id"
            " WHERE r.phone_tail = %s AND a.path LIKE %s ORDER BY r.id LIMIT 20",
            [look["phone_tail"], f"/530702/530702001/{COMMUNITY}/%"],
        ),
        (
            "baseline SQL: household, its people and history",
            "SELECT h.id, h.address, h.occupancy, h.head_id,"
            " (SELECT json_agg(r) FROM (SELECT id, name, relation, status"
            "   FROM registry_resident WHERE household_id = h.id) r),"
            " (SELECT json_agg(c) FROM (SELECT id, kind, happened_on"
            "   FROM registry_householdchange WHERE household_id = h.id) c)"
            " FROM registry_household h WHERE h.id = %s",
            [look["household"]],
        ),
    ]


def _cases(look: dict) -> list[tuple[str, str, str]]:
    """(who, url, label) for the pages and APIs, landed or not."""
    q = look
    registry = "/api/v1/registry/residents"
    homes = "/api/v1/homes"
    return [
        ("operator", f"{registry}?q={q['common']}", "registry API q=common name, operator"),
        ("operator", f"{registry}?q={q['rare']}", "registry API q=rare name, operator"),
        ("community_staff", f"{registry}?q={q['common']}", "registry API q=common, community"),
        ("grid_worker", f"{registry}?q={q['phone_tail']}", "registry API q=phone tail, grid"),
        ("community_staff", f"{registry}?q={q['compound']}", "registry API q=compound, community"),
        ("operator", f"{registry}", "registry API list page 1, operator"),
        ("admin", "/admin/registry/resident/", "admin list residents, superuser"),
        ("admin", f"/admin/registry/resident/?q={q['rare']}", "admin list q=rare name, superuser"),
        ("community_staff", "/admin/registry/resident/", "admin list residents, community"),
        ("operator", f"{homes}/search?q={q['common']}", "homes search API q=common, operator"),
        ("operator", f"{homes}/search?q={q['rare']}", "homes search API q=rare name, operator"),
        ("operator", f"{homes}/search?q={q['surname']}", "homes search API q=surname, operator"),
        ("community_staff", f"{homes}/search?q={q['common']}", "homes search API q=common, comm."),
        ("community_staff", f"{homes}/search?q={q['compound']}", "homes search API q=compound"),
        ("community_staff", f"{homes}/search?q={q['id_tail']}", "homes search API q=ID tail"),
        ("grid_worker", f"{homes}/search?q={q['phone_tail']}", "homes search API q=phone tail"),
        ("grid_worker", f"{homes}/search?q={q['phone']}", "homes search API q=full phone"),
        ("operator", f"{homes}/search?tag=elderly_alone", "homes search API tag=elderly_alone"),
        (
            "community_staff",
            f"{homes}/search?tag=elderly_alone",
            "homes search API tag=, community",
        ),
        ("grid_worker", f"{homes}/search?tag=disabled", "homes search API tag=disabled, grid"),
        ("community_staff", f"{homes}/search?grid={COMMUNITY}001", "homes search API grid="),
        ("community_staff", f"/registry/?q={q['common']}", "registry page /registry/?q=common"),
        ("community_staff", "/registry/", "registry page /registry/ (no query)"),
        ("community_staff", f"/registry/households/{q['household']}/", "household page"),
        ("community_staff", f"/registry/people/{q['person']}/", "person page"),
        ("community_staff", f"/registry/buildings/{q['building']}/", "building page"),
        ("community_staff", f"/registry/compounds/{q['compound_id']}/", "compound page"),
        ("community_staff", f"{homes}/households/{q['household']}", "household API"),
        (
            "community_staff",
            f"{homes}/households/{q['household']}/changes",
            "household changes API",
        ),
        ("community_staff", f"{homes}/people/{q['person']}", "person API"),
        ("community_staff", f"{homes}/buildings/{q['building']}", "building API"),
        ("community_staff", f"{homes}/compounds/{q['compound_id']}", "compound API"),
    ]


def bench_size(size: int, runs: int, only: list[str] | None, plans: str | None) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.urls import Resolver404, resolve

    from gridgov.accounts.models import User
    from gridgov.registry.models import Household, Resident

    look = _lookups()
    users = {u.username: u for u in User.objects.filter(username__in=(*ROLES, "admin"))}
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    print(
        f"\n== {Resident.objects.count():,} residents in {Household.objects.count():,}"
        f" households (target p95 ≤ {TARGET_MS} ms) =="
    )
    print("  looked up: " + ", ".join(f"{k}={v}" for k, v in look.items()))
    print(f"{'case':58} {'p50 ms':>8} {'p95 ms':>8} {'KiB':>7}")

    def row(label, call):
        if only and not any(word in label for word in only):
            return
        p50, p95, result = _time(call, runs)
        size_kib = len(getattr(result, "content", b"")) / 1024
        status = getattr(result, "status_code", 200)
        flag = "" if status == 200 else f"  HTTP {status}"
        over = "  OVER" if p95 > TARGET_MS else ""
        print(f"{label:58} {p50:8.1f} {p95:8.1f} {size_kib:7.1f}{flag}{over}")
        if plans == "all" or (plans and p95 > TARGET_MS):
            _plan(call, plans)

    for label, sql, params in _sql_baselines(look):

        def plain(sql=sql, params=params):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        row(label, plain)
    view = _bare_view()
    factory = RequestFactory()

    def bare():
        request = factory.get("/bare")
        request.user = AnonymousUser()
        return view(request, look["household"])

    row("baseline: bare Django view, household as JSON", bare)
    _functions(row, users, look)
    for who, url, label in _cases(look):
        try:
            resolve(url.split("?")[0])
        except Resolver404:
            if not only or any(word in label for word in only):
                print(f"{label:58} {'(not landed)':>17}")
            continue
        row(label, lambda who=who, url=url: clients[who].get(url))


def _functions(row, users: dict, look: dict) -> None:
    """A1's homes_search called directly (no HTTP), when it has landed."""
    try:
        from gridgov.registry.search import homes_search
    except ImportError:
        print(f"{'homes_search() (function)':58} {'(not landed)':>17}")
        return
    for who, query, label in [
        ("operator", {"q": look["common"]}, "homes_search() q=common name, operator"),
        ("operator", {"q": look["surname"]}, "homes_search() q=surname, operator"),
        ("community_staff", {"q": look["rare"]}, "homes_search() q=rare name, community"),
        ("grid_worker", {"q": look["phone_tail"]}, "homes_search() q=phone tail, grid"),
    ]:
        row(label, lambda who=who, query=query: homes_search(user=users[who], **query))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="81536,1000000")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--revision", default="HEAD", help="git revision whose code is measured")
    parser.add_argument("--only", help="comma-separated words: only cases whose label has one")
    parser.add_argument("--plans", nargs="?", const="over", choices=["over", "all"])
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--src", help=argparse.SUPPRESS)
    args = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not args.one:
        src = snapshot(args.revision)
        print(f"code: {args.revision} ({src.parent.name})")
        # One database per size, each in its own process: Django holds one.
        for size in args.sizes.split(","):
            command = [sys.executable, __file__, "--one", "--sizes", size, "--src", str(src)]
            command += ["--runs", str(args.runs)]
            command += ["--only", args.only] if args.only else []
            command += [f"--plans={args.plans}"] if args.plans else []
            env = os.environ | {"BENCH_DATABASE_URL": f"{base}_{size}"}
            subprocess.run(command, env=env, check=True)
        return
    database_use(base)
    django_setup(Path(args.src))
    size = int(args.sizes)
    city_ensure(size, seed=size)
    only = args.only.split(",") if args.only else None
    bench_size(size, args.runs, only, args.plans)


if __name__ == "__main__":
    main()
