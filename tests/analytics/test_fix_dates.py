"""Issue 13, fix 1: dates far outside what the platform holds (year 1, year 9999) are a 400
naming the field and the bounds the rates, KPIs and reports use, never an overflow (500), on
the hotspots and recurring API and on the hotspots page."""

import datetime as dt

import pytest

from gridgov.analytics.hotspots import day_in_bounds, period_window
from gridgov.analytics.kpis import EARLIEST, LATEST
from gridgov.common.errors import DomainError

HOTSPOTS = "/api/v1/analytics/hotspots"
RECURRING = "/api/v1/analytics/hotspots/recurring"
PAGE = "/leaders/hotspots/"

EXTREMES = [
    ({"since": "0001-01-01", "until": "0001-12-31"}, "since"),
    ({"since": "9999-01-01", "until": "9999-12-31"}, "since"),
    ({"until": "0001-01-01"}, "until"),
    ({"until": "9999-12-31"}, "until"),
    ({"since": "0001-01-01T00:00:00", "until": "0001-01-02T00:00:00"}, "since"),
    ({"since": "2026-01-01", "until": "9999-12-31T23:59:59+14:00"}, "until"),
]


def _says_the_bounds(message: str) -> bool:
    return EARLIEST.isoformat() in message and LATEST.isoformat() in message


@pytest.mark.parametrize("url", [HOTSPOTS, RECURRING])
@pytest.mark.parametrize(("params", "field"), EXTREMES)
def test_the_api_refuses_extreme_dates_with_the_bounds(client, operator, url, params, field):
    client.force_login(operator)
    answer = client.get(url, params)
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["field"] == field
    assert body["code"] == "invalid_period"
    assert _says_the_bounds(body["message"])


@pytest.mark.parametrize(("params", "field"), EXTREMES)
def test_the_page_refuses_extreme_dates_with_the_bounds(client, operator, params, field):
    client.force_login(operator)
    answer = client.get(PAGE, params)
    assert answer.status_code == 400
    text = answer.content.decode()
    assert 'id="page-error"' in text
    assert _says_the_bounds(text)


def test_the_bounds_themselves_are_a_period():
    start, end = period_window(EARLIEST, EARLIEST)
    assert (end - start).days == 1
    start, end = period_window("2100-12-01", LATEST.isoformat())
    assert end.date() == LATEST + dt.timedelta(days=1)


@pytest.mark.parametrize(
    "day", [EARLIEST - dt.timedelta(days=1), LATEST + dt.timedelta(days=1), dt.date.max]
)
def test_a_day_just_outside_is_refused(day):
    with pytest.raises(DomainError) as raised:
        day_in_bounds(day, "until")
    assert raised.value.field == "until"
