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
    from gridgov.events.dispatching import open_tasks_count

    answer = nearest_workers(
        user=operator, lon=wenhui_point[0], lat=wenhui_point[1], open_tasks=open_tasks_count
    )
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


@pytest.mark.django_db
def test_names_and_open_tasks_of_any_number_of_workers_come_in_one_query(
    operator, django_assert_num_queries
):
    scatter(random.Random(5), 300)
    nearest_workers(user=operator, lon=CENTRE[0], lat=CENTRE[1], radius_m=5000)  # loads
    # Past the catch-up interval: one catch-up read and one read of the people, however many.
    from gridgov.dispatch.position_index import positions

    positions.mark_dirty()
    with django_assert_num_queries(2):
        answer = nearest_workers(
            user=operator, lon=CENTRE[0], lat=CENTRE[1], radius_m=5000, limit=100
        )
    assert len(answer) > 30
    # Within the interval and without a write of its own, the index is not read again.
    with django_assert_num_queries(1):
        nearest_workers(user=operator, lon=CENTRE[0], lat=CENTRE[1], radius_m=5000, limit=100)


@pytest.mark.django_db
def test_another_process_write_is_caught_up_without_reloading_everyone(
    operator, wenhui_point, settings
):
    from gridgov.dispatch.position_index import positions

    settings.GRIDGOV_POSITION_SYNC_SECONDS = 0
    scatter(random.Random(6), 200)
    WorkerPosition.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=1))
    walker = User.objects.create(
        username="walker", role="grid_worker", area=Area.objects.get(code="530702001002001")
    )
    WorkerPosition.objects.create(
        user=walker, lon=wenhui_point[0] + 0.05, lat=wenhui_point[1], at=timezone.now()
    )
    assert walker.pk not in [
        a["id"] for a in nearest_workers(user=operator, lon=wenhui_point[0], lat=wenhui_point[1])
    ]
    # Another server process moves the walker (no call into this process's index).
    WorkerPosition.objects.filter(user=walker).update(
        lon=wenhui_point[0], at=timezone.now(), updated_at=timezone.now()
    )
    near = nearest_workers(user=operator, lon=wenhui_point[0], lat=wenhui_point[1])
    assert walker.pk in [a["id"] for a in near]
    # A catch-up reads the rows changed lately (the last second's), not all 201.
    assert positions.sync() < 50


@pytest.mark.django_db
def test_a_wrong_role_in_the_index_never_reaches_the_answer(operator, wenhui_point, settings):
    settings.GRIDGOV_POSITION_SYNC_SECONDS = 3600  # the index does not catch up by itself
    near_ones = [
        User.objects.create(
            username=f"n{i}", role="grid_worker", area=Area.objects.get(code="530702001002001")
        )
        for i in range(3)
    ]
    for i, worker in enumerate(near_ones):
        position_record(user=worker, lon=wenhui_point[0] + i * 0.001, lat=wenhui_point[1])
    nearest_workers(user=operator, lon=wenhui_point[0], lat=wenhui_point[1], limit=2)
    # The nearest becomes an operator behind the index's back: the next two are offered.
    User.objects.filter(pk=near_ones[0].pk).update(role="operator")
    answer = nearest_workers(user=operator, lon=wenhui_point[0], lat=wenhui_point[1], limit=2)
    assert [a["id"] for a in answer] == [near_ones[1].pk, near_ones[2].pk]


@pytest.mark.django_db
def test_the_api_takes_a_limit(operator):
    scatter(random.Random(8), 100)
    center = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    url = f"/api/v1/dispatch/nearest?lon={CENTRE[0]}&lat={CENTRE[1]}&radius_m=5000"
    assert len(center.get(f"{url}&limit=3").json()) == 3
    assert center.get(f"{url}&limit=0").status_code in (400, 422)
    assert center.get(f"{url}&limit=many").status_code in (400, 422)


@pytest.mark.django_db
def test_tracks_a_day_at_a_time_on_postgresql(grid_worker):
    from django.db import connection

    from gridgov.dispatch import tracks
    from gridgov.dispatch.services import tracks_purge

    if not tracks.partitioned():
        pytest.skip("day partitions are PostgreSQL's")
    old_day = (timezone.now() - dt.timedelta(days=45)).date()
    assert tracks.partitions_ensure(today=old_day, days_ahead=0)
    old_at = dt.datetime.combine(old_day, dt.time(12), tzinfo=dt.UTC)
    PositionSample.objects.bulk_create(
        [PositionSample(user=grid_worker, lon=CENTRE[0], lat=CENTRE[1], at=old_at)] * 3
    )
    position_record(user=grid_worker, lon=CENTRE[0], lat=CENTRE[1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM dispatch_positionsample")
        homes = {row[0] for row in cursor.fetchall()}
    assert f"dispatch_positionsample_p{old_day:%Y%m%d}" in homes
    tracks_purge()
    assert f"dispatch_positionsample_p{old_day:%Y%m%d}" not in tracks.partitions()
    assert PositionSample.objects.filter(user=grid_worker).count() == 1  # today's stays
    # The coming days have their partitions, and a second purge finds nothing.
    today = dt.datetime.now(dt.UTC).date()
    assert f"dispatch_positionsample_p{today + dt.timedelta(days=3):%Y%m%d}" in (
        tracks.partitions()
    )
    assert tracks_purge() == 0
