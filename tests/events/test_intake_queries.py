"""Intake's cost in queries (issue 9: a report made 17, then 10). Once a process has warmed
up, a report reads the likely duplicates with its number and writes the event, its audit
row, its rollups and its timeline row: the token, the catalog, the calendar, the
classifier and the area come from memory."""

import json

import pytest
from django.db import connection
from django.test import Client

from gridgov.events import numbers
from gridgov.events.calendar import calendar_changed
from gridgov.events.catalog_cache import catalog, catalog_changed
from gridgov.events.models import CalendarDay, Event, Subclass
from tests.api.test_api import token_for
from tests.events.conftest import report_data

# With the process warm (the token kept, decision 0027): the number with the likely
# duplicates (one statement on PostgreSQL, two on SQLite), the event, its audit row, its
# timeline row, both rollups (one statement on PostgreSQL, two on SQLite); the two
# savepoints of the test's own transaction around the event's.
REPORT_QUERIES = {"postgresql": 5, "sqlite": 7}
SAVEPOINTS = 2
# PostgreSQL takes the number from a sequence, in a savepoint when a transaction is open
# (here the test's; a request has none).
SEQUENCE_SAVEPOINT = 2


@pytest.fixture
def warm(settings):
    # Version checks are every second in production; a slow test machine must not make
    # one fall inside the measured report.
    settings.GRIDGOV_CACHE_VERSION_CHECK_SECONDS = 3600
    settings.GRIDGOV_TREE_VERSION_CHECK_SECONDS = 3600


def _report(client: Client, point, **extra):
    return client.post(
        "/api/v1/events/", json.dumps(report_data(point, **extra)), "application/json"
    )


@pytest.mark.django_db
def test_a_report_through_the_api_makes_a_fixed_number_of_queries(
    warm, grid_worker, wenhui_point, django_assert_num_queries
):
    client = Client(headers={"Authorization": f"Bearer {token_for(grid_worker)}"})
    assert _report(client, wenhui_point).status_code == 201  # loads what processes keep
    extra = SEQUENCE_SAVEPOINT if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(REPORT_QUERIES[connection.vendor] + SAVEPOINTS + extra):
        response = _report(client, wenhui_point, description="文汇路口井盖缺失")
    assert response.status_code == 201, response.content
    body = response.json()
    event = Event.objects.get(pk=body["id"])
    # The grid came from the index, not the database: the answer is the same.
    assert body["area"] == event.area.code
    assert event.area.path == f"/{'/'.join(a.code for a in _chain(event.area))}/"
    assert event.extra["suggestions"]  # classified with the model kept in memory


def _chain(area):
    chain = []
    while area is not None:
        chain.append(area)
        area = area.parent
    return chain[::-1]


@pytest.mark.django_db
def test_numbers_are_daily_serials_taken_outside_the_event_transaction(grid_worker, wenhui_point):
    from gridgov.events.services import event_report

    first = event_report(user=grid_worker, data=report_data(wenhui_point), source="worker")
    second = event_report(user=grid_worker, data=report_data(wenhui_point), source="worker")
    assert len(first.number) == 13
    assert int(second.number) == int(first.number) + 1
    assert second.number[:8] == first.number[:8]
    # A number taken by a report that then failed is not given again: a gap, never a repeat.
    taken = numbers.next_event_number()
    third = event_report(user=grid_worker, data=report_data(wenhui_point), source="worker")
    assert int(third.number) == int(taken) + 1


@pytest.mark.django_db
def test_a_catalog_edit_is_seen_by_the_next_report(warm, grid_worker, wenhui_point):
    from gridgov.common.errors import DomainError
    from gridgov.events.services import event_report

    assert catalog().active_subclass("0102") is not None
    Subclass.objects.filter(code="0102").update(active=False)
    catalog_changed()
    assert catalog().active_subclass("0102") is None
    with pytest.raises(DomainError) as refused:
        event_report(user=grid_worker, data=report_data(wenhui_point), source="worker")
    assert refused.value.code == "unknown_subclass"


@pytest.mark.django_db
def test_a_calendar_edit_is_seen_at_once_in_this_process(warm):
    import datetime as dt

    from gridgov.events.calendar import WorkingCalendar

    monday = dt.date(2031, 3, 3)
    assert WorkingCalendar.from_database().is_working_day(monday)
    CalendarDay.objects.create(date=monday, is_workday=False, name="test holiday")
    calendar_changed()
    assert not WorkingCalendar.from_database().is_working_day(monday)


@pytest.mark.django_db
def test_another_process_edit_is_seen_after_the_check_interval(settings):
    """A bump without the local invalidation (as another process's edit) is found by the
    version check once the interval has passed."""
    import datetime as dt

    from gridgov.events.calendar import CALENDAR, WorkingCalendar
    from gridgov.events.versions import cache_version_bump

    settings.GRIDGOV_CACHE_VERSION_CHECK_SECONDS = 0
    monday = dt.date(2031, 3, 10)
    assert WorkingCalendar.from_database().is_working_day(monday)
    CalendarDay.objects.create(date=monday, is_workday=False, name="test holiday")
    cache_version_bump(CALENDAR)
    assert not WorkingCalendar.from_database().is_working_day(monday)


@pytest.mark.django_db
def test_a_back_office_edit_moves_the_catalog_version(warm, admin_user, rf):
    from django.contrib import admin

    from gridgov.events.versions import cache_version

    before = cache_version("catalog")
    subclass = Subclass.objects.get(code="0102")
    assert catalog().active_subclass("0102").name_zh == subclass.name_zh
    subclass.name_zh = "暴露垃圾（改）"
    request = rf.post("/admin/")
    request.user = admin_user
    admin.site._registry[Subclass].save_model(request, subclass, None, True)
    assert cache_version("catalog") == before + 1
    assert catalog().names["0102"] == "暴露垃圾（改）"
