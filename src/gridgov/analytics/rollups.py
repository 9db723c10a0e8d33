"""The rollup's arithmetic: an event row → its key and its counts; deltas applied with one
UPSERT per key; and the same counts for every event at once in SQL (the rebuild).

Every write of an event subtracts the old row's counts from the old key and adds the new
row's to the new key, so the rollup is always the sum over the events as they are. Only
the time-independent part is stored (`rates.contribution`); what falls due with the clock is
counted live from open events (selectors).
"""

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import timezone

from gridgov.analytics.models import AREA_KEY_FIELDS, KEY_FIELDS, AreaDayRollup, DailyRollup
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.rates import (
    CLOSED,
    HELD,
    LOOP_FIELDS,
    RATED_AS,
    STORED_KEYS,
    contribution,
)
from gridgov.events.workflow import State

# What the rollup reads of an event (ids, not objects: no join, no extra query).
ROW_FIELDS = (
    *LOOP_FIELDS,
    "area_id",
    "subclass_id",
    "department_id",
    "source",
    "reported_at",
)
Key = tuple[dt.date, int, int, int, str, bool]
AreaKey = tuple[str, int, dt.date, str, bool]
# The levels of the area tree summed in AreaDayRollup by every dimension: county, street,
# community (depths 0-2); and one more, the grid (depth GRID_LEVEL), by day only. A grid's
# DailyRollup rows are one per subclass, department and source a day: at a city's density
# nearly one per event (9.3M rows for 10M events), so a street's month by grid summed 85k
# rows (100+ ms); its days alone are ~3k (decision 0040).
AREA_LEVELS = 3
GRID_LEVEL = AREA_LEVELS
Dimension = AreaDayRollup.Dimension


class LazyCalendar:
    """The working calendar read only when an event has working hours to count (a report or
    most transitions have none), so the hook adds no query where it needs none."""

    def __init__(self) -> None:
        self._calendar: WorkingCalendar | None = None

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        if self._calendar is None:
            self._calendar = WorkingCalendar.from_database()
        return self._calendar.working_hours_between(start, end)


def local_day(moment: dt.datetime) -> dt.date:
    """The day of the rollup: the date in the platform's time zone (not the request's)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def key_of(row: dict[str, Any]) -> Key:
    return (
        local_day(row["reported_at"]),
        row["area_id"],
        row["subclass_id"],
        row["department_id"] or 0,
        row["source"],
        row["state"] in HELD,
    )


def area_codes(path: str) -> list[str]:
    """The codes of the levels an event at `path` is summed into (the grid's last)."""
    return [c for c in path.strip("/").split("/") if c][: GRID_LEVEL + 1]


def area_keys(key: Key, path: str) -> list[AreaKey]:
    """The AreaDayRollup keys of one DailyRollup key (a function of it and the grid's path,
    so the area rollup is exactly the daily rollup summed)."""
    day, _area, subclass_id, department_key, source, held = key
    values = (
        (Dimension.NONE, ""),
        (Dimension.SUBCLASS, str(subclass_id)),
        (Dimension.SOURCE, source),
        (Dimension.DEPARTMENT, str(department_key)),
    )
    return [
        (code, int(dimension), day, value, held)
        for depth, code in enumerate(area_codes(path))
        for dimension, value in (values if depth < AREA_LEVELS else values[:1])
    ]


Deltas = tuple[dict[Key, dict[str, int]], dict[AreaKey, dict[str, int]]]


def deltas(before: dict[str, Any] | None, after: dict[str, Any] | None, calendar) -> Deltas:
    """Per key of both rollups, what to add: minus the old row's counts, plus the new row's.
    Rows carry `area_path` besides ROW_FIELDS."""
    daily: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    areas: dict[AreaKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row, sign in ((before, -1), (after, 1)):
        if row is None:
            continue
        key = key_of(row)
        counts = contribution(row, calendar)
        for bucket in (daily[key], *(areas[k] for k in area_keys(key, row["area_path"]))):
            for name, value in counts.items():
                bucket[name] += sign * value
    return (
        {key: dict(c) for key, c in daily.items() if any(c.values())},
        {key: dict(c) for key, c in areas.items() if any(c.values())},
    )


def _upsert_sql(model, key_fields: tuple[str, ...], rows: int) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*key_fields, *STORED_KEYS]
    increments = ", ".join(
        f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in STORED_KEYS
    )
    values = ", ".join([f"({', '.join(['%s'] * len(columns))})"] * rows)
    return (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) VALUES {values} "
        f"ON CONFLICT ({', '.join(quote(c) for c in key_fields)}) DO UPDATE SET {increments}"
    )


