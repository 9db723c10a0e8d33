"""Deliveries as queue tasks: enqueued only once the transaction that wrote them commits
(never on a rollback), retried with the row's back-off, claimed by compare-and-swap so two
consumers never send one twice."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.exceptions import RetryTask

from gridgov.notifications import sending
from gridgov.notifications import services as notification_services
from gridgov.notifications.models import Channel, Delivery
from gridgov.notifications.services import notify
from gridgov.notifications.tasks import delivery_send


@pytest.fixture
def hook(gateway, db) -> Channel:
    return Channel.objects.create(name="hook", kind="webhook", url=gateway.url + "/hook")


@pytest.fixture
def enqueued(monkeypatch) -> list[list[int]]:
    """What notify hands to the queue, and when."""
    calls: list[list[int]] = []
    monkeypatch.setattr(notification_services, "deliveries_enqueue", calls.append)
    return calls


@pytest.mark.django_db
def test_enqueued_after_commit_only(hook, recipient, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(users=[recipient], kind="dispatched", text="派遣")
        assert enqueued == []  # nothing before the commit
    assert len(callbacks) == 1
    assert enqueued == [[Delivery.objects.get().pk]]


@pytest.mark.django_db(transaction=True)
def test_a_rollback_enqueues_nothing(gateway, recipient, enqueued):
    Channel.objects.create(name="hook", kind="webhook", url=gateway.url + "/hook")

    def notify_then_fail() -> None:
        with transaction.atomic():
            notify(users=[recipient], kind="dispatched", text="派遣")
            raise RuntimeError("the action failed after notifying")

    with pytest.raises(RuntimeError):
        notify_then_fail()
    assert enqueued == []
    assert not Delivery.objects.exists()
    assert gateway.received == []


@pytest.mark.django_db(transaction=True)
def test_committed_delivery_goes_out_through_the_queue(gateway, recipient):
    Channel.objects.create(name="hook", kind="webhook", url=gateway.url + "/hook")
    with transaction.atomic():
        notify(users=[recipient], kind="dispatched", text="派遣")
        assert gateway.received == []  # inside the transaction: not yet
    # The tests' queue runs a task as it is enqueued, i.e. at the commit.
    assert [body["text"] for _path, body, _headers in gateway.received] == ["派遣"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_retried_with_backoff(gateway, recipient):
    Channel.objects.create(name="hook", kind="webhook", url=gateway.url + "/hook", max_attempts=3)
    gateway.answers = [(503, {})]
    before = timezone.now()
    notify(users=[recipient], kind="dispatched", text="派遣")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "503" in delivery.last_error
    # The task asked the queue to run it again when the row's back-off (1 minute) ends.
    [retry] = HUEY.scheduled()
    assert retry.args == (delivery.pk,)
    assert before + dt.timedelta(seconds=55) < retry.eta.replace(tzinfo=dt.UTC)
    assert retry.eta.replace(tzinfo=dt.UTC) < before + dt.timedelta(seconds=65)
    assert delivery_send.call_local(delivery.pk) == "not_due"  # early: the back-off holds
    # When it is due, the retry sends it; a second failure waits 2 minutes.
    Delivery.objects.update(next_attempt_at=timezone.now())
    gateway.answers = [(500, {})]
    with pytest.raises(RetryTask) as retry_again:
        delivery_send.call_local(delivery.pk)
    assert 110 < retry_again.value.delay <= 120
    delivery.refresh_from_db()
    wait = delivery.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=110) < wait <= dt.timedelta(minutes=2)
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert delivery_send.call_local(delivery.pk) == "sent"
    assert len(gateway.received) == 3


@pytest.mark.django_db
def test_gives_up_after_the_channels_attempts(gateway, recipient):
    Channel.objects.create(name="hook", kind="webhook", url=gateway.url + "/hook", max_attempts=2)
    notify(users=[recipient], kind="dispatched", text="派遣")
    gateway.answers = [(500, {}), (500, {})]
    delivery = Delivery.objects.get()
    assert sending.delivery_send(delivery_id=delivery.pk) == "retry"
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert delivery_send.call_local(delivery.pk) == "failed"  # no retry asked of the queue
    assert delivery_send.call_local(delivery.pk) == "not_due"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)


@pytest.mark.django_db
def test_a_claimed_delivery_is_not_sent_by_a_second_consumer(hook, gateway, recipient):
    notify(users=[recipient], kind="dispatched", text="派遣")
    delivery = Delivery.objects.get()
    now = timezone.now()
    # Consumer A claims it (the compare-and-swap of delivery_send) and is still sending.
    Delivery.objects.filter(pk=delivery.pk, attempts=0).update(
        attempts=1, next_attempt_at=now + sending.lease()
    )
    assert sending.delivery_send(delivery_id=delivery.pk, now=now) == "not_due"  # consumer B
    assert gateway.received == []
    # A died: once the lease is over, the periodic re-enqueue finds it and B sends it.
    later = now + sending.lease() * 2 + dt.timedelta(seconds=1)
    assert sending.deliveries_overdue(now=later, grace=sending.lease()) == [delivery.pk]
    assert sending.delivery_send(delivery_id=delivery.pk, now=later) == "sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    # A's late answer cannot overwrite B's outcome: its update names attempt 1.
    assert not Delivery.objects.filter(pk=delivery.pk, status="pending", attempts=1).exists()
