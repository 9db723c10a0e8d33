"""The loop's one writer: `event_act` applies any row of the workflow table (who may, its
guard, its effect) with a compare-and-swap on the event's version and a timeline row."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.analytics.services import rollup_event_changed
from gridgov.areas.models import Department
from gridgov.common.errors import Conflict, DomainError, PermissionDenied
from gridgov.common.text import xml_safe
from gridgov.events.access import event_for_user
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.models import Event
from gridgov.events.services.effects import Context
from gridgov.events.services.timeline import stage_deadline, timeline_add
from gridgov.events.signals import event_changed_on_commit
from gridgov.events.workflow import (
    FOLLOWER_ACTIONS,
    TERMINAL,
    TRANSITIONS,
    Refusal,
    Relations,
    refusal,
)


def event_act(
    *,
    user: User,
    event_id: int,
    action: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
    version: int | None = None,
    photo_files: Sequence[tuple[str, bytes]] = (),
) -> Event:
    """Apply one row of the workflow table. Two people acting at once: one wins, the other
    gets a Conflict and the event is as the winner left it. `photo_files` (name, bytes) of
    a feedback are stored only once the user may act and the rest is checked."""
    event = event_for_user(user=user, event_id=event_id, as_follower=action in FOLLOWER_ACTIONS)
    if version is not None and version != event.version:
        raise Conflict(
            _("The event changed since you loaded it; reload and try again."), code="stale"
        )
    step = TRANSITIONS.get((event.state, action))
    if step is None:
        raise Conflict(
            _("“%(action)s” is not allowed while the event is “%(state)s”.")
            % {"action": action, "state": event.get_state_display()},
            code="not_allowed_now",
        )
    refused = refusal(step, event, user, Relations(event, user))
    if refused == Refusal.GUARD:
        raise Conflict(str(step.guard.message), code=step.guard.code)
    if refused is not None:
        raise PermissionDenied(str(Refusal(refused).label), code=refused)
    comment = xml_safe((comment or "").strip())
    if step.needs_comment and not comment:
        raise DomainError(_("Please give a reason."), code="required", field="comment")
    now, calendar = timezone.now(), WorkingCalendar.from_database()
    out = step.effect_function(
        Context(event, user, data or {}, comment, now, calendar, photo_files)
    )
    to_state = out.to or step.to or event.state
    changes = out.changes
    if to_state != event.state or out.restart_stage:
        changes |= stage_deadline(event, to_state, now, calendar)
        if out.due_field:
            changes[out.due_field] = changes["stage_due_at"]
    changes |= {"state": to_state, "version": event.version + 1}
    with transaction.atomic():
        # Compare and swap: the update succeeds only on the version this user acted on.
        updated = Event.objects.filter(
            pk=event.pk, version=event.version, state=event.state
        ).update(**changes)
        if not updated:
            raise Conflict(
                _("Someone else acted on this event just now; reload and try again."), code="stale"
            )
        rollup_event_changed(before=event, changes=changes, calendar=calendar)
        timeline_add(event, user, action, event.state, to_state, comment, out.details)
        for write in out.after:
            write()
        # The apps above events (the residents' telling) hear of it once this commits.
        event_changed_on_commit(
            event=event,
            action=action,
            from_state=event.state,
            to_state=to_state,
            comment=comment,
            actor=user,
        )
    event.refresh_from_db()
    return event


def events_open_for_department(department: Department):
    """Open events a department holds or was summoned to (a read kept beside the loop)."""
    return (
        Event.objects.filter(
            Q(department=department) | Q(whistles__summonses__department=department)
        )
        .exclude(state__in=TERMINAL)
        .distinct()
    )
