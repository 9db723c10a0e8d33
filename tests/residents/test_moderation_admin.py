"""The back office's public views: the center changes them through the moderation
service (audited with its actor); nobody adds or deletes them there."""

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from gridgov.residents.models import PublicView
from tests.residents.public_factories import photo_of, report

pytestmark = pytest.mark.django_db


def _change(user, view, data):
    client = Client()
    client.force_login(user)
    url = reverse("admin:residents_publicview_change", args=[view.pk])
    return client, client.post(url, data)


def test_the_center_changes_a_public_view_through_the_service(wenhui_point, operator):
    event = report(wenhui_point)
    photo = photo_of(event)
    view = PublicView.objects.create(event=event)
    data = {
        "hidden": "on",
        "hidden_reason": "核实中",
        "public_text": "路灯不亮",
        "approved_photos": f'["{photo.key}"]',
    }
    _client, response = _change(operator, view, data)
    assert response.status_code == 302
    view.refresh_from_db()
    assert view.hidden
    assert view.public_text == "路灯不亮"
    assert view.moderated_by == operator
    assert LogEntry.objects.filter(object_pk=str(event.pk), actor=operator).exists()


def test_a_foreign_photo_is_refused_on_the_form(wenhui_point, operator):
    event, other = report(wenhui_point), report(wenhui_point)
    view = PublicView.objects.create(event=event)
    foreign = photo_of(other)
    data = {"public_text": "", "hidden_reason": "", "approved_photos": f'["{foreign.key}"]'}
    _client, response = _change(operator, view, data)
    assert response.status_code == 200
    view.refresh_from_db()
    assert view.approved_photos == []


def test_other_roles_cannot_change(wenhui_point, community_staff):
    event = report(wenhui_point)
    view = PublicView.objects.create(event=event)
    _client, response = _change(community_staff, view, {"hidden": "on", "hidden_reason": "x"})
    assert response.status_code in (302, 403)
    view.refresh_from_db()
    assert not view.hidden
