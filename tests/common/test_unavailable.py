"""A database or cache that does not answer is a 503 with a clear message, never a 500."""

import pytest
from django.db import OperationalError
from django.test import Client

from gridgov.common.unavailable import is_unavailable

pytestmark = pytest.mark.urls("tests.common.unavailable_urls")


@pytest.fixture
def client() -> Client:
    # Django's test client re-raises what reached the 500 handler; we want the answer.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "path", ["/api/db-down", "/api/db-gone", "/api/redis-down", "/api/wrapped"]
)
def test_an_outage_in_a_view_is_a_503_in_the_api_error_shape(client, path):
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["code"] == "unavailable"
    assert body["field"] is None
    # Chinese by default; English for a client that asks for it.
    assert "重试" in body["message"]
    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en").json()
    assert "try again" in english["message"]


def test_a_page_gets_a_small_html_page(client):
    response = client.get("/page/db-down", HTTP_ACCEPT="text/html")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"<h1>" in response.content
    # It goes out through the other middleware like any answer (security headers).
    assert response["X-Frame-Options"] == "DENY"


def test_a_bug_stays_a_500(client):
    response = client.get("/api/bug")
    assert response.status_code == 500


def _failing_middleware(get_response):
    def middleware(request):
        raise OperationalError("the session table did not answer")

    return middleware


def test_an_outage_inside_another_middleware_is_a_503_too(client, settings):
    # Raised outside any view (the session read of the authentication middleware):
    # process_exception never sees it; handler500 does.
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "tests.common.test_unavailable._failing_middleware",
    ]
    response = client.get("/api/anything")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


@pytest.mark.urls("gridgov.config.urls")
def test_the_real_api_answers_503_when_the_token_lookup_fails(client, monkeypatch):
    # The bearer token is the first query of every API call; ninja must let the error through.
    def down(key):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr("gridgov.config.api.token_user", down)
    response = client.get("/api/v1/areas/tree", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


def test_is_unavailable_follows_the_cause_chain_but_not_forever():
    error = RuntimeError("outer")
    error.__cause__ = error  # a loop must not hang
    assert not is_unavailable(error)
    assert not is_unavailable(None)
