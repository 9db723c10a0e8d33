"""The daily warning of overdue visits, the need → event step, and visit photos kept."""

import datetime as dt
import uuid

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from gridgov.care.models import ResidentTag, Visit
from gridgov.care.overdue import KIND, overdue_visits_warn
from gridgov.care.visits import visit_record
from gridgov.events.models import Event
from gridgov.events.photos import Photo, photos_purge_unattached
from gridgov.notifications.models import Notification
from tests.events.factories import jpeg_bytes


@pytest.mark.django_db
def test_grid_workers_are_warned_once_a_day(
    grid_worker, community_staff, granny_alone, convict_tagged
):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ResidentTag.objects.update(visit_due=yesterday)
    assert overdue_visits_warn() == 2
    assert overdue_visits_warn() == 0  # the same day: nothing again
    notes = Notification.objects.filter(kind=KIND)
    # The grid's workers, one message each (the seeds' workers of the grid too); not staff.
    assert grid_worker in [n.user for n in notes]
    assert {n.user.role for n in notes} == {"grid_worker"}
    assert len(notes) == len({n.user_id for n in notes})
    notes = notes.filter(user=grid_worker)
    assert "王秀英（独居老人）" in notes[0].text
    assert "李建军（社区矫正人员）" in notes[0].text
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert overdue_visits_warn(today=tomorrow) == 2
    # A visit clears it: the next day's warning leaves the visited person out.
    visit_record(user=grid_worker, resident_id=granny_alone.resident_id, outcome="well")
    assert overdue_visits_warn(today=tomorrow + dt.timedelta(days=1)) == 1


@pytest.mark.django_db
def test_a_need_found_at_a_visit_becomes_an_event_once(client, grid_worker, granny_alone):
    photo = Photo(uploaded_by=grid_worker, width=64, height=48, sha256="2" * 64)
    photo.image.save("visit.jpg", ContentFile(jpeg_bytes()), save=False)
    photo.save()
    visit, _ = visit_record(
        user=grid_worker,
        resident_id=granny_alone.resident_id,
        outcome="needs_help",
        note="水管漏水, 需要帮忙",
        photo=f"photo:{photo.key}",
    )
    client.force_login(grid_worker)
    first = client.post(
        f"/api/v1/care/visits/{visit.pk}/event", {}, content_type="application/json"
    )
    assert first.status_code == 201, first.content
    event = Event.objects.get(pk=first.json()["event_id"])
    assert event.source == "worker"
    assert event.subclass.code == "2401"
    assert "水管漏水" in event.description
    assert event.area_id == granny_alone.area_id
    assert list(event.photos.all()) == [photo]
    again = client.post(
        f"/api/v1/care/visits/{visit.pk}/event", {}, content_type="application/json"
    )
    assert again.status_code == 200
    assert again.json()["event_id"] == event.pk
    assert Event.objects.count() == 1
    assert Visit.objects.get(pk=visit.pk).event_id == event.pk


@pytest.mark.django_db
def test_a_visit_without_a_need_is_no_event(
    client, grid_worker, other_community_staff, granny_alone
):
    visit, _ = visit_record(user=grid_worker, resident_id=granny_alone.resident_id, outcome="well")
    client.force_login(grid_worker)
    answer = client.post(
        f"/api/v1/care/visits/{visit.pk}/event", {}, content_type="application/json"
    )
    assert answer.status_code == 400
    client.force_login(other_community_staff)
    answer = client.post(
        f"/api/v1/care/visits/{visit.pk}/event", {}, content_type="application/json"
    )
    assert answer.status_code == 404
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_the_purge_keeps_visit_photos(grid_worker, granny_alone):
    kept = Photo(uploaded_by=grid_worker, width=64, height=48, sha256="3" * 64)
    kept.image.save("kept.jpg", ContentFile(jpeg_bytes()), save=False)
    kept.save()
    lost = Photo(uploaded_by=grid_worker, width=64, height=48, sha256="4" * 64)
    lost.image.save("lost.jpg", ContentFile(jpeg_bytes()), save=False)
    lost.save()
    visit_record(
        user=grid_worker,
        resident_id=granny_alone.resident_id,
        outcome="well",
        photo=f"photo:{kept.key}",
        client_uuid=uuid.uuid4(),
    )
    Photo.objects.update(created_at=timezone.now() - dt.timedelta(days=30))
    assert photos_purge_unattached() == 1
    assert list(Photo.objects.all()) == [kept]
