"""The photos of a report as its reporter and the public see them (issue 11): the reporter's
own view links them by a signed, expiring link that works without a session (a look-up by
number and phone has none); a "me too" follower gets only the center's approved photos, at
the public address."""

# ruff: noqa: F811 (the fixtures imported from telling_helpers are used as arguments)

import json

import pytest
from django.test import Client

from gridgov.events.photos import photo_store
from gridgov.residents.models import Follow, PublicView
from gridgov.residents.selectors_timeline import resident_report
from tests.events.factories import jpeg_bytes
from tests.residents.telling_helpers import (  # noqa: F401 (fixtures)
    _fresh_limits,
    loop,
    neighbour,
    reporter,
    shift_leader,
    squad_handler,
)


def _photo(user=None):
    return photo_store(user=user, name="p.jpg", content=jpeg_bytes())


@pytest.mark.django_db
def test_a_looked_up_report_shows_its_photos_by_signed_links(client, loop, wenhui_point):
    photo = _photo()
    event = loop.report(None, wenhui_point, reporter_phone="13900000006", photos=[photo.ref])
    answer = client.post(
        "/api/v1/resident/lookup",
        data=json.dumps({"number": event.number, "phone": "13900000006"}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    (url,) = answer.json()["photos"]
    assert url.startswith("/r/photo/")
    assert str(photo.key) not in url
    shown = Client().get(url)  # another browser, no session: the link is the right
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    # A link whose signature is changed is nothing.
    assert Client().get(url.replace(url[12:16], "AAAA")).status_code == 404


@pytest.mark.django_db
def test_a_me_too_follower_sees_only_approved_photos(loop, neighbour, wenhui_point):
    first, second = _photo(), _photo()
    event = loop.report(None, wenhui_point, photos=[first.ref, second.ref])
    Follow.objects.create(event=event, user=neighbour, via=Follow.Via.ME_TOO)
    assert resident_report(event, viewer=neighbour, via=Follow.Via.ME_TOO)["photos"] == []
    PublicView.objects.create(event=event, approved_photos=[str(second.key)])
    event.refresh_from_db()
    (url,) = resident_report(event, viewer=neighbour, via=Follow.Via.ME_TOO)["photos"]
    assert url == f"/r/public-photo/{second.key}.jpg"


@pytest.mark.django_db
def test_a_public_reply_reaches_the_followers_too(
    loop, reporter, neighbour, operator, wenhui_point
):
    from django.test import TestCase

    from gridgov.events.triage import event_triage
    from gridgov.notifications.models import Notification

    event = loop.report(reporter, wenhui_point)
    Follow.objects.create(event=event, user=neighbour, via=Follow.Via.ME_TOO)
    with TestCase.captureOnCommitCallbacks(execute=True):
        event_triage(
            user=operator, event_id=event.pk, urgency="urgent", public_reply="您好，已转相关部门"
        )
    told = Notification.objects.filter(event=event, kind="reply")
    assert sorted(told.values_list("user__username", flat=True)) == sorted(
        [reporter.username, neighbour.username]
    )
