"""Camera webhooks: signed alerts become events at the camera, once; hostile ones create
nothing and tell nothing (issue 8 item 8)."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.common.errors import DomainError
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


def minutes_ago(n: float) -> str:
    return (timezone.now() - dt.timedelta(minutes=n)).isoformat()


def alert(**changes) -> dict:
    """An alert taken a minute ago; a number as "time" means that many minutes ago (read at
    run time: a suite that runs long must not age the alerts it collected)."""
    if isinstance(changes.get("time"), int):
        changes["time"] = minutes_ago(changes["time"])
    return {
        "camera_id": "CAM-WH-01",
        "type": "0504",
        "time": minutes_ago(1),
        "snapshot_url": "https://cams.example/1.jpg",
        **changes,
    }


@pytest.mark.django_db
def test_a_signed_alert_becomes_an_event_at_the_camera_once(camera, source):
    once = alert()
    response = send(once)
    assert response.status_code == 201
    event = Event.objects.get()
    assert (event.source, event.area_id, event.subclass.code) == ("camera", camera.area_id, "0504")
    assert event.extra["snapshot_url"] == "https://cams.example/1.jpg"
    assert send(once).status_code == 201  # the platform retries
    assert Event.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"secret": "wrong"}, 403),
        ({"signature": ""}, 403),
        ({"signature": "sha256=é"}, 403),
        ({"source": "nobody"}, 403),
        ({"body": {"camera_id": "CAM-XX"}}, 404),
        ({"body": {"time": "yesterday"}}, 400),
        ({"body": {"type": "9999"}}, 400),
        ({"body": {"time": 11}}, 400),
        ({"body": {"time": -11}}, 400),
        ({"body": {"time": "2026-11-24T09:30:00+08:00"}}, 400),
        ({"body": {"snapshot_url": "javascript:alert(1)"}}, 400),
        ({"body": {"snapshot_url": "file:///etc/passwd"}}, 400),
        ({"body": {"snapshot_url": "https://cams.example/" + "a" * 500}}, 400),
        ({"body": {"snapshot_url": "https://"}}, 400),
        ({"body": {"snapshot_url": ["https://cams.example/1.jpg"]}}, 400),
    ],
)
def test_bad_alerts_are_refused_and_create_nothing(camera, source, kwargs, status):
    body = alert(**kwargs.pop("body", {}))
    assert send(body, **kwargs).status_code == status
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_unknown_source_and_bad_signature_answer_alike(camera, source):
    AlertSource.objects.create(name="retired", secret="old", active=False)
    answers = [
        send(alert(), source="nobody"),
        send(alert(), secret="wrong"),
        send(alert(), source="retired", secret="old"),
    ]
    assert {(a.status_code, a.content) for a in answers} == {(403, answers[0].content)}
    assert answers[0].json()["code"] == "bad_signature"
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_the_freshness_window_is_the_sources_and_a_signed_timestamp_counts(camera, source):
    from gridgov.events.alerts import alert_receive

    AlertSource.objects.filter(pk=source.pk).update(freshness_minutes=30)
    late = alert(time=20)
    assert send(late).status_code == 201
    raw = json.dumps(alert(time=2, type="0505")).encode()
    now = timezone.now()
    stale = str(int((now - dt.timedelta(minutes=31)).timestamp()))
    with pytest.raises(DomainError) as refused:
        alert_receive(
            source_name="xueliang",
            body=raw,
            signature=signature_for("s3cret", raw, stale),
            timestamp=stale,
        )
    assert (refused.value.code, refused.value.field) == ("stale", "timestamp")
    # The timestamp is signed: a fresh one with the old signature does not pass.
    fresh = str(int(now.timestamp()))
    with pytest.raises(DomainError) as forged:
        alert_receive(
            source_name="xueliang",
            body=raw,
            signature=signature_for("s3cret", raw, stale),
            timestamp=fresh,
        )
    assert forged.value.code == "bad_signature"
    event = alert_receive(
        source_name="xueliang",
        body=raw,
        signature=signature_for("s3cret", raw, fresh),
        timestamp=fresh,
    )
    assert event.subclass.code == "0505"
    assert Event.objects.count() == 2
