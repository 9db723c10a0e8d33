from collections.abc import Iterable

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.notifications.models import Notification


def notify(*, users: Iterable[User], kind: str, text: str, event=None) -> int:
    """Put a message in each user's inbox, once per user."""
    rows = [
        Notification(user=u, event=event, kind=kind, text=text[:300])
        for u in {u.pk: u for u in users if u is not None}.values()
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


def inbox(*, user: User, unread_only: bool = False):
    queryset = Notification.objects.filter(user=user).select_related("event")
    return queryset.filter(read_at__isnull=True) if unread_only else queryset
