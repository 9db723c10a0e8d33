"""What /healthz checks: the database, the cache and the queue storage, one cheap round trip
each (the load test uses /healthz as its baseline, so it must stay cheap)."""

from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

from gridgov.web.metrics import queue_depth


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _cache() -> str:
    cache.get("healthz")  # a miss is fine: the cache answered
    return "ok"


CHECKS: dict[str, Callable[[], object]] = {
    "database": _database,
    "cache": _cache,
    "queue": queue_depth,  # reachable, and how many tasks wait
}


def health_report() -> tuple[dict[str, object], list[str]]:
    """Each part's answer, and the names of those that failed (without their error text,
    which may name hosts: the endpoint is public)."""
    parts: dict[str, object] = {}
    failed: list[str] = []
    for name, check in CHECKS.items():
        try:
            parts[name] = check()
        except Exception:  # noqa: BLE001 (any failure of a dependency is what we report)
            parts[name] = "unavailable"
            failed.append(name)
    return parts, failed
