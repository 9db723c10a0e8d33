"""The rollups' write (decision 0027): on PostgreSQL one statement for both rollups, whose
text and parameters fit psycopg's cache of parsed statements whatever the number of keys;
the counts it writes are those of the multi-row form SQLite still uses."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg import _queries

from gridgov.analytics import rollups
from gridgov.analytics.models import AreaDayRollup, DailyRollup
from gridgov.analytics.services import rollups_verify
from gridgov.events.services import event_report
from tests.events.conftest import report_data


def test_the_statement_fits_psycopgs_cache():
    sql = rollups._upsert_json_sql()
    assert sql.count("%s") <= _queries.MAX_CACHED_STATEMENT_PARAMS
    assert len(sql) <= _queries.MAX_CACHED_STATEMENT_LENGTH


@pytest.mark.django_db
def test_a_report_writes_both_rollups_in_one_statement(grid_worker, wenhui_point):
    with CaptureQueriesContext(connection) as captured:
        event = event_report(user=grid_worker, data=report_data(wenhui_point), source="worker")
    writes = [q["sql"] for q in captured.captured_queries if "rollup" in q["sql"]]
    assert len(writes) == (1 if connection.vendor == "postgresql" else 2), writes
    assert DailyRollup.objects.get(area_id=event.area_id).reported == 1
    # County, street and community, each by none / subclass / source / department; and the
    # grid by day alone.
    assert AreaDayRollup.objects.filter(reported=1).count() == 13
    grid = event.area.path.strip("/").split("/")[3]
    assert AreaDayRollup.objects.filter(area_code=grid).values_list("dimension", flat=True)[
        ::1
    ] == [AreaDayRollup.Dimension.NONE]
    assert rollups_verify() == []


@pytest.mark.django_db
def test_many_keys_add_and_subtract_in_one_go(db):
    day = dt.date(2026, 11, 27)
    rows = []
    for n in range(30):  # more keys than any event write makes
        rows.append(((day, n + 1, 7, 0, "worker", False), {"reported": 2, "handling_us": 5}))
    rollups.deltas_apply(({key: counts for key, counts in rows}, {}))
    rollups.deltas_apply(({key: {"reported": -1} for key, _c in rows[:10]}, {}))
    counts = dict(DailyRollup.objects.values_list("area_id", "reported"))
    assert counts == {n + 1: 1 if n < 10 else 2 for n in range(30)}
    assert set(DailyRollup.objects.values_list("handling_us", flat=True)) == {5}
