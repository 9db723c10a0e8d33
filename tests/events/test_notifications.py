import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.events.models import Event
from gridgov.events.services import deadlines_sweep, event_act, event_report, whistle_blow
from gridgov.notifications.models import Notification
from tests.events.conftest import report_data


@pytest.mark.django_db
def test_dispatch_whistle_and_deadlines_reach_the_inbox(
    django_capture_on_commit_callbacks,
    operator,
    community_staff,
    squad_handler,
    shift_leader,
    reporter,
    wenhui_point,
    street_squad,
):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    event_act(user=operator, event_id=event.pk, action="accept")
    with django_capture_on_commit_callbacks(execute=True):
        event_act(
            user=operator,
            event_id=event.pk,
            action="dispatch",
            data={"department_id": street_squad.pk},
        )
    assert Notification.objects.get(user=squad_handler, kind="dispatched").event == event
    with django_capture_on_commit_callbacks(execute=True):
        whistle_blow(
            user=community_staff,
            event_id=event.pk,
            level="community",
            department_ids=[street_squad.pk],
            reason="x",
        )
    assert Notification.objects.filter(user=squad_handler, kind="summoned").count() == 1
    Event.objects.filter(pk=event.pk).update(stage_due_at=timezone.now() - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep()
        deadlines_sweep()
    assert Notification.objects.filter(user=squad_handler, kind="deadline_red").count() == 1
    assert Notification.objects.filter(user=shift_leader, kind="deadline_red").count() == 1
    client = Client()
    client.force_login(squad_handler)
    page = client.get("/inbox/").content.decode()
    assert event.number in page
    assert 'class="unread"' in page
    client.post("/inbox/")
    assert not Notification.objects.filter(user=squad_handler, read_at__isnull=True).exists()
