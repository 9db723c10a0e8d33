"""What the KPI queries share (decision 0036): the window they count in and the settings."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from gridgov.accounts.roles import Role

WORKER_ROLES = (Role.GRID_WORKER, Role.GRID_HEAD)
DEFAULTS: dict[str, Any] = {
    # 核实: answering a task offered to the worker within this many hours (calendar hours:
    # the limit is measured in SQL, which has no working calendar; decision 0036).
    "verify_hours": 4,
    # 核查: checking a handled case within this many hours of the handling report.
    "check_hours": 24,
    # Who counts as "the public" for 漏报: residents, the hotline and Open311.
    "public_sources": ["resident", "hotline", "open311"],
}


def kpis_config() -> dict[str, Any]:
    return DEFAULTS | getattr(settings, "GRIDGOV_KPIS", {})


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_default_timezone())


@dataclass(frozen=True)
class Window:
    """What the queries count: events under `prefix` reported in [since, until), as of `now`;
    `only` keeps one person's or department's row."""

    prefix: str
    since: dt.datetime
    until: dt.datetime
    now: dt.datetime
    only: int | None = None
    # The ids of the areas under `prefix` (None: everywhere). The ids themselves, not a join
    # on the path: the planner then knows how many there are (decision 0016's lesson) and
    # reads a district's period by date instead of area by area.
    area_ids: tuple[int, ...] | None = None


def sql_datetime(value: dt.datetime) -> Any:
    """A datetime as the database compares it in raw SQL (SQLite: UTC text without offset)."""
    return connection.ops.adapt_datetimefield_value(value)
