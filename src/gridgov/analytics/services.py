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

from gridgov.analytics.models import AREA_KEY_FIELDS, KEY_FIELDS, AreaDayRollup, DailyRollup
from gridgov.analytics.rollups import (
    ROW_FIELDS,
    Key,
    LazyCalendar,
    area_counts,
    area_select_sql,
    counts_by_key,
    deltas,
    deltas_apply,
    rollup_select_sql,
)
from gridgov.areas.models import Area
from gridgov.events.calendar import DEFAULT_PERIODS, WorkingCalendar
from gridgov.events.models import Event
from gridgov.events.rates import STORED_KEYS

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
# The GROUP BYs of a rebuild hold millions of keys: in memory, not spilled to disk.
WORK_MEM = "SET LOCAL work_mem = '256MB'"


def _row(event: Event) -> dict[str, Any]:
    return {**{name: getattr(event, name) for name in ROW_FIELDS}, "area_path": event.area.path}


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
    if "area" in changes:  # never done by the loop today; kept exact if it comes
        new["area_path"] = Area.objects.get(pk=new["area_id"]).path
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
    """Recompute both rollups from events (all, or the days from `since` on) and return the
    number of daily rows written. In one transaction holding the rollups' locks, so an
    event written meanwhile waits and then adds its change to the rebuilt counts.
    `engine`: "sql" (PostgreSQL's GROUP BY, the default there) or "python"."""
    engine = engine or ("sql" if connection.vendor == "postgresql" else "python")
    tables = [m._meta.db_table for m in (DailyRollup, AreaDayRollup)]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(WORK_MEM)
                cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
                if since is None:
                    cursor.execute(f"TRUNCATE {', '.join(tables)}")
        if since is not None or connection.vendor != "postgresql":
            for model in (DailyRollup, AreaDayRollup):
                stale = model.objects.all()
                if since is not None:
                    stale = stale.filter(day__gte=since)
                stale.delete()
        if engine == "sql":
            written = _rebuild_sql(since)
        else:
            daily = _recomputed(since)
            DailyRollup.objects.bulk_create(
                [
                    DailyRollup(**dict(zip(KEY_FIELDS, key, strict=True)), **counts)
                    for key, counts in daily.items()
                ],
                batch_size=2000,
            )
            AreaDayRollup.objects.bulk_create(
                [
                    AreaDayRollup(**dict(zip(AREA_KEY_FIELDS, key, strict=True)), **counts)
                    for key, counts in area_counts(daily.items(), _paths()).items()
                ],
                batch_size=2000,
            )
            written = len(daily)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
    return written


def _rebuild_sql(since: dt.date | None) -> int:
    daily_columns = ", ".join([*KEY_FIELDS, *STORED_KEYS])
    area_columns = ", ".join([*AREA_KEY_FIELDS, *STORED_KEYS])
    params = {**_sql_params(since), "since_day": since or EARLIEST.date()}
    with connection.cursor() as cursor:
        # In key order: the B-trees grow at their right edge, and the rows a read sums
        # (one area, one dimension, a run of days) sit on neighbouring pages.
        cursor.execute(
            f"INSERT INTO {DailyRollup._meta.db_table} ({daily_columns}) "
            f"{rollup_select_sql(_periods())} ORDER BY 2, 1, 3, 4, 5, 6",
            params,
        )
        written = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {AreaDayRollup._meta.db_table} ({area_columns}) "
            f"{area_select_sql()} ORDER BY 1, 2, 3, 4, 5",
            params,
        )
    return written


def _paths() -> dict[int, str]:
    return dict(Area.objects.values_list("pk", "path"))


