"""Queue tasks of the notifications app: they only call services (notifications/sending.py).

`delivery_send` is enqueued once per delivery after the transaction that wrote it commits
(services.notify); `deliveries_requeue` is the safety net for tasks that were lost.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from gridgov.notifications import sending


# The row's attempt count, its back-off and the channel's max_attempts decide when a failed send
# is tried again (RetryTask below, which does not use these up). These retries are for errors of
# our own, such as the database being down for a moment.
@db_task(retries=5, retry_delay=30)
def delivery_send(delivery_id: int) -> str:
    """Send one delivery; on a failure that may pass, try again after the row's back-off."""
    outcome = sending.delivery_send(delivery_id=delivery_id)
    if outcome == "retry":
        wait = sending.delivery_retry_seconds(delivery_id=delivery_id)
        if wait is not None:
            raise RetryTask(delay=wait)
    return outcome


@db_periodic_task(crontab(minute="*"))
def deliveries_requeue() -> int:
    """Every minute: enqueue pending deliveries overdue by more than a lease (their task was
    lost: a consumer died holding it, or the queue was down at commit). Safe on several
    consumers at once: each delivery is claimed by compare-and-swap."""
    overdue = sending.deliveries_overdue(grace=sending.lease())
    for delivery_id in overdue:
        delivery_send(delivery_id)
    return len(overdue)


def deliveries_enqueue(delivery_ids: list[int]) -> None:
    """For services: one task per delivery (call it from transaction.on_commit)."""
    for delivery_id in delivery_ids:
        delivery_send(delivery_id)
