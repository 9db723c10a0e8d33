"""Moderation by the center (issue 11): hide, reword, approve photos — the original kept,
each change audited — and only by the command center of the event's area."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client

from gridgov.accounts.roles import Role
from gridgov.events.models import Event
from gridgov.residents.models import PublicView
from tests.conftest import JINJIA
from tests.residents.public_factories import photo_of, report, user_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_counts():
    cache.clear()


def _url(event) -> str:
    return f"/api/v1/resident/desk/{event.pk}/moderation"


def _post(user, url, body):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.post(url, body, content_type="application/json")


def test_wording_edit_shows_publicly_original_kept_and_audited(wenhui_point, operator):
    event = report(wenhui_point, description="门口垃圾堆了三天 电话13908881234")
    response = _post(operator, _url(event), {"hidden": False, "public_text": "门口垃圾堆积"})
    assert response.status_code == 200, response.content
    assert response.json()["public_text"] == "门口垃圾堆积"
    assert response.json()["reworded"]
    public = Client().get(f"/api/v1/public/reports/{event.number}").json()
    assert public["public_text"] == "门口垃圾堆积"
    event.refresh_from_db()
    assert event.description == "门口垃圾堆了三天 电话13908881234"
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(PublicView), object_pk=str(event.pk)
    )
    assert entry.actor == operator
    assert entry.changes_dict["public_text"][1] == "门口垃圾堆积"
    # A second change is audited with its before and after.
    _post(operator, _url(event), {"hidden": False, "public_text": "门口垃圾已堆积三天"})
    latest = LogEntry.objects.filter(object_pk=str(event.pk)).order_by("-pk").first()
    assert latest.changes_dict["public_text"] == ["门口垃圾堆积", "门口垃圾已堆积三天"]


def test_the_default_wording_is_stored_blank(wenhui_point, operator):
    event = report(wenhui_point, description="电话13908881234 路灯坏了")
    response = _post(operator, _url(event), {"hidden": False, "public_text": "电话*** 路灯坏了"})
    assert response.json()["reworded"] is False
    assert PublicView.objects.get(event=event).public_text == ""


def test_hiding_needs_a_reason_and_photos_must_be_the_events(wenhui_point, operator):
    event, elsewhere = report(wenhui_point), report(wenhui_point)
    assert _post(operator, _url(event), {"hidden": True}).status_code == 400
    foreign = photo_of(elsewhere)
    response = _post(operator, _url(event), {"approved_photos": [str(foreign.key)]})
    assert response.status_code == 400
    assert response.json()["field"] == "approved_photos"
    assert _post(operator, _url(event), {"approved_photos": ["not-a-key"]}).status_code == 400
    assert not PublicView.objects.filter(event=event).exists()
    own = photo_of(event)
    response = _post(operator, _url(event), {"approved_photos": [str(own.key).upper()]})
    assert response.json()["approved_photos"] == [str(own.key)]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("reporter", 403),
        ("other_resident", 404),
        ("other_area_operator", 404),
        ("community_staff", 403),
        ("grid_worker", 403),
    ],
)
def test_only_the_center_of_the_area_moderates_and_withdraws(
    wenhui_point, resident, community_staff, grid_worker, persona, status
):
    event = report(
        wenhui_point, user=resident, reporter_name="和丽华", reporter_phone="13908881234"
    )
    users = {
        "anonymous": None,
        "reporter": resident,
        "other_resident": user_with("t_other_resident", Role.RESIDENT, None),
        "other_area_operator": user_with("t_jinjia_operator", Role.OPERATOR, JINJIA),
        "community_staff": community_staff,
        "grid_worker": grid_worker,
    }
    user = users[persona]
    before = LogEntry.objects.count()
    response = _post(user, _url(event), {"hidden": True, "hidden_reason": "x"})
    assert response.status_code == status
    response = _post(user, f"/api/v1/resident/desk/{event.pk}/withdraw-reporter", {})
    assert response.status_code == status
    assert not PublicView.objects.filter(event=event).exists()
    event.refresh_from_db()
    assert event.reporter_id == resident.pk
    assert event.reporter_phone == "13908881234"
    assert LogEntry.objects.count() == before
    # The page's form is refused too, and changes nothing.
    client = Client()
    if user is not None:
        client.force_login(user)
    page = client.post(f"/r/desk/{event.pk}/moderation/", {"hidden": "on", "hidden_reason": "x"})
    assert page.status_code in (302, 403, 404)
    if page.status_code == 302:
        assert "/accounts/login/" in page["Location"]
    assert not PublicView.objects.filter(event=event).exists()


def test_the_event_page_panel_saves_through_the_service(wenhui_point, operator):
    event = report(wenhui_point, description="电话13908881234 路灯坏了")
    photo = photo_of(event)
    client = Client()
    client.force_login(operator)
    page = client.get(f"/events/{event.pk}/")
    html = page.content.decode()
    assert 'id="moderation-form"' in html
    assert str(photo.key) in html
    assert "电话*** 路灯坏了" in html
    response = client.post(
        f"/r/desk/{event.pk}/moderation/",
        {"public_text": "路灯坏了", "approved_photos": [str(photo.key)]},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.pk}/"
    view = PublicView.objects.get(event=event)
    assert view.public_text == "路灯坏了"
    assert view.approved_photos == [str(photo.key)]
    assert not view.hidden
    # A refusal comes back as a message, nothing saved.
    client.post(f"/r/desk/{event.pk}/moderation/", {"hidden": "on", "hidden_reason": ""})
    assert not PublicView.objects.get(event=event).hidden


def test_the_panel_is_not_drawn_for_other_roles(wenhui_point, community_staff):
    event = report(wenhui_point)
    client = Client()
    client.force_login(community_staff)
    page = client.get(f"/events/{event.pk}/")
    assert page.status_code == 200
    assert 'id="moderation-form"' not in page.content.decode()


def test_events_are_never_changed_by_moderation(wenhui_point, operator):
    event = report(wenhui_point)
    before = Event.objects.filter(pk=event.pk).values().get()
    _post(operator, _url(event), {"hidden": True, "hidden_reason": "重复", "public_text": "新"})
    assert Event.objects.filter(pk=event.pk).values().get() == before


def test_a_field_not_sent_keeps_its_value_and_photo_refs_are_accepted(wenhui_point, operator):
    event = report(wenhui_point)
    first, second = photo_of(event), photo_of(event)
    body = {"approved_photos": [f"photo:{first.key}", str(second.key), f"photo:{second.key}"]}
    response = _post(operator, _url(event), body)
    assert response.status_code == 200, response.content
    assert response.json()["approved_photos"] == [str(first.key), str(second.key)]
    # Rewording alone keeps the approved photos; hiding alone keeps the wording.
    response = _post(operator, _url(event), {"public_text": "路灯不亮"})
    assert response.json()["approved_photos"] == [str(first.key), str(second.key)]
    response = _post(operator, _url(event), {"hidden": True, "hidden_reason": "核实中"})
    assert (response.json()["public_text"], response.json()["hidden"]) == ("路灯不亮", True)
    assert response.json()["approved_photos"] == [str(first.key), str(second.key)]
    # Null is "unchanged" too; an empty list is "none approved".
    response = _post(operator, _url(event), {"hidden": None, "approved_photos": None})
    assert response.json()["hidden"] is True
    assert response.json()["hidden_reason"] == "核实中"
    response = _post(operator, _url(event), {"hidden": False, "approved_photos": []})
    assert response.json()["approved_photos"] == []
    assert (response.json()["hidden"], response.json()["hidden_reason"]) == (False, "")
    view = PublicView.objects.get(event=event)
    assert (view.public_text, view.approved_photos) == ("路灯不亮", [])
    assert _post(operator, _url(event), {"approved_photos": ["photo:nope"]}).status_code == 400
