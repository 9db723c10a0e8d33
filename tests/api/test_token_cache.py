"""Bearer tokens kept per process (decision 0027): no query while a token is kept, and a
revoked token, a deactivated person or a changed role refused at once in the process that
made the change and, in every other process, at its next version check."""

import datetime as dt

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.accounts import token_cache
from gridgov.accounts.models import ApiToken
from gridgov.accounts.roles import Role
from gridgov.accounts.services import api_token_create
from gridgov.events.versions import cache_version, cache_version_bump


@pytest.fixture
def warm(settings):
    settings.GRIDGOV_CACHE_VERSION_CHECK_SECONDS = 3600
    settings.GRIDGOV_TREE_VERSION_CHECK_SECONDS = 3600


@pytest.fixture
def worker_token(grid_worker):
    token, key = api_token_create(user=grid_worker)
    return token, key


@pytest.mark.django_db
def test_a_kept_token_costs_no_query(warm, worker_token, grid_worker):
    _token, key = worker_token
    assert token_cache.token_user(key) == grid_worker  # read, kept, last_used_at touched
    with CaptureQueriesContext(connection) as captured:
        user = token_cache.token_user(key)
    assert len(captured) == 0
    assert user == grid_worker
    assert user.area.code == grid_worker.area.code
    # Each caller gets its own copy: what one request sets on its user stays there.
    user.note = "mine"
    assert not hasattr(token_cache.token_user(key), "note")


@pytest.mark.django_db
def test_an_unknown_token_is_refused_and_not_kept(warm, grid_worker):
    assert token_cache.token_user("gg_nope") is None
    # A token made afterwards (by any process) works at once: refusals are not kept.
    _token, key = api_token_create(user=grid_worker)
    assert token_cache.token_user(key) == grid_worker


@pytest.mark.django_db
def test_a_token_revoked_in_the_back_office_is_refused_at_once(warm, worker_token, admin_user, rf):
    token, key = worker_token
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get("/api/v1/areas/tree").status_code == 200
    before = cache_version(token_cache.VERSION)
    token.revoked = True
    request = rf.post("/admin/")
    request.user = admin_user
    admin.site._registry[ApiToken].save_model(request, token, None, True)
    assert cache_version(token_cache.VERSION) == before + 1
    response = client.get("/api/v1/areas/tree")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.django_db
def test_a_revocation_in_another_process_is_seen_at_the_next_version_check(settings, worker_token):
    """The other process's save bumps the version in the database; this process has not
    forgotten anything, and finds the new version at its next check."""
    settings.GRIDGOV_CACHE_VERSION_CHECK_SECONDS = 0
    token, key = worker_token
    assert token_cache.token_user(key) is not None
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)  # no signal: another process
    assert token_cache.token_user(key) is not None  # still kept: the version has not moved
    cache_version_bump(token_cache.VERSION)  # what that process's save did
    assert token_cache.token_user(key) is None


@pytest.mark.django_db
def test_a_deactivated_person_or_a_new_role_is_seen_at_once(warm, worker_token, grid_worker):
    _token, key = worker_token
    assert token_cache.token_user(key).role == Role.GRID_WORKER
    grid_worker.role = Role.OPERATOR
    grid_worker.save()
    assert token_cache.token_user(key).role == Role.OPERATOR
    grid_worker.is_active = False
    grid_worker.save()
    assert token_cache.token_user(key) is None


@pytest.mark.django_db
def test_a_sign_in_does_not_make_processes_forget(warm, worker_token, grid_worker):
    _token, key = worker_token
    token_cache.token_user(key)
    before = cache_version(token_cache.VERSION)
    grid_worker.last_login = timezone.now()
    grid_worker.save(update_fields=["last_login"])
    assert cache_version(token_cache.VERSION) == before


@pytest.mark.django_db
def test_a_kept_token_expires(warm, settings, worker_token, monkeypatch):
    token, key = worker_token
    token_cache.token_user(key)
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)  # around the models: no bump
    clock = token_cache.time.monotonic() + token_cache.ttl_seconds() + 1
    monkeypatch.setattr(token_cache.time, "monotonic", lambda: clock)
    assert token_cache.token_user(key) is None


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute(warm, worker_token):
    token, key = worker_token
    token_cache.token_user(key)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    token_cache.token_user(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    entry = token_cache._entries.get()[ApiToken.hash_key(key)]
    entry.touched_at = first - dt.timedelta(seconds=61)
    token_cache.token_user(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first
