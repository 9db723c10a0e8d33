"""Withdrawal of personal data (issue 11): the report stays, the person goes — by the
reporter, or by the center on their request."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client

from gridgov.accounts.roles import Role
from gridgov.events.models import Event
from gridgov.residents.models import Addition, Follow, PublicView
from tests.residents.public_factories import photo_of, report, user_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_counts():
    cache.clear()


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _reported(point, resident):
    event = report(
        point,
        user=resident,
        reporter_name="和丽华",
        reporter_phone="13908881234",
        description="和丽华家门口路灯坏了",
    )
    Follow.objects.get_or_create(event=event, user=resident, defaults={"via": "reporter"})
    # The same person, signed in by the phone they gave (a second account).
    by_phone = user_with("t_by_phone", Role.RESIDENT, None, phone="13908881234")
    Follow.objects.create(event=event, user=by_phone, via="lookup")
    stranger = user_with("t_stranger", Role.RESIDENT, None, phone="13900000000")
    Follow.objects.create(event=event, user=stranger, via="me_too")
    photo_of(event, resident)
    Addition.objects.create(event=event, user=resident, text="又坏了")
    PublicView.objects.create(event=event, reporter_named=True)
    return event, stranger


def _assert_person_gone(event, resident, stranger):
    event.refresh_from_db()
    assert event.reporter_id is None
    assert event.reporter_name == ""
    assert event.reporter_phone == ""
    assert list(Follow.objects.filter(event=event).values_list("user_id", flat=True)) == [
        stranger.pk
    ]
    assert not event.photos.filter(uploaded_by=resident).exists()
    assert not Addition.objects.filter(event=event, user=resident).exists()
    view = PublicView.objects.get(event=event)
    assert view.reporter_named is False
    # The name typed into the description stays masked without the reporter's name.
    assert view.public_text == "***家门口路灯坏了"
    assert event.description == "和丽华家门口路灯坏了"
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Event), object_pk=str(event.pk)
    ).latest("pk")
    assert entry.changes_dict["reporter_phone"] == ["***", ""]
    assert "13908881234" not in str(entry.changes) + str(entry.additional_data)


def test_the_reporter_withdraws_and_the_report_stays(wenhui_point, resident):
    event, stranger = _reported(wenhui_point, resident)
    response = _client(resident).post(f"/api/v1/resident/reports/{event.number}/withdraw")
    assert response.status_code == 200
    assert response.json() == {"number": event.number, "withdrawn": True}
    _assert_person_gone(event, resident, stranger)
    assert LogEntry.objects.filter(object_pk=str(event.pk), actor=resident).exists()
    public = _client().get(f"/api/v1/public/reports/{event.number}")
    assert public.status_code == 200
    assert public.json()["reporter_name"] is None
    assert public.json()["timeline"]
    # Again: nothing left of theirs, so 404 (it is no longer their report).
    again = _client(resident).post(f"/api/v1/resident/reports/{event.number}/withdraw")
    assert again.status_code == 404


def test_the_center_withdraws_on_request(wenhui_point, resident, operator):
    event, stranger = _reported(wenhui_point, resident)
    url = f"/api/v1/resident/desk/{event.pk}/withdraw-reporter"
    response = _client(operator).post(url)
    assert response.status_code == 200
    _assert_person_gone(event, resident, stranger)
    assert LogEntry.objects.filter(object_pk=str(event.pk), actor=operator).exists()
    # Idempotent: a second request changes nothing more.
    count = LogEntry.objects.count()
    assert _client(operator).post(url).status_code == 200
    assert LogEntry.objects.count() == count


@pytest.mark.parametrize("persona", ["anonymous", "other_resident", "operator", "stranger"])
def test_only_the_reporter_withdraws_their_report(wenhui_point, resident, operator, persona):
    event, stranger = _reported(wenhui_point, resident)
    user = {
        "anonymous": None,
        "other_resident": user_with("t_other", Role.RESIDENT, None),
        "operator": operator,
        "stranger": stranger,  # a follower is not the reporter
    }[persona]
    before = LogEntry.objects.count()
    response = _client(user).post(f"/api/v1/resident/reports/{event.number}/withdraw")
    assert response.status_code in (401, 404)
    event.refresh_from_db()
    assert event.reporter_id == resident.pk
    assert event.reporter_phone == "13908881234"
    assert Follow.objects.filter(event=event).count() == 3
    assert LogEntry.objects.count() == before
