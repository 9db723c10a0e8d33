"""The task queue as deployed, for tests/production_smoke.py: Redis storage, two consumers.

- Two consumers (both scheduling the periodic tasks, the worst case) share N deliveries and K
  plate jobs: each delivery reaches the webhook exactly once and is logged sent once, each
  plate job is finished once; the time from commit to the webhook is measured.
- A consumer killed (SIGKILL) while it is sending a delivery: the delivery row stays claimed
  until its lease ends, then the periodic re-enqueue of a new consumer sends it; it is logged
  sent once. The webhook sees the killed call too (it never got an answer): at-least-once
  towards the provider, exactly once in our log (docs/decisions/0014-task-queue.md).
"""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BIN = Path(sys.executable).parent
DELIVERIES = 60
PLATE_JOBS = 6
KILL_TEXT = "smoke: the consumer dies while sending this"

Check = Callable[[bool, str, list[str]], None]


class Webhook:
    """A local webhook receiver: when each notification arrived, and which calls it answered.
    A call carrying KILL_TEXT is held unanswered the first time (its sender will be killed)."""

    def __init__(self) -> None:
        self.received: list[tuple[int, str, float]] = []  # (notification id, text, when)
        self.answered: list[int] = []
        self.release = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                first_kill = body["text"] == KILL_TEXT and not any(
                    text == KILL_TEXT for _id, text, _at in hook.received
                )
                hook.received.append((body["id"], body["text"], time.time()))
                if first_kill:
                    hook.release.wait(120)  # the sender is killed meanwhile
                    return
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
                hook.answered.append(body["id"])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()


