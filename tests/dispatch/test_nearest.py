import datetime as dt
import random

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.areas.coords import wgs84_to_gcj02
from gridgov.areas.geometry import haversine_m
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.dispatch.models import PositionSample, WorkerPosition
from gridgov.dispatch.services import nearest_workers, position_record
from tests.api.test_api import token_for

CENTRE = (100.2849, 26.8788)


def scatter(rng: random.Random, count: int) -> list[WorkerPosition]:
    grids = list(Area.objects.filter(kind="grid", path__startswith="/530702/530702001/"))
    now = timezone.now()
    users = User.objects.bulk_create(
        [
            User(
                username=f"w{rng.random()}",
                role=rng.choice(["grid_worker"] * 8 + ["grid_head", "operator"]),
                area=rng.choice(grids),
                password=make_password(None),
            )
            for _ in range(count)
        ]
    )
    positions = [
        WorkerPosition(
            user=u,
            lon=CENTRE[0] + rng.uniform(-0.04, 0.04),
            lat=CENTRE[1] + rng.uniform(-0.04, 0.04),
            at=now - dt.timedelta(minutes=rng.choice([1, 5, 10, 90])),
            on_duty=rng.random() > 0.1,
        )
        for u in users
    ]
    return WorkerPosition.objects.bulk_create(positions)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nearest_equals_a_brute_force_great_circle_scan(operator, seed):
    rng = random.Random(seed)
    positions = scatter(rng, 400)
    radius = rng.choice([500, 2000, 3500])
    fresh = timezone.now() - dt.timedelta(minutes=30)
    expected = sorted(
        (round(haversine_m(*CENTRE, p.lon, p.lat), 1), p.user_id)
        for p in positions
        if p.on_duty
        and p.at >= fresh
        and p.user.role in ("grid_worker", "grid_head")
        and haversine_m(*CENTRE, p.lon, p.lat) <= radius
    )
    answer = nearest_workers(
        user=operator, lon=CENTRE[0], lat=CENTRE[1], radius_m=radius, limit=500
    )
    assert [(a["distance_m"], a["id"]) for a in answer] == expected
    assert all(a["open_tasks"] == 0 for a in answer)


@pytest.mark.django_db
def test_ties_go_to_the_worker_with_fewer_open_tasks(operator, resident, wenhui_point):
    from gridgov.events.services import event_act, event_report

    busy, free = (
        User.objects.create(
            username=name, role="grid_worker", area=Area.objects.get(code="530702001002001")
        )
        for name in ("busy", "free")
    )
    for worker in (busy, free):
        WorkerPosition.objects.create(
            user=worker, lon=wenhui_point[0], lat=wenhui_point[1], at=timezone.now()
        )
    event = event_report(
        user=resident,
        data={
            "subclass": "0102",
            "description": "垃圾",
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
        },
        source="resident",
    )
    event_act(user=operator, event_id=event.pk, action="accept")
    event_act(user=operator, event_id=event.pk, action="dispatch", data={"assignee_id": busy.pk})
    second = event_report(
        user=resident,
        data={
            "subclass": "0103",
            "description": "积水",
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
        },
        source="resident",
    )
    event_act(user=operator, event_id=second.pk, action="accept")
    event_act(user=operator, event_id=second.pk, action="dispatch", data={"assignee_id": busy.pk})
    answer = nearest_workers(user=operator, lon=wenhui_point[0], lat=wenhui_point[1])
    assert [a["id"] for a in answer] == [free.pk, busy.pk]
    assert answer[1]["open_tasks"] == 2


@pytest.mark.django_db
def test_scope_and_bad_input(community_staff, operator):
    scatter(random.Random(9), 200)
    everyone = nearest_workers(
        user=operator, lon=CENTRE[0], lat=CENTRE[1], radius_m=5000, limit=500
    )
    mine = nearest_workers(
        user=community_staff, lon=CENTRE[0], lat=CENTRE[1], radius_m=5000, limit=500
    )
    assert {a["grid_code"][:12] for a in mine} <= {"530702001002"}
    assert len(mine) < len(everyone)
    for radius in (0, -5, 60_000, "far"):
        with pytest.raises(DomainError):
            nearest_workers(user=operator, lon=CENTRE[0], lat=CENTRE[1], radius_m=radius)


