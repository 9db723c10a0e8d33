"""The inbox (always) and the configured channels (SMS, WeChat, webhooks) with a delivery log
and retries. `notify` writes the inbox rows and their pending deliveries in one go and, once
that commits, enqueues one task per delivery (notifications/tasks.py, sending.py)."""

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.notifications.models import Channel, Delivery, Notification
from gridgov.notifications.tasks import deliveries_enqueue


def notify(*, users: Iterable[User], kind: str, text: str, event=None) -> int:
    """Put a message in each user's inbox, once per user, and queue it on every active
    channel that carries this kind of message."""
    rows = [
        Notification(user=u, event=event, kind=kind, text=text[:300])
        for u in {u.pk: u for u in users if u is not None}.values()
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows)
        channels = [c for c in Channel.objects.filter(active=True) if c.carries(kind)]
        if channels and rows:
            if rows[0].pk is None:  # backends that do not return ids from bulk inserts
                rows = list(
                    Notification.objects.filter(kind=kind, text=text[:300]).order_by("-pk")[
                        : len(rows)
                    ]
                )
            now = timezone.now()
            deliveries = Delivery.objects.bulk_create(
                [
                    Delivery(notification=row, channel=channel, next_attempt_at=now)
                    for row in rows
                    for channel in channels
                ]
            )
            # Only once the rows are committed can a consumer see them; robust: a queue that is
            # down must not fail the request that already committed, the periodic re-enqueue
            # (tasks.deliveries_requeue) sends them when it is back.
            ids = [d.pk for d in deliveries if d.pk is not None]
            transaction.on_commit(partial(deliveries_enqueue, ids), robust=True)
    return len(rows)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


def inbox(*, user: User, unread_only: bool = False):
    queryset = Notification.objects.filter(user=user).select_related("event")
    return queryset.filter(read_at__isnull=True) if unread_only else queryset
