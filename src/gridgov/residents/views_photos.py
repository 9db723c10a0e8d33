"""A report's own photos for the person who made it, by a signed link.

The resident's view of their report (signed in, or looked up by number and phone without an
account) lists its photos; the staff's photo URL checks a session that a look-up does not
have, and a phone's account may read them before it ever signs in. The link names the photo
and expires: made only for whoever was just shown the report as its own."""

import datetime as dt
from uuid import UUID

from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse

from gridgov.events.photos import Photo

SALT = "gridgov.residents.report_photo"
VALID_FOR = dt.timedelta(hours=2)


def report_photo_url(key: UUID | str) -> str:
    token = signing.dumps(str(key), salt=SALT, compress=True)
    return reverse("residents:report_photo", kwargs={"token": token})


def report_photo(request: HttpRequest, token: str) -> HttpResponse:
    try:
        key = UUID(signing.loads(token, salt=SALT, max_age=VALID_FOR))
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404 from None
    photo = Photo.objects.filter(key=key, event__isnull=False).first()
    if photo is None:
        raise Http404
    return photo_response(photo, cache_control="private, max-age=600")


def photo_response(photo: Photo, *, cache_control: str) -> FileResponse:
    """The photo's file; a row that outlived its file (a restore, a purge) is a 404."""
    try:
        content = photo.image.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(content, content_type="image/jpeg")
    response["Cache-Control"] = cache_control
    return response