def _stored(model, key_fields, since: dt.date | None) -> dict[tuple, dict[str, int]]:
    rows = model.objects.all()
    if since is not None:
        rows = rows.filter(day__gte=since)
    out = {}
    for row in rows.values_list(*key_fields, *STORED_KEYS).iterator(chunk_size=5000):
        counts = dict(zip(STORED_KEYS, row[len(key_fields) :], strict=True))
        if any(counts.values()):  # a key whose events all moved away leaves a row of zeros
            out[tuple(row[: len(key_fields)])] = counts
    return out


def rollups_verify(
    *, since: dt.date | None = None, engine: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Recompute and compare with what is stored; the differences (at most `limit` per
    rollup), none when both are right. The daily rollup against the events; the area
    rollup against the stored daily rollup summed up the tree."""
    engine = engine or ("sql" if connection.vendor == "postgresql" else "python")
    if engine == "sql":
        params = {**_sql_params(since), "since_day": since or EARLIEST.date()}
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(WORK_MEM)
            return _verify_sql(
                rollup_select_sql(_periods()), DailyRollup, KEY_FIELDS, params, limit
            ) + _verify_sql(area_select_sql(), AreaDayRollup, AREA_KEY_FIELDS, params, limit)
    stored = _stored(DailyRollup, KEY_FIELDS, since)
    differences = _compare(_recomputed(since), stored, KEY_FIELDS, limit)
    expected_areas = area_counts(stored.items(), _paths())
    stored_areas = _stored(AreaDayRollup, AREA_KEY_FIELDS, since)
    return differences + _compare(expected_areas, stored_areas, AREA_KEY_FIELDS, limit)


def _compare(expected: dict, stored: dict, key_fields, limit: int) -> list[dict[str, Any]]:
    expected = {k: v for k, v in expected.items() if any(v.values())}
    zero = dict.fromkeys(STORED_KEYS, 0)
    differences = []
    for key in sorted(set(expected) | set(stored), key=str):
        want, have = expected.get(key, zero), stored.get(key, zero)
        if want != have:
            differences.append(
                {"key": dict(zip(key_fields, key, strict=True)), **_diff(want, have)}
            )
            if len(differences) >= limit:
                break
    return differences


def _diff(want: dict[str, int], have: dict[str, int]) -> dict[str, Any]:
    return {
        "expected": {k: want[k] for k in STORED_KEYS if want[k] != have[k]},
        "stored": {k: have[k] for k in STORED_KEYS if want[k] != have[k]},
    }


def _verify_sql(expected_sql: str, model, key_fields, params, limit: int) -> list[dict[str, Any]]:
    """The comparison in the database (millions of keys never come to Python)."""
    table = model._meta.db_table
    columns = ", ".join([*key_fields, *STORED_KEYS])
    nonzero = " OR ".join(f"{c} <> 0" for c in STORED_KEYS)
    sql = f"""
WITH expected AS ({expected_sql}),
stored AS (SELECT {columns} FROM {table} WHERE day >= %(since_day)s),
only_expected AS (SELECT {columns} FROM expected WHERE {nonzero}
                  EXCEPT SELECT {columns} FROM stored),
only_stored AS (SELECT {columns} FROM stored WHERE {nonzero}
                EXCEPT SELECT {columns} FROM expected)
SELECT 'expected', * FROM only_expected
UNION ALL SELECT 'stored', * FROM only_stored
ORDER BY {", ".join(str(i + 2) for i in range(len(key_fields)))}, 1
LIMIT %(limit)s
"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "limit": limit * 2})
        found = cursor.fetchall()
    by_key: dict[tuple, dict[str, dict[str, int]]] = defaultdict(dict)
    for side, *values in found:
        key = tuple(values[: len(key_fields)])
        by_key[key][side] = dict(zip(STORED_KEYS, values[len(key_fields) :], strict=True))
    zero = dict.fromkeys(STORED_KEYS, 0)
    return [
        {
            "key": dict(zip(key_fields, key, strict=True)),
            **_diff(sides.get("expected", zero), sides.get("stored", zero)),
        }
        for key, sides in list(by_key.items())[:limit]
    ]
