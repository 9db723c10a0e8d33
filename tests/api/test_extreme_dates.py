"""Dates at the ends of the calendar are a clear 400, not a 500 (found by the independent
test of issue 9: Python's datetime overflows past year 9999 in a local-time conversion)."""

import pytest
from django.test import Client

from tests.api.test_api import token_for


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "until=9999-12-31T23:59:59Z",
        "since=9999-12-31T20:00:00Z",
        "until=0001-01-01T00:00:00Z",
        "since=0001-01-01T00:00:00%2B08:00",
    ],
)
def test_rates_refuse_dates_past_the_calendar(operator, query):
    client = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    answer = client.get(f"/api/v1/events/rates?{query}")
    assert answer.status_code == 400
    assert answer.json()["field"] in ("since", "until")


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_tracks_refuse_days_past_the_calendar(operator, grid_worker, day):
    client = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    answer = client.get(f"/api/v1/dispatch/tracks/{grid_worker.pk}?date={day}")
    assert answer.status_code == 400
    assert answer.json()["field"] == "date"
    assert (
        client.get(f"/api/v1/dispatch/tracks/{grid_worker.pk}?date=2026-11-27").status_code == 200
    )
