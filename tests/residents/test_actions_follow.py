"""Me too: a resident follows a public report instead of sending it again (issue 11)."""

import pytest
from django.test import Client

from gridgov.events.models import Subclass
from gridgov.residents.models import Follow, PublicView
from tests.residents.actions_helpers import reported, resident_named, set_state, snapshot


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(event) -> str:
    return f"/api/v1/resident/reports/{event.number}/follow"


@pytest.mark.django_db
def test_me_too_follows_once_however_often_it_is_sent(wenhui_point):
    reporter, neighbour = resident_named("a_rep"), resident_named("a_nb")
    event = reported(reporter, wenhui_point)
    client = client_of(neighbour)
    for _ in range(2):
        answer = client.post(url(event))
        assert answer.status_code == 200, answer.content
        assert answer.json() == {"following": True}
    follow = Follow.objects.get(event=event)
    assert (follow.user, follow.via) == (neighbour, Follow.Via.ME_TOO)
    answer = client.delete(url(event))
    assert answer.json() == {"following": False}
    assert not Follow.objects.filter(event=event).exists()
    assert client.delete(url(event)).status_code == 200  # idempotent


@pytest.mark.django_db
def test_me_too_is_refused_on_ones_own_report_and_a_finished_one(wenhui_point):
    reporter, neighbour = resident_named("b_rep"), resident_named("b_nb")
    event = reported(reporter, wenhui_point)
    before = snapshot(event)
    answer = client_of(reporter).post(url(event))
    assert answer.status_code == 409
    assert snapshot(event) == before
    for state in ("closed", "rejected", "voided", "evaluated"):
        set_state(event, state)
        before = snapshot(event)
        assert client_of(neighbour).post(url(event)).status_code == 409
        assert snapshot(event) == before


@pytest.mark.django_db
def test_only_public_reports_can_be_followed(wenhui_point, grid_worker):
    reporter, neighbour = resident_named("c_rep"), resident_named("c_nb")
    hidden = reported(reporter, wenhui_point)
    PublicView.objects.create(event=hidden, hidden=True, hidden_reason="私事")
    kind = Subclass.objects.filter(active=True, publication="none").exclude(code="0102").first()
    secret = reported(reporter, wenhui_point, subclass=kind.code)
    public = reported(reporter, wenhui_point)
    staff_report = reported(grid_worker, wenhui_point)
    assert staff_report.source not in ("resident", "hotline", "open311")
    for event in (hidden, secret, staff_report):
        before = snapshot(event)
        answer = client_of(neighbour).post(url(event))
        assert answer.status_code == 404, (event.number, answer.content)
        assert snapshot(event) == before
    assert client_of(neighbour).post(url(public)).status_code == 200
    missing = "/api/v1/resident/reports/nonexistent/follow"
    assert client_of(neighbour).post(missing).status_code == 404


@pytest.mark.django_db
def test_staff_and_anonymous_do_not_follow(wenhui_point, operator):
    event = reported(resident_named("d_rep"), wenhui_point)
    assert client_of(operator).post(url(event)).status_code == 403
    assert Client().post(url(event)).status_code == 401
    assert not Follow.objects.filter(event=event).exists()


@pytest.mark.django_db
def test_the_reporter_cannot_unfollow_their_own_report(wenhui_point):
    reporter = resident_named("e_rep")
    event = reported(reporter, wenhui_point)
    Follow.objects.create(event=event, user=reporter, via=Follow.Via.REPORTER)
    assert client_of(reporter).delete(url(event)).status_code == 409
    assert Follow.objects.filter(event=event, user=reporter).exists()
