import json

import pytest
from django.test import Client

from gridgov.events.alerts import signature_for
from gridgov.events.models import AlertSource, Event
from gridgov.registry.services import record_create


@pytest.fixture
def camera(community_staff, wenhui_point):
    return record_create(
        user=community_staff,
        kind_key="cameras",
        data={
            "code": "CAM-WH-01",
            "name": "文汇路口",
            "kind": "xueliang",
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
        },
    )


@pytest.fixture
def source(db):
    return AlertSource.objects.create(name="xueliang", secret="s3cret")


def send(
    body: dict, secret: str = "s3cret", source: str = "xueliang", signature: str | None = None
):
    raw = json.dumps(body).encode()
    header = signature if signature is not None else signature_for(secret, raw)
    return Client().post(
        f"/api/v1/events/alerts/{source}",
        raw,
        content_type="application/json",
        headers={"X-Gridgov-Signature": header},
    )


ALERT = {
    "camera_id": "CAM-WH-01",
    "type": "0504",
    "time": "2026-11-24T09:30:00+08:00",
    "snapshot_url": "https://cams.example/1.jpg",
}


@pytest.mark.django_db
def test_a_signed_alert_becomes_an_event_at_the_camera_once(camera, source):
    response = send(ALERT)
    assert response.status_code == 201
    event = Event.objects.get()
    assert (event.source, event.area_id, event.subclass.code) == ("camera", camera.area_id, "0504")
    assert event.extra["snapshot_url"] == "https://cams.example/1.jpg"
    assert send(ALERT).status_code == 201  # the platform retries
    assert Event.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"secret": "wrong"}, 403),
        ({"signature": ""}, 403),
        ({"source": "nobody"}, 404),
        ({"body": {**ALERT, "camera_id": "CAM-XX"}}, 404),
        ({"body": {**ALERT, "time": "yesterday"}}, 400),
        ({"body": {**ALERT, "type": "9999"}}, 400),
    ],
)
def test_bad_alerts_are_refused_and_create_nothing(camera, source, kwargs, status):
    body = kwargs.pop("body", ALERT)
    assert send(body, **kwargs).status_code == status
    assert not Event.objects.exists()
