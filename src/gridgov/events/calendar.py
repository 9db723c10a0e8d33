"""Deadlines in working time: working hours on working days, public holidays off,
swapped working days (调休) on. The days are rows of `CalendarDay`, editable per year.

Each process keeps the calendar (common/versioned_cache.py): every write to the days calls
`calendar_changed`, other processes see it within GRIDGOV_CACHE_VERSION_CHECK_SECONDS.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from gridgov.common.versioned_cache import VersionedValue
from gridgov.events.versions import cache_version, cache_version_bump

# Working periods of a day, local time (Chinese government offices: morning and afternoon).
DEFAULT_PERIODS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 30), dt.time(18, 0)))


class WorkingCalendar:
    def __init__(
        self,
        holidays: Iterable[dt.date] = (),
        workdays: Iterable[dt.date] = (),
        periods=DEFAULT_PERIODS,
    ):
        self.holidays = set(holidays)
        self.workdays = set(workdays)
        self.periods = periods

    @classmethod
    def from_database(cls) -> "WorkingCalendar":
        """The calendar with the days this process keeps: no query between version checks."""
        holidays, workdays = _cached.get()
        periods = getattr(settings, "GRIDGOV_WORKING_PERIODS", DEFAULT_PERIODS)
        return cls(holidays, workdays, periods)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment `hours` of working time after `start` (aware datetimes, local working hours)."""
        tz = timezone.get_current_timezone()
        local = timezone.localtime(start, tz)
        remaining = dt.timedelta(hours=hours)
        day = local.date()
        for _ in range(3660):  # ten years of days at most: a bad calendar must not loop forever
            if self.is_working_day(day):
                for begin, end in self.periods:
                    period_start = dt.datetime.combine(day, begin, tzinfo=tz)
                    period_end = dt.datetime.combine(day, end, tzinfo=tz)
                    if local >= period_end:
                        continue
                    start_at = max(local, period_start)
                    available = period_end - start_at
                    if remaining <= available:
                        return start_at + remaining
                    remaining -= available
            day += dt.timedelta(days=1)
            local = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        raise ValueError("no working time within ten years: check the calendar")

    def add_calendar_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment `hours` of clock time after `start`: urgent matters (a gas leak) do not
        wait for the office to open (decision 0024)."""
        return start + dt.timedelta(hours=hours)

    def add_hours(self, start: dt.datetime, hours: float, *, urgent: bool) -> dt.datetime:
        """The deadline `hours` after `start`: in calendar hours for an urgent subclass,
        in working hours otherwise."""
        if urgent:
            return self.add_calendar_hours(start, hours)
        return self.add_working_hours(start, hours)

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        if end <= start:
            return 0.0
        tz = timezone.get_current_timezone()
        start, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
        total = dt.timedelta()
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                for begin, finish in self.periods:
                    a = max(start, dt.datetime.combine(day, begin, tzinfo=tz))
                    b = min(end, dt.datetime.combine(day, finish, tzinfo=tz))
                    if b > a:
                        total += b - a
            day += dt.timedelta(days=1)
        return total.total_seconds() / 3600


def _days_load() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    from gridgov.events.models import CalendarDay

    rows = list(CalendarDay.objects.values_list("date", "is_workday"))
    return frozenset(d for d, work in rows if not work), frozenset(d for d, work in rows if work)


CALENDAR = "calendar"
_cached: VersionedValue[tuple[frozenset[dt.date], frozenset[dt.date]]] = VersionedValue(
    _days_load, lambda: cache_version(CALENDAR)
)


def calendar_changed() -> None:
    """Call in the transaction that writes calendar days."""
    cache_version_bump(CALENDAR)
    _cached.invalidate_after_commit()


def deadline_colour(
    started: dt.datetime | None,
    due: dt.datetime | None,
    now: dt.datetime,
    calendar: WorkingCalendar,
    *,
    urgent: bool = False,
) -> str:
    """green below 80% of the stage's working time, yellow from 80% to 100%, red beyond.
    An urgent subclass's stage runs in clock time, so its share is of clock time (0024)."""
    if started is None or due is None:
        return ""
    if now >= due:
        return "red"
    if urgent:
        return "yellow" if (now - started) >= 0.8 * (due - started) else "green"
    limit = calendar.working_hours_between(started, due)
    used = calendar.working_hours_between(started, now)
    return "yellow" if limit and used / limit >= 0.8 else "green"
