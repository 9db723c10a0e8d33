"""A position update's cost (issue 9, decision 0027): with the token kept by the process,
one statement on PostgreSQL writes the latest position and the track's point; SQLite
writes them with two statements in one transaction."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gridgov.dispatch.models import PositionSample, WorkerPosition
from tests.api.test_api import token_for


@pytest.fixture
def warm(settings):
    settings.GRIDGOV_CACHE_VERSION_CHECK_SECONDS = 3600
    settings.GRIDGOV_TREE_VERSION_CHECK_SECONDS = 3600


def _send(client: Client, point, **extra):
    body = {"lon": point[0], "lat": point[1], "accuracy_m": 8, **extra}
    return client.post("/api/v1/dispatch/positions", json.dumps(body), "application/json")


@pytest.mark.django_db
def test_a_position_update_is_one_statement_on_postgresql(warm, grid_worker, wenhui_point):
    client = Client(headers={"Authorization": f"Bearer {token_for(grid_worker)}"})
    assert _send(client, wenhui_point).status_code == 200  # the token is read and kept
    moved = (wenhui_point[0] + 1e-4, wenhui_point[1])
    with CaptureQueriesContext(connection) as captured:
        response = _send(client, moved, on_duty=False)
    assert response.status_code == 200, response.content
    statements = [q["sql"] for q in captured.captured_queries]
    if connection.vendor == "postgresql":
        assert len(statements) == 1, statements
    else:  # the upsert and the insert, in a savepoint of the test's transaction
        writes = [s for s in statements if "SAVEPOINT" not in s.upper()]
        assert len(writes) == 2, statements
    latest = WorkerPosition.objects.get(user=grid_worker)
    assert (latest.lon, latest.lat, latest.accuracy_m, latest.on_duty) == (*moved, 8.0, False)
    assert response.json()["at"] == latest.at.isoformat()
    track = list(PositionSample.objects.filter(user=grid_worker).order_by("at", "id"))
    assert [(p.lon, p.lat) for p in track] == [wenhui_point, moved]
    assert track[-1].at == latest.at


@pytest.mark.django_db
def test_the_first_position_of_a_worker_makes_the_row(grid_worker, wenhui_point):
    from gridgov.dispatch.services import position_record

    assert not WorkerPosition.objects.filter(user=grid_worker).exists()
    position_record(user=grid_worker, lon=wenhui_point[0], lat=wenhui_point[1])
    position_record(user=grid_worker, lon=wenhui_point[0], lat=wenhui_point[1], accuracy_m=3)
    assert WorkerPosition.objects.filter(user=grid_worker).count() == 1
    assert WorkerPosition.objects.get(user=grid_worker).accuracy_m == 3
    assert PositionSample.objects.filter(user=grid_worker).count() == 2
