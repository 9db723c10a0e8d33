"""Event numbers people can read out on the phone: date + a daily serial (2026112400017).

Issue 9 measured 80 events/s with the serial taken from a counter row locked until the
event committed: every report waited for the one before it. Now no lock is held:
- PostgreSQL: one sequence per day (`events_serial_20261124`), made by the first report
  of the day. `nextval` is never rolled back and never waits for another transaction;
- SQLite (one writer at a time anyway) and others: the `DailyCounter` row, taken with one
  upsert; outside a transaction its lock lasts that statement.
The cost is gaps: a number taken by a report that then fails is not given again
(docs/decisions/0017). Numbers stay unique: a sequence and the upsert are atomic, and
`Event.number` is a unique column besides.
"""

import datetime as dt

from django.db import DatabaseError, connection, models, transaction
from django.db.models import F
from django.utils import timezone

SEQUENCE_PREFIX = "events_serial_"
SEQUENCES_KEPT_DAYS = 7  # a late report of an earlier day still finds its day's sequence


class DailyCounter(models.Model):
    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "events"

    def __str__(self) -> str:
        return f"{self.day} {self.value}"


_sequences_made: set[str] = set()  # this process's knowledge: no query to check


def _sequence_name(day: dt.date) -> str:
    return f"{SEQUENCE_PREFIX}{day:%Y%m%d}"


def _sequence_make(day: dt.date) -> None:
    name = _sequence_name(day)
    old = _sequence_name(day - dt.timedelta(days=SEQUENCES_KEPT_DAYS + 1))
    try:
        # A savepoint when a caller's transaction is open: a lost race must not abort it.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
            cursor.execute(f"DROP SEQUENCE IF EXISTS {old}")
    except DatabaseError:
        # Two first reports of the day at once: IF NOT EXISTS is not atomic in PostgreSQL,
        # the other one made it (its nextval below proves it).
        pass
    _sequences_made.add(name)


def _nextval(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [name])
        return cursor.fetchone()[0]


def _serial_sequence(day: dt.date) -> int:
    name = _sequence_name(day)
    if name not in _sequences_made:
        _sequence_make(day)
    if not connection.in_atomic_block:
        try:
            return _nextval(name)
        except DatabaseError:  # dropped behind this process's back (a restored dump)
            _sequences_made.discard(name)
            _sequence_make(day)
            return _nextval(name)
    # Inside a caller's transaction (and in tests, whose transactions roll back the
    # sequence made in them): a savepoint, so a missing sequence does not abort it.
    try:
        with transaction.atomic():
            return _nextval(name)
    except DatabaseError:
        _sequences_made.discard(name)
        _sequence_make(day)
        return _nextval(name)


def _serial_upsert(day: dt.date) -> int:
    quote = connection.ops.quote_name
    table, value = quote(DailyCounter._meta.db_table), quote("value")
    # INSERT ... ON CONFLICT ... RETURNING: SQLite from 3.35 (and PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('day')}, {value}) VALUES (%s, 1) "
            f"ON CONFLICT ({quote('day')}) DO UPDATE SET {value} = {table}.{value} + 1 "
            f"RETURNING {value}",
            [day],
        )
        return cursor.fetchone()[0]


def _serial_portable(day: dt.date) -> int:
    with transaction.atomic():
        DailyCounter.objects.get_or_create(day=day)
        DailyCounter.objects.filter(day=day).update(value=F("value") + 1)
        return DailyCounter.objects.get(day=day).value


def next_event_number_with(sql: str, params: list) -> tuple[str, list[tuple]]:
    """The next number of today and the rows of a read (`sql`, whose first column is never
    NULL), on PostgreSQL in one round trip: a report's look-up of likely duplicates rides
    with its number (issue 9, decision 0027). Call it before the event's transaction opens."""
    today = timezone.localdate()
    if connection.vendor != "postgresql":
        number = next_event_number()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return number, cursor.fetchall()
    name = _sequence_name(today)
    if name not in _sequences_made:
        _sequence_make(today)
    # The sequence in a CTE: evaluated once (volatile), whatever the read returns.
    combined = (
        "WITH serial AS (SELECT nextval(%s) AS value) "
        f"SELECT serial.value, q.* FROM serial LEFT JOIN LATERAL ({sql}) q ON true"
    )

    def run() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(combined, [name, *params])
            return cursor.fetchall()

    try:
        if connection.in_atomic_block:  # a savepoint: a missing sequence must not abort it
            with transaction.atomic():
                rows = run()
        else:
            rows = run()
    except DatabaseError:  # dropped behind this process's back (a restored dump)
        _sequences_made.discard(name)
        _sequence_make(today)
        rows = run()
    value = rows[0][0]
    return f"{today:%Y%m%d}{value:05d}", [row[1:] for row in rows if row[1] is not None]


def next_event_number() -> str:
    """The next number of today. Call it before the event's transaction opens."""
    today = timezone.localdate()
    if connection.vendor == "postgresql":
        value = _serial_sequence(today)
    elif connection.vendor == "sqlite":
        value = _serial_upsert(today)
    else:
        value = _serial_portable(today)
    return f"{today:%Y%m%d}{value:05d}"
