"""Event numbers people can read out on the phone: date + a daily serial (2026112400017).

The serial is taken with one upsert that returns the new value, in a transaction of its
own (autocommit) before the event's transaction opens: the counter row is locked for that
one statement, not until the event commits, so reports do not queue behind each other
(issue 9 measured 80 events/s with the lock held to the commit). The cost is gaps: a
number taken by a report that then fails is not given again (docs/decisions/0017).
Numbers stay unique: the upsert is atomic and `Event.number` is a unique column.
"""

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone


class DailyCounter(models.Model):
    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "events"

    def __str__(self) -> str:
        return f"{self.day} {self.value}"


def _serial_upsert(day) -> int:
    quote = connection.ops.quote_name
    table, value = quote(DailyCounter._meta.db_table), quote("value")
    # INSERT ... ON CONFLICT ... RETURNING: PostgreSQL, and SQLite from 3.35.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('day')}, {value}) VALUES (%s, 1) "
            f"ON CONFLICT ({quote('day')}) DO UPDATE SET {value} = {table}.{value} + 1 "
            f"RETURNING {value}",
            [day],
        )
        return cursor.fetchone()[0]


def _serial_portable(day) -> int:
    with transaction.atomic():
        DailyCounter.objects.get_or_create(day=day)
        DailyCounter.objects.filter(day=day).update(value=F("value") + 1)
        return DailyCounter.objects.get(day=day).value


def next_event_number() -> str:
    """The next number of today. Called outside any transaction, the counter's row lock
    lasts one statement; inside one (a caller's atomic block), it lasts to that commit."""
    today = timezone.localdate()
    if connection.vendor in ("postgresql", "sqlite"):
        value = _serial_upsert(today)
    else:
        value = _serial_portable(today)
    return f"{today:%Y%m%d}{value:05d}"