def shell(code: str, env: dict) -> str:
    result = subprocess.run(
        [str(BIN / "gridgov"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(f"gridgov shell failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


def consumer(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gridgov"), "run_huey", "--workers", "2"],
        env=env | {"LOG_LEVEL": "INFO"},
        stdout=subprocess.DEVNULL,
        stderr=log.open("a"),
    )


def logged(log: Path, what: str) -> Counter:
    """How many times each id was logged as `what`: "delivery" (sent) or "plate job" (done)."""
    pattern = re.compile(rf"{what} (\d+) (?:sent|done)")
    return Counter(int(match) for match in pattern.findall(log.read_text()))


def logged_in(logs: list[Path], what: str) -> Counter:
    return sum((logged(log, what) for log in logs), Counter())


def notify_many(env: dict, texts: list[str]) -> list[tuple[int, float]]:
    """One notify() per text, each its own transaction: [(notification id, returned at)]."""
    return json.loads(
        shell(
            "import json, time\n"
            "from gridgov.accounts.models import User\n"
            "from gridgov.notifications.models import Notification\n"
            "from gridgov.notifications.services import notify\n"
            "user = User.objects.get(username='admin')\n"
            "out = []\n"
            f"for text in {texts!r}:\n"
            "    notify(users=[user], kind='smoke', text=text)\n"
            "    committed = time.time()\n"
            "    out.append([Notification.objects.filter(text=text).get().pk, committed])\n"
            "print(json.dumps(out))",
            env,
        )
    )


def deliveries(env: dict, notification_ids: list[int]) -> dict[int, list]:
    """{notification id: [status, attempts, delivery id]}"""
    rows = shell(
        "import json\n"
        "from gridgov.notifications.models import Delivery\n"
        "print(json.dumps({d.notification_id: [d.status, d.attempts, d.pk] for d in "
        f"Delivery.objects.filter(notification_id__in={notification_ids!r})}}))",
        env,
    )
    return {int(k): v for k, v in json.loads(rows).items()}


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return condition()


def run(env: dict, call: Callable, token: str, area: str, check: Check, failures: list) -> None:
    work = Path(env["GRIDGOV_DATA_DIR"])
    hook = Webhook()
    shell(
        "from gridgov.notifications.models import Channel\n"
        f"Channel.objects.create(name='smoke', kind='webhook', url={hook.url!r}, "
        "message_kinds='smoke'); print('ok')",
        env,
    )
    logs = [work / "consumer-a.log", work / "consumer-b.log"]
    consumers = [consumer(env, log) for log in logs]
    try:
        two_consumers(env, call, token, area, hook, logs, check, failures)
        killed_mid_job(env, consumers, logs, hook, check, failures)
    finally:
        for process in consumers:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # huey's graceful stop
        for process in consumers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        hook.close()


def two_consumers(env, call, token, area, hook, logs, check, failures) -> None:
    jobs = [
        call("POST", "/api/v1/codes/plate-jobs", token, {"root": area})[1]["id"]
        for _ in range(PLATE_JOBS)
    ]
    sent = notify_many(env, [f"smoke {n}" for n in range(DELIVERIES)])
    ids = [notification_id for notification_id, _at in sent]
    wait_until(lambda: len(hook.answered) >= DELIVERIES, 60)
    states = deliveries(env, ids)
    per_id = Counter(notification_id for notification_id, _t, _at in hook.received)
    check(
        all(per_id[i] == 1 for i in ids) and len(hook.received) == DELIVERIES,
        f"two consumers: each of {DELIVERIES} deliveries reached the webhook exactly once "
        f"({sum(per_id.values())} calls)",
        failures,
    )
    check(
        len(states) == DELIVERIES and all(s[:2] == ["sent", 1] for s in states.values()),
        "every delivery is sent at the first attempt in the delivery log",
        failures,
    )
    sent_logged = logged_in(logs, "delivery")
    by_consumer = [sum(logged(log, "delivery").values()) for log in logs]
    check(
        all(sent_logged[s[2]] == 1 for s in states.values())
        and sum(sent_logged.values()) == DELIVERIES,
        f"each delivery sent by one consumer only (consumers sent {by_consumer})",
        failures,
    )
    arrived = {notification_id: at for notification_id, _t, at in hook.received}
    waits = sorted(arrived[i] - committed for i, committed in sent if i in arrived)
    if waits:
        print(  # noqa: T201 (a figure of the smoke run)
            f"      commit → webhook over Redis with two consumers: p50 "
            f"{statistics.median(waits) * 1000:.0f} ms, max {waits[-1] * 1000:.0f} ms "
            f"({len(waits)} deliveries)"
        )
    # One at a time on an idle queue: the wait a single notice sees.
    single = []
    for n in range(5):
        [(notification_id, committed)] = notify_many(env, [f"smoke idle {n}"])
        wait_until(lambda i=notification_id: i in hook.answered, 30)
        single += [at - committed for i, _t, at in hook.received if i == notification_id]
    if single:
        print(  # noqa: T201 (a figure of the smoke run)
            f"      commit → webhook, one at a time on an idle queue: p50 "
            f"{statistics.median(single) * 1000:.0f} ms, max {max(single) * 1000:.0f} ms"
        )
    done = wait_until(
        lambda: all(
            call("GET", f"/api/v1/codes/plate-jobs/{job}", token)[1].get("status") == "done"
            for job in jobs
        ),
        60,
    )
    finished = logged_in(logs, "plate job")
    by_consumer = [sum(logged(log, "plate job").values()) for log in logs]
    check(
        done and all(finished[job] == 1 for job in jobs),
        f"two consumers: each of {PLATE_JOBS} plate jobs queued by the web workers ran once "
        f"(consumers ran {by_consumer})",
        failures,
    )


def killed_mid_job(env, consumers, logs, hook, check, failures) -> None:
    # One consumer left, so the one holding the delivery is the one we kill.
    consumers[1].send_signal(signal.SIGINT)
    consumers[1].wait(timeout=30)
    [(notification_id, _at)] = notify_many(env, [KILL_TEXT])
    in_flight = wait_until(lambda: any(text == KILL_TEXT for _i, text, _at in hook.received), 30)
    os.kill(consumers[0].pid, signal.SIGKILL)
    killed_at = time.monotonic()
    killed_wall = time.time()
    consumers[0].wait(timeout=10)
    state = deliveries(env, [notification_id])[notification_id]
    check(
        in_flight and state[:2] == ["pending", 1],
        f"a consumer killed (SIGKILL) while sending: the delivery stays claimed ({state})",
        failures,
    )
    # A new consumer schedules the periodic tasks when it starts; once the claim's lease and
    # the re-enqueue's grace (one lease each) are over, its first run finds the delivery.
    lease = float(env.get("GRIDGOV_DELIVERY_LEASE_SECONDS", "60"))
    time.sleep(max(0.0, 2 * lease + 1 - (time.monotonic() - killed_at)))
    logs.append(Path(env["GRIDGOV_DATA_DIR"]) / "consumer-c.log")
    consumers.append(consumer(env, logs[-1]))
    finished = wait_until(
        lambda: deliveries(env, [notification_id])[notification_id][0] == "sent", 90
    )
    state = deliveries(env, [notification_id])[notification_id]
    arrivals = [at for i, _t, at in hook.received if i == notification_id]
    calls = len(arrivals)
    recovered = arrivals[-1] - killed_wall
    check(
        finished
        and state[:2] == ["sent", 2]
        and logged_in(logs, "delivery")[state[2]] == 1
        and hook.answered.count(notification_id) == 1,
        f"…and is sent once by a new consumer {recovered:.1f} s after the kill (lease {lease:.0f} s) "
        f"(logged sent once; the webhook saw {calls} calls, answered 1)",
        failures,
    )
