"""Figures from the locustfile's samples, and the check that acknowledged reports are stored.

Percentiles are exact (every request's time is kept), not locust's rounded histogram. The
steady window leaves out the ramp-up, when users are still being started.
"""

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

# What each request answers when all is well.
EXPECTED = {"report": 201}


@dataclass
class Run:
    samples: list[tuple[float, str, int, float]]
    acked: list[dict]
    pending: list[dict]
    server_errors: list[dict]
    start: float = 0.0
    end: float = 0.0
    by_name: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, ramp_seconds: float) -> "Run":
        raw = json.loads(path.read_text(encoding="utf-8"))
        run = cls(
            [tuple(s) for s in raw["samples"]], raw["acked"], raw["pending"], raw["server_errors"]
        )
        if run.samples:
            first = min(s[0] for s in run.samples)
            run.start = first + ramp_seconds
            run.end = max(s[0] for s in run.samples)
        return run

    def steady(self) -> list[tuple[float, str, int, float]]:
        return [s for s in self.samples if s[0] >= self.start]

    def ok(self, sample: tuple[float, str, int, float]) -> bool:
        return sample[2] == EXPECTED.get(sample[1], 200)

    def throughput(self) -> float:
        seconds = self.end - self.start
        return len(self.steady()) / seconds if seconds > 0 else 0.0

    def errors(self) -> Counter:
        """(name, status) of every request that did not get its expected answer."""
        return Counter((s[1], s[2]) for s in self.samples if not self.ok(s))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def latency_table(samples: list[tuple[float, str, int, float]]) -> list[str]:
    by_name: dict[str, list[float]] = defaultdict(list)
    for _t, name, _status, ms in samples:
        by_name[name].append(ms)
    lines = [f"   {'endpoint':<12} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"]
    everything = [s[3] for s in samples]
    for name, values in sorted(by_name.items(), key=lambda kv: -len(kv[1])):
        lines.append(
            f"   {name:<12} {len(values):>8} {percentile(values, 0.5):>8.0f} "
            f"{percentile(values, 0.95):>8.0f} {percentile(values, 0.99):>8.0f}"
        )
    lines.append(
        f"   {'all':<12} {len(everything):>8} {percentile(everything, 0.5):>8.0f} "
        f"{percentile(everything, 0.95):>8.0f} {percentile(everything, 0.99):>8.0f}"
    )
    return lines


def reports_check(connection, acked: list[dict]) -> tuple[int, list[str]]:
    """How many acknowledged reports are stored exactly once under their number, and what
    is wrong with the others (missing, stored twice, another number)."""
    if not acked:
        return 0, []
    uuids = [a["uuid"] for a in acked]
    rows = connection.execute(
        "SELECT client_uuid::text, number FROM events_event WHERE client_uuid = ANY(%s::uuid[])",
        [uuids],
    ).fetchall()
    stored: dict[str, list[str]] = defaultdict(list)
    for uuid, number in rows:
        stored[uuid].append(number)
    problems = []
    good = 0
    seen: Counter = Counter(a["uuid"] for a in acked)
    for report in acked:
        numbers = stored.get(report["uuid"], [])
        if len(numbers) == 1 and numbers[0] == report["number"]:
            good += 1
        else:
            problems.append(
                f"{report['uuid']} acknowledged as {report['number']}, stored {numbers}"
            )
    # The same UUID acknowledged twice (a resend) must carry one number both times.
    for uuid, count in seen.items():
        if count > 1 and len({a["number"] for a in acked if a["uuid"] == uuid}) > 1:
            problems.append(f"{uuid} acknowledged under two numbers")
    return good, problems
