"""The event export: the queue's events with its filters and a period, masked without PII
rights, audited, bounded, scoped; hostile roles and bad filters change nothing."""

import csv
import datetime as dt
import io
import itertools

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.accounts.models import PiiAccess
from gridgov.areas.models import Area
from gridgov.events.models import Event, Subclass
from gridgov.reports import export
from gridgov.reports.models import EventExport
from tests.conftest import JINJIA, WENHUI_GRID

API = "/api/v1/reports/events-export"
numbers = itertools.count()
DAY = dt.datetime(2026, 10, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _event(grid: str, at: dt.datetime, **fields) -> Event:
    defaults = {
        "description": "路灯不亮",
        "source": "hotline",
        "reporter_name": "张三丰",
        "reporter_phone": "13912345678",
        "address": "文汇路12号3栋2单元",
        "state": "reported",
    }
    event = Event.objects.create(
        number=f"X{next(numbers)}",
        subclass=Subclass.objects.order_by("code").first(),
        area=Area.objects.get(code=grid),
        lon=100.2,
        lat=26.8,
        **(defaults | fields),
    )
    Event.objects.filter(pk=event.pk).update(reported_at=at)
    return event


@pytest.fixture
def events(db):
    other_street_grid = (
        Area.objects.filter(kind="grid")
        .exclude(path__contains="/530702001/")
        .order_by("code")
        .first()
    )
    jinjia_grid = Area.objects.filter(kind="grid", path__contains=f"/{JINJIA}/").first()
    return {
        "wenhui": _event(WENHUI_GRID, DAY),
        "closed": _event(
            WENHUI_GRID,
            DAY + dt.timedelta(days=1),
            state="closed",
            closed_at=DAY + dt.timedelta(days=2),
            source="worker",
        ),
        "formula": _event(
            jinjia_grid.code, DAY - dt.timedelta(days=40), description='=HYPERLINK("http://x")'
        ),
        "elsewhere": _event(other_street_grid.code, DAY),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheet programs then read the Chinese as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def _numbers(rows: list[list]) -> set[str]:
    return {row[0] for row in rows[1:]}


def test_district_staff_export_unmasked_and_the_read_is_recorded(district_staff, events):
    answer = _client(district_staff).get("/reports/export/events.xlsx")
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert _numbers(rows) == {e.number for e in events.values()}
    # Newest first, as the queue.
    assert rows[1][0] == events["closed"].number
    wenhui = next(r for r in rows if r[0] == events["wenhui"].number)
    assert "13912345678" in wenhui
    assert "张三丰" in wenhui
    assert "文汇路12号3栋2单元" in wenhui
    audit = EventExport.objects.get()
    assert (audit.user, audit.rows, audit.masked, audit.format) == (
        district_staff,
        4,
        False,
        "xlsx",
    )
    access = PiiAccess.objects.get(user=district_staff, channel="export")
    assert sorted(access.object_ids) == sorted(e.pk for e in events.values())


def test_operator_export_is_masked(operator, events):
    rows = _csv(_client(operator).get("/reports/export/events.csv"))
    wenhui = next(r for r in rows if r[0] == events["wenhui"].number)
    assert "139****5678" in wenhui
    assert "张**" in wenhui
    assert "13912345678" not in str(rows)
    assert "文汇路12号3栋2单元" not in str(rows)
    assert EventExport.objects.get().masked is True
    assert not PiiAccess.objects.filter(channel="export").exists()


def test_a_cell_that_would_be_a_formula_stays_text(district_staff, events):
    rows = _csv(_client(district_staff).get("/reports/export/events.csv"))
    formula = next(r for r in rows if r[0] == events["formula"].number)
    assert '\'=HYPERLINK("http://x")' in formula


def test_street_staff_export_their_street_only(street_staff, events):
    rows = _csv(_client(street_staff).get("/reports/export/events.csv"))
    assert events["elsewhere"].number not in _numbers(rows)
    assert _numbers(rows) == {
        events["wenhui"].number,
        events["closed"].number,
        events["formula"].number,
    }


def test_the_queues_filters_and_a_period(district_staff, events):
    client = _client(district_staff)
    closed = _csv(client.get("/reports/export/events.csv?state=closed"))
    assert _numbers(closed) == {events["closed"].number}
    hotline = _csv(client.get(f"/reports/export/events.csv?source=hotline&area={WENHUI_GRID}"))
    assert _numbers(hotline) == {events["wenhui"].number}
    # until is a whole local day: 5 October included, the 6th not.
    october = _csv(client.get("/reports/export/events.csv?since=2026-10-01&until=2026-10-05"))
    assert _numbers(october) == {events["wenhui"].number, events["elsewhere"].number}
    audit = EventExport.objects.order_by("-pk").first()
    assert audit.filters["since"].startswith("2026-10-01T00:00:00")
    assert audit.filters["until"].startswith("2026-10-06T00:00:00")
    assert audit.rows == 2


@pytest.mark.parametrize(
    "query",
    [
        "state=nonsense",
        "source=carrier-pigeon",
        "since=yesterday",
        "since=2026-10-05&until=2026-10-01",
        "since=2000-01-01&until=2026-01-01",
        "until=2026-02-30",
    ],
)
def test_bad_filters_are_a_400_and_nothing_is_recorded(district_staff, events, query):
    answer = _client(district_staff).get(f"{API}?format=csv&{query}")
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"]
    page = _client(district_staff).get(f"/reports/export/events.csv?{query}")
    assert page.status_code == 400
    assert not EventExport.objects.exists()


def test_beyond_the_bound_a_clear_400(district_staff, events, monkeypatch):
    monkeypatch.setattr(export, "MAX_ROWS", 3)
    answer = _client(district_staff).get(API + "?format=xlsx")
    assert answer.status_code == 400
    assert answer.json()["code"] == "too_many_rows"
    assert "3" in answer.json()["message"]
    assert not EventExport.objects.exists()
    assert _client(district_staff).get(API + f"?format=xlsx&area={WENHUI_GRID}").status_code == 200


@pytest.mark.parametrize("persona", ["resident", "grid_worker", "squad_handler", "party_secretary"])
def test_who_may_not_export(request, events, persona):
    client = _client(request.getfixturevalue(persona))
    assert client.get("/reports/export/events.csv").status_code == 403
    assert client.get(API).status_code == 403
    assert not EventExport.objects.exists()
    assert Client().get(API).status_code == 401


def test_export_reads_in_a_bounded_number_of_queries(
    district_staff, events, django_assert_max_num_queries
):
    grid = Area.objects.get(code=WENHUI_GRID)
    Event.objects.bulk_create(
        Event(
            number=f"B{i}",
            subclass=events["wenhui"].subclass,
            area=grid,
            lon=0,
            lat=0,
            description="x",
            source="worker",
            reported_at=timezone.now(),
        )
        for i in range(2500)
    )
    client = _client(district_staff)
    with django_assert_max_num_queries(25):
        answer = client.get("/reports/export/events.csv")
        rows = _csv(answer)
    assert len(rows) == 1 + 2504
    assert EventExport.objects.get().rows == 2504


def test_the_queues_export_link_carries_its_filters(operator, grid_worker, events):
    page = _client(operator).get("/events/?state=closed&source=worker")
    assert page.status_code == 200
    text = page.content.decode()
    start = text.index('id="queue-export"')
    href = text[text.index('href="', start) + 6 : text.index('"', text.index('href="', start) + 6)]
    href = href.replace("&amp;", "&")
    assert href.startswith("/reports/export/events.xlsx?")
    assert "state=closed" in href
    assert "source=worker" in href
    answer = _client(operator).get(href)
    book = load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert _numbers(rows) == {events["closed"].number}
    # A grid worker's queue offers no export (they may not export).
    assert 'id="queue-export"' not in _client(grid_worker).get("/events/").content.decode()
