"""The dashboard's periods: calendar periods and their previous ones, ranges and theirs, the
buckets of a trend, and what is refused."""

import datetime as dt

import pytest

from gridgov.analytics.explorer import _ranks
from gridgov.analytics.explorer_display import bucket_period, change
from gridgov.analytics.explorer_periods import Period, buckets, period_containing, period_from
from gridgov.common.errors import DomainError

D = dt.date


@pytest.mark.parametrize(
    ("kind", "day", "first", "last", "label", "previous"),
    [
        ("day", D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 1), "2026-03-01", (D(2026, 2, 28),) * 2),
        # 2026-03-04 is a Wednesday; ISO week 10 runs Monday 2 to Sunday 8.
        ("week", D(2026, 3, 4), D(2026, 3, 2), D(2026, 3, 8), "2026-W10",
         (D(2026, 2, 23), D(2026, 3, 1))),
        ("month", D(2026, 3, 31), D(2026, 3, 1), D(2026, 3, 31), "2026-03",
         (D(2026, 2, 1), D(2026, 2, 28))),
        ("month", D(2024, 3, 5), D(2024, 3, 1), D(2024, 3, 31), "2024-03",
         (D(2024, 2, 1), D(2024, 2, 29))),  # a leap February
        ("quarter", D(2026, 1, 15), D(2026, 1, 1), D(2026, 3, 31), "2026-Q1",
         (D(2025, 10, 1), D(2025, 12, 31))),
        ("quarter", D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31), "2026-Q4",
         (D(2026, 7, 1), D(2026, 9, 30))),
        ("year", D(2026, 6, 1), D(2026, 1, 1), D(2026, 12, 31), "2026",
         (D(2025, 1, 1), D(2025, 12, 31))),
    ],
)  # fmt: skip
def test_calendar_periods_and_the_one_before(kind, day, first, last, label, previous):
    period = period_containing(kind, day)
    assert (period.first, period.last, period.label) == (first, last, label)
    before = period.previous()
    assert (before.first, before.last) == previous
    assert before.kind == kind


def test_a_range_compares_with_as_many_days_before():
    period = period_from("range", first=D(2026, 3, 10), last=D(2026, 3, 16))
    assert period.days == 7
    before = period.previous()
    assert (before.first, before.last) == (D(2026, 3, 3), D(2026, 3, 9))
    # The rollups read [since, until): local midnights around the days.
    assert period.since.isoformat() == "2026-03-10T00:00:00+08:00"
    assert period.until.isoformat() == "2026-03-17T00:00:00+08:00"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("fortnight",), "period"),
        (("range", None, D(2026, 3, 1), None), "since"),
        (("range", None, D(2026, 3, 2), D(2026, 3, 1)), "until"),
        (("range", None, D(2000, 1, 1), D(2026, 1, 1)), "until"),  # over ten years
        (("month", D(1900, 1, 1)), "date"),
        (("range", None, D(2026, 1, 1), D(2999, 1, 1)), "until"),
    ],
)
def test_refused_periods_name_their_field(args, field):
    with pytest.raises(DomainError) as refused:
        period_from(*args)
    assert refused.value.field == field


def test_buckets_cover_the_period_with_gaps():
    quarter = period_containing("quarter", D(2026, 1, 1))
    assert buckets("month", quarter) == ["2026-01", "2026-02", "2026-03"]
    weeks = buckets("week", quarter)
    # 2026-01-01 is a Thursday of ISO week 1; 2026-03-31 a Tuesday of week 14.
    assert (weeks[0], weeks[-1], len(weeks)) == ("2026-W01", "2026-W14", 14)
    assert len(buckets("day", quarter)) == 90
    for kind, label in (("week", "2026-W14"), ("quarter", "2026-Q1"), ("month", "2026-02")):
        assert bucket_period(kind, label).label == label


def test_ranks_share_ties_and_point_the_right_way():
    rows = [
        {"key": k, "values": {"closure_rate": c, "rework_rate": r, "reported": n}, "ranks": {}}
        for k, c, r, n in (("a", 0.9, 0.1, 5), ("b", 0.9, 0.0, 7), ("c", 0.5, None, 1))
    ]
    for row in rows:
        row["values"] |= dict.fromkeys(
            (
                "on_time_closure_rate",
                "timely_acceptance_rate",
                "timely_dispatch_rate",
                "satisfaction_rate",
                "hotline_score",
                "average_handling_hours",
            )
        )
    _ranks(rows)
    ranks = {row["key"]: row["ranks"] for row in rows}
    assert [ranks[k]["closure_rate"] for k in "abc"] == [1, 1, 3]
    assert [ranks[k]["rework_rate"] for k in "abc"] == [2, 1, None]  # lower is better
    assert [ranks[k]["reported"] for k in "abc"] == [2, 1, 3]
    assert ranks["a"]["satisfaction_rate"] is None


def test_changes_are_better_or_worse_by_the_figure():
    assert change("closure_rate", 0.9, 0.8) == {"text": "+10.00", "trend": "better"}
    assert change("rework_rate", 0.2, 0.1) == {"text": "+10.00", "trend": "worse"}
    assert change("average_handling_hours", 3.0, 4.5) == {"text": "-1.5", "trend": "better"}
    assert change("reported", 10, 12)["trend"] == "down"
    assert change("closure_rate", None, 0.5) is None
    assert Period("range", D(2026, 1, 1), D(2026, 1, 2)).label == "2026-01-01 – 2026-01-02"
