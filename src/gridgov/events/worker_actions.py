"""Writes of the worker app (decision 0023): an action sent from the phone's outbox is
applied exactly once. The phone gives each action a client UUID; the first send stores an
`ActionReceipt` in the same transaction as the action, and a resend (the answer was lost,
the outbox tried again) finds the receipt and returns the event as it is now.

The action itself is `services.event_act`: the workflow table decides who may do what.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.common.errors import Conflict, DomainError
from gridgov.common.idempotency import client_uuid_clean
from gridgov.events import services
from gridgov.events.models import ActionReceipt, Event
from gridgov.events.worker_app import APP_ACTIONS, field_user_check, receipt_for
from gridgov.events.workflow import Action


def _replayed(receipt: ActionReceipt, user: User, event_id: int | None, action: str) -> Event:
    """The event a receipt names, to the user who sent it; a UUID someone else used, or one
    used for another event or another action, is refused without saying anything about
    that event (a handling sent with an accept's UUID must not pass as sent)."""
    if (
        receipt.user_id != user.pk
        or (event_id is not None and receipt.event_id != event_id)
        or receipt.action != action
    ):
        raise Conflict(
            _("This client_uuid was already used for another action; send a new one."),
            code="client_uuid_taken",
            field="client_uuid",
        )
    # Not `event_for_user`: the sender acted on it, even if they may no longer open it.
    return Event.objects.select_related("subclass", "area", "department", "assignee").get(
        pk=receipt.event_id
    )


def _uuid(value: Any):
    client_uuid = client_uuid_clean(value)
    if client_uuid is None:
        raise DomainError(_("The app sends each action with a client_uuid."), field="client_uuid")
    return client_uuid


def worker_act(
    *,
    user: User,
    event_id: int,
    action: str,
    client_uuid: Any,
    comment: str = "",
    version: int | None = None,
    photos: list[str] | None = None,
) -> tuple[Event, bool]:
    """Apply `action` once per `client_uuid`. Returns (event, replayed): replayed is True
    when this UUID was already applied and nothing changed now."""
    field_user_check(user)
    if action not in APP_ACTIONS:
        raise DomainError(
            _("The app does not send “%(action)s”.") % {"action": action}, field="action"
        )
    client_uuid = _uuid(client_uuid)
    receipt = receipt_for(client_uuid)
    if receipt is not None:
        return _replayed(receipt, user, event_id, action), True
    try:
        with transaction.atomic():
            event = services.event_act(
                user=user,
                event_id=event_id,
                action=action,
                comment=comment,
                data={"photos": list(photos or [])},
                version=version,
            )
            ActionReceipt.objects.create(
                client_uuid=client_uuid,
                user=user,
                event=event,
                action=action,
                version=event.version,
            )
    except (IntegrityError, Conflict):
        # Two sends of one action at once: the other one applied it (its receipt decided,
        # or its version swap made this one stale). Anything else is a real conflict.
        receipt = receipt_for(client_uuid)
        if receipt is None:
            raise
        return _replayed(receipt, user, event_id, action), True
    return event, False


def worker_solve(
    *,
    user: User,
    report: dict[str, Any],
    client_uuid: Any,
    comment: str = "",
    photos: list[str] | None = None,
) -> tuple[Event, bool]:
    """小事不出格: report what the worker found and solved on the spot, in one step. The
    report carries the "before" photos, the solution the "after" ones. Either both are
    stored or neither (a refused solution leaves no open report behind)."""
    field_user_check(user)
    client_uuid = _uuid(client_uuid)
    receipt = receipt_for(client_uuid)
    if receipt is not None:
        return _replayed(receipt, user, None, Action.SOLVE_ON_SPOT), True
    with transaction.atomic():
        # The report's own client UUID is the same: a resend finds it (intake's rule).
        event = services.event_report(
            user=user, data={**report, "client_uuid": str(client_uuid)}, source=None
        )
        return worker_act(
            user=user,
            event_id=event.pk,
            action=Action.SOLVE_ON_SPOT,
            client_uuid=client_uuid,
            comment=comment,
            version=event.version,
            photos=photos,
        )
