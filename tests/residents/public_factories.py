"""Reports for the public part's tests: made through intake, with photos attached."""

from django.core.files.base import ContentFile

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area
from gridgov.events.models import Event, Source, Subclass
from gridgov.events.photos import Photo
from gridgov.events.services import event_report
from tests.events.factories import jpeg_bytes


def subclass_of(publication: str) -> Subclass:
    return Subclass.objects.filter(
        active=True, photo_required=False, publication=publication, public_facility=False
    ).order_by("code")[0]


def report(
    point,
    *,
    user: User | None = None,
    publication: str = Subclass.Publication.PUBLIC_SOURCES,
    description: str = "路灯不亮，晚上很黑",
    **data,
) -> Event:
    return event_report(
        user=user,
        data={
            "subclass": subclass_of(publication).code,
            "description": description,
            "lon": point[0],
            "lat": point[1],
            "client_uuid": None,
            **data,
        },
        source=Source.RESIDENT,
    )


def photo_of(event: Event, user: User | None = None) -> Photo:
    photo = Photo(event=event, uploaded_by=user, width=64, height=48, sha256="0" * 64)
    photo.image.save("p.jpg", ContentFile(jpeg_bytes()), save=False)
    photo.save()
    return photo


def user_with(username: str, role: str, area_code: str | None, **fields) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "role": role,
            "area": Area.objects.get(code=area_code) if area_code else None,
            "is_staff": role != Role.RESIDENT,
            **fields,
        },
    )
    return user
