"""/healthz checks the database, the cache and the queue; /metrics answers Prometheus, only to
loopback callers or to the configured token."""

import pytest
from django.test import Client

from gridgov.notifications.models import Channel, Delivery
from gridgov.notifications.services import notify
from gridgov.web import health


@pytest.mark.django_db
def test_healthz_reports_each_part(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["queue"] == {"pending": 0, "scheduled": 0}
    assert body["failed"] == []


@pytest.mark.django_db
def test_healthz_names_the_part_that_failed(client, monkeypatch):
    def unreachable():
        raise ConnectionError("redis://queue-host:6379 refused")

    monkeypatch.setitem(health.CHECKS, "queue", unreachable)
    answer = client.get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "fail"
    assert body["failed"] == ["queue"]
    assert body["queue"] == "unavailable"
    assert body["database"] == "ok"
    assert "queue-host" not in answer.content.decode()  # no host names to the public


@pytest.mark.django_db
def test_healthz_is_cheap(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_metrics_for_loopback(client, recipient):
    Channel.objects.create(name="hook", kind="webhook", url="http://127.0.0.1:9/x")
    notify(users=[recipient], kind="dispatched", text="派遣")  # not committed: stays pending
    sms = Channel.objects.create(name="sms", kind="sms", url="http://127.0.0.1:9/sms")
    Delivery.objects.create(
        notification=recipient.notifications.get(), channel=sms, status="failed"
    )
    client.get("/healthz")
    answer = client.get("/metrics")
    assert answer.status_code == 200
    text = answer.content.decode()
    assert 'gridgov_queue_tasks{state="pending"} 0.0' in text
    assert 'gridgov_deliveries{channel="webhook",status="pending"} 1.0' in text
    assert 'gridgov_deliveries{channel="sms",status="failed"} 1.0' in text
    assert 'gridgov_plate_jobs{status="queued"} 0.0' in text
    # Request latency by view (django-prometheus) and database metrics.
    assert (
        'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="healthz"}'
        in text
    )
    assert "django_db_execute_total" in text


@pytest.mark.django_db
def test_metrics_refused_elsewhere(settings):
    remote = Client(REMOTE_ADDR="203.0.113.9")
    assert remote.get("/metrics").status_code == 404
    settings.GRIDGOV_METRICS_TOKEN = "scrape-secret"
    assert remote.get("/metrics").status_code == 404
    assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    answer = remote.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
    assert answer.status_code == 200
    # With a token, loopback needs it too (a proxy on the same host would be loopback).
    assert Client().get("/metrics").status_code == 404


@pytest.mark.django_db
def test_metrics_behind_a_proxy_read_the_client_address(settings):
    settings.GRIDGOV_CLIENT_IP_HEADER = "X-Forwarded-For"
    proxied = Client(REMOTE_ADDR="127.0.0.1")  # the proxy on the same host
    assert proxied.get("/metrics", headers={"X-Forwarded-For": "198.51.100.4"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("configured", ["", "X-Forwarded-For", "X-Real-IP"])
@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Forwarded-For", "127.0.0.1"),
        ("X-Forwarded-For", "1.2.3.4, 127.0.0.1"),
        ("X-Real-IP", "::1"),
        ("Forwarded", "for=127.0.0.1"),
    ],
)
def test_metrics_cannot_be_reached_by_a_forged_forwarding_header(
    settings, configured, header, value
):
    """A client that reaches the app directly and writes the header a proxy would write is
    not a local scraper; nor is anyone relayed by a proxy on the same host (loopback socket)."""
    settings.GRIDGOV_CLIENT_IP_HEADER = configured
    direct = Client(REMOTE_ADDR="10.1.2.3")
    assert direct.get("/metrics", headers={header: value}).status_code == 404
    relayed = Client(REMOTE_ADDR="127.0.0.1")
    assert relayed.get("/metrics", headers={header: value}).status_code == 404
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200
