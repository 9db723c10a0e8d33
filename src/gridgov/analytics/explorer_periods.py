"""The periods of the leaders' dashboard: a day, an ISO week, a month, a quarter, a year or
any range of whole local days, and the period before each one (decision 0034).

A period is a range of local days, both ends included, as people say them ("1 to 31
March"); the rates read [since, until) from local midnight to the midnight after the last
day. The previous period of a calendar period is the calendar period before it (February
before March, whatever their lengths); of a range, the same number of days just before.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError
from gridgov.common.when import FIRST_YEAR, LAST_YEAR

PERIOD_KINDS = ("day", "week", "month", "quarter", "year", "range")
# A range beyond this is refused: ten years of a city in one request is a report, not a
# dashboard question (and the day-by-day trend of it a chart no one can read).
MAX_RANGE_DAYS = 3660


@dataclass(frozen=True)
class Period:
    kind: str
    first: dt.date
    last: dt.date  # included

    @property
    def since(self) -> dt.datetime:
        return local_midnight(self.first)

    @property
    def until(self) -> dt.datetime:
        return local_midnight(self.last + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _weekday = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return self.first.strftime("%Y-%m")
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.first.year)
        return f"{self.first.isoformat()} – {self.last.isoformat()}"

    def previous(self) -> "Period":
        day_before = self.first - dt.timedelta(days=1)
        if self.kind == "range":
            return Period("range", self.first - dt.timedelta(days=self.days), day_before)
        return period_containing(self.kind, day_before)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "label": self.label,
            "days": self.days,
        }


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_default_timezone())


def period_containing(kind: str, day: dt.date) -> Period:
    """The calendar period of `kind` (day, week, month, quarter, year) that holds `day`."""
    if kind == "day":
        return Period(kind, day, day)
    if kind == "week":
        first = day - dt.timedelta(days=day.weekday())
        return Period(kind, first, first + dt.timedelta(days=6))
    if kind == "month":
        first = day.replace(day=1)
    elif kind == "quarter":
        first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    elif kind == "year":
        first = day.replace(month=1, day=1)
    else:
        raise ValueError(kind)
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    index = first.year * 12 + first.month - 1 + months
    after = dt.date(index // 12, index % 12 + 1, 1)
    return Period(kind, first, after - dt.timedelta(days=1))


def _checked_day(value: dt.date | None, field: str) -> dt.date | None:
    # Two years of margin: the previous period of the first allowed year must exist too.
    if value is not None and not FIRST_YEAR + 2 <= value.year <= LAST_YEAR - 2:
        raise DomainError(_("%(field)s is out of range.") % {"field": field}, field=field)
    return value


def period_from(
    kind: str | None,
    day: dt.date | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> Period:
    """The period a request names: `kind` with the `day` it contains (default today), or a
    range `first`..`last` (both included). Refuses what cannot be a period, with the field."""
    kind = kind or ("range" if first or last else "month")
    if kind not in PERIOD_KINDS:
        raise DomainError(
            _("Unknown period %(kind)s; it takes one of: %(values)s.")
            % {"kind": kind[:32], "values": ", ".join(PERIOD_KINDS)},
            field="period",
        )
    today = timezone.localdate()
    if kind != "range":
        return period_containing(kind, _checked_day(day, "date") or today)
    first, last = _checked_day(first, "since"), _checked_day(last, "until")
    if first is None or last is None:
        raise DomainError(_("A range needs both since and until."), field="since")
    if last < first:
        raise DomainError(_("until is before since."), field="until")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise DomainError(
            _("A range holds at most %(days)s days.") % {"days": MAX_RANGE_DAYS}, field="until"
        )
    return Period("range", first, last)


def buckets(kind: str, period: Period) -> list[str]:
    """The labels of every day, week, month, quarter or year of the period, in order: the
    x axis of a trend, gaps included."""
    labels: list[str] = []
    day = period.first
    while day <= period.last:
        bucket = period_containing(kind, day)
        labels.append(bucket.label)
        day = bucket.last + dt.timedelta(days=1)
    return labels


def bucket_of(kind: str, day: dt.date) -> str:
    return period_containing(kind, day).label
