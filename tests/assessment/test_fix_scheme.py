"""Issue 13: grade floors must be numbers, and the district-only refusals are translated."""

import pytest
from django.test import Client

from gridgov.assessment.models import Scheme
from tests.assessment.conftest import DISTRICT, XIAN

pytestmark = pytest.mark.django_db
API = "/api/v1/assessment"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "grades",
    [
        [["A", True], ["B", False]],
        [["A", "90"], ["B", "0"]],
        [["A", 90], ["B", None]],
        [["A", [90]], ["B", 0]],
    ],
)
def test_non_numeric_grade_floors_are_refused(leader, grades):
    answer = _client(leader).patch(
        f"{API}/scheme", {"street_grades": grades}, content_type="application/json"
    )
    assert answer.status_code in (400, 422), answer.content
    if answer.status_code == 400:
        assert answer.json()["field"] == "street_grades"
    assert not Scheme.objects.filter(root__code=DISTRICT).exclude(street_grades=[]).exists()


def test_numeric_floors_are_kept_as_numbers(leader):
    answer = _client(leader).patch(
        f"{API}/scheme",
        {"street_grades": [["A", 90], ["B", 60.5], ["C", 0]]},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    scheme = Scheme.objects.get(root__code=DISTRICT)
    assert scheme.street_grades == [["A", 90.0], ["B", 60.5], ["C", 0.0]]


def _messages(client, method, url, body):
    """The same refusal read in Chinese and in English."""
    send = getattr(client, method)
    return [
        send(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)
        for lang in ("zh-hans", "en")
    ]


def test_district_only_refusal_is_translated(street_staff):
    zh, en = _messages(_client(street_staff), "post", f"{API}/assessments", {"year": 2024})
    assert (zh.status_code, en.status_code) == (403, 403)
    assert zh.json()["message"] != en.json()["message"]
    zh, en = _messages(_client(street_staff), "patch", f"{API}/scheme", {"root": DISTRICT})
    assert (zh.status_code, en.status_code) == (403, 403)
    assert zh.json()["message"] != en.json()["message"]


def test_not_a_district_is_translated(leader):
    zh, en = _messages(_client(leader), "patch", f"{API}/scheme", {"root": XIAN})
    assert (zh.status_code, en.status_code) == (400, 400)
    assert zh.json()["code"] == "not_a_district"
    assert zh.json()["message"] != en.json()["message"]
