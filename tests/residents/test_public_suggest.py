"""The kind of problem suggested to anyone (issue 11): /api/v1/public/suggest answers as
/api/v1/events/suggest does, without signing in, for a text of at most 500 characters,
rate-limited per address like the other public reads."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/suggest"
TEXT = "小区门口垃圾堆放没人清运"


@pytest.fixture(autouse=True)
def _no_rate_counts():
    cache.clear()
    yield
    cache.clear()


def test_anyone_is_suggested_a_kind_as_staff_are(operator):
    answer = Client().get(URL, {"text": TEXT})
    assert answer.status_code == 200, answer.content
    suggestions = answer.json()
    assert suggestions[0]["code"] == "0102"
    assert set(suggestions[0]) == {"code", "name", "score", "words"}
    staff = Client()
    staff.force_login(operator)
    assert staff.get("/api/v1/events/suggest", {"text": TEXT}).json() == suggestions
    assert Client().get(URL, {"text": "  "}).json() == []


def test_a_long_text_is_refused_without_a_500():
    answer = Client().get(URL, {"text": "垃" * 501})
    assert (answer.status_code, answer.json()["field"]) == (400, "text")
    assert Client().get(URL, {"text": "垃" * 500}).status_code == 200


@override_settings(GRIDGOV_PUBLIC_READS_PER_MINUTE=2)
def test_suggestions_are_rate_limited_per_address():
    client = Client()
    statuses = [client.get(URL, {"text": TEXT}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(URL, {"text": TEXT}).json()["code"] == "rate_limited"
