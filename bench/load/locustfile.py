"""The 500 users of bench/load.py: mixed traffic of a district's command centre and its field.

Run by bench/load.py (`locust --headless`), never alone: it reads the fixtures that
bench/load/prepare.py wrote (tokens, a signed-in operator session, event ids, grid points)
from LOAD_FIXTURES and writes every request it made to LOAD_RESULTS when it stops.

Each user is one grid worker with its own bearer token (positions, reports, nearest), who
also reads what the command centre reads with the operator's token and session (queue, big
screen, map, event pages). `Healthz` sends /healthz only, as fast as it can.

Reports carry a client UUID. One that is not acknowledged (a 503 during an outage, a
dropped connection) is sent again with the same UUID at the user's next report, as the
worker app's outbox does; one acknowledged (201 + number) is recorded, and bench/load.py
checks afterwards that each is in the database exactly once.
"""

import collections
import itertools
import json
import os
import random
import time
import uuid

from locust import FastHttpUser, between, constant, constant_throughput, events, task
from mix import WEIGHTS

FIXTURES = json.loads(open(os.environ["LOAD_FIXTURES"], encoding="utf-8").read())  # noqa: SIM115
RATE = float(os.environ.get("LOAD_RATE_PER_USER", "0"))

# (epoch seconds, name, status, milliseconds) per request; status 0 is no answer at all.
SAMPLES: list[tuple[float, str, int, float]] = []
ACKED: list[dict] = []
OUTBOXES: list[dict[str, dict]] = []  # each user's reports not acknowledged yet, by uuid
SERVER_ERRORS: list[dict] = []  # a few bodies of unexpected answers, to say what went wrong
_KEPT: collections.Counter = collections.Counter()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response, exception, **kw):
    status = getattr(response, "status_code", 0) or 0
    SAMPLES.append((time.time(), name, int(status), float(response_time)))
    if status >= 400 and _KEPT[(name, status)] < 3:  # a few bodies of each kind of refusal
        _KEPT[(name, status)] += 1
        SERVER_ERRORS.append({"name": name, "status": status, "body": (response.text or "")[:300]})


@events.quitting.add_listener
def _write(environment, **kw):
    with open(os.environ["LOAD_RESULTS"], "w", encoding="utf-8") as out:
        json.dump(
            {
                "samples": SAMPLES,
                "acked": ACKED,
                "pending": [body for outbox in OUTBOXES for body in outbox.values()],
                "server_errors": SERVER_ERRORS,
            },
            out,
        )


_NEXT_WORKER = itertools.count()


class Healthz(FastHttpUser):
    """The baseline: the cheapest answer of the same server, as fast as the users can ask."""

    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0

    @task
    def healthz(self):
        with self.client.get("/healthz", name="healthz", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")


class FieldAndCommandCentre(FastHttpUser):
    # Each user paced to LOAD_RATE_PER_USER requests/s (bench/load.py sets it from the
    # healthz figure); it sends less when the server answers slowly (a closed loop).
    wait_time = constant_throughput(RATE) if RATE > 0 else between(1, 3)
    # An outage must be answered, not hang: a request that takes longer is an error.
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self):
        worker = FIXTURES["workers"][next(_NEXT_WORKER) % len(FIXTURES["workers"])]
        self.worker = worker
        self.mine = {"Authorization": f"Bearer {worker['token']}"}
        self.staff = {"Authorization": f"Bearer {FIXTURES['operator_token']}"}
        self.page = {"Cookie": f"sessionid={FIXTURES['operator_session']}", "Accept": "text/html"}
        self.rng = random.Random()
        self.outbox: dict[str, dict] = {}  # a user resends only their own reports
        OUTBOXES.append(self.outbox)
        if RATE > 0:
            # Users do not all click at the moment they arrive: without this, the whole
            # ramp-up's first requests land at once and queue for longer than the run.
            time.sleep(self.rng.uniform(0, 1 / RATE))  # gevent-patched: only this user waits

    def _get(self, path: str, name: str, headers: dict) -> None:
        with self.client.get(path, name=name, headers=headers, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")

    # What the command centre reads ------------------------------------------------------
    @task(WEIGHTS["queue api"])
    def queue_api(self):
        choice = self.rng.random()
        query = "?limit=50"
        if choice < 0.3:
            query += f"&area={self.rng.choice(FIXTURES['streets'])}"
        elif choice < 0.5:
            query += "&overdue=true"
        self._get(f"/api/v1/events/{query}", "queue api", self.staff)

    @task(WEIGHTS["queue page"])
    def queue_page(self):
        self._get("/events/", "queue page", self.page)

    @task(WEIGHTS["screen"])
    def screen(self):
        self._get("/api/v1/events/screen", "screen", self.staff)

    @task(WEIGHTS["map"])
    def map(self):
        root = self.rng.choice([None, *FIXTURES["streets"], *FIXTURES["communities"][:20]])
        path = "/api/v1/areas/geojson?level=2" + (f"&root={root}" if root else "")
        self._get(path, "map", self.staff)

    @task(WEIGHTS["event page"])
    def event_page(self):
        self._get(f"/events/{self.rng.choice(FIXTURES['events'])}/", "event page", self.page)

    @task(WEIGHTS["event api"])
    def event_api(self):
        path = f"/api/v1/events/{self.rng.choice(FIXTURES['events'])}"
        self._get(path, "event api", self.staff)

    # What the field sends ---------------------------------------------------------------
    def _near_me(self) -> tuple[float, float]:
        return (
            self.worker["lon"] + self.rng.gauss(0, 0.0005),
            self.worker["lat"] + self.rng.gauss(0, 0.0005),
        )

    @task(WEIGHTS["nearest"])
    def nearest(self):
        lon, lat = self._near_me()
        path = f"/api/v1/dispatch/nearest?lon={lon:.6f}&lat={lat:.6f}&radius_m=1500"
        self._get(path, "nearest", self.staff)

    @task(WEIGHTS["position"])
    def position(self):
        lon, lat = self._near_me()
        body = {"lon": lon, "lat": lat, "accuracy_m": 12}
        with self.client.post(
            "/api/v1/dispatch/positions",
            json=body,
            name="position",
            headers=self.mine,
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")

    @task(WEIGHTS["report"])
    def report(self):
        if self.outbox and self.rng.random() < 0.5:
            body = self.outbox.pop(next(iter(self.outbox)))  # the oldest again
        else:
            # On the worker's spot (within a metre): a staff member's report must lie in
            # their own area, and a point near the grid's edge could fall outside it.
            lon = self.worker["lon"] + self.rng.uniform(-1e-5, 1e-5)
            lat = self.worker["lat"] + self.rng.uniform(-1e-5, 1e-5)
            body = {
                "subclass": self.rng.choice(FIXTURES["subclasses"]),
                "description": "负载测试：路灯不亮",
                "lon": lon,
                "lat": lat,
                "client_uuid": str(uuid.uuid4()),
            }
        with self.client.post(
            "/api/v1/events/", json=body, name="report", headers=self.mine, catch_response=True
        ) as r:
            if r.status_code == 201:
                answer = r.json()
                ACKED.append({"uuid": body["client_uuid"], "number": answer["number"]})
            else:
                if r.status_code in (0, 502, 503, 504):
                    self.outbox[body["client_uuid"]] = body
                r.failure(f"{r.status_code}")
