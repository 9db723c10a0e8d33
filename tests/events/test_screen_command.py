"""The command center's panels (/api/v1/command/…, decision 0039): what each counts adds up,
each is scoped to the reader's area, and each reads a fixed number of queries whatever the
number of events."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.analytics.selectors import rates_report
from gridgov.areas.models import Area, Department
from gridgov.demo.events_bulk import events_generate
from gridgov.dispatch.models import WorkerPosition
from gridgov.events.models import Event, Source, Subclass, Summons, Whistle
from gridgov.events.services import event_act, event_report
from gridgov.events.workflow import OPEN_OR_NEW
from gridgov.registry.models import Camera
from tests.conftest import WENHUI_GRID

API = "/api/v1/command"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries(call) -> int:
    call()  # warm: per-process caches (calendar, catalog) load on the first call
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def _report(user, point, subclass="0102", **data):
    return event_report(
        user=user,
        data={"subclass": subclass, "description": "指挥中心测试", "lon": point[0], "lat": point[1]}
        | data,
        source="resident",
    )


@pytest.mark.django_db
def test_rates_give_today_month_year_with_their_denominators(operator, resident, wenhui_point):
    events = [_report(resident, wenhui_point) for _ in range(3)]
    event_act(user=operator, event_id=events[0].pk, action="void", comment="虚假")
    body = signed_in(operator).get(f"{API}/rates?period=today").json()
    for period in ("today", "month", "year"):
        figure = body["periods"][period]
        # 3 reported, 1 void, nothing due to close yet: no closure rate, 2 not due.
        assert figure["reported"] == 3
        assert figure["voided"] == 1
        assert figure["due_to_close"] == 0
        assert figure["not_due"] == 2
        assert figure["closure_rate"] is None
    # The areas ranked are the district's streets: 文汇's events are 西安街道's (530702001).
    assert [(r["key"], r["rank"], r["reported"]) for r in body["areas"]] == [("530702001", 1, 3)]
    assert body["areas"][0]["name"] == "西安街道"
    assert body["period"] == "today"
    # The same figures as the rates explorer's for the same period.
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    expected = rates_report(user=operator, since=start)["all"]
    assert body["periods"]["today"]["closure_rate"] == expected["closure_rate"]
    assert body["periods"]["today"]["reported"] == expected["counts"]["reported"]


@pytest.mark.django_db
def test_open_events_are_counted_per_area_of_the_level_below(
    operator, community_staff, resident, wenhui_point
):
    events = [_report(resident, wenhui_point) for _ in range(3)]
    event_act(user=operator, event_id=events[0].pk, action="void", comment="虚假")
    # A district's wall counts per street: 文汇's 2 open events (the void one is closed) are
    # 西安街道's; a community's wall counts per grid.
    body = signed_in(operator).get(f"{API}/rates?period=today").json()
    assert [(r["key"], r["name"], r["open"]) for r in body["open_by_area"]] == [
        ("530702001", "西安街道", 2)
    ]
    body = signed_in(community_staff).get(f"{API}/rates?period=today").json()
    assert [(r["key"], r["open"]) for r in body["open_by_area"]] == [(WENHUI_GRID, 2)]


@pytest.mark.django_db
def test_rankings_order_streets_by_closure_and_departments_by_name(operator):
    events_generate(count=200, days=40, seed=13)
    body = signed_in(operator).get(f"{API}/rates?period=year").json()
    start = timezone.localtime().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    groups = rates_report(user=operator, group="area", since=start)["groups"]
    rated = [r for r in body["areas"] if r["closure_rate"] is not None]
    assert [r["closure_rate"] for r in rated] == sorted(
        (r["closure_rate"] for r in rated), reverse=True
    )
    for row in body["areas"]:
        assert row["closure_rate"] == groups[row["key"]]["closure_rate"]
        assert row["due_to_close"] == groups[row["key"]]["counts"]["due_to_close"]
        assert row["closed"] == groups[row["key"]]["counts"]["closed"]
    assert [r["rank"] for r in body["areas"]] == list(range(1, len(body["areas"]) + 1))
    names = set(Department.objects.values_list("name", flat=True))
    assert {r["key"] for r in body["departments"]} <= names
    assert len(body["departments"]) <= 15


@pytest.mark.django_db
def test_bad_periods_and_boxes_are_refused_clearly(operator):
    client = signed_in(operator)
    assert client.get(f"{API}/rates?period=decade").status_code == 422
    assert client.get(f"{API}/workers?bbox=1,2,3").status_code == 422
    response = client.get(f"{API}/workers?bbox=10,20,5,30")
    assert response.status_code == 400
    assert response.json()["field"] == "bbox"


@pytest.mark.django_db
def test_alarms_list_urgent_and_overdue_events_of_the_area_only(
    operator, community_staff, other_community_staff, resident, wenhui_point
):
    urgent_code = Subclass.objects.filter(urgent=True).values_list("code", flat=True).first()
    assert urgent_code, "the catalog has an urgent subclass (gas, collapse…)"
    urgent = _report(resident, wenhui_point, subclass=urgent_code)
    late = _report(resident, wenhui_point)
    Event.objects.filter(pk=late.pk).update(stage_due_at=timezone.now() - dt.timedelta(hours=3))
    body = signed_in(community_staff).get(f"{API}/alarms").json()
    assert [a["id"] for a in body["urgent"]] == [urgent.pk]
    assert late.pk in [a["id"] for a in body["overdue"]]
    assert body["urgent_total"] == 1
    assert (
        body["overdue_total"]
        == Event.objects.filter(state__in=OPEN_OR_NEW, stage_due_at__lt=timezone.now()).count()
    )
    # 金甲's staff: none of 文汇's alarms.
    theirs = signed_in(other_community_staff).get(f"{API}/alarms").json()
    assert theirs["urgent"] == theirs["overdue"] == []
    assert theirs["urgent_total"] == 0
    # Closed, the urgent event leaves the strip.
    Event.objects.filter(pk=urgent.pk).update(state="closed")
    assert signed_in(operator).get(f"{API}/alarms").json()["urgent_total"] == 0


@pytest.mark.django_db
def test_workers_are_counted_per_grid_and_dots_only_in_a_box(
    operator, other_community_staff, grid_worker, wenhui_point
):
    WorkerPosition.objects.create(
        user=grid_worker, lon=wenhui_point[0], lat=wenhui_point[1], at=timezone.now()
    )
    client = signed_in(operator)
    body = client.get(f"{API}/workers").json()
    assert body["total"] == 1
    assert [(g["code"], g["count"]) for g in body["grids"]] == [(WENHUI_GRID, 1)]
    assert body["dots"] == []  # the district view: no dot at all
    lon, lat = wenhui_point
    box = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    dots = client.get(f"{API}/workers?bbox={box}").json()["dots"]
    assert [(d["id"], d["grid"]) for d in dots] == [(grid_worker.pk, WENHUI_GRID)]
    far = f"{lon + 1},{lat + 1},{lon + 1.01},{lat + 1.01}"
    assert client.get(f"{API}/workers?bbox={far}").json()["dots"] == []
    assert signed_in(other_community_staff).get(f"{API}/workers").json()["total"] == 0


@pytest.mark.django_db
def test_camera_alerts_carry_the_snapshot_and_the_registered_stream(operator, wenhui_point):
    Camera.objects.create(
        code="CAM-7",
        name="文汇路口",
        kind="xueliang",
        stream_url="https://video.example/live/cam7.m3u8",
        area=Area.objects.get(code=WENHUI_GRID),
        lon=wenhui_point[0],
        lat=wenhui_point[1],
    )
    event = event_report(
        user=None,
        data={
            "subclass": "0102",
            "description": "摄像头告警",
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
            "extra": {"camera_id": "CAM-7", "snapshot_url": "https://video.example/s/1.jpg"},
        },
        source=Source.CAMERA,
    )
    _report(None, wenhui_point)  # not a camera's
    body = signed_in(operator).get(f"{API}/cameras").json()
    assert body["total"] == 1
    (camera,) = body["events"]
    assert camera["id"] == event.pk
    assert camera["camera"] == "文汇路口"
    assert camera["stream_url"] == "https://video.example/live/cam7.m3u8"
    assert camera["snapshot_url"] == "https://video.example/s/1.jpg"


@pytest.mark.django_db
def test_whistles_in_progress_come_with_their_chain(
    operator, community_staff, other_community_staff, resident, wenhui_point
):
    event = _report(resident, wenhui_point)
    department = Department.objects.order_by("pk").first()
    now = timezone.now()
    whistle = Whistle.objects.create(
        event=event, level="community", by=community_staff, reason="占道"
    )
    Summons.objects.create(
        whistle=whistle, department=department, check_in_due_at=now - dt.timedelta(hours=1)
    )
    done = Whistle.objects.create(
        event=event, level="community", by=community_staff, reason="已反馈"
    )
    Summons.objects.create(
        whistle=done,
        department=department,
        check_in_due_at=now,
        checked_in_at=now,
        action_at=now,
        reported_at=now,
    )
    body = signed_in(operator).get(f"{API}/whistles").json()
    assert body["total"] == 1  # the one reported back is no longer in progress
    (shown,) = body["whistles"]
    assert shown["id"] == whistle.pk
    (summons,) = shown["summonses"]
    assert summons["department"] == department.name
    assert [s["step"] for s in summons["steps"]] == ["check_in", "action", "report"]
    assert summons["steps"][0]["status"] == "overdue"
    assert signed_in(other_community_staff).get(f"{API}/whistles").json()["whistles"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["resident", "grid_worker", "party_secretary"])
def test_who_may_not_read_the_screen_reads_no_panel(persona, request):
    client = signed_in(request.getfixturevalue(persona))
    for panel in ("rates", "alarms", "workers", "cameras", "whistles"):
        assert client.get(f"{API}/{panel}").status_code == 403, panel
    assert Client().get(f"{API}/alarms").status_code in (401, 403)


@pytest.mark.django_db
def test_every_panel_reads_a_fixed_number_of_queries(operator, grid_worker, wenhui_point, settings):
    settings.GRIDGOV_POSITION_SYNC_SECONDS = 0
    events_generate(count=40, days=5, seed=21)
    WorkerPosition.objects.create(
        user=grid_worker, lon=wenhui_point[0], lat=wenhui_point[1], at=timezone.now()
    )
    client = signed_in(operator)
    lon, lat = wenhui_point
    urls = [
        f"{API}/rates?period=year",
        f"{API}/alarms",
        f"{API}/workers",
        f"{API}/workers?bbox={lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}",
        f"{API}/cameras",
        f"{API}/whistles",
    ]
    small = {url: queries(lambda url=url: client.get(url)) for url in urls}
    events_generate(count=400, days=5, seed=22)
    large = {url: queries(lambda url=url: client.get(url)) for url in urls}
    rates = f"{API}/rates?period=year"
    # The rates are five reads of the rollups (analytics.selectors.rates_report: today,
    # month, year, by area, by department); its count moves by one with the rollup plan,
    # not with the events. Shared 30 s, so one wall's cost is a fraction of a query a poll.
    assert large.pop(rates) <= small.pop(rates) + 2 <= 50
    # A fixed bound at both sizes, whatever ten times the events hold: a read per row would
    # pass it at 40 events and break it at 440. (Counts may differ by one between sizes: an
    # empty list, of overdue events or of photos to look up, is no query at all.)
    bounds = {"alarms": 8, "cameras": 8, "whistles": 8, "workers": 6}
    for url in small:
        bound = bounds[url.split("/")[-1].split("?")[0]]
        assert max(small[url], large[url]) <= bound, (url, small[url], large[url])


@pytest.mark.django_db
def test_panels_are_shared_by_the_same_role_and_area_for_a_few_seconds(
    settings, operator, community_staff, other_community_staff, resident, wenhui_point
):
    from django.core.cache import cache

    settings.GRIDGOV_SCREEN_CACHE_SECONDS = 60
    cache.clear()
    urgent_code = Subclass.objects.filter(urgent=True).values_list("code", flat=True).first()
    client = signed_in(community_staff)
    assert client.get(f"{API}/alarms").json()["urgent_total"] == 0
    _report(resident, wenhui_point, subclass=urgent_code)
    # Within the window the shared answer (none); another area never reads this one's.
    assert client.get(f"{API}/alarms").json()["urgent_total"] == 0
    assert signed_in(operator).get(f"{API}/alarms").json()["urgent_total"] == 1
    assert signed_in(other_community_staff).get(f"{API}/alarms").json()["urgent_total"] == 0
    cache.clear()
    assert client.get(f"{API}/alarms").json()["urgent_total"] == 1
