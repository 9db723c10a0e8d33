"""Triage at the desk (分拨, decision 0024): before filing (立案) a report, the operator sets
its subclass and urgency, sees the classifier's three likeliest subclasses with the words
that decided them, and may answer the reporter with a ready reply.

The write is `event_triage`: the same people as filing (the center inside its area, the
workflow's row for ACCEPT), only while the event is REPORTED, compare-and-swap on `version`,
its timeline row the audit. Deadlines and routing follow the new subclass: the accept stage's
deadline is counted again from when the stage began, and routing reads the event's subclass.

What the reporter sees: a timeline row's `reply` (the public reply), never its comment (the
internal note) nor who acted.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.analytics.services import rollup_event_changed
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.events import classifier
from gridgov.events.access import event_for_user
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.models import Event, ResponseTemplate, Subclass, Urgency
from gridgov.events.notices import notify_after_commit
from gridgov.events.services.timeline import stage_deadline, text_clean, timeline_add
from gridgov.events.workflow import TRANSITIONS, Action, Refusal, Relations, State, refusal

TRIAGE = "triage"  # the timeline row's action
REPLY_LIMIT = 1000
FILING = TRANSITIONS[(State.REPORTED, Action.ACCEPT)]


def may_triage(user: User, event: Event, relations: Relations | None = None) -> str | None:
    """None when the user may triage the event now, else why not (a `Refusal` value or
    "not_reported"): who may file it, with the events capability, while it is REPORTED."""
    if not (user.is_superuser or can(user, Capability.EVENTS_VIEW)):
        return Refusal.ROLE
    refused = refusal(FILING, event, user, relations)
    if refused is not None and refused != Refusal.GUARD:
        return refused
    if event.state != State.REPORTED:
        return "not_reported"
    return None


def event_triage(
    *,
    user: User,
    event_id: int,
    subclass_id: int | None = None,
    urgency: str | None = None,
    version: int | None = None,
    public_reply: str = "",
    internal_note: str = "",
) -> Event:
    """Set a reported event's subclass and urgency, and optionally answer the reporter
    (`public_reply`) and leave a note for staff (`internal_note`). Nothing to change and
    nothing said: the event is returned as it is, no row written."""
    event = event_for_user(user=user, event_id=event_id)  # outside the area: not found
    refused = may_triage(user, event)
    if refused == "not_reported":
        raise Conflict(
            _("The category and urgency are set before filing; this event is “%(state)s”.")
            % {"state": event.get_state_display()},
            code="not_allowed_now",
        )
    if refused is not None:
        raise PermissionDenied(str(Refusal(refused).label), code=refused)
    if version is not None and version != event.version:
        raise Conflict(
            _("The event changed since you loaded it; reload and try again."), code="stale"
        )
    subclass = event.subclass
    if subclass_id is not None and subclass_id != event.subclass_id:
        subclass = Subclass.objects.filter(pk=subclass_id, active=True).first()
        if subclass is None:
            raise NotFound(_("No such active subclass."), field="subclass_id")
    urgency = urgency or event.urgency
    if urgency not in Urgency.values:
        raise DomainError(
            _("Urgency must be one of: %(values)s.") % {"values": ", ".join(Urgency.values)},
            field="urgency",
        )
    if subclass.urgent:  # as at intake: danger now is never an ordinary item
        urgency = Urgency.CRITICAL
    public_reply = text_clean(public_reply, REPLY_LIMIT)
    internal_note = text_clean(internal_note, REPLY_LIMIT)
    changed = subclass.pk != event.subclass_id or urgency != event.urgency
    if not (changed or public_reply or internal_note):
        return event

    changes: dict[str, Any] = {"version": event.version + 1}
    details: dict[str, Any] = {"reply": public_reply} if public_reply else {}
    calendar = WorkingCalendar.from_database()
    if changed:
        changes |= {"subclass": subclass, "urgency": urgency}
        details |= {
            "subclass": [event.subclass.code, subclass.code],
            "urgency": [event.urgency, urgency],
        }
        # The accept stage's deadline as if the report had come in under the new subclass:
        # counted from when the stage began, not from now.
        moved = Event(subclass=subclass, urgency=urgency)
        started = event.stage_started_at or event.reported_at
        changes |= stage_deadline(moved, State.REPORTED, started, calendar)
        changes["accept_due_at"] = changes["stage_due_at"]
    with transaction.atomic():
        updated = Event.objects.filter(
            pk=event.pk, version=event.version, state=State.REPORTED
        ).update(**changes)
        if not updated:
            raise Conflict(
                _("Someone else acted on this event just now; reload and try again."), code="stale"
            )
        if changed:
            rollup_event_changed(before=event, changes=changes, calendar=calendar)
        timeline_add(event, user, TRIAGE, State.REPORTED, State.REPORTED, internal_note, details)
        if public_reply:
            listeners = _reporter_and_followers(event)
            if listeners:
                notify_after_commit(listeners, "reply", public_reply, event)
    event.refresh_from_db()
    return event


def _reporter_and_followers(event: Event) -> list:
    """Who reads a public reply: the reporter and whoever follows the report ("me too", a
    look-up). The follows are the resident side's (residents.Follow, above events): read by
    the reverse relation's name, not imported."""
    people = [event.reporter] if event.reporter_id else []
    follows = getattr(event, "follows", None)
    if follows is not None:
        people += [follow.user for follow in follows.select_related("user")]
    return people


# The desk's choices (read by the event page and the API) ---------------------------------
def subclass_groups() -> list[tuple[str, list[Subclass]]]:
    """Active subclasses grouped by their class, for a select with option groups."""
    groups: dict[str, list[Subclass]] = {}
    for subclass in Subclass.objects.filter(active=True).select_related("event_class"):
        groups.setdefault(str(subclass.event_class), []).append(subclass)
    return sorted(groups.items())


def suggestions(event: Event, k: int = 3) -> list[dict]:
    """The classifier's `k` likeliest subclasses for the report, with the deciding words."""
    return [
        {"id": s.pk, "code": s.code, "name": s.name_zh, "score": score, "words": words}
        for s, score, words in classifier.explain(event.description, k=k)
    ]


def response_templates() -> list[ResponseTemplate]:
    return list(
        ResponseTemplate.objects.filter(active=True, subclass__active=True).select_related(
            "subclass"
        )
    )
