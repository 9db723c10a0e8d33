"""Issue 13 polish: the new routers' refusals speak the reader's language.

Each expected message is the catalog's own translation of the msgid the handler uses, and
the test first checks that the Chinese differs from the English: a msgid left untranslated
(or an English message from pydantic) fails it."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

pytestmark = pytest.mark.django_db

# (url, field, msgid, values): one 422 per new router, each of another pydantic type.
INVALID = [
    (
        "/api/v1/analytics/rates?period=fortnight",
        "period",
        "Must be one of: %(expected)s.",
        {"expected": "day, week, month, quarter, year, range"},
    ),
    (
        "/api/v1/analytics/kpis/workers?since=31.10.2026",
        "since",
        "Must be a date such as 2026-10-31.",
        {},
    ),
    (
        "/api/v1/analytics/hotspots/recurring?days=0",
        "days",
        "Must be at least %(ge)s.",
        {"ge": "1"},
    ),
    ("/api/v1/assessment/assessments/abc", "assessment_id", "Must be a whole number.", {}),
    (
        "/api/v1/reports/events-export?format=pdf",
        "format",
        "Must be one of: %(expected)s.",
        {"expected": "csv, xlsx"},
    ),
    (
        "/api/v1/command/rates?period=week",
        "period",
        "Must be one of: %(expected)s.",
        {"expected": "today, month, year"},
    ),
]

DENIED = [
    "/api/v1/analytics/rates",
    "/api/v1/analytics/kpis/workers",
    "/api/v1/analytics/hotspots",
    "/api/v1/assessment/zones",
    "/api/v1/reports/",
    "/api/v1/command/rates",
]


def said_in(language: str, msgid: str, values: dict) -> str:
    with translation.override(language):
        text = _(msgid)
    return text % values if values else text


@pytest.mark.parametrize(("url", "field", "msgid", "values"), INVALID)
def test_invalid_input_is_said_in_the_readers_language(
    client, district_staff, url, field, msgid, values
):
    client.force_login(district_staff)
    chinese, english = said_in("zh-hans", msgid, values), said_in("en", msgid, values)
    assert chinese != english
    for language, expected in (("zh-hans", chinese), ("en", english)):
        answer = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert answer.status_code == 422
        body = answer.json()
        assert body["field"] == field
        assert body["message"] == expected
        assert body["errors"][0]["msg"] == expected


def test_a_missing_body_field_and_a_body_that_is_not_json(client, district_staff):
    client.force_login(district_staff)
    missing = client.post(
        "/api/v1/reports/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert missing.status_code == 422
    assert missing.json()["message"] == said_in("zh-hans", "This field is required.", {})
    assert said_in("zh-hans", "This field is required.", {}) != "This field is required."
    broken = client.post(
        "/api/v1/assessment/zones",
        "{not json",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert broken.status_code == 400
    expected = said_in("zh-hans", "The body could not be read: send JSON.", {})
    assert expected != "The body could not be read: send JSON."
    assert broken.json() == {"code": "invalid", "message": expected, "field": None}


def test_the_users_chosen_language_beats_the_browsers(client, district_staff):
    # The language chosen on the site (its cookie) decides before Accept-Language.
    client.force_login(district_staff)
    client.cookies["django_language"] = "en"
    answer = client.get("/api/v1/command/rates?period=week", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.json()["message"] == said_in(
        "en", "Must be one of: %(expected)s.", {"expected": "today, month, year"}
    )


@pytest.mark.parametrize("url", DENIED)
def test_denials_are_said_in_the_readers_language(client, resident, url):
    client.force_login(resident)
    chinese = said_in("zh-hans", "You are not allowed to do this.", {})
    english = said_in("en", "You are not allowed to do this.", {})
    assert chinese != english
    for language, expected in (("zh-hans", chinese), ("en", english)):
        answer = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert answer.status_code == 403
        assert answer.json() == {"code": "forbidden", "message": expected, "field": None}
