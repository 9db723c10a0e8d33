"""Add, rate, reopen (issue 11): a reporter or follower adds words and photos to an open
report, the reporter rates a closed one on the five-level scale with a comment, and "still
not fixed" sends a closed one back to the center within the configured days."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.events.models import Event, TimelineEntry
from gridgov.events.photos import Photo
from gridgov.events.services import event_act
from gridgov.notifications.models import Notification
from gridgov.residents.models import Addition, Follow
from tests.events.factories import photo_ref
from tests.residents.actions_helpers import (
    center_person,
    reported,
    resident_named,
    set_state,
    snapshot,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user, event, what: str, body: dict):
    return client_of(user).post(
        f"/api/v1/resident/reports/{event.number}/{what}", body, content_type="application/json"
    )


@pytest.fixture
def shift_leader(db):
    return center_person("shift_leader")


@pytest.fixture
def people(db):
    reporter = resident_named("r_rep", "13908881234")
    follower = resident_named("r_fol")
    stranger = resident_named("r_str")
    return reporter, follower, stranger


def following(event, user):
    Follow.objects.create(event=event, user=user, via=Follow.Via.ME_TOO)


# Additions ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_reporter_adds_words_and_a_photo_and_the_handler_hears(
    people, wenhui_point, grid_worker, django_capture_on_commit_callbacks
):
    reporter, follower, _stranger = people
    event = set_state(reported(reporter, wenhui_point), "dispatched", assignee=grid_worker)
    ref = photo_ref(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(reporter, event, "additions", {"text": "垃圾又多了", "photos": [ref]})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["text"] == "垃圾又多了"
    assert body["photos"] == [ref]
    addition = Addition.objects.get(event=event)
    assert (addition.user, addition.text) == (reporter, "垃圾又多了")
    assert Photo.objects.get(key=ref.removeprefix("photo:")).event_id == event.pk
    step = TimelineEntry.objects.get(event=event, action="resident_addition")
    assert step.actor == reporter
    assert step.comment == "垃圾又多了"
    assert step.data["public"] is True
    assert step.data["photos"] == [ref]
    assert (step.from_state, step.to_state) == ("dispatched", "dispatched")
    told = Notification.objects.get(kind="resident_addition")
    assert told.user == grid_worker
    assert "垃圾又多了" in told.text
    # A follower adds too; the event's state and version are as they were.
    following(event, follower)
    assert post(follower, event, "additions", {"text": "我也看到了"}).status_code == 201
    event.refresh_from_db()
    assert (event.state, event.version) == ("dispatched", 0)


@pytest.mark.django_db
def test_nobody_holding_it_the_shift_leaders_hear(
    people, wenhui_point, shift_leader, django_capture_on_commit_callbacks
):
    reporter = people[0]
    event = reported(reporter, wenhui_point)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(reporter, event, "additions", {"text": "补充"}).status_code == 201
    assert Notification.objects.filter(kind="resident_addition", user=shift_leader).exists()


@pytest.mark.django_db
def test_additions_refused(people, wenhui_point, operator):
    reporter, follower, stranger = people
    event = reported(reporter, wenhui_point)
    other = reported(stranger, wenhui_point)
    attached = Photo.objects.get(key=photo_ref(stranger).removeprefix("photo:"))
    Photo.objects.filter(pk=attached.pk).update(event=other)
    cases = [
        (stranger, {"text": "别人的"}, 404),
        (operator, {"text": "员工"}, 403),
        (reporter, {"text": "x" * 1001}, 400),
        (reporter, {"text": "x" * 20_000}, 422),
        (reporter, {"text": "  "}, 400),
        (reporter, {"text": "别人的照片", "photos": [attached.ref]}, 400),
        (reporter, {"text": "他人上传", "photos": [photo_ref(stranger)]}, 400),
        (reporter, {"text": "坏引用", "photos": ["photo:not-a-uuid"]}, 400),
        (reporter, {"text": "太多", "photos": [photo_ref(reporter) for _ in range(10)]}, 400),
    ]
    for user, body, status in cases:
        before = snapshot(event)
        answer = post(user, event, "additions", body)
        assert answer.status_code == status, (user, body, answer.content)
        assert set(answer.json()) >= {"code", "message", "field"}
        assert snapshot(event) == before
    assert Client().post(f"/api/v1/resident/reports/{event.number}/additions").status_code == 401
    for state in ("closed", "rejected", "voided", "evaluated"):
        set_state(event, state)
        before = snapshot(event)
        assert post(reporter, event, "additions", {"text": "晚了"}).status_code == 409
        assert snapshot(event) == before


# Rating ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_reporter_rates_basically_satisfied_with_a_comment(people, wenhui_point):
    reporter = people[0]
    event = set_state(reported(reporter, wenhui_point), "closed")
    answer = post(reporter, event, "rating", {"satisfaction": "basically", "comment": "慢了点"})
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "number": event.number,
        "state": "evaluated",
        "satisfaction": "basically",
    }
    step = TimelineEntry.objects.get(event=event, action="evaluate")
    assert step.comment == "慢了点"
    assert step.data == {"satisfaction": "basically", "callback": False}
    assert step.actor == reporter


@pytest.mark.django_db
def test_rating_refused(people, wenhui_point, operator):
    reporter, follower, stranger = people
    event = set_state(reported(reporter, wenhui_point), "closed")
    following(event, follower)
    cases = [
        (reporter, {}, 422),  # nothing preset: a rating must be chosen
        (reporter, {"satisfaction": "satisfied-ish"}, 422),
        (reporter, {"satisfaction": "satisfied", "comment": "x" * 501}, 400),
        (follower, {"satisfaction": "satisfied"}, 403),
        (stranger, {"satisfaction": "satisfied"}, 404),
        (operator, {"satisfaction": "satisfied"}, 403),
    ]
    for user, body, status in cases:
        before = snapshot(event)
        answer = post(user, event, "rating", body)
        assert answer.status_code == status, (user, body, answer.content)
        assert snapshot(event) == before
    set_state(event, "handled", closed_at=None)
    before = snapshot(event)
    assert post(reporter, event, "rating", {"satisfaction": "satisfied"}).status_code == 409
    assert snapshot(event) == before


# Reopen ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_still_not_fixed_goes_back_to_the_center_with_the_photo(
    people, wenhui_point, shift_leader, grid_worker, django_capture_on_commit_callbacks
):
    reporter = people[0]
    event = set_state(
        reported(reporter, wenhui_point),
        "closed",
        assignee=grid_worker,
        satisfaction="",
    )
    ref = photo_ref(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(reporter, event, "reopen", {"text": "还是没修好", "photos": [ref]})
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "filed"
    event.refresh_from_db()
    assert (event.state, event.closed_at, event.assignee, event.satisfaction) == (
        "filed",
        None,
        None,
        "",
    )
    assert event.stage_due_at is not None  # the dispatch stage's clock runs again
    step = TimelineEntry.objects.get(event=event, action="resident_reopen")
    assert (step.comment, step.actor, step.from_state, step.to_state) == (
        "还是没修好",
        reporter,
        "closed",
        "filed",
    )
    assert step.data["photos"] == [ref]
    assert Photo.objects.get(key=ref.removeprefix("photo:")).event_id == event.pk
    told = Notification.objects.filter(kind="reopened")
    assert told.filter(user=shift_leader, text__contains="还是没修好").exists()
    assert {n.user.role for n in told} == {"shift_leader"}  # the center, not the old handler


@pytest.mark.django_db
def test_a_follower_reopens_a_rated_report(people, wenhui_point):
    reporter, follower, _stranger = people
    event = set_state(reported(reporter, wenhui_point), "evaluated", satisfaction="satisfied")
    following(event, follower)
    answer = post(follower, event, "reopen", {"text": "我家门口还在漏水"})
    assert answer.status_code == 200, answer.content
    event.refresh_from_db()
    assert (event.state, event.satisfaction) == ("filed", "")


@pytest.mark.django_db
def test_reopen_refused(people, wenhui_point, operator, settings):
    settings.GRIDGOV_REOPEN_DAYS = 7
    reporter, follower, stranger = people
    event = set_state(reported(reporter, wenhui_point), "closed")
    other = reported(stranger, wenhui_point)
    attached = Photo.objects.get(key=photo_ref(stranger).removeprefix("photo:"))
    Photo.objects.filter(pk=attached.pk).update(event=other)
    cases = [
        (stranger, {"text": "不是我的"}, 404),
        (operator, {"text": "员工"}, 403),
        (reporter, {"text": ""}, 400),
        (reporter, {"text": "x" * 1001}, 400),
        (reporter, {"text": "x" * 20_000}, 422),
        (reporter, {"text": "别人的照片", "photos": [attached.ref]}, 400),
        (reporter, {"text": "他人上传", "photos": [photo_ref(stranger)]}, 400),
    ]
    for user, body, status in cases:
        before = snapshot(event)
        answer = post(user, event, "reopen", body)
        assert answer.status_code == status, (user, body, answer.content)
        assert snapshot(event) == before
    # The window passed: refused, nothing changed.
    set_state(event, "closed", closed_at=timezone.now() - dt.timedelta(days=7, minutes=1))
    before = snapshot(event)
    answer = post(reporter, event, "reopen", {"text": "过期了"})
    assert (answer.status_code, answer.json()["code"]) == (409, "reopen_window_passed")
    assert snapshot(event) == before
    # Not closed: refused.
    for state in ("dispatched", "rejected", "voided"):
        set_state(event, state, closed_at=timezone.now())
        before = snapshot(event)
        assert post(reporter, event, "reopen", {"text": "没修好"}).status_code == 409
        assert snapshot(event) == before


@pytest.mark.django_db
def test_staff_may_not_take_the_residents_reopen_row(people, wenhui_point, operator):
    from gridgov.common.errors import PermissionDenied

    event = set_state(reported(people[0], wenhui_point), "closed")
    with pytest.raises(PermissionDenied):
        event_act(user=operator, event_id=event.pk, action="resident_reopen", comment="代办")
    assert Event.objects.get(pk=event.pk).state == "closed"
