import io

import pytest
from django.test import Client
from PIL import Image

from gridgov.common.errors import DomainError
from gridgov.events.photos import Photo, photo_store
from gridgov.events.services import event_report
from tests.api.test_api import token_for
from tests.events.conftest import report_data
from tests.events.factories import jpeg_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_gps_is_kept_for_checking_and_every_exif_field_is_stripped(reporter):
    photo = photo_store(user=reporter, name="x.jpg", content=jpeg_bytes(gps=(100.2849, 26.8788)))
    assert photo.exif_lon == pytest.approx(100.2849, abs=1e-4)
    assert photo.exif_lat == pytest.approx(26.8788, abs=1e-4)
    with Image.open(photo.image.path) as stored:
        assert dict(stored.getexif()) == {}
    assert b"Owner Name" not in open(photo.image.path, "rb").read()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4 not a photo", b"", jpeg_bytes()[:200], b"GIF89a" + b"\x00" * 50],
)
def test_files_that_are_not_photos_are_refused(reporter, content):
    with pytest.raises(DomainError) as error:
        photo_store(user=reporter, name="x.jpg", content=content)
    assert error.value.field == "photo"
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_oversized_files_are_refused(reporter, settings):
    with pytest.raises(DomainError) as error:
        photo_store(user=reporter, name="x.jpg", content=b"\xff" * (8 * 1024 * 1024 + 1))
    assert error.value.code == "too_large"


@pytest.mark.django_db
def test_a_gif_is_not_accepted(reporter):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    with pytest.raises(DomainError):
        photo_store(user=reporter, name="x.gif", content=buffer.getvalue())


@pytest.mark.django_db
def test_upload_then_report_with_the_photo_and_not_twice(reporter, wenhui_point):
    client = Client(headers={"Authorization": f"Bearer {token_for(reporter)}"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploaded = client.post(
        "/api/v1/events/photos", {"file": SimpleUploadedFile("p.jpg", jpeg_bytes(gps=wenhui_point))}
    )
    assert uploaded.status_code == 201
    ref = uploaded.json()["ref"]
    event = event_report(
        user=reporter, data=report_data(wenhui_point, photos=[ref]), source="resident"
    )
    assert event.photos.count() == 1
    with pytest.raises(DomainError):
        event_report(user=reporter, data=report_data(wenhui_point, photos=[ref]), source="resident")
    with pytest.raises(DomainError):
        event_report(
            user=reporter,
            data=report_data(wenhui_point, photos=["photo:not-a-uuid"]),
            source="resident",
        )
    fake = client.post(
        "/api/v1/events/photos", {"file": SimpleUploadedFile("p.jpg", b"not an image")}
    )
    assert fake.status_code == 400
    assert fake.json()["field"] == "photo"
