"""Issue 11 item 5, everything but the writes' fields: jurisdiction, the 90-day span, pages,
errors in the GeoReport shape for every refusal, the moving changeset and CORS; in JSON and
XML, every response validated against the GeoReport v2 schemas (contract.py)."""

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.events.catalog_cache import catalog_changed
from gridgov.events.models import Event, Subclass
from tests.open311.contract import document, error_text

FORMATS = ["json", "xml"]
JURISDICTION = "gucheng.lijiang.gov.cn"


def report(key: str, point: tuple[float, float], **extra) -> dict:
    data = {"api_key": key, "service_code": "0102", "lat": point[1], "long": point[0]}
    response = Client().post("/open311/v2/requests.json", {**data, "description": "垃圾", **extra})
    return document(response, "json", "post_response")[0]


@pytest.fixture
def posted(open311_key, wenhui_point) -> dict:
    return report(open311_key, wenhui_point)


def resources(posted: dict) -> list[tuple[str, str]]:
    """(path without the suffix, schema) of every resource that takes a jurisdiction_id."""
    return [
        ("/open311/v2/services", "services"),
        ("/open311/v2/services/0102", "service_definition"),
        ("/open311/v2/requests", "service_requests"),
        (f"/open311/v2/requests/{posted['service_request_id']}", "service_requests"),
        (f"/open311/v2/tokens/{posted['token']}", "token"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_jurisdiction_id_is_checked_on_every_resource(posted, open311_key, wenhui_point, fmt):
    client = Client()
    for path, kind in resources(posted):
        right = client.get(f"{path}.{fmt}", {"jurisdiction_id": JURISDICTION})
        assert right.status_code == 200, path
        document(right, fmt, kind)
        assert client.get(f"{path}.{fmt}").status_code == 200, path
        wrong = client.get(f"{path}.{fmt}", {"jurisdiction_id": "elsewhere.gov"})
        assert wrong.status_code == 404, path
        assert "jurisdiction_id" in error_text(wrong, fmt)
    data = {"api_key": open311_key, "service_code": "0102", "lat": wenhui_point[1]}
    data |= {"long": wenhui_point[0], "description": "垃圾"}
    for query, form in (("?jurisdiction_id=elsewhere.gov", {}), ("", {"jurisdiction_id": "x"})):
        wrong = client.post(f"/open311/v2/requests.{fmt}{query}", {**data, **form})
        assert wrong.status_code == 404
        document(wrong, fmt, "errors")
    right = client.post(f"/open311/v2/requests.{fmt}", {**data, "jurisdiction_id": JURISDICTION})
    assert right.status_code == 200
    document(right, fmt, "post_response")
    assert Event.objects.count() == 2


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_90_day_limit_holds_for_any_span(posted, fmt):
    client, now = Client(), timezone.now()
    url = f"/open311/v2/requests.{fmt}"
    cases = [
        ({}, 1),
        ({"start_date": _iso(now - dt.timedelta(days=89))}, 1),
        ({"end_date": _iso(now + dt.timedelta(days=1))}, 1),
        ({"start_date": _iso(now - dt.timedelta(days=200))}, 0),  # 90 days from it
        ({"end_date": _iso(now - dt.timedelta(days=1))}, 0),
        (
            {
                "start_date": _iso(now - dt.timedelta(days=45)),
                "end_date": _iso(now + dt.timedelta(days=45)),
            },
            1,
        ),
    ]
    for params, count in cases:
        response = client.get(url, params)
        assert response.status_code == 200, params
        assert len(document(response, fmt, "service_requests")) == count, params
    for params in (
        {"start_date": _iso(now - dt.timedelta(days=91)), "end_date": _iso(now)},
        {"start_date": "2020-01-01T00:00:00Z", "end_date": "2099-01-01T00:00:00Z"},
        {"start_date": _iso(now), "end_date": _iso(now - dt.timedelta(days=1))},
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45T00:00:00Z"},
    ):
        response = client.get(url, params)
        assert response.status_code == 400, params
        assert error_text(response, fmt)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_page_and_page_size(open311_key, wenhui_point, fmt):
    numbers = [
        report(open311_key, (wenhui_point[0] + i * 0.003, wenhui_point[1]))["service_request_id"]
        for i in range(5)
    ]
    client, newest_first = Client(), list(reversed(numbers))

    def page(**params) -> list[str]:
        response = client.get(f"/open311/v2/requests.{fmt}", params)
        assert response.status_code == 200
        body = document(response, fmt, "service_requests")
        return [r["service_request_id"] for r in body]

    assert page() == newest_first
    assert page(page_size=2) == newest_first[:2]
    assert page(page_size=2, page=2) == newest_first[2:4]
    assert page(page_size=2, page=3) == newest_first[4:]
    assert page(page_size=2, page=4) == []
    for bad in ({"page": "0"}, {"page_size": "0"}, {"page_size": "1001"}, {"page": "-1"}):
        response = client.get(f"/open311/v2/requests.{fmt}", bad)
        assert response.status_code == 400, bad
        assert next(iter(bad)) in error_text(response, fmt)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_error_is_in_the_georeport_shape(posted, open311_key, fmt):
    client = Client()
    cases = [
        (client.get(f"/open311/v2/requests.{fmt}", {"status": "op\x00en"}), 400),
        (client.post(f"/open311/v2/requests.{fmt}", {"api_key": open311_key, "x": "\x00"}), 400),
        (client.get(f"/open311/v2/requests.{fmt}", {"status": "maybe"}), 400),
        (client.get(f"/open311/v2/requests/000.{fmt}"), 404),
        (client.get(f"/open311/v2/tokens/not-a-token.{fmt}"), 404),
        (client.get(f"/open311/v2/tokens/{uuid.uuid4()}.{fmt}"), 404),
        (client.get(f"/open311/v2/services/9999.{fmt}"), 404),
        (client.get(f"/open311/v2/nothing.{fmt}"), 404),
        (client.post(f"/open311/v2/services.{fmt}"), 405),
        (client.delete(f"/open311/v2/requests.{fmt}"), 405),
        (client.put(f"/open311/v2/requests/{posted['service_request_id']}.{fmt}"), 405),
        (client.post(f"/open311/v2/tokens/{posted['token']}.{fmt}"), 405),
        (client.patch(f"/open311/discovery.{fmt}"), 405),
        (client.post(f"/open311/v2/requests.{fmt}", {"api_key": "wrong"}), 403),
    ]
    for response, status in cases:
        assert response.status_code == status, response.content
        assert error_text(response, fmt)
    assert cases[8][0]["Allow"] == "GET"
    # An unknown format suffix: 404, in JSON (the client named no format we speak).
    for path in ("/open311/v2/services.html", "/open311/v2/requests.csv", "/open311/v2/x"):
        response = client.get(path)
        assert response.status_code == 404
        assert error_text(response, "json")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_changeset_moves_when_services_change(fmt):
    client = Client()

    def changeset() -> str:
        response = client.get(f"/open311/discovery.{fmt}")
        assert response.status_code == 200
        body = document(response, fmt, "discovery")
        assert body["endpoints"][0]["changeset"] == body["changeset"]
        return body["changeset"]

    first = changeset()
    assert changeset() == first  # nothing changed, nothing moves
    subclass = Subclass.objects.get(code="0504")
    subclass.extra_fields = [{"code": "plate", "datatype": "string"}]
    subclass.save(update_fields=["extra_fields"])
    catalog_changed()
    second = changeset()
    assert second > first
    Subclass.objects.filter(code="0102").update(active=False)  # even around the catalog
    third = changeset()
    assert third > second
    Subclass.objects.filter(code="0102").update(active=True)  # undone: moves on, not back
    assert changeset() > third


CORS_PATHS = ["/open311/v2/services.json", "/open311/v2/requests.xml", "/open311/discovery.json"]


@pytest.mark.django_db
def test_cors_for_reads_and_writes_from_any_origin_by_default(open311_key, wenhui_point):
    client = Client(HTTP_ORIGIN="https://city.example")
    for path in CORS_PATHS:
        response = client.get(path)
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        "/open311/v2/requests.json", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert preflight.status_code == 200
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert preflight["Access-Control-Allow-Origin"] == "*"
    data = {"api_key": open311_key, "service_code": "0102", "lat": wenhui_point[1]}
    posted = client.post("/open311/v2/requests.json", {**data, "long": wenhui_point[0]})
    assert posted.status_code == 200
    assert posted["Access-Control-Allow-Origin"] == "*"
    refused = client.post("/open311/v2/requests.json", {"api_key": "wrong"})
    assert refused["Access-Control-Allow-Origin"] == "*"  # the browser may read the error
    # Only Open311: the rest of the site is not opened to other origins.
    assert "Access-Control-Allow-Origin" not in client.get("/healthz")


@pytest.mark.django_db
def test_cors_origins_are_configurable(settings):
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = ["https://lijiang.example"]
    allowed = Client(HTTP_ORIGIN="https://lijiang.example").get(CORS_PATHS[0])
    assert allowed["Access-Control-Allow-Origin"] == "https://lijiang.example"
    other = Client(HTTP_ORIGIN="https://evil.example").get(CORS_PATHS[0])
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_status_changes_reach_the_client_by_token_and_request_id(posted, operator, fmt):
    from gridgov.events.services import event_act

    client = Client()
    by_token = client.get(f"/open311/v2/tokens/{posted['token']}.{fmt}")
    request_id = document(by_token, fmt, "token")[0]["service_request_id"]
    assert request_id == posted["service_request_id"]
    event = Event.objects.get(number=request_id)
    event_act(user=operator, event_id=event.pk, action="reject", comment="不属实")
    response = client.get(f"/open311/v2/requests/{request_id}.{fmt}")
    body = document(response, fmt, "service_requests")[0]
    assert (body["status"], body["status_notes"]) == (
        "closed",
        str(event.__class__.objects.get(pk=event.pk).get_state_display()),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_anonymous_write_budget_answers_in_the_georeport_shape(settings, fmt):
    settings.GRIDGOV_ANONYMOUS_WRITES_PER_HOUR = 1
    client = Client(REMOTE_ADDR=f"203.0.113.{40 + FORMATS.index(fmt)}")
    client.post(f"/open311/v2/requests.{fmt}", {"service_code": "0102"})
    response = client.post(f"/open311/v2/requests.{fmt}", {"service_code": "0102"})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert error_text(response, fmt)
