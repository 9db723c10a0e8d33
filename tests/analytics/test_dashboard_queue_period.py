"""The queue's period filter (`since`/`until`), where the dashboard's drill-down ends: local
dates include both days, date-times exclude `until`; bad periods are a clear 400; the page
stays one indexed read per visibility branch (no more queries than without a period)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gridgov.events import keyset
from gridgov.events.models import Event
from tests.analytics.test_rollups_property import BASE, _create, world

__all__ = ["world"]


def _spec(minutes: int, area: int = 0) -> dict:
    return {
        "reported_at": BASE + dt.timedelta(minutes=minutes),
        "area": area,
        "subclass": 0,
        "source": "worker",
        "reporter": 0,
        "fields": {"state": "accepted"},
    }


@pytest.fixture
def events(world):
    Event.objects.all().delete()
    # BASE is 2026-03-06 00:00 in Shanghai: the 5th late evening, the 6th, the 7th.
    made = {
        "5th 23:59": _create(world, _spec(-1)),
        "6th 00:00": _create(world, _spec(0)),
        "6th 12:00": _create(world, _spec(12 * 60)),
        "6th 23:59": _create(world, _spec(24 * 60 - 1)),
        "7th 00:00": _create(world, _spec(24 * 60)),
    }
    return {name: e.pk for name, e in made.items()}


def _ids(user, **filters) -> set[int]:
    page = keyset.events_queue_page(user=user, filters=filters, limit=50)
    return {e.pk for e in page.events}


def test_local_dates_include_both_days(operator, events):
    got = _ids(operator, since="2026-03-06", until="2026-03-06")
    assert got == {events["6th 00:00"], events["6th 12:00"], events["6th 23:59"]}
    assert _ids(operator, since="2026-03-07") == {events["7th 00:00"]}
    assert _ids(operator, until="2026-03-05") == {events["5th 23:59"]}


def test_datetimes_exclude_until(operator, events):
    got = _ids(operator, since="2026-03-06T12:00", until="2026-03-07T00:00")
    assert got == {events["6th 12:00"], events["6th 23:59"]}
    # An offset is honoured: 04:00 UTC is 12:00 in Shanghai.
    got = _ids(operator, since="2026-03-06T04:00Z", until="2026-03-06T04:00:01Z")
    assert got == {events["6th 12:00"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "2026-13-01"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"until": "0001-01-01"}, "until"),
        ({"since": "2026-03-07", "until": "2026-03-06"}, "until"),
        ({"since": "2026-03-06T10:00", "until": "2026-03-06T10:00"}, "until"),
    ],
)
def test_bad_periods_are_400_on_the_api_and_the_page(operator, events, query, field):
    client = Client()
    client.force_login(operator)
    response = client.get("/api/v1/events/", query)
    assert response.status_code in (400, 422), response.content[:200]
    if response.status_code == 400:
        assert response.json()["field"] == field
    page = client.get("/events/", query)
    assert page.status_code == 400


def test_api_and_page_filter_by_period(operator, events):
    client = Client()
    client.force_login(operator)
    answer = client.get("/api/v1/events/", {"since": "2026-03-07", "until": "2026-03-07"})
    assert answer.status_code == 200
    assert [item["id"] for item in answer.json()["items"]] == [events["7th 00:00"]]
    page = client.get("/events/", {"since": "2026-03-05", "until": "2026-03-05"})
    assert page.status_code == 200
    assert f'data-event-id="{events["5th 23:59"]}"' in page.content.decode() or (
        str(Event.objects.get(pk=events["5th 23:59"]).number) in page.content.decode()
    )
    assert Event.objects.get(pk=events["6th 12:00"]).number not in page.content.decode()


def test_a_period_adds_no_query(operator, events):
    with CaptureQueriesContext(connection) as plain:
        keyset.events_queue_page(user=operator, filters={}, limit=50)
    with CaptureQueriesContext(connection) as period:
        keyset.events_queue_page(
            user=operator, filters={"since": "2026-03-06", "until": "2026-03-06"}, limit=50
        )
    assert len(period) <= len(plain)
    reads = [q["sql"] for q in period.captured_queries if '"events_event"' in q["sql"]]
    assert reads
    assert all("DISTINCT" not in sql and "COUNT(" not in sql for sql in reads)
