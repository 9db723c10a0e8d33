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
    check_in(user=grid_worker, token=shop_code.token)
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
