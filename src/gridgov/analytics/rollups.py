"""The rollup's arithmetic: an event row → its key and its counts; deltas applied with one
UPSERT per key; and the same counts for every event at once in SQL (the rebuild).

Every write of an event subtracts the old row's counts from the old key and adds the new
row's to the new key, so the rollup is always the sum over the events as they are. Only
the time-independent part is stored (`rates.contribution`); what falls due with the clock is
counted live from open events (selectors).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import timezone

from gridgov.analytics.models import KEY_FIELDS, DailyRollup
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.rates import CLOSED, HELD, STORED_KEYS, contribution
from gridgov.events.workflow import State

# What the rollup reads of an event (ids, not objects: no join, no extra query).
ROW_FIELDS = (
    "state",
    "accepted_at",
    "accept_due_at",
    "dispatched_at",
    "dispatch_due_at",
    "handled_at",
    "handle_due_at",
    "closed_at",
    "rework_count",
    "satisfaction",
    "area_id",
    "subclass_id",
    "department_id",
    "source",
    "reported_at",
)
Key = tuple[dt.date, int, int, int, str, bool]


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


def deltas(
    before: dict[str, Any] | None, after: dict[str, Any] | None, calendar
) -> dict[Key, dict[str, int]]:
    """Per key, what to add: minus the old row's counts, plus the new row's."""
    out: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row, sign in ((before, -1), (after, 1)):
        if row is not None:
            bucket = out[key_of(row)]
            for name, value in contribution(row, calendar).items():
                bucket[name] += sign * value
    return {key: dict(c) for key, c in out.items() if any(c.values())}


def _upsert_sql() -> str:
    quote = connection.ops.quote_name
    table = quote(DailyRollup._meta.db_table)
    columns = [*KEY_FIELDS, *STORED_KEYS]
    increments = ", ".join(
        f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in STORED_KEYS
    )
    return (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(quote(c) for c in KEY_FIELDS)}) DO UPDATE SET {increments}"
    )


def deltas_apply(changes: dict[Key, dict[str, int]]) -> None:
    """One UPSERT per key, keys in a fixed order so two transactions never wait on each
    other's rows in opposite orders (no deadlock)."""
    if not changes:
        return
    params = [
        [*key, *(changes[key].get(name, 0) for name in STORED_KEYS)] for key in sorted(changes)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(), params)


def counts_by_key(rows: Iterable[dict[str, Any]], calendar) -> dict[Key, dict[str, int]]:
    """The rollup of event rows in Python (SQLite's rebuild, the tests' reference)."""
    out: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STORED_KEYS, 0))
    for row in rows:
        bucket = out[key_of(row)]
        for name, value in contribution(row, calendar).items():
            bucket[name] += value
    return dict(out)


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
    {flag(f"{post} AND e.satisfaction = 'satisfied'")} AS satisfied,
    {flag(f"{post} AND e.satisfaction = 'basically'")} AS basically,
    {flag(f"{post} AND e.satisfaction = 'dissatisfied'")} AS dissatisfied,
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
