"""How long the demo's steps take: each step of a demo event is taken at its own moment in
the past, through the same services, so that the timeline, the deadlines and the people's
KPIs (docs/kpis.md) read like a month of real work: most steps on time, some late.

The services stamp every row with `timezone.now()` (the event's times, the timeline, the
offers) and compute each stage's deadline from it with the working calendar. `demo_clock`
sets that clock for one step, so every stamp and deadline is the one a person acting then
would have left; nothing is rewritten afterwards."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

# Hours between a step and the one before it: (usual low, usual high, share late, late low,
# late high). "Late" passes the step's limit: the subclasses' accept and dispatch limits
# (one working hour), the KPI limits verify_hours (4) and check_hours (24), and the
# handling limits of 2 to 40 working hours.
GAPS: dict[str, tuple[float, float, float, float, float]] = {
    "accept": (0.05, 0.8, 0.08, 1.2, 3.0),
    "dispatch": (0.05, 0.8, 0.12, 1.2, 4.0),
    "accept_task": (0.1, 2.5, 0.1, 4.5, 14.0),
    "decline_task": (0.1, 2.5, 0.0, 0.0, 0.0),
    "take": (0.2, 2.0, 0.1, 3.0, 8.0),
    "feedback": (0.3, 2.0, 0.2, 5.0, 30.0),
    "verify_pass": (0.5, 10.0, 0.12, 26.0, 48.0),
    "verify_fail": (0.5, 10.0, 0.1, 26.0, 40.0),
    "close": (0.1, 2.0, 0.0, 0.0, 0.0),
    "evaluate": (2.0, 30.0, 0.0, 0.0, 0.0),
    "evaluate_callback": (4.0, 48.0, 0.0, 0.0, 0.0),
    "return": (0.3, 3.0, 0.0, 0.0, 0.0),
}
DEFAULT_GAP = (0.1, 1.0, 0.0, 0.0, 0.0)
MARGIN = dt.timedelta(minutes=20)  # the newest step is at least this old


@contextmanager
def demo_clock(at: dt.datetime) -> Iterator[None]:
    """`timezone.now()` answers `at` inside the block (demo loading only: one thread)."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def gap(rng: random.Random, action: str) -> dt.timedelta:
    low, high, late_share, late_low, late_high = GAPS.get(action, DEFAULT_GAP)
    if late_share and rng.random() < late_share:
        return dt.timedelta(hours=rng.uniform(late_low, late_high))
    return dt.timedelta(hours=rng.uniform(low, high))


def month_start(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def schedule(
    rng: random.Random,
    gaps: list[dt.timedelta],
    *,
    now: dt.datetime,
    earliest: dt.datetime,
    latest: dt.datetime | None = None,
) -> list[dt.datetime]:
    """The report's moment and then one moment per gap: the report falls between `earliest`
    and `latest` (default: now), late enough that the last step is not in the future. When
    the steps do not fit (a month only hours old), they are shortened in proportion."""
    latest = min(latest or now, now - MARGIN)
    earliest = min(earliest, latest)
    total = sum(gaps, dt.timedelta())
    room = now - MARGIN - earliest
    if total > room:
        scale = room / total if total else 0
        gaps = [g * scale for g in gaps]
        total = sum(gaps, dt.timedelta())
    last_start = min(latest, now - MARGIN - total)
    start = earliest + (last_start - earliest) * rng.random()
    moments = [start]
    for step in gaps:
        moments.append(moments[-1] + step)
    return moments