def deltas_apply(changes: Deltas) -> None:
    """One multi-row UPSERT per rollup, keys in a fixed order so two transactions never
    wait on each other's rows in opposite orders (no deadlock). On PostgreSQL both in one
    statement (`_upsert_json_sql`)."""
    ordered = [
        (
            model,
            key_fields,
            [(*key, *(by_key[key].get(n, 0) for n in STORED_KEYS)) for key in sorted(by_key)],
        )
        for model, key_fields, by_key in (
            (DailyRollup, KEY_FIELDS, changes[0]),
            (AreaDayRollup, AREA_KEY_FIELDS, changes[1]),
        )
    ]
    if connection.vendor == "postgresql":
        if ordered[0][2] or ordered[1][2]:
            params = [_as_json(fields, rows) for _model, fields, rows in ordered]
            with connection.cursor() as cursor:
                cursor.execute(_upsert_json_sql(), params)
        return
    for model, key_fields, rows in ordered:
        if rows:
            with connection.cursor() as cursor:
                cursor.execute(
                    _upsert_sql(model, key_fields, len(rows)), [v for row in rows for v in row]
                )


def _as_json(key_fields: tuple[str, ...], rows: list[tuple]) -> str:
    columns = (*key_fields, *STORED_KEYS)
    return json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str)


@functools.cache
def _upsert_json_sql() -> str:
    """Both rollups' upserts as one statement (the daily one in a data-modifying WITH), each
    reading its rows from one JSON parameter (an array of objects named like the columns).

    The multi-row VALUES form cost a report two round trips and, for the area rollup's 12
    keys, 240 parameters: psycopg parses a statement of more than 50 parameters again at
    every call and quotes each parameter in Python (issue 9, decision 0027). This one has
    two parameters and one text for any number of keys; the rows keep their order."""

    def upsert(model, key_fields: tuple[str, ...]) -> str:
        table = model._meta.db_table
        columns = ", ".join([*key_fields, *STORED_KEYS])
        increments = ", ".join(f"{c} = t.{c} + excluded.{c}" for c in STORED_KEYS)
        return (
            f"INSERT INTO {table} AS t ({columns}) SELECT {columns} "
            f"FROM json_populate_recordset(NULL::{table}, %s::json) WITH ORDINALITY "
            f"ORDER BY ordinality "
            f"ON CONFLICT ({', '.join(key_fields)}) DO UPDATE SET {increments}"
        )

    return (
        f"WITH daily AS ({upsert(DailyRollup, KEY_FIELDS)}) "
        f"{upsert(AreaDayRollup, AREA_KEY_FIELDS)}"
    )


def counts_by_key(rows: Iterable[dict[str, Any]], calendar) -> dict[Key, dict[str, int]]:
    """The rollup of event rows in Python (SQLite's rebuild, the tests' reference)."""
    out: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STORED_KEYS, 0))
    for row in rows:
        bucket = out[key_of(row)]
        for name, value in contribution(row, calendar).items():
            bucket[name] += value
    return dict(out)


def area_counts(
    daily: Iterable[tuple[Key, dict[str, int]]], paths: dict[int, str]
) -> dict[AreaKey, dict[str, int]]:
    """The area rollup of daily rollup rows (SQLite's rebuild, the tests' reference)."""
    out: dict[AreaKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STORED_KEYS, 0))
    for key, counts in daily:
        for area_key in area_keys(key, paths.get(key[1], "")):
            bucket = out[area_key]
            for name, value in counts.items():
                bucket[name] += value
    return dict(out)


def area_select_sql() -> str:
    """SELECT the area rollup from the daily rollup's rows of days >= %(since_day)s."""
    sums = ", ".join(f"SUM(r.{c}) AS {c}" for c in STORED_KEYS)
    levels = " UNION ALL ".join(
        f"SELECT split_part(a.path, '/', {i + 2}) AS code, {i} AS depth"
        for i in range(GRID_LEVEL + 1)
    )
    return f"""
SELECT level.code AS area_code, d.dimension, r.day, d.value, r.held, {sums}
FROM analytics_dailyrollup r
JOIN areas_area a ON a.id = r.area_id
CROSS JOIN LATERAL ({levels}) level
CROSS JOIN LATERAL (VALUES ({int(Dimension.NONE)}, ''),
    ({int(Dimension.SUBCLASS)}, r.subclass_id::text), ({int(Dimension.SOURCE)}, r.source),
    ({int(Dimension.DEPARTMENT)}, r.department_key::text)) d(dimension, value)
WHERE level.code <> '' AND r.day >= %(since_day)s
    AND (level.depth < {AREA_LEVELS} OR d.dimension = {int(Dimension.NONE)})
GROUP BY 1, 2, 3, 4, 5
"""


