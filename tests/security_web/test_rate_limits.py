"""One hourly budget of anonymous writes per client address, counted in the shared cache:
the report form (each photo one more), the public report API, Open311 POSTs and
registrations on a place's page. Refused with 429 in the project's error shape; a refused
write stores nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gridgov.events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _three_an_hour(settings):
    settings.GRIDGOV_ANONYMOUS_WRITES_PER_HOUR = 3


def _photo(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _report_form(client: Client, photos: int = 0):
    return client.post(
        "/report/",
        {
            "subclass": "0102",
            "description": "垃圾堆放",
            "lon": "100.23",
            "lat": "26.87",
            "photos": [_photo(f"p{n}.jpg") for n in range(photos)],
        },
    )


def test_each_photo_of_the_report_form_counts_as_one_more_write():
    client = Client(REMOTE_ADDR="203.0.113.10")
    assert _report_form(client, photos=2).status_code != 429  # 1 report + 2 photos = 3
    events = Event.objects.count()
    response = _report_form(client)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert 'id="rate-limited"' in response.content.decode()
    assert Event.objects.count() == events


def test_the_public_api_answers_429_in_the_error_shape_and_stores_nothing():
    client = Client(REMOTE_ADDR="203.0.113.11")
    for _ in range(3):
        assert (
            client.post("/api/v1/events/public", {}, content_type="application/json").status_code
            != 429
        )
    events = Event.objects.count()
    response = client.post(
        "/api/v1/events/public",
        {"subclass": "0102", "description": "x", "lon": 100.23, "lat": 26.87},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert set(response.json()) == {"code", "message", "field"}
    assert response["Retry-After"] == "3600"
    assert Event.objects.count() == events


def test_the_budget_is_shared_by_every_anonymous_write_path():
    client = Client(REMOTE_ADDR="203.0.113.12")
    client.post("/open311/v2/requests.json", {"service_code": "0102"})
    client.post("/c/no-such-code/", {"op": "register"})
    _report_form(client)
    assert client.post("/open311/v2/requests.json", {"service_code": "0102"}).status_code == 429
    assert client.post("/c/no-such-code/", {"op": "register"}).status_code == 429
    assert (
        client.post("/api/v1/events/public", {}, content_type="application/json").status_code == 429
    )


def test_another_address_has_its_own_budget():
    first = Client(REMOTE_ADDR="203.0.113.13")
    for _ in range(4):
        first.post("/api/v1/events/public", {}, content_type="application/json")
    other = Client(REMOTE_ADDR="203.0.113.14")
    assert (
        other.post("/api/v1/events/public", {}, content_type="application/json").status_code != 429
    )


def test_signed_in_users_on_the_form_pages_are_not_counted(community_staff):
    client = Client(REMOTE_ADDR="203.0.113.15")
    client.force_login(community_staff)
    statuses = {_report_form(client).status_code for _ in range(5)}
    assert 429 not in statuses


def test_the_address_comes_from_the_trusted_proxy_header(settings):
    settings.GRIDGOV_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.GRIDGOV_TRUSTED_PROXIES = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    def post(forwarded: str) -> int:
        return proxy.post(
            "/api/v1/events/public",
            {},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code

    # A client varying the entry it writes itself is still one address to us.
    statuses = [post(f"192.0.2.{n}, 203.0.113.20") for n in range(4)]
    assert statuses[-1] == 429
    assert post("203.0.113.21") != 429


def test_get_requests_are_never_limited():
    client = Client(REMOTE_ADDR="203.0.113.16")
    for _ in range(4):
        client.post("/api/v1/events/public", {}, content_type="application/json")
    assert client.get("/r/report/").status_code == 200
