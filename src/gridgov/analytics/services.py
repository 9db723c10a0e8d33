"""Every write to the rollup: the hooks of event writes (in the event's own transaction),
the rebuild from events, and its check.

Hooks are called by the events app where an event is written: `events/intake.py` after the
new event is saved, `events/services.py` `event_act` right after its compare-and-swap
update. Other writes of rate fields bypass them and are repaired by `rollups_rebuild`
(docs/decisions/0016-daily-rollups.md lists them).
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gridgov.analytics.models import KEY_FIELDS, DailyRollup
from gridgov.analytics.rollups import (
    ROW_FIELDS,
    Key,
    LazyCalendar,
    counts_by_key,
    deltas,
    deltas_apply,
    rollup_select_sql,
)
from gridgov.events.calendar import DEFAULT_PERIODS, WorkingCalendar
from gridgov.events.models import Event
from gridgov.events.rates import STORED_KEYS

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def _row(event: Event) -> dict[str, Any]:
    return {name: getattr(event, name) for name in ROW_FIELDS}


def rollup_event_created(*, event: Event) -> None:
    """Add a new event's counts. Call inside the transaction that saved it."""
    deltas_apply(deltas(None, _row(event), LazyCalendar()))


def rollup_event_changed(
    *, before: Event, changes: dict[str, Any], calendar: WorkingCalendar | None = None
) -> None:
    """Move an event's counts from what it was (`before`, as read for the compare-and-swap)
    to what `changes` (the fields given to `.update()`, objects or ids) make of it. Call
    inside the transaction, after the update succeeded."""
    old = _row(before)
    new = dict(old)
    for name, value in changes.items():
        if name in new:
            new[name] = value
        elif f"{name}_id" in new:  # a foreign key given as an object
            new[f"{name}_id"] = getattr(value, "pk", value)
    deltas_apply(deltas(old, new, calendar or LazyCalendar()))


def _since_at(since: dt.date | None) -> dt.datetime:
    if since is None:
        return EARLIEST
    return dt.datetime.combine(since, dt.time(0), tzinfo=timezone.get_default_timezone())


def _sql_params(since: dt.date | None) -> dict[str, Any]:
    return {"since": _since_at(since), "tz": timezone.get_default_timezone_name()}


def _periods():
    return getattr(settings, "GRIDGOV_WORKING_PERIODS", DEFAULT_PERIODS)


def _recomputed(since: dt.date | None) -> dict[Key, dict[str, int]]:
    """The rollup recomputed in Python, streaming the events (any database)."""
    rows = (
        Event.objects.filter(reported_at__gte=_since_at(since))
        .order_by()
        .values(*ROW_FIELDS)
        .iterator(chunk_size=5000)
    )
    return counts_by_key(rows, WorkingCalendar.from_database())


def rollups_rebuild(*, since: dt.date | None = None, engine: str | None = None) -> int:
    """Recompute the rollup from events (all, or the days from `since` on) and return the
    number of rows written. In one transaction holding the rollup's lock, so an event
    written meanwhile waits and then adds its change to the rebuilt counts.
    `engine`: "sql" (PostgreSQL's GROUP BY, the default there) or "python"."""
    engine = engine or ("sql" if connection.vendor == "postgresql" else "python")
    table = DailyRollup._meta.db_table
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
                if since is None:
                    cursor.execute(f"TRUNCATE {table}")
        if since is not None or connection.vendor != "postgresql":
            stale = DailyRollup.objects.all()
            if since is not None:
                stale = stale.filter(day__gte=since)
            stale.delete()
        if engine == "sql":
            columns = ", ".join([*KEY_FIELDS, *STORED_KEYS])
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) {rollup_select_sql(_periods())}",
                    _sql_params(since),
                )
                written = cursor.rowcount
        else:
            rows = [
                DailyRollup(**dict(zip(KEY_FIELDS, key, strict=True)), **counts)
                for key, counts in _recomputed(since).items()
            ]
            DailyRollup.objects.bulk_create(rows, batch_size=2000)
            written = len(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return written


def _stored(since: dt.date | None) -> dict[Key, dict[str, int]]:
    rows = DailyRollup.objects.all()
    if since is not None:
        rows = rows.filter(day__gte=since)
    out = {}
    for row in rows.values_list(*KEY_FIELDS, *STORED_KEYS).iterator(chunk_size=5000):
        counts = dict(zip(STORED_KEYS, row[len(KEY_FIELDS) :], strict=True))
        if any(counts.values()):  # a key whose events all moved away leaves a row of zeros
            out[tuple(row[: len(KEY_FIELDS)])] = counts
    return out


def rollups_verify(
    *, since: dt.date | None = None, engine: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Recompute and compare with what is stored; the differences (at most `limit`), none
    when the rollup is right."""
    engine = engine or ("sql" if connection.vendor == "postgresql" else "python")
    if engine == "sql":
        return _verify_sql(since, limit)
    expected = _recomputed(since)
    expected = {k: v for k, v in expected.items() if any(v.values())}
    stored = _stored(since)
    differences = []
    for key in sorted(set(expected) | set(stored), key=str):
        want = expected.get(key) or dict.fromkeys(STORED_KEYS, 0)
        have = stored.get(key) or dict.fromkeys(STORED_KEYS, 0)
        if want != have:
            differences.append(
                {"key": dict(zip(KEY_FIELDS, key, strict=True)), **_diff(want, have)}
            )
            if len(differences) >= limit:
                break
    return differences


def _diff(want: dict[str, int], have: dict[str, int]) -> dict[str, Any]:
    return {
        "expected": {k: want[k] for k in STORED_KEYS if want[k] != have[k]},
        "stored": {k: have[k] for k in STORED_KEYS if want[k] != have[k]},
    }


def _verify_sql(since: dt.date | None, limit: int) -> list[dict[str, Any]]:
    """The comparison in the database (millions of keys never come to Python)."""
    table = DailyRollup._meta.db_table
    columns = ", ".join([*KEY_FIELDS, *STORED_KEYS])
    nonzero = " OR ".join(f"{c} <> 0" for c in STORED_KEYS)
    day_filter = "WHERE day >= %(since_day)s" if since is not None else ""
    sql = f"""
WITH expected AS ({rollup_select_sql(_periods())}),
stored AS (SELECT {columns} FROM {table} {day_filter}),
only_expected AS (SELECT {columns} FROM expected WHERE {nonzero}
                  EXCEPT SELECT {columns} FROM stored),
only_stored AS (SELECT {columns} FROM stored WHERE {nonzero}
                EXCEPT SELECT {columns} FROM expected)
SELECT 'expected', {columns} FROM only_expected
UNION ALL SELECT 'stored', {columns} FROM only_stored
ORDER BY {", ".join(str(i + 2) for i in range(len(KEY_FIELDS)))}, 1
LIMIT %(limit)s
"""
    params = {**_sql_params(since), "since_day": since, "limit": limit * 2}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    by_key: dict[tuple, dict[str, dict[str, int]]] = defaultdict(dict)
    for side, *values in found:
        key = tuple(values[: len(KEY_FIELDS)])
        by_key[key][side] = dict(zip(STORED_KEYS, values[len(KEY_FIELDS) :], strict=True))
    zero = dict.fromkeys(STORED_KEYS, 0)
    return [
        {
            "key": dict(zip(KEY_FIELDS, key, strict=True)),
            **_diff(s.get("expected", zero), s.get("stored", zero)),
        }
        for key, s in list(by_key.items())[:limit]
    ]
