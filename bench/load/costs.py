"""Where the time goes: each endpoint of the mix alone, one request at a time, on the warm
server — its median answer time, and the mix's weighted mean beside /healthz's.

With one request at a time there is no queueing, so the median is roughly what one request
costs the server (Python, SQL, serialisation). On a machine whose CPU is the limit, the mixed
traffic cannot go faster than healthz x (healthz cost / mix cost): that bound explains a
throughput target met or missed better than the load run alone.
"""

import json
import statistics
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from load.mix import WEIGHTS


def _requests(fixtures: dict, n: int) -> dict[str, tuple[str, str, dict, dict | None]]:
    worker = fixtures["workers"][n % len(fixtures["workers"])]
    staff = {"Authorization": f"Bearer {fixtures['operator_token']}"}
    mine = {"Authorization": f"Bearer {worker['token']}", "Content-Type": "application/json"}
    page = {"Cookie": f"sessionid={fixtures['operator_session']}", "Accept": "text/html"}
    event = fixtures["events"][n % len(fixtures["events"])]
    street = fixtures["streets"][n % len(fixtures["streets"])]
    lon, lat = worker["lon"], worker["lat"]
    return {
        "healthz": ("GET", "/healthz", {}, None),
        "position": ("POST", "/api/v1/dispatch/positions", mine, {"lon": lon, "lat": lat}),
        "queue api": ("GET", f"/api/v1/events/?limit=50&area={street}", staff, None),
        "queue page": ("GET", "/events/", page, None),
        "screen": ("GET", "/api/v1/events/screen", staff, None),
        "map": ("GET", f"/api/v1/areas/geojson?level=2&root={street}", staff, None),
        "nearest": (
            "GET",
            f"/api/v1/dispatch/nearest?lon={lon:.6f}&lat={lat:.6f}&radius_m=1500",
            staff,
            None,
        ),
        "report": (
            "POST",
            "/api/v1/events/",
            mine,
            {
                "subclass": fixtures["subclasses"][n % len(fixtures["subclasses"])],
                "description": "负载测试：井盖缺失",
                "lon": lon,
                "lat": lat,
                "client_uuid": str(uuid.uuid4()),
            },
        ),
        "event page": ("GET", f"/events/{event}/", page, None),
        "event api": ("GET", f"/api/v1/events/{event}", staff, None),
    }


def endpoint_costs(port: int, fixtures_path: Path, rounds: int = 15) -> dict[str, float]:
    """Median milliseconds per endpoint, requests sent one at a time."""
    fixtures = json.loads(fixtures_path.read_text(encoding="utf-8"))
    times: dict[str, list[float]] = {}
    for n in range(rounds):
        for name, (method, path, headers, body) in _requests(fixtures, n).items():
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}",
                method=method,
                headers=headers,
                data=json.dumps(body).encode() if body is not None else None,
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
            except urllib.error.HTTPError as error:
                error.read()
            times.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def cost_lines(costs: dict[str, float]) -> tuple[list[str], float]:
    """The table, and the bound on mixed throughput as a share of healthz's."""
    total = sum(WEIGHTS.values())
    mix = sum(costs[name] * weight / total for name, weight in WEIGHTS.items())
    lines = [f"   {'endpoint':<12} {'share':>6} {'ms alone':>9} {'share of time':>14}"]
    for name, weight in sorted(WEIGHTS.items(), key=lambda kv: -costs[kv[0]] * kv[1]):
        lines.append(
            f"   {name:<12} {weight / total:>6.0%} {costs[name]:>9.1f} "
            f"{costs[name] * weight / total / mix:>14.0%}"
        )
    bound = costs["healthz"] / mix
    lines.append(
        f"   mix mean {mix:.1f} ms, healthz {costs['healthz']:.1f} ms: on a CPU-bound machine "
        f"the mix can reach about {bound:.0%} of healthz's throughput"
    )
    return lines, bound
