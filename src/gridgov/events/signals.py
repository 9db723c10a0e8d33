"""Signals events sends to the apps above it (issue 11): events never imports them.

`event_changed` is sent once the transaction that changed an event has committed: after a
report is stored (action "report", from_state "") and after each row of the workflow table
`loop.event_act` applied. Receivers run after the commit, so they cannot undo the change;
one that fails is logged and the others still run (`send_robust`).

Keyword arguments: event (the Event as the writer saw it), action, from_state, to_state,
comment (the reason or note the actor wrote; staff-only unless the receiver knows better),
actor (the User who acted, or None for intake without a person).
"""

import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from gridgov.events.models import Event

logger = logging.getLogger("gridgov.events")

event_changed = Signal()


def _send(**kwargs: Any) -> None:
    for receiver, answer in event_changed.send_robust(sender=Event, **kwargs):
        if isinstance(answer, Exception):
            logger.error(
                "event_changed receiver %r failed on event %s",
                receiver,
                getattr(kwargs.get("event"), "pk", None),
                exc_info=answer,
            )


def event_changed_on_commit(
    *, event: Any, action: str, from_state: str, to_state: str, comment: str, actor: Any
) -> None:
    """Send `event_changed` once the current transaction commits (at once outside one)."""
    transaction.on_commit(
        partial(
            _send,
            event=event,
            action=action,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            actor=actor,
        )
    )
