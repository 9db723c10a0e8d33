import pytest
from django.core.cache import cache
from django.test import Client

from gridgov.events.models import Event
from tests.api.test_api import token_for
from tests.conftest import WENHUI_GRID


def client_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_for(user)}"})


def report(point, **extra) -> dict:
    return {
        "subclass": "0504",
        "description": "文汇路口机动车乱停放，堵住消防通道",
        "lon": point[0],
        "lat": point[1],
        **extra,
    }


@pytest.mark.django_db
def test_anonymous_resident_report_is_accepted_and_rate_limited(wenhui_point, settings):
    settings.GRIDGOV_ANONYMOUS_WRITES_PER_HOUR = budget = 5
    cache.clear()
    public = Client()
    response = public.post(
        "/api/v1/events/public", report(wenhui_point), content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert "area" not in body  # a resident is told the number, not the grid's code
    assert body["state"] == "reported"
    assert Event.objects.get().reporter is None
    assert Event.objects.get().area.code == WENHUI_GRID
    for _ in range(budget - 2):
        public.post("/api/v1/events/public", report(wenhui_point), content_type="application/json")
    # A photo upload takes from the same budget: here, the last write of the hour.
    photo = public.post("/api/v1/events/photos/public", {"file": b""})
    assert photo.status_code != 429
    limited = public.post(
        "/api/v1/events/public", report(wenhui_point), content_type="application/json"
    )
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert Event.objects.count() == budget - 1
    assert public.post("/api/v1/events/photos/public", {"file": b""}).status_code == 429
    cache.clear()


@pytest.mark.django_db
def test_bad_public_reports_are_400_with_the_field(wenhui_point):
    cache.clear()
    response = Client().post(
        "/api/v1/events/public",
        report(wenhui_point, subclass="nope"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "subclass"
    response = Client().post(
        "/api/v1/events/public", {"description": "x"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert not Event.objects.exists()
    cache.clear()


@pytest.mark.django_db
def test_operator_queue_actions_and_conflicts(
    operator, other_community_staff, grid_worker, wenhui_point
):
    worker = client_for(grid_worker)
    created = worker.post(
        "/api/v1/events/", report(wenhui_point, source="worker"), content_type="application/json"
    )
    assert created.status_code == 201
    event_id = created.json()["id"]
    center = client_for(operator)
    queue = center.get("/api/v1/events/?state=reported").json()
    assert [e["id"] for e in queue["items"]] == [event_id]
    assert "accept" in queue["items"][0]["actions"]
    assert queue["items"][0]["deadline"] in ("green", "yellow", "red")
    assert client_for(other_community_staff).get(f"/api/v1/events/{event_id}").status_code == 404
    filed = center.post(
        f"/api/v1/events/{event_id}/actions/accept", {"version": 0}, content_type="application/json"
    )
    assert filed.status_code == 200
    assert filed.json()["state"] == "filed"
    stale = center.post(
        f"/api/v1/events/{event_id}/actions/void",
        {"version": 0, "comment": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"
    wrong = center.post(
        f"/api/v1/events/{event_id}/actions/close", {}, content_type="application/json"
    )
    assert wrong.status_code == 409
    assert wrong.json()["code"] == "not_allowed_now"
    forbidden = worker.post(
        f"/api/v1/events/{event_id}/actions/dispatch", {}, content_type="application/json"
    )
    assert forbidden.status_code == 403
    detail = center.get(f"/api/v1/events/{event_id}").json()
    assert [t["action"] for t in detail["timeline"]] == ["report", "accept"]


@pytest.mark.django_db
def test_a_malformed_client_uuid_is_a_400_and_stores_nothing(grid_worker, wenhui_point):
    client = Client(headers={"Authorization": f"Bearer {token_for(grid_worker)}"})
    body = {
        "subclass": "0102",
        "description": "垃圾堆放",
        "lon": wenhui_point[0],
        "lat": wenhui_point[1],
        "client_uuid": "not-a-uuid",
    }
    answer = client.post("/api/v1/events/", body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["field"] == "client_uuid"
    assert not Event.objects.exists()
