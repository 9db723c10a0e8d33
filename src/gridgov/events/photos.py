"""Photos of events: validated, size-limited, GPS kept for checking, every other EXIF field stripped.

An upload is decoded by Pillow (so a renamed PDF or a truncated file is refused),
turned upright, and saved again as JPEG without metadata: a phone photo carries the
device, the time and sometimes the owner's name, which must not travel further.
The GPS position is read first and stored beside it, to check the report's location.
"""

import datetime as dt
import hashlib
import io
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from gridgov.common.errors import Conflict, DomainError

MAX_BYTES = getattr(settings, "GRIDGOV_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
# A decompression bomb is refused from its header, before it is decoded: a 9.7 KB PNG that
# says 79 Mpx took 7.4 s and 463 MB to decode (issue 8). 25 Mpx holds a phone's full-size
# photo (a 48 Mpx sensor saves 12 Mpx by default) and decodes in about 75 MB.
MAX_PIXELS = getattr(settings, "GRIDGOV_PHOTO_MAX_PIXELS", 25_000_000)
FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
# Pillow's own guard as a second line (it raises only above twice this, warns below).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
UNATTACHED_KEPT = dt.timedelta(hours=24)  # time to write the report after uploading its photo


class Photo(models.Model):
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(
        "events.Event",
        verbose_name=gettext_lazy("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image = models.ImageField(upload_to="photos/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    exif_lon = models.FloatField(null=True, blank=True)
    exif_lat = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "events"
        verbose_name = gettext_lazy("photo")
        verbose_name_plural = gettext_lazy("photos")

    def __str__(self) -> str:
        return f"photo:{self.key}"

    @property
    def ref(self) -> str:
        return f"photo:{self.key}"


def _gps(image: Image.Image) -> tuple[float | None, float | None]:
    try:
        gps = image.getexif().get_ifd(0x8825)
    except Exception:  # a broken EXIF block is not a reason to refuse the photo
        return None, None
    if not gps or 2 not in gps or 4 not in gps:
        return None, None

    def degrees(value) -> float:
        d, m, s = (float(x) for x in value)
        return d + m / 60 + s / 3600

    try:
        lat = degrees(gps[2]) * (-1 if gps.get(1) == "S" else 1)
        lon = degrees(gps[4]) * (-1 if gps.get(3) == "W" else 1)
    except (TypeError, ValueError, ZeroDivisionError):
        return None, None
    return round(lon, 7), round(lat, 7)


def _too_many_pixels(pixels: int | None = None) -> DomainError:
    message = _("A photo may have at most %(mpx)s megapixels.") % {"mpx": MAX_PIXELS // 1_000_000}
    if pixels:
        message += " " + _("This one has %(has)s.") % {"has": round(pixels / 1_000_000, 1)}
    return DomainError(message, code="too_many_pixels", field="photo")


def _pixels_check(size: tuple[int, int]) -> None:
    width, height = size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width * height)


def photo_store(*, user, name: str, content: bytes) -> Photo:
    if len(content) > MAX_BYTES:
        raise DomainError(
            _("A photo may be at most %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)},
            code="too_large",
            field="photo",
        )
    try:
        with warnings.catch_warnings():
            # Between the limit and twice it Pillow only warns: _pixels_check refuses it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(content))  # reads the header only
        with probe:
            if probe.format not in FORMATS:
                raise DomainError(
                    _("Send a JPEG, PNG or WebP photo."), code="bad_image", field="photo"
                )
            _pixels_check(probe.size)
            probe.verify()
        image = Image.open(io.BytesIO(content))
        _pixels_check(image.size)
        lon, lat = _gps(image)
        image = ImageOps.exif_transpose(image).convert("RGB")
    except Image.DecompressionBombError:  # Pillow's own header check, above twice the limit
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(
            _("The file is not a photo we can read."), code="bad_image", field="photo"
        ) from None
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)  # no exif= argument: metadata is dropped
    clean = buffer.getvalue()
    photo = Photo(
        uploaded_by=user if user is not None and user.is_authenticated else None,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(clean).hexdigest(),
        exif_lon=lon,
        exif_lat=lat,
    )
    photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(clean), save=False)
    photo.save()
    return photo


def photos_for_refs(refs: list, *, user) -> list[Photo]:
    """The uploaded, not yet attached photos named by `refs` ("photo:<uuid>"), or a clear error."""
    keys = []
    for ref in refs or []:
        text = str(ref)
        try:
            keys.append(uuid.UUID(text.removeprefix("photo:")))
        except ValueError:
            raise DomainError(
                _("%(ref)s is not an uploaded photo.") % {"ref": text},
                code="bad_photo",
                field="photos",
            ) from None
    if not keys:
        return []  # most reports: no queryset to build
    photos = list(Photo.objects.filter(key__in=keys, event__isnull=True))
    if len(photos) != len(set(keys)):
        raise DomainError(
            _("A photo was not found or belongs to another event; upload it again."),
            code="bad_photo",
            field="photos",
        )
    for photo in photos:
        if (
            photo.uploaded_by_id
            and user is not None
            and photo.uploaded_by_id != getattr(user, "pk", None)
        ):
            raise DomainError(
                _("Use photos you uploaded yourself."), code="bad_photo", field="photos"
            )
    return photos


def photos_attach(photos: list[Photo], event) -> None:
    """Give stored photos to an event, each only if no other event took it meanwhile (two
    sends naming one photo): a Conflict, so the writer's transaction rolls back."""
    for photo in photos:
        if not Photo.objects.filter(pk=photo.pk, event__isnull=True).update(event=event):
            raise Conflict(_("A photo was attached to another event just now."), code="stale")


def photos_purge_unattached(*, older_than: dt.timedelta = UNATTACHED_KEPT) -> int:
    """Delete photos uploaded more than `older_than` ago and never attached to an event (a
    report that was abandoned or refused) nor to a care visit (`care_visits`, the reverse
    relation the care app names; events never imports care), files included. Idempotent;
    returns how many."""
    cutoff = timezone.now() - older_than
    purged = 0
    unattached = {"event__isnull": True, "care_visits__isnull": True}
    for photo in Photo.objects.filter(created_at__lt=cutoff, **unattached).iterator():
        # Only while still unattached: a report or a visit that took it now keeps it.
        if Photo.objects.filter(pk=photo.pk, **unattached).delete()[0]:
            name = photo.image.name
            storage = photo.image.storage
            transaction.on_commit(lambda n=name, s=storage: s.delete(n))
            purged += 1
    return purged
