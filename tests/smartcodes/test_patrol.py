"""Patrol: check-ins queued offline stored once, plans and coverage by grid and worker."""

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.areas.models import Area, GridWorker
from gridgov.common.errors import DomainError
from gridgov.smartcodes.models import CheckIn, PatrolPlan, SmartCode
from gridgov.smartcodes.patrol import coverage
from gridgov.smartcodes.services import check_in, codes_issue
from tests.api.test_api import token_for
from tests.conftest import WENHUI, WENHUI_GRID


@pytest.mark.django_db
def test_offline_check_in_is_stored_once_with_its_scan_time(
    community_staff,
    grid_worker,
    places,
    wenhui_point,
):
    codes_issue(user=community_staff, root_code=WENHUI)
    code = SmartCode.objects.get(kind="businesses")
    client = Client(headers={"Authorization": f"Bearer {token_for(grid_worker)}"})
    scanned = (timezone.now() - dt.timedelta(hours=3)).isoformat()
    body = {
        "token": f"http://gridgov.example/c/{code.token}/",  # the whole scanned URL is fine
        "lon": wenhui_point[0],
        "lat": wenhui_point[1],
        "client_uuid": str(uuid.uuid4()),
        "at": scanned,
    }
    first = client.post("/api/v1/codes/checkins", body, content_type="application/json")
    assert first.status_code == 201
    again = client.post("/api/v1/codes/checkins", body, content_type="application/json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert CheckIn.objects.count() == 1
    assert abs(CheckIn.objects.get().at - dt.datetime.fromisoformat(scanned)) < dt.timedelta(
        seconds=1
    )
    stale = {**body, "client_uuid": str(uuid.uuid4()), "at": "2020-01-01T08:00:00+08:00"}
    refused = client.post("/api/v1/codes/checkins", stale, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["field"] == "at"
    assert CheckIn.objects.count() == 1
    resolved = client.get("/api/v1/codes/resolve", {"token": code.token}).json()
    assert resolved["may_check_in"] is True
    assert resolved["address"] == "文汇路1号"
    outsider = Client().get("/api/v1/codes/resolve", {"token": code.token})
    assert outsider.status_code == 401


@pytest.mark.django_db
def test_coverage_lists_places_not_visited_within_the_plan(
    community_staff,
    grid_worker,
    places,
    wenhui_point,
):
    shop, rental = places
    grid = Area.objects.get(code=WENHUI_GRID)
    GridWorker.objects.get_or_create(
        grid=grid, user=grid_worker, defaults={"employment": "full_time"}
    )
    PatrolPlan.objects.create(area=Area.objects.get(code=WENHUI), kind="businesses", every_days=7)
    PatrolPlan.objects.create(area=grid, kind="rentals", every_days=3)
    codes_issue(user=community_staff, root_code=WENHUI)
    shop_code = SmartCode.objects.get(kind="businesses", object_id=shop.pk)
    rental_code = SmartCode.objects.get(kind="rentals", object_id=rental.pk)
    # At the place (a check-in without a position proves no visit).
    check_in(user=grid_worker, token=shop_code.token, lon=wenhui_point[0], lat=wenhui_point[1])
    check_in(user=grid_worker, token=rental_code.token, at=timezone.now() - dt.timedelta(days=5))
    report = coverage(user=community_staff)
    overdue = {(o["kind"], o["id"]) for o in report["overdue"]}
    assert ("rentals", rental.pk) in overdue  # visited 5 days ago, due every 3
    assert ("businesses", shop.pk) not in overdue  # visited today, due every 7
    mine = next(g for g in report["grids"] if g["grid"] == WENHUI_GRID)
    assert mine["visited"] <= mine["places"]
    worker = next(w for w in report["workers"] if w["id"] == grid_worker.pk)
    assert worker["visits"] == 2
    assert worker["overdue"] >= 1
    with pytest.raises(DomainError):
        check_in(user=grid_worker, token=shop_code.token, client_uuid="not-a-uuid")


@pytest.mark.django_db
def test_check_ins_without_a_position_or_far_away_are_stored_flagged(
    community_staff, grid_worker, places, wenhui_point
):
    codes_issue(user=community_staff, root_code=WENHUI)
    code = SmartCode.objects.get(kind="businesses")
    lon, lat = wenhui_point
    at_place, _stored = check_in(user=grid_worker, token=code.token, lon=lon, lat=lat)
    far, _stored = check_in(user=grid_worker, token=code.token, lon=lon + 0.01, lat=lat)
    nowhere, _stored = check_in(user=grid_worker, token=code.token)
    half, _stored = check_in(user=grid_worker, token=code.token, lon=lon, lat="")
    assert [(c.flag, c.far) for c in (at_place, far, nowhere, half)] == [
        ("", False),
        ("far", True),
        ("no_position", False),
        ("no_position", False),
    ]
    assert (nowhere.lon, nowhere.lat, nowhere.distance_m) == (None, None, None)
    # Through the worker app's API as well: kept (a phone without a fix still patrols), flagged.
    client = Client(headers={"Authorization": f"Bearer {token_for(grid_worker)}"})
    sent = client.post(
        "/api/v1/codes/checkins", {"token": code.token}, content_type="application/json"
    )
    assert sent.status_code == 201
    assert CheckIn.objects.get(pk=sent.json()["id"]).flag == CheckIn.Flag.NO_POSITION
    # What staff filter on: every check-in that does not prove a visit.
    flagged = CheckIn.objects.exclude(flag=CheckIn.Flag.AT_PLACE)
    assert flagged.count() == 4


@pytest.mark.django_db
def test_another_workers_client_uuid_reveals_nothing(
    community_staff, grid_worker, places, wenhui_point
):
    from gridgov.accounts.roles import Role
    from gridgov.common.errors import Conflict
    from tests.conftest import _persona

    colleague = _persona("colleague", Role.GRID_WORKER, WENHUI_GRID)
    codes_issue(user=community_staff, root_code=WENHUI)
    code = SmartCode.objects.get(kind="businesses")
    key = str(uuid.uuid4())
    mine, stored = check_in(user=grid_worker, token=code.token, client_uuid=key)
    assert stored
    with pytest.raises(Conflict):
        check_in(user=colleague, token=code.token, client_uuid=key)
    assert list(CheckIn.objects.values_list("pk", "user_id")) == [(mine.pk, grid_worker.pk)]


@pytest.mark.django_db
def test_coverage_shows_each_workers_flagged_check_ins(
    community_staff, grid_worker, places, wenhui_point
):
    grid = Area.objects.get(code=WENHUI_GRID)
    GridWorker.objects.get_or_create(
        grid=grid, user=grid_worker, defaults={"employment": "full_time"}
    )
    PatrolPlan.objects.create(area=grid, kind="businesses", every_days=7)
    codes_issue(user=community_staff, root_code=WENHUI)
    code = SmartCode.objects.get(kind="businesses")
    check_in(user=grid_worker, token=code.token, lon=wenhui_point[0], lat=wenhui_point[1])
    check_in(user=grid_worker, token=code.token)
    worker = next(w for w in coverage(user=community_staff)["workers"] if w["id"] == grid_worker.pk)
    assert (worker["visits"], worker["flagged"]) == (2, 1)


@pytest.mark.django_db
def test_a_flagged_check_in_is_no_visit_of_the_place(community_staff, grid_worker, places):
    grid = Area.objects.get(code=WENHUI_GRID)
    PatrolPlan.objects.create(area=grid, kind="businesses", every_days=7)
    codes_issue(user=community_staff, root_code=WENHUI)
    code = SmartCode.objects.get(kind="businesses")
    check_in(user=grid_worker, token=code.token)  # no position: flagged

    report = coverage(user=community_staff)
    assert [g["visited"] for g in report["grids"] if g["grid"] == WENHUI_GRID] == [0]
    assert code.object_id in {o["id"] for o in report["overdue"] if o["kind"] == "businesses"}
