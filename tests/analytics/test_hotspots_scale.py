"""Hotspots and recurring problems at a district's volume: a fixed number of queries and
bounded answers whatever the number of events, and a time measured at GRIDGOV_HOTSPOT_SCALE
events (default 20,000; the figures in docs/decisions/0037 were measured with 300,000 on
PostgreSQL). The events are drawn by the bulk generator."""

import datetime as dt
import os
import sys
import time

import pytest
from django.utils import timezone

from gridgov.analytics.hotspots import MAX_CELLS, hotspots_report
from gridgov.analytics.recurring import MAX_RUNS, recurring_problems
from gridgov.demo.events_bulk import events_generate
from gridgov.events.models import Event

SCALE = int(os.environ.get("GRIDGOV_HOTSPOT_SCALE", "20000"))


@pytest.fixture
def district_year(db):
    events_generate(count=SCALE, days=365, seed=13, timeline=False)
    return Event.objects.count()


def test_a_year_of_a_district_in_bounded_reads(
    operator, district_year, django_assert_max_num_queries
):
    started = time.perf_counter()
    with django_assert_max_num_queries(7):
        month = hotspots_report(user=operator)
    hotspot_s = time.perf_counter() - started
    started = time.perf_counter()
    with django_assert_max_num_queries(7):
        year = hotspots_report(user=operator, since=timezone.now() - dt.timedelta(days=365))
    year_s = time.perf_counter() - started
    assert year["meta"]["total"] >= month["meta"]["total"]
    assert month["meta"]["total"] > 0
    assert len(month["cells"]) <= MAX_CELLS
    assert month["cells"][0]["count"] >= month["meta"]["min_count"]
    assert month["meta"]["cells"] >= len(month["cells"])
    started = time.perf_counter()
    with django_assert_max_num_queries(8):
        runs = recurring_problems(user=operator, days=30)
    recurring_s = time.perf_counter() - started
    assert 0 < len(runs["runs"]) <= MAX_RUNS
    assert all(len(run["events"]) <= 20 for run in runs["runs"])
    sys.stdout.write(
        f"\n{district_year} events: hotspots 30 days {hotspot_s * 1000:.0f} ms, "
        f"365 days {year_s * 1000:.0f} ms, "
        f"recurring (90 days) {recurring_s * 1000:.0f} ms\n"
    )