# The same counts in SQL (PostgreSQL) --------------------------------------------------------
def _in(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)  # state names: fixed identifiers, not input


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def rollup_select_sql(periods) -> str:
    """SELECT the rollup rows of every event reported on or after %(since)s (local day),
    with the working time from filing to handling done in integer microseconds.

    Working time without a loop per event: W(t) = working microseconds of the days before
    t's date (a running sum over a calendar of days) + those of t's own day up to t; the
    time between two moments is W(end) − W(start), exactly what the Python calendar sums
    period by period (docs/decisions/0016)."""
    day_us = sum((_seconds(e) - _seconds(b)) for b, e in periods) * 1_000_000

    def within(alias: str, column: str) -> str:
        tod = f"(extract(epoch from (e.{column} AT TIME ZONE %(tz)s)::time) * 1000000)::bigint"
        parts = (
            " + ".join(
                f"GREATEST(0, LEAST({tod}, {_seconds(end) * 1_000_000}) - {_seconds(begin) * 1_000_000})"
                for begin, end in periods
            )
            or "0"
        )
        return f"({alias}.before_us + CASE WHEN {alias}.work_us > 0 THEN {parts} ELSE 0 END)"

    closed = _in(CLOSED)
    held = _in(HELD)
    post = (
        f"e.state <> '{State.VOIDED}' AND e.accepted_at IS NOT NULL "
        f"AND e.state <> '{State.REJECTED}'"
    )

    def flag(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    answered = (
        f"COALESCE(e.accepted_at, CASE WHEN e.state = '{State.REJECTED}' THEN e.closed_at END)"
    )
    nv = f"e.state <> '{State.VOIDED}'"
    handled = f"{post} AND e.handled_at IS NOT NULL"
    return f"""
WITH bounds AS (
    SELECT least(min(e.accepted_at), min(e.handled_at)) AS lo,
        greatest(max(e.accepted_at), max(e.handled_at)) AS hi
    FROM events_event e
    WHERE e.reported_at >= %(since)s AND e.accepted_at IS NOT NULL AND e.handled_at IS NOT NULL
), days AS (
    SELECT d::date AS day,
        CASE WHEN COALESCE(c.is_workday, extract(isodow from d) < 6) THEN {day_us} ELSE 0 END
            AS work_us
    FROM bounds, generate_series(
        (bounds.lo AT TIME ZONE %(tz)s)::date::timestamp,
        (bounds.hi AT TIME ZONE %(tz)s)::date::timestamp, interval '1 day') d
    LEFT JOIN events_calendarday c ON c.date = d::date
), cal AS (
    SELECT day, work_us, (SUM(work_us) OVER (ORDER BY day) - work_us)::bigint AS before_us
    FROM days
)
SELECT (e.reported_at AT TIME ZONE %(tz)s)::date AS day, e.area_id, e.subclass_id,
    COALESCE(e.department_id, 0) AS department_key, e.source, e.state IN ({held}) AS held,
    COUNT(*) AS reported,
    {flag(f"e.state = '{State.VOIDED}'")} AS voided,
    {flag(f"{nv} AND {answered} <= e.accept_due_at")} AS answered_in_time,
    {flag(f"{nv} AND e.dispatched_at IS NOT NULL")} AS dispatched,
    {flag(f"{nv} AND e.dispatched_at <= e.dispatch_due_at")} AS dispatched_in_time,
    {flag(f"e.state IN ({closed})")} AS closed,
    {flag(f"{post} AND e.state IN ({closed})")} AS due_to_close,
    {flag(f"{post} AND e.state IN ({closed}) AND e.handled_at <= e.handle_due_at")}
        AS closed_on_time,
    {flag(f"{post} AND e.state IN ({closed}) AND e.rework_count > 0")} AS reworked,
    {flag(f"{post} AND e.satisfaction <> ''")} AS rated,
    {flag(f"{post} AND e.satisfaction IN ({_in(RATED_AS['satisfied'])})")} AS satisfied,
    {flag(f"{post} AND e.satisfaction IN ({_in(RATED_AS['basically'])})")} AS basically,
    {flag(f"{post} AND e.satisfaction IN ({_in(RATED_AS['dissatisfied'])})")} AS dissatisfied,
    {flag(handled)} AS handling_count,
    COALESCE(SUM(CASE WHEN {handled} THEN
        GREATEST(0, {within("ch", "handled_at")} - {within("ca", "accepted_at")}) END), 0)::bigint
        AS handling_us
FROM events_event e
LEFT JOIN cal ca ON ca.day = (e.accepted_at AT TIME ZONE %(tz)s)::date
LEFT JOIN cal ch ON ch.day = (e.handled_at AT TIME ZONE %(tz)s)::date
WHERE e.reported_at >= %(since)s
GROUP BY 1, 2, 3, 4, 5, 6
"""
