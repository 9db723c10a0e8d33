import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.events.calendar import WorkingCalendar, deadline_colour

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def test_hours_within_a_day_skip_the_lunch_break():
    calendar = WorkingCalendar()
    # Tuesday 2026-11-24 10:00 + 4 working hours: 2 h to noon, 2 h from 14:30
    assert calendar.add_working_hours(at(2026, 11, 24, 10, 0), 4) == at(2026, 11, 24, 16, 30)


def test_hours_roll_over_the_weekend():
    calendar = WorkingCalendar()
    # Friday 17:00 + 2 h: 1 h on Friday, 1 h on Monday from 8:30
    assert calendar.add_working_hours(at(2026, 11, 27, 17, 0), 2) == at(2026, 11, 30, 9, 30)


def test_a_report_at_night_starts_counting_next_morning():
    calendar = WorkingCalendar()
    assert calendar.add_working_hours(at(2026, 11, 24, 22, 0), 1) == at(2026, 11, 25, 9, 30)


def test_holidays_are_skipped_and_swapped_working_days_count():
    # National Day week: Oct 1–7 off; Saturday Oct 10 a swapped working day (调休)
    holidays = [dt.date(2026, 10, d) for d in range(1, 8)]
    calendar = WorkingCalendar(holidays=holidays, workdays=[dt.date(2026, 10, 10)])
    assert calendar.add_working_hours(at(2026, 9, 30, 17, 0), 2) == at(2026, 10, 8, 9, 30)
    assert calendar.is_working_day(dt.date(2026, 10, 10))
    assert calendar.add_working_hours(at(2026, 10, 9, 17, 30), 1) == at(2026, 10, 10, 9, 0)


def test_one_working_day_is_seven_hours():
    calendar = WorkingCalendar()
    start = at(2026, 11, 24, 8, 30)
    assert calendar.working_hours_between(
        start, calendar.add_working_hours(start, 7)
    ) == pytest.approx(7)
    assert calendar.add_working_hours(start, 7) == at(2026, 11, 24, 18, 0)


@pytest.mark.parametrize(
    ("now", "colour"),
    [
        ((2026, 11, 24, 10, 0), "green"),
        ((2026, 11, 24, 15, 50), "yellow"),
        ((2026, 11, 24, 16, 31), "red"),
    ],
)
def test_green_yellow_red(now, colour):
    calendar = WorkingCalendar()
    started = at(2026, 11, 24, 9, 0)
    due = calendar.add_working_hours(started, 5)  # 16:30
    assert deadline_colour(started, due, at(*now), calendar) == colour
