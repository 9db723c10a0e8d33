"""Load and fault scenarios: 500 users against gunicorn + PostgreSQL + Redis + Huey consumers.

    python bench/load.py            # `make load`: the load targets
    python bench/load.py --faults   # `make faults`: PostgreSQL and Redis restarted under load

Loopback only, bounded in time. The system holds the demo city plus `--events` generated
events (1,000,000 by default, `gridgov demo_events`, built once into a template database
and copied at each run). Locust drives it headless (bench/load/locustfile.py).

Load (one run, same driver, same server):
  1. baseline: /healthz as fast as `--users` users can ask -> H requests/s;
  2. the mixed traffic of a district (queue, screen, map, nearest, position updates,
     reports, event pages), each user paced so the users together offer `--offer` x H;
  targets: no error, p99 <= 1 s, throughput >= 40% of H, and every acknowledged report
  (201 + number) stored exactly once.
Faults (under the same mixed traffic): PostgreSQL stopped for a few seconds, then Redis;
  targets: nothing but 503 while a service is down, every request answered normally again
  within `--grace` seconds of its return without a restart of ours, every acknowledged
  report stored exactly once, both consumers still running.

Exits non-zero when a target is missed. docs/decisions/0020-load-and-fault-tests.md
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from load import profile
from load.costs import cost_lines, endpoint_costs
from load.results import Run, latency_table, reports_check
from load.stack import BIN, HERE, REDIS_URL, Stack, postgres_restart, redis_restart

SPAWN_RATE = 100  # users started per second


def reachable() -> str | None:
    import psycopg
    import redis

    from load.stack import PG_SERVER

    try:
        psycopg.connect(PG_SERVER, connect_timeout=3).close()
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as error:  # noqa: BLE001 - any reason is a reason to stop here
        return str(error)
    return None


def locust(
    stack: Stack, user_class: str, *, users: int, seconds: int, rate: float, name: str
) -> tuple[subprocess.Popen, Path]:
    out = stack.log_dir / f"{name}.json"
    env = os.environ | {
        "LOAD_FIXTURES": str(stack.log_dir / "fixtures.json"),
        "LOAD_RESULTS": str(out),
        "LOAD_RATE_PER_USER": f"{rate:.4f}",
    }
    process = subprocess.Popen(
        [
            str(BIN / "locust"),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--only-summary",
            "-u",
            str(users),
            "-r",
            str(SPAWN_RATE),
            "-t",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            f"http://127.0.0.1:{stack.port}",
            "--loglevel",
            "ERROR",
            user_class,
        ],
        env=env,
        stdout=open(stack.log_dir / f"{name}.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    return process, out


def drive(
    stack: Stack, user_class: str, *, users: int, seconds: int, rate: float, name: str
) -> Run:
    process, out = locust(stack, user_class, users=users, seconds=seconds, rate=rate, name=name)
    process.wait()
    return Run.load(out, ramp_seconds=users / SPAWN_RATE + 2)


def check(ok: bool, what: str, failures: list[str]) -> None:
    print(f"   [{'ok' if ok else 'MISSED'}] {what}")
    if not ok:
        failures.append(what)


def reports_verified(stack: Stack, run: Run, failures: list[str]) -> None:
    with stack.connect() as connection:
        good, problems = reports_check(connection, run.acked)
    for problem in problems[:10]:
        print(f"      {problem}")
    check(
        not problems and good == len(run.acked) > 0,
        f"acknowledged reports stored exactly once: {good} of {len(run.acked)} "
        f"({len(run.pending)} never acknowledged, still in the users' outboxes)",
        failures,
    )


def warm_up(stack: Stack, args) -> None:
    """Each gunicorn worker builds its in-process indexes (areas, positions, classifier,
    calendar) at its first requests: done here, not counted."""
    print("== warm-up: 50 users, 15 s (not counted)", flush=True)
    drive(
        stack,
        "FieldAndCommandCentre",
        users=min(50, args.users),
        seconds=15,
        rate=1.0,
        name="warmup",
    )


def scenario_load(stack: Stack, args, healthz: float, failures: list[str]) -> None:
    warm_up(stack, args)
    print("== where the time goes: each endpoint alone, one request at a time", flush=True)
    lines, _bound = cost_lines(endpoint_costs(stack.port, stack.log_dir / "fixtures.json"))
    print("\n".join(lines))
    rate = args.offer * healthz / args.users
    print(
        f"== mixed traffic: {args.users} users, each paced to {rate:.2f} requests/s "
        f"(offered {rate * args.users:.0f}/s = {args.offer:.0%} of healthz), "
        f"{args.seconds} s",
        flush=True,
    )
    spy = None
    if args.profile:
        spy = profile.start(stack.server.pid, args.seconds // 2, stack.log_dir / "profile.txt")
    run = drive(
        stack,
        "FieldAndCommandCentre",
        users=args.users,
        seconds=args.seconds,
        rate=rate,
        name="mixed",
    )
    steady = run.steady()
    print("\n".join(latency_table(steady)))
    p99 = sorted(s[3] for s in steady)[int(len(steady) * 0.99) - 1] if steady else float("nan")
    throughput = run.throughput()
    errors = run.errors()
    for (name, status), count in errors.most_common(10):
        print(f"      error: {name} answered {status} x{count}")
    for error in run.server_errors[:8]:
        print(f"      {error}")
    check(not errors, f"errors: {sum(errors.values())} of {len(run.samples)} requests", failures)
    check(p99 <= 1000, f"p99 {p99:.0f} ms (target <= 1000 ms)", failures)
    check(
        throughput >= 0.4 * healthz,
        f"throughput {throughput:.0f} requests/s = {throughput / healthz:.0%} of healthz "
        f"{healthz:.0f}/s (target >= 40%)",
        failures,
    )
    reports_verified(stack, run, failures)
    if spy is not None:
        spy.wait()
        print("== where a worker's CPU went (py-spy, half of the mixed run)")
        print("\n".join(profile.summary(stack.log_dir / "profile.txt")))


def scenario_faults(stack: Stack, args, healthz: float, failures: list[str]) -> None:
    warm_up(stack, args)
    rate = args.offer * healthz / args.users
    seconds = max(args.seconds, 80)
    print(
        f"== faults under mixed traffic: {args.users} users at {rate * args.users:.0f} "
        f"requests/s offered, {seconds} s; PostgreSQL down {args.down:.0f} s at +20 s, "
        f"Redis down {args.down:.0f} s at +50 s",
        flush=True,
    )
    print("   (restarting them cuts every other client of this PostgreSQL and empties Redis)")
    process, out = locust(
        stack, "FieldAndCommandCentre", users=args.users, seconds=seconds, rate=rate, name="faults"
    )
    windows: dict[str, tuple[float, float]] = {}

    def inject() -> None:
        time.sleep(20)
        windows["PostgreSQL"] = postgres_restart(args.down)
        time.sleep(max(0.0, 50 - 20 - args.down))
        windows["Redis"] = redis_restart(args.down)

    probes: list[tuple[float, int]] = []  # /healthz twice a second: it names a dead part

    def probe() -> None:
        while process.poll() is None:
            try:
                url = f"http://127.0.0.1:{stack.port}/healthz"
                with urllib.request.urlopen(url, timeout=5) as response:
                    probes.append((time.time(), response.status))
            except urllib.error.HTTPError as error:
                probes.append((time.time(), error.code))
            except OSError:
                probes.append((time.time(), 0))
            time.sleep(0.5)

    injector = threading.Thread(target=inject)
    prober = threading.Thread(target=probe)
    injector.start()
    prober.start()
    process.wait()
    injector.join()
    prober.join()
    run = Run.load(out, ramp_seconds=0)
    outside: list[tuple[float, str, int, float]] = []
    for service, (down, up) in windows.items():
        inside = [s for s in run.samples if down <= s[0] <= up + args.grace]
        bad = [s for s in inside if not run.ok(s)]
        statuses: dict[int, int] = {}
        for s in bad:
            statuses[s[2]] = statuses.get(s[2], 0) + 1
        last = max((s[0] for s in bad), default=up)
        seen = [status for t, status in probes if down <= t <= up]
        print(
            f"   {service}: /healthz while down answered {dict(Counter(seen))} "
            f"(503 = it saw the outage)"
        )
        print(
            f"   {service}: down {up - down:.1f} s; answers other than normal while down and "
            f"{args.grace:.0f} s after: {statuses or 'none'}; last at {last - up:+.1f} s "
            f"after it was back"
        )
        check(
            all(s[2] == 503 for s in bad), f"{service} down: 503 only (no 500, no hang)", failures
        )
    for s in run.samples:
        if not run.ok(s) and not any(d <= s[0] <= u + args.grace for d, u in windows.values()):
            outside.append(s)
    for s in outside[:5]:
        print(f"      outside the outages: {s[1]} answered {s[2]} at {time.ctime(s[0])}")
    for error in run.server_errors[:8]:
        print(f"      {error}")
    check(
        not outside,
        f"recovered by itself: {len(outside)} failed requests outside the "
        f"outages (+{args.grace:.0f} s) of {len(run.samples)}",
        failures,
    )
    reports_verified(stack, run, failures)
    if stack.consumers:
        alive = stack.consumers_alive()
        check(
            alive == len(stack.consumers),
            f"queue consumers still running after both restarts: {alive} of {len(stack.consumers)}",
            failures,
        )
        consumer_killed_mid_job(stack, failures)


def api(stack: Stack, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    token = json.loads((stack.log_dir / "fixtures.json").read_text())["admin_token"]
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.port}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def consumer_killed_mid_job(stack: Stack, failures: list[str]) -> None:
    """A plate job of the whole district; its consumer SIGKILLed once it has made progress;
    the periodic requeue hands it to a consumer again; it must end done, with one file."""
    print("== a queue consumer killed mid-job (plates of the whole district)", flush=True)
    status, job = api(stack, "POST", "/api/v1/codes/plate-jobs", {"root": "530702"})
    if status != 202:
        check(False, f"plate job queued (answered {status})", failures)
        return
    path = f"/api/v1/codes/plate-jobs/{job['id']}"
    deadline = time.time() + 60
    while time.time() < deadline:
        job = api(stack, "GET", path)[1]
        if job.get("status") == "running" and 0 < (job.get("progress") or 0) < 0.5:
            break
        time.sleep(0.3)
    else:
        check(False, f"the job was seen running mid-way (last: {job})", failures)
        return
    pid = stack.consumer_kill_busiest()
    print(f"   killed consumer {pid} at progress {job['progress']:.0%}; a new one started")
    started = time.time()
    while time.time() < started + 150 and job.get("status") not in ("done", "failed"):
        time.sleep(1)
        job = api(stack, "GET", path)[1]
    plate = Path(stack.data_dir) / "media" / "plates" / f"plates-{job['id']}.pdf"
    leftovers = list(plate.parent.glob(f"plates-{job['id']}.*.part"))
    print(
        f"   job {job.get('status')} {time.time() - started:.0f} s after the kill; "
        f"file {plate.stat().st_size if plate.exists() else 'missing'} bytes"
    )
    check(
        job.get("status") == "done"
        and job.get("progress") == 1.0
        and plate.exists()
        and not leftovers,
        "the job completed once after its consumer was killed (done, one whole file)",
        failures,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--faults", action="store_true", help="the fault scenario")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--healthz-seconds", type=int, default=20)
    parser.add_argument(
        "--offer", type=float, default=0.5, help="offered load as a share of the healthz throughput"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--consumers", type=int, default=2)
    parser.add_argument("--down", type=float, default=3.0, help="seconds each service is down")
    parser.add_argument("--grace", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=8770)
    parser.add_argument("--profile", action="store_true", help="py-spy on one gunicorn worker")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the template database")
    parser.add_argument(
        "--build-only", action="store_true", help="build the template database and stop"
    )
    args = parser.parse_args()

    reason = reachable()
    if reason:
        print(f"== PostgreSQL or Redis not reachable on 127.0.0.1 ({reason}): NOT RUN")
        return 2
    log_dir = Path(tempfile.mkdtemp(prefix="gridgov-load-logs-"))
    stack = Stack(port=args.port, events=args.events, days=args.days, log_dir=log_dir)
    if args.events and not stack.has_command("demo_events"):
        print("== !! `gridgov demo_events` does not exist: the run holds the demo's events only")
        stack.events = args.events = 0
        stack.template = "load_tpl_0"
    if args.consumers and not stack.has_command("run_huey"):
        print("== !! `gridgov run_huey` does not exist: NO QUEUE CONSUMERS in this run")
        args.consumers = 0
    stack.template_ensure(args.rebuild)
    if args.build_only:
        return 0
    stack.database_create()
    missing = stack.schema_missing()
    if missing:
        print(f"== the copy lacks the tables or columns of {', '.join(missing)}: rebuilding")
        stack.template_ensure(rebuild=True)
        stack.database_create()
    print(
        f"== {stack.event_count():,} events in PostgreSQL; gunicorn {args.workers} workers, "
        f"{args.consumers} Huey consumers, Redis db {REDIS_URL.rsplit('/', 1)[-1]}; "
        f"logs in {log_dir}",
        flush=True,
    )
    print(
        "   "
        + subprocess.run(
            [
                sys.executable,
                str(HERE / "prepare.py"),
                str(log_dir / "fixtures.json"),
                str(args.users),
            ],
            env=stack.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    failures: list[str] = []
    try:
        stack.start(workers=args.workers, consumers=args.consumers)
        print(
            f"== baseline: /healthz, {args.users} users without pause, {args.healthz_seconds} s",
            flush=True,
        )
        base = drive(
            stack, "Healthz", users=args.users, seconds=args.healthz_seconds, rate=0, name="healthz"
        )
        healthz = base.throughput()
        print("\n".join(latency_table(base.steady())))
        print(f"   healthz: {healthz:.0f} requests/s ({sum(base.errors().values())} errors)")
        if healthz <= 0:
            print("   healthz answered nothing: stopping")
            return 1
        if args.faults:
            scenario_faults(stack, args, healthz, failures)
        else:
            scenario_load(stack, args, healthz, failures)
    finally:
        stack.stop()
        stack.drop()
    print(
        f"== {'faults' if args.faults else 'load'}: "
        f"{'all targets met' if not failures else f'{len(failures)} target(s) missed'}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
