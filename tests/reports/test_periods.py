"""Report periods: each written form, the period before, and bad names refused clearly."""

import datetime as dt

import pytest

from gridgov.common.errors import DomainError
from gridgov.reports.periods import period_containing, period_last_ended, period_parse


@pytest.mark.parametrize(
    ("kind", "text", "start", "end", "key"),
    [
        ("day", "2026-10-05", dt.date(2026, 10, 5), dt.date(2026, 10, 6), "2026-10-05"),
        ("week", "2026-W41", dt.date(2026, 10, 5), dt.date(2026, 10, 12), "2026-W41"),
        # A date names the ISO week that holds it (Sunday 11 October is in week 41).
        ("week", "2026-10-11", dt.date(2026, 10, 5), dt.date(2026, 10, 12), "2026-W41"),
        ("month", "2026-10", dt.date(2026, 10, 1), dt.date(2026, 11, 1), "2026-10"),
        ("month", "2026-12", dt.date(2026, 12, 1), dt.date(2027, 1, 1), "2026-12"),
        ("quarter", "2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1), "2026-Q4"),
        ("year", "2026", dt.date(2026, 1, 1), dt.date(2027, 1, 1), "2026"),
    ],
)
def test_written_forms(kind, text, start, end, key):
    period = period_parse(kind, text)
    assert (period.start, period.end, period.key) == (start, end, key)


@pytest.mark.parametrize(
    ("kind", "text", "previous"),
    [
        ("day", "2026-03-01", "2026-02-28"),
        ("week", "2026-W01", "2025-W52"),
        ("month", "2026-03", "2026-02"),
        ("month", "2026-01", "2025-12"),
        ("quarter", "2026-Q1", "2025-Q4"),
        ("year", "2026", "2025"),
    ],
)
def test_previous_period_is_the_same_kind_just_before(kind, text, previous):
    assert period_parse(kind, text).previous().key == previous


def test_last_ended_periods():
    today = dt.date(2026, 11, 27)  # a Friday
    assert period_last_ended("day", today).key == "2026-11-26"
    assert period_last_ended("week", today).key == "2026-W47"
    assert period_last_ended("month", today).key == "2026-10"
    assert period_last_ended("quarter", today).key == "2026-Q3"
    assert period_last_ended("year", today).key == "2025"
    assert period_containing("month", today).has_ended(today) is False


@pytest.mark.parametrize(
    ("kind", "text", "field"),
    [
        ("month", "2026-13", "date"),
        ("month", "2026/10", "date"),
        ("day", "2026-02-30", "date"),
        ("week", "2026-W60", "date"),
        ("quarter", "2026-Q5", "date"),
        ("year", "20260", "date"),
        ("year", "1066", "date"),
        ("month", "", "date"),
        ("fortnight", "2026-10", "period"),
    ],
)
def test_bad_periods_are_refused_with_the_field(kind, text, field):
    with pytest.raises(DomainError) as raised:
        period_parse(kind, text)
    assert raised.value.field == field
    assert raised.value.code == "bad_period"
