"""From commit to the webhook: a notification delivery through the task queue, on the embedded
SQLite queue and on Redis, beside the baseline of sending it in the same process right after
the commit (no queue). One at a time on an idle queue (the wait a person sees), then a burst
(throughput of one consumer with two worker threads).

    python bench/queue_latency.py            # SQLite, and Redis when BENCH_QUEUE_URL answers
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SINGLE = 20
BURST = 200
QUEUE_URL = os.environ.get("BENCH_QUEUE_URL", "redis://127.0.0.1:6379/13")


class Webhook:
    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                hook.arrived.setdefault(body["id"], time.time())
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def wait_for(hook: Webhook, ids: list[int], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not all(i in hook.arrived for i in ids):
        time.sleep(0.005)


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[int(len(values) * 0.95) - 1]
    return f"p50 {statistics.median(values) * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms"


def run(label: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _setup import django_setup

    django_setup()
    from gridgov.accounts.models import User
    from gridgov.notifications import sending
    from gridgov.notifications.models import Channel, Delivery, Notification
    from gridgov.notifications.services import notify

    hook = Webhook()
    Channel.objects.create(name="bench", kind="webhook", url=hook.url)
    user = User.objects.create(username="bench_worker", role="grid_worker")

    def one(text: str) -> tuple[int, float]:
        notify(users=[user], kind="bench", text=text)  # commits, then enqueues
        committed = time.time()
        return Notification.objects.filter(text=text).values_list("pk", flat=True).get(), committed

    # Baseline: no queue, the same send in this process right after the commit.
    waits = []
    for n in range(SINGLE):
        notification_id, committed = one(f"direct {n}")
        delivery = Delivery.objects.get(notification_id=notification_id)
        sending.delivery_send(delivery_id=delivery.pk)
        waits.append(hook.arrived[notification_id] - committed)
    print(f"{label:7} no queue, sent in-process after commit: {ms(waits)}")

    consumer = subprocess.Popen(
        [str(Path(sys.executable).parent / "gridgov"), "run_huey", "--workers", "2"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        warm, _ = one("warm-up")
        wait_for(hook, [warm])
        waits = []
        for n in range(SINGLE):
            notification_id, committed = one(f"single {n}")
            wait_for(hook, [notification_id], 30)
            waits.append(hook.arrived[notification_id] - committed)
            time.sleep(0.3)  # idle between notices, as in real use
        print(f"{label:7} queue, one at a time (idle consumer): {ms(waits)}")
        started = time.time()
        sent = [one(f"burst {n}") for n in range(BURST)]
        wait_for(hook, [i for i, _ in sent])
        seconds = max(hook.arrived[i] for i, _ in sent) - started
        waits = [hook.arrived[i] - committed for i, committed in sent]
        print(
            f"{label:7} queue, burst of {BURST}: {BURST / seconds:5.0f} deliveries/s, {ms(waits)}"
        )
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)


def main() -> None:
    if len(sys.argv) > 1:
        return run(sys.argv[1])
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "GRIDGOV_QUEUE_URL")}
    env.pop("DATABASE_URL", None)  # the embedded default: SQLite database and queue
    subprocess.run([sys.executable, __file__, "sqlite"], env=env, check=True)
    try:
        import redis

        redis.Redis.from_url(QUEUE_URL, socket_connect_timeout=2).flushdb()
    except Exception as error:  # noqa: BLE001
        print(f"redis  not reachable at {QUEUE_URL} ({error}): skipped")
        return
    subprocess.run(
        [sys.executable, __file__, "redis"], env=env | {"GRIDGOV_QUEUE_URL": QUEUE_URL}, check=True
    )


if __name__ == "__main__":
    main()