@pytest.mark.django_db
def test_positions_from_the_app(grid_worker, operator):
    gcj = wgs84_to_gcj02(*CENTRE)
    position = position_record(user=grid_worker, lon=gcj[0], lat=gcj[1], crs="gcj02", accuracy_m=8)
    assert haversine_m(*CENTRE, position.lon, position.lat) < 1.0
    position_record(user=grid_worker, lon=CENTRE[0], lat=CENTRE[1])
    assert WorkerPosition.objects.filter(user=grid_worker).count() == 1
    assert PositionSample.objects.filter(user=grid_worker).count() == 2
    with pytest.raises(PermissionDenied):
        position_record(user=operator, lon=CENTRE[0], lat=CENTRE[1])
    with pytest.raises(DomainError):
        position_record(user=grid_worker, lon=26.8, lat=100.2)


@pytest.mark.django_db
def test_dispatch_api(grid_worker, operator):
    worker = Client(headers={"Authorization": f"Bearer {token_for(grid_worker)}"})
    assert (
        worker.post(
            "/api/v1/dispatch/positions",
            {"lon": CENTRE[0], "lat": CENTRE[1], "accuracy_m": 5},
            content_type="application/json",
        ).status_code
        == 200
    )
    center = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    answer = center.get(
        f"/api/v1/dispatch/nearest?lon={CENTRE[0]}&lat={CENTRE[1]}&radius_m=2000"
    ).json()
    assert answer[0]["id"] == grid_worker.pk
    assert set(answer[0]) >= {"id", "name", "grid_code", "distance_m", "open_tasks"}
    assert (
        center.post(
            "/api/v1/dispatch/positions",
            {"lon": CENTRE[0], "lat": CENTRE[1]},
            content_type="application/json",
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_the_in_memory_index_follows_moves_and_account_changes(operator, wenhui_point):
    walker = User.objects.create(
        username="walker", role="grid_worker", area=Area.objects.get(code="530702001002001")
    )
    position_record(user=walker, lon=wenhui_point[0], lat=wenhui_point[1])
    first = nearest_workers(user=operator, lon=wenhui_point[0], lat=wenhui_point[1])
    assert walker.pk in [a["id"] for a in first]
    # The worker walks 5 km away: the next answer knows at once.
    position_record(user=walker, lon=wenhui_point[0] + 0.05, lat=wenhui_point[1])
    moved = nearest_workers(user=operator, lon=wenhui_point[0], lat=wenhui_point[1])
    assert walker.pk not in [a["id"] for a in moved]
    # Back, but the account is disabled: not offered even before the index reloads.
    position_record(user=walker, lon=wenhui_point[0], lat=wenhui_point[1])
    User.objects.filter(pk=walker.pk).update(is_active=False)
    assert walker.pk not in [
        a["id"] for a in nearest_workers(user=operator, lon=wenhui_point[0], lat=wenhui_point[1])
    ]
    # Off duty.
    User.objects.filter(pk=walker.pk).update(is_active=True)
    position_record(user=walker, lon=wenhui_point[0], lat=wenhui_point[1], on_duty=False)
    assert walker.pk not in [
        a["id"] for a in nearest_workers(user=operator, lon=wenhui_point[0], lat=wenhui_point[1])
    ]


@pytest.mark.django_db
def test_tracks_are_kept_read_in_scope_and_purged(grid_worker, operator, other_community_staff):
    import datetime as dt

    from gridgov.dispatch.selectors import worker_track as track_for
    from gridgov.dispatch.services import tracks_purge

    for i in range(3):
        position_record(user=grid_worker, lon=CENTRE[0] + i * 0.001, lat=CENTRE[1])
    old = PositionSample.objects.create(
        user=grid_worker, lon=CENTRE[0], lat=CENTRE[1], at=timezone.now() - dt.timedelta(days=40)
    )
    track = track_for(user=operator, worker_id=grid_worker.pk)
    assert [round(p["lon"], 3) for p in track] == [
        round(CENTRE[0] + i * 0.001, 3) for i in range(3)
    ]
    assert len(track_for(user=grid_worker, worker_id=grid_worker.pk)) == 3
    with pytest.raises(DomainError):
        track_for(user=other_community_staff, worker_id=grid_worker.pk)
    with pytest.raises(DomainError):
        track_for(user=operator, worker_id=grid_worker.pk, day="yesterday")
    assert tracks_purge() == 1  # older than GRIDGOV_TRACK_DAYS (30)
    assert not PositionSample.objects.filter(pk=old.pk).exists()
