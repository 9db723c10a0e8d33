"""Each endpoint of the load mix in one process, without a server: the CPU time (process
time, not wall time) a request costs this process through the whole middleware stack, so
the figures hold when other work shares the cores (issue 9; docs/decisions/0029).

    DATABASE_URL=postgres://…/<a copy of the load template> GRIDGOV_HTTPS=false \
        .venv/bin/python bench/load_inprocess.py FIXTURES.json [--rounds 40] [--profile NAME]

FIXTURES.json is what bench/load/prepare.py writes for that database. `--profile NAME` prints
cProfile's 40 costliest functions (cumulative) for that endpoint.
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("fixtures")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.config.settings")
    import django

    django.setup()
    from django.test import Client

    from load.costs import _requests
    from load.mix import WEIGHTS

    fixtures = json.loads(Path(args.fixtures).read_text(encoding="utf-8"))
    client = Client(HTTP_HOST="127.0.0.1")

    def send(method: str, path: str, headers: dict, body) -> int:
        meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
        meta.pop("HTTP_CONTENT_TYPE", None)
        if method == "GET":
            return client.get(path, **meta).status_code
        return client.post(
            path, data=json.dumps(body), content_type="application/json", **meta
        ).status_code

    for n in range(5):  # warm: indexes, caches, imports
        for request in _requests(fixtures, n).values():
            send(*request)
    costs: dict[str, list[float]] = {}
    statuses: dict[str, set[int]] = {}
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    for n in range(5, 5 + args.rounds):
        for name, request in _requests(fixtures, n).items():
            if profiler and name == args.profile:
                profiler.enable()
            started = time.process_time()
            status = send(*request)
            costs.setdefault(name, []).append((time.process_time() - started) * 1000)
            if profiler and name == args.profile:
                profiler.disable()
            statuses.setdefault(name, set()).add(status)
    healthz = statistics.median(costs["healthz"])
    mean = sum(WEIGHTS.get(name, 0) * statistics.median(v) for name, v in costs.items())
    mean /= sum(WEIGHTS.get(name, 0) for name in costs)
    print(f"{'endpoint':<12} {'CPU ms p50':>10} {'p90':>7}  statuses")
    for name, values in sorted(costs.items(), key=lambda kv: -statistics.median(kv[1])):
        p90 = sorted(values)[int(len(values) * 0.9)]
        print(
            f"{name:<12} {statistics.median(values):>10.2f} {p90:>7.2f}  {sorted(statuses[name])}"
        )
    print(
        f"mix weighted mean {mean:.2f} ms of CPU; healthz {healthz:.2f} ms: ratio {mean / healthz:.2f}"
        f" (the 40% target needs <= 2.5)"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
            int(os.environ.get("PROFILE_LINES", "40"))
        )


if __name__ == "__main__":
    main()
