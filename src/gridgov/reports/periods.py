"""Report periods: a day, an ISO week, a month, a quarter or a year, named the way people
write them, as local-day ranges [start, end) and the period of the same length before.

Written forms (one per kind, so a name says its period without a second parameter):
day 2026-10-05, week 2026-W41 (ISO 8601), month 2026-10, quarter 2026-Q4, year 2026; for
any kind a date names the period that holds it (2026-10-11: week 41, October, Q4, 2026).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError

KINDS = ("day", "week", "month", "quarter", "year")
# The first year a report may cover and the last: a typo like 20260 is a clear 400, not an
# overflow deep inside date arithmetic.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_FORMS = {
    "day": re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    "week": re.compile(r"(\d{4})-W(\d{2})"),
    "month": re.compile(r"(\d{4})-(\d{2})"),
    "quarter": re.compile(r"(\d{4})-Q([1-4])"),
    "year": re.compile(r"(\d{4})"),
}
_EXAMPLES = {
    "day": "2026-10-05",
    "week": "2026-W41",
    "month": "2026-10",
    "quarter": "2026-Q4",
    "year": "2026",
}


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date  # first local day
    end: dt.date  # the day after the last

    @property
    def key(self) -> str:
        """The period's written name (the form `period_parse` reads)."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def since(self) -> dt.datetime:
        return local_midnight(self.start)

    @property
    def until(self) -> dt.datetime:
        return local_midnight(self.end)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def previous(self) -> "Period":
        """The period of the same kind just before (a month before a month, not 30 days)."""
        return period_containing(self.kind, self.start - dt.timedelta(days=1))

    def following(self) -> "Period":
        return period_containing(self.kind, self.end)

    def has_ended(self, today: dt.date | None = None) -> bool:
        return self.end <= (today or timezone.localdate())


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_default_timezone())


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_containing(kind: str, day: dt.date) -> Period:
    """The period of `kind` that holds the local day `day`."""
    if kind == "day":
        return Period(kind, day, day + dt.timedelta(days=1))
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=7))
    if kind == "month":
        start = day.replace(day=1)
        return Period(kind, start, _add_months(start, 1))
    if kind == "quarter":
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, start, _add_months(start, 3))
    if kind == "year":
        return Period(kind, dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1))
    raise _unknown_kind(kind)


def _unknown_kind(kind: str) -> DomainError:
    return DomainError(
        _("Unknown report period %(kind)s; it takes one of: %(kinds)s.")
        % {"kind": str(kind)[:20], "kinds": ", ".join(KINDS)},
        code="bad_period",
        field="period",
    )


def period_parse(kind: str, text: str) -> Period:
    """The period of `kind` named by `text`, or a DomainError that shows the expected form."""
    if kind not in KINDS:
        raise _unknown_kind(kind)
    text = str(text or "").strip()
    bad = DomainError(
        _("%(text)s is not a %(kind)s; write it like %(example)s.")
        % {"text": text[:20], "kind": kind, "example": _EXAMPLES[kind]},
        code="bad_period",
        field="date",
    )
    form = _FORMS[kind]
    match = form.fullmatch(text)
    if match is None and _FORMS["day"].fullmatch(text):
        match = _FORMS["day"].fullmatch(text)
        kind_read = "day"
    else:
        kind_read = kind
    if match is None:
        raise bad
    numbers = [int(group) for group in match.groups()]
    if not FIRST_YEAR <= numbers[0] <= LAST_YEAR:
        raise DomainError(
            _("Reports cover the years %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="bad_period",
            field="date",
        )
    try:
        if kind_read == "day":
            day = dt.date(*numbers)
        elif kind == "week":
            day = dt.date.fromisocalendar(numbers[0], numbers[1], 1)
        elif kind == "month":
            day = dt.date(numbers[0], numbers[1], 1)
        elif kind == "quarter":
            day = dt.date(numbers[0], (numbers[1] - 1) * 3 + 1, 1)
        else:
            day = dt.date(numbers[0], 1, 1)
    except ValueError:
        raise bad from None
    return period_containing(kind, day)


def period_last_ended(kind: str, today: dt.date | None = None) -> Period:
    """The latest period of `kind` that has ended by `today` (yesterday's day, last week …)."""
    return period_containing(kind, today or timezone.localdate()).previous()
