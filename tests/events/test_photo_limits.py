"""Photos under hostile input (issue 8, item 8): a decompression bomb is refused from its
header, a refused report stores no photo, and photos never attached are purged."""

import datetime as dt
import os
import struct
import time
import zlib

import pytest
from django.utils import timezone

from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.events.models import Event
from gridgov.events.photos import Photo, photo_store, photos_purge_unattached
from gridgov.events.services import event_act, event_report
from tests.events.conftest import report_data
from tests.events.factories import jpeg_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes whose header says width × height pixels (1 bit each): decoding it
    would take the memory of the whole image."""
    rows = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("width", "height"), [(10_000, 7_900), (6_000, 4_500), (60_000, 60_000)])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(reporter, width, height):
    started = time.monotonic()
    with pytest.raises(DomainError) as error:
        photo_store(user=reporter, name="bomb.png", content=png_claiming(width, height))
    assert time.monotonic() - started < 1.0
    assert (error.value.status, error.value.code, error.value.field) == (
        400,
        "too_many_pixels",
        "photo",
    )
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_a_phone_sized_photo_is_kept(reporter):
    photo = photo_store(user=reporter, name="p.jpg", content=jpeg_bytes(size=(4000, 3000)))
    assert (photo.width, photo.height) == (4000, 3000)


@pytest.mark.django_db
def test_a_refused_report_stores_none_of_its_photos(reporter, wenhui_point):
    files = [("a.jpg", jpeg_bytes()), ("b.jpg", jpeg_bytes())]
    for change in ({"subclass": "9999"}, {"lon": 116.4, "lat": 39.9}, {"description": ""}):
        with pytest.raises(DomainError):
            event_report(
                user=reporter,
                data=report_data(wenhui_point, **change),
                source="resident",
                photo_files=files,
            )
    assert not Photo.objects.exists()
    assert not Event.objects.exists()
    with pytest.raises(DomainError) as error:
        event_report(
            user=reporter,
            data=report_data(wenhui_point),
            source="resident",
            photo_files=files * 5,
        )
    assert error.value.field == "photos"
    assert not Photo.objects.exists()
    event = event_report(
        user=reporter, data=report_data(wenhui_point), source="resident", photo_files=files
    )
    assert event.photos.count() == 2
    assert len(event.timeline.get().data["photos"]) == 2


@pytest.mark.django_db
def test_a_refused_feedback_stores_none_of_its_photos(
    operator, reporter, grid_worker, community_staff, wenhui_point, street_squad
):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    event_act(user=operator, event_id=event.pk, action="accept")
    event_act(
        user=operator, event_id=event.pk, action="dispatch", data={"assignee_id": grid_worker.pk}
    )
    event_act(user=grid_worker, event_id=event.pk, action="accept_task")
    with pytest.raises(PermissionDenied):
        event_act(
            user=community_staff,
            event_id=event.pk,
            action="feedback",
            photo_files=[("a.jpg", jpeg_bytes())],
        )
    assert not Photo.objects.exists()
    event = event_act(
        user=grid_worker,
        event_id=event.pk,
        action="feedback",
        photo_files=[("a.jpg", jpeg_bytes())],
    )
    assert event.photos.count() == 1


@pytest.mark.django_db
def test_photos_never_attached_are_purged_with_their_files(
    reporter, wenhui_point, django_capture_on_commit_callbacks
):
    old_unattached = photo_store(user=reporter, name="a.jpg", content=jpeg_bytes())
    new_unattached = photo_store(user=reporter, name="b.jpg", content=jpeg_bytes())
    attached = photo_store(user=reporter, name="c.jpg", content=jpeg_bytes())
    event_report(
        user=reporter, data=report_data(wenhui_point, photos=[attached.ref]), source="resident"
    )
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    Photo.objects.filter(pk__in=[old_unattached.pk, attached.pk]).update(created_at=two_days_ago)
    path = old_unattached.image.path
    with django_capture_on_commit_callbacks(execute=True):
        assert photos_purge_unattached(older_than=dt.timedelta(hours=24)) == 1
    assert set(Photo.objects.values_list("pk", flat=True)) == {new_unattached.pk, attached.pk}
    assert not old_unattached.image.storage.exists(old_unattached.image.name)
    assert not os.path.exists(path)
    assert photos_purge_unattached() == 0  # idempotent
