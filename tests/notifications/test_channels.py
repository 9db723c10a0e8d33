"""Channels beyond the inbox: SMS, WeChat and webhooks configured in the database, a delivery
log, retries with back-off, and giving up after the configured attempts."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.notifications.models import Channel, Delivery, Notification
from gridgov.notifications.sending import deliveries_run
from gridgov.notifications.services import notify


class Gateway:
    """A local HTTP endpoint that records what it receives and answers as told."""

    def __init__(self):
        self.received: list[tuple[str, dict, dict]] = []
        self.answers: list[tuple[int, dict]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, body: dict | None):
                status, answer = gateway.answers.pop(0) if gateway.answers else (200, {})
                gateway.received.append((self.path, body or {}, dict(self.headers)))
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                self.raw = self.rfile.read(length)
                gateway.raw = self.raw
                self._answer(json.loads(self.raw or b"{}"))

            def do_GET(self):
                self._answer(None)

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


@pytest.fixture
def worker(db):
    return User.objects.create(
        username="n_worker", role="grid_worker", phone="13800138000", wechat_openid="oABC123"
    )


@pytest.mark.django_db
def test_webhook_is_signed_and_logged(gateway, worker):
    Channel.objects.create(name="ops", kind="webhook", url=gateway.url + "/hook", secret="s3cret")
    notify(users=[worker], kind="dispatched", text="事件2026112400001已派遣给您")
    assert deliveries_run() == {"sent": 1, "retry": 0, "failed": 0, "skipped": 0}
    path, body, headers = gateway.received[0]
    assert path == "/hook"
    assert body["text"] == "事件2026112400001已派遣给您"
    assert body["user"] == "n_worker"
    expected = hmac.new(b"s3cret", gateway.raw, hashlib.sha256).hexdigest()
    assert headers["X-Gridgov-Signature"] == f"sha256={expected}"
    delivery = Delivery.objects.get()
    assert delivery.status == "sent"
    assert delivery.attempts == 1
    assert deliveries_run()["sent"] == 0  # nothing is sent twice


@pytest.mark.django_db
def test_sms_retries_with_backoff_then_gives_up(gateway, worker):
    Channel.objects.create(
        name="sms",
        kind="sms",
        url=gateway.url + "/sms",
        options={"sign": "古城区网格"},
        max_attempts=3,
    )
    notify(users=[worker], kind="deadline_red", text="事件已超期")
    gateway.answers = [(500, {}), (200, {"ok": False, "error": "quota"}), (503, {})]
    now = timezone.now()
    assert deliveries_run(now=now)["retry"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    assert "500" in delivery.last_error
    assert deliveries_run(now=now)["sent"] == 0  # not due yet: the back-off holds
    assert deliveries_run(now=now + dt.timedelta(minutes=1, seconds=1))["retry"] == 1
    assert "quota" in Delivery.objects.get().last_error
    assert deliveries_run(now=now + dt.timedelta(minutes=10))["failed"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.attempts == 3
    assert [body["phone"] for _p, body, _h in gateway.received] == ["13800138000"] * 3
    assert gateway.received[0][1]["sign"] == "古城区网格"
    # The inbox has it regardless of the SMS gateway.
    assert Notification.objects.filter(user=worker, kind="deadline_red").exists()


@pytest.mark.django_db
def test_wechat_template_message_and_people_without_an_address(gateway, worker):
    Channel.objects.create(
        name="wx",
        kind="wechat",
        url=gateway.url + "/cgi-bin/message/template/send",
        secret="appsecret",
        options={"appid": "wx123", "template_id": "T1", "token_url": gateway.url + "/token"},
        message_kinds="dispatched",
    )
    nobody = User.objects.create(username="no_openid", role="grid_worker")
    notify(users=[worker, nobody], kind="dispatched", text="派遣")
    notify(users=[worker], kind="mention", text="not carried by this channel")
    gateway.answers = [(200, {"access_token": "TOKEN", "expires_in": 7200}), (200, {"errcode": 0})]
    result = deliveries_run()
    assert result == {"sent": 1, "retry": 0, "failed": 0, "skipped": 1}
    token_call, send_call = gateway.received
    assert token_call[0].startswith("/token?grant_type=client_credential&appid=wx123")
    assert send_call[0] == "/cgi-bin/message/template/send?access_token=TOKEN"
    assert send_call[1]["touser"] == "oABC123"
    assert send_call[1]["template_id"] == "T1"
    assert Delivery.objects.count() == 2  # the "mention" kind is not carried
