"""The OpenAPI document is built once per process, language and prefix (config/api.py):
`GET /api/openapi.json` is open to anyone and a build costs about a second of CPU."""

import ninja.main
import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from gridgov.config.api import api


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """The prefixes of the documents built during the test, from an empty cache (the
    documents other tests built are put back afterwards)."""
    built: list[str] = []
    build = ninja.main.get_schema

    def counted(*, api, path_prefix):
        built.append(path_prefix)
        return build(api=api, path_prefix=path_prefix)

    monkeypatch.setattr(ninja.main, "get_schema", counted)
    monkeypatch.setattr(api, "_openapi_documents", {})
    return built


@pytest.mark.django_db
def test_the_second_request_is_answered_without_a_rebuild(builds, admin_user):
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(admin_user)
    first = anonymous.get("/api/openapi.json")
    assert first.status_code == 200
    assert "/api/v1/areas/lookup" in first.json()["paths"]
    # Again, and by someone else: the document does not depend on who asks.
    assert anonymous.get("/api/openapi.json").content == first.content
    assert signed_in.get("/api/openapi.json").content == first.content
    assert builds == ["/api/"]
    with translation.override("zh-hans"):
        assert api.get_openapi_schema() is api.get_openapi_schema()
    assert builds == ["/api/"]


@pytest.mark.django_db
def test_each_language_and_prefix_has_its_own_document(builds, monkeypatch):
    # A document with one translated text (today's schemas say nothing through gettext).
    def translated(*, api, path_prefix):
        builds.append(path_prefix)
        return {"openapi": "3.1.0", "info": {"title": gettext("Not found.")}, "paths": {}}

    monkeypatch.setattr(ninja.main, "get_schema", translated)
    client = Client()
    titles = {}
    for language in ("zh-hans", "en", "zh-hans", "en"):
        answer = client.get("/api/openapi.json", HTTP_ACCEPT_LANGUAGE=language)
        titles.setdefault(language, set()).add(answer.json()["info"]["title"])
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert titles[language] == {gettext("Not found.")}
    assert titles["zh-hans"] != titles["en"]
    assert builds == ["/api/", "/api/"]
    with translation.override("en"):
        elsewhere = api.get_openapi_schema(path_prefix="/gridgov/api/")
        assert api.get_openapi_schema(path_prefix="/gridgov/api/") is elsewhere
    assert builds == ["/api/", "/api/", "/gridgov/api/"]
