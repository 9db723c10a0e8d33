"""Datetimes that arrive from outside: parsed, made aware, and brought to UTC.

Python accepts offsets up to ±23:59 and years 1–9999; PostgreSQL rejects offsets
beyond ±15:59 and SQLite compares text. Converting to UTC at the edge gives
both databases the same well-formed value, and a value that cannot be converted
becomes a clear 400 instead of a database error.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .errors import DomainError

# The years a date from outside may name. Past them, a conversion to local time or the day
# after overflows Python's datetime (year 9999) and the answer would be a 500; nothing this
# platform holds is older or newer.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _out_of_range(field: str) -> DomainError:
    return DomainError(_("%(field)s is out of range.") % {"field": field}, field=field)


def day_check(value: dt.date, *, field: str) -> dt.date:
    """A date from outside, within the years the platform can compute with."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise _out_of_range(field)
    return value


def to_utc(value: dt.datetime, *, field: str) -> dt.datetime:
    day_check(value.date(), field=field)
    return _to_utc(value, field=field)


def _to_utc(value: dt.datetime, *, field: str) -> dt.datetime:
    if timezone.is_naive(value):
        try:
            value = timezone.make_aware(value)
        except (OverflowError, ValueError) as exc:
            raise DomainError(
                _("%(field)s is out of range.") % {"field": field}, field=field
            ) from exc
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise DomainError(_("%(field)s is out of range.") % {"field": field}, field=field) from exc


def parse_when(text: str, *, field: str) -> dt.datetime:
    """An ISO 8601 / W3C datetime string → aware UTC datetime, or DomainError."""
    try:
        value = parse_datetime(text.strip())
    except ValueError:
        value = None
    if value is None:
        raise DomainError(
            _("%(field)s must be an ISO 8601 date and time, e.g. 2026-11-24T08:00:00+08:00.")
            % {"field": field},
            field=field,
        )
    return to_utc(value, field=field)
