"""Sending one delivery through its channel, for the queue's tasks (notifications/tasks.py).

Every delivery may be handed to several consumers at once: the task enqueued after commit, a
retry, and the periodic re-enqueue of overdue ones. So a consumer first claims the row by
compare-and-swap on (status, attempts, due time) and leases it for lease(); only the claimer
sends, and only the claimer (same attempt number) records the outcome. A consumer that dies
while sending leaves the row pending: when the lease ends the periodic task enqueues it again.
The provider may then see the message twice (the first call's answer never came back): the
payload carries the notification id for receivers that deduplicate.
"""

import datetime as dt
import logging
from typing import Literal

from django.conf import settings
from django.utils import timezone

from gridgov.notifications.channels import ADAPTERS, DeliveryError, NoAddress
from gridgov.notifications.models import Delivery

logger = logging.getLogger("gridgov.tasks")

BACKOFF_MINUTES = (1, 2, 5, 15, 60, 240)
BATCH = 500

Outcome = Literal["sent", "retry", "failed", "skipped", "not_due"]


def lease() -> dt.timedelta:
    """How long a claim holds: longer than any send (two HTTP calls of channels.TIMEOUT_S
    each), no longer than the first back-off (GRIDGOV_DELIVERY_LEASE_SECONDS, default 60)."""
    return dt.timedelta(seconds=getattr(settings, "GRIDGOV_DELIVERY_LEASE_SECONDS", 60))


def backoff(attempts: int) -> dt.timedelta:
    """The wait before attempt `attempts + 1`: 1, 2, 5, 15, 60, then 240 minutes."""
    return dt.timedelta(minutes=BACKOFF_MINUTES[min(attempts - 1, len(BACKOFF_MINUTES) - 1)])


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> Outcome:
    """Send one delivery if it is pending and due, and record the outcome. Idempotent: a sent,
    failed or skipped delivery, one not due yet, or one another consumer holds is left alone
    ("not_due")."""
    now = now or timezone.now()
    delivery = (
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        )
        .select_related("channel", "notification__user", "notification__event")
        .first()
    )
    if delivery is None:
        return "not_due"
    attempts = delivery.attempts + 1
    claimed = Delivery.objects.filter(
        pk=delivery.pk,
        status=Delivery.Status.PENDING,
        attempts=delivery.attempts,
        next_attempt_at__lte=now,
    ).update(attempts=attempts, next_attempt_at=now + lease())
    if not claimed:
        return "not_due"  # another consumer claimed it between our read and our update
    mine = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.PENDING, attempts=attempts
    )
    try:
        ADAPTERS[delivery.channel.kind](delivery.channel, delivery.notification)
    except NoAddress as reason:
        mine.update(status=Delivery.Status.SKIPPED, last_error=str(reason), next_attempt_at=None)
        return "skipped"
    except DeliveryError as error:
        if attempts >= delivery.channel.max_attempts:
            mine.update(
                status=Delivery.Status.FAILED, last_error=str(error)[:500], next_attempt_at=None
            )
            logger.warning("delivery %s failed after %s attempts", delivery.pk, attempts)
            return "failed"
        mine.update(last_error=str(error)[:500], next_attempt_at=now + backoff(attempts))
        return "retry"
    mine.update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )
    logger.info("delivery %s sent (attempt %s)", delivery.pk, attempts)
    return "sent"


def delivery_retry_seconds(*, delivery_id: int) -> float | None:
    """How long until a pending delivery is due again (for the task's retry), else None."""
    due = (
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return max((due - timezone.now()).total_seconds(), 0.0) if due else None


def deliveries_overdue(*, now: dt.datetime | None = None, grace: dt.timedelta) -> list[int]:
    """Pending deliveries due more than `grace` ago: their task was lost (a consumer died, the
    queue was down when the transaction committed, Redis restarted without persistence)."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:BATCH]
    )


def deliveries_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send every delivery that is due now, one by one (the batch form of delivery_send, for
    a consumer's sweep and for tests)."""
    now = now or timezone.now()
    done = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    for delivery_id in deliveries_overdue(now=now, grace=dt.timedelta(0)):
        outcome = delivery_send(delivery_id=delivery_id, now=now)
        if outcome in done:
            done[outcome] += 1
    return done
