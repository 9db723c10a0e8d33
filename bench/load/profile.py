"""Where a gunicorn worker's CPU goes under the mixed traffic (py-spy, `--profile`).

py-spy samples one worker for a while without stopping it; its raw output is one line per
distinct stack with a count. Samples of a busy worker include its waits on PostgreSQL (py-spy counts a
thread inside the driver as active). Each sample is charged to the innermost frame of our own code
(src/gridgov) and to the view it ran under, so the table reads "this much of the worker's
CPU was spent under event_report/selectors.events_queue…", library time included.
"""

import subprocess
from collections import Counter
from pathlib import Path

from load.stack import BIN


def worker_pids(server_pid: int) -> list[int]:
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def start(server_pid: int, seconds: int, out: Path) -> subprocess.Popen | None:
    spy = BIN / "py-spy"
    pids = worker_pids(server_pid)
    if not spy.exists() or not pids:
        print("   (py-spy not installed: `pip install py-spy`; no profile)")
        return None
    return subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(pids[0]),
            "--duration",
            str(seconds),
            "--rate",
            "50",
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _ours(frame: str) -> bool:
    # py-spy shortens file names to the package part: "func (gridgov/events/api.py:12)".
    return " (gridgov/" in frame


def summary(raw: Path, top: int = 15) -> list[str]:
    if not raw.exists():
        return ["   (no profile written)"]
    innermost: Counter = Counter()
    views: Counter = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        ours = [f for f in frames if _ours(f)]
        n = int(count)
        total += n
        innermost[ours[-1].split(" (")[0] + _where(ours[-1]) if ours else "(outside gridgov)"] += n
        view = next((f for f in ours if _is_view(f)), None)
        views[view.split(" (")[0] + _where(view) if view else "(middleware, framework)"] += n
    if not total:
        return ["   (no samples)"]
    lines = [
        f"   one worker, {total} samples while busy (waits on PostgreSQL included): "
        "the view they ran under"
    ]
    lines += [f"   {n / total:>5.0%}  {name}" for name, n in views.most_common(top)]
    lines.append("   innermost frame of ours (libraries beneath included)")
    lines += [f"   {n / total:>5.0%}  {name}" for name, n in innermost.most_common(top)]
    return lines


def _is_view(frame: str) -> bool:
    inside = frame.split(" (", 1)[1] if " (" in frame else ""
    return "/api.py:" in inside or "/views.py:" in inside


def _where(frame: str) -> str:
    inside = frame.split(" (", 1)[1].rstrip(")") if " (" in frame else ""
    path = inside.split("/gridgov/", 1)[-1].rsplit(":", 1)[0]
    return f" [{path}]"
