"""The inbox (always) and the configured channels (SMS, WeChat, webhooks) with a delivery log
and retries. `notify` writes the inbox rows and their pending deliveries in one go; the
periodic job `deliveries_run` sends what is due."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.notifications.models import Channel, Delivery, Notification

BACKOFF_MINUTES = (1, 2, 5, 15, 60, 240)
BATCH = 100


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
            Delivery.objects.bulk_create(
                [
                    Delivery(notification=row, channel=channel, next_attempt_at=now)
                    for row in rows
                    for channel in channels
                ]
            )
    return len(rows)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


def inbox(*, user: User, unread_only: bool = False):
    queryset = Notification.objects.filter(user=user).select_related("event")
    return queryset.filter(read_at__isnull=True) if unread_only else queryset


def deliveries_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the deliveries that are due. Each is claimed by compare-and-swap on its attempt
    count, so several job runners never send the same one twice at the same time."""
    from gridgov.notifications.channels import ADAPTERS, DeliveryError, NoAddress

    now = now or timezone.now()
    done = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .select_related("channel", "notification__user", "notification__event")
        .order_by("next_attempt_at")[:BATCH]
    )
    for delivery in due:
        claimed = Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.PENDING, attempts=delivery.attempts
        ).update(
            attempts=delivery.attempts + 1,
            # While this runner works, nobody else picks it up.
            next_attempt_at=now + dt.timedelta(minutes=BACKOFF_MINUTES[0]),
        )
        if not claimed:
            continue
        attempts = delivery.attempts + 1
        try:
            ADAPTERS[delivery.channel.kind](delivery.channel, delivery.notification)
        except NoAddress as reason:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SKIPPED, last_error=str(reason), next_attempt_at=None
            )
            done["skipped"] += 1
        except DeliveryError as error:
            if attempts >= delivery.channel.max_attempts:
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.FAILED,
                    last_error=str(error)[:500],
                    next_attempt_at=None,
                )
                done["failed"] += 1
            else:
                wait = BACKOFF_MINUTES[min(attempts - 1, len(BACKOFF_MINUTES) - 1)]
                Delivery.objects.filter(pk=delivery.pk).update(
                    last_error=str(error)[:500],
                    next_attempt_at=now + dt.timedelta(minutes=wait),
                )
                done["retry"] += 1
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT,
                sent_at=timezone.now(),
                last_error="",
                next_attempt_at=None,
            )
            done["sent"] += 1
    return done
