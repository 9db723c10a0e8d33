"""Be told (issue 11): the reporter and every follower hear of each public step of their
report — filed, refused (with the reason), dispatched, handled, closed, reopened — in the
inbox always, and by SMS and WeChat through the channels configured (notifications.notify:
the delivery log and its retries). Internal steps (offers, takes, verification, requests,
supervision) are not told.

A report given without signing in but with a Chinese mobile is told through the resident
account of that phone (residents.identity), which follows it as its reporter; a landline or
a foreign number cannot be told (there is no account to reach).

This is the receiver of events' `event_changed`, connected in ResidentsConfig.ready(). It
runs after the event's change committed: a failure here is logged, never undoes it.
"""

import logging
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.events.models import Event
from gridgov.notifications.services import notify
from gridgov.residents import rules
from gridgov.residents.identity import mobile_or_none, resident_for_phone_get_or_create
from gridgov.residents.models import Follow
from gridgov.residents.reasons import reason_public

logger = logging.getLogger("gridgov.residents")

REASON_CHARS = 200
RATE = "closed_rate"  # the closing as told to the reporter, who may rate it


def _text(step: str, number: str, reason: str) -> str:
    """The message of a step: short, the report's number, nothing of the staff."""
    texts = {
        rules.FILED: _("Report %(number)s has been accepted and will be handled."),
        rules.REFUSED: _("Report %(number)s was not accepted: %(reason)s"),
        rules.DISPATCHED: _("Report %(number)s has been passed on to be handled."),
        rules.HANDLED: _("Report %(number)s has been handled and will be checked."),
        rules.CLOSED: _("Report %(number)s is closed."),
        rules.REOPENED: _("Report %(number)s was reopened and will be handled again."),
        RATE: _("Report %(number)s is closed. Please rate how it was handled."),
    }
    return texts[step] % {"number": number, "reason": reason[:REASON_CHARS]}


def _refusal_reason(action: str, comment: str, event: Event) -> str:
    if action == "merge" and event.duplicate_of_id:
        duplicate = Event.objects.filter(pk=event.duplicate_of_id).values_list("number", flat=True)
        return _("the same problem was already reported as %(number)s") % {
            "number": duplicate.first() or ""
        }
    return reason_public(comment, event) or _("no reason given")


def people_to_tell(event: Event, *, actor: User | None = None) -> list[User]:
    """The reporter (a resident account) and every follower, once each, without the one who
    acted (a resident reopening their own report is not told of it)."""
    people: dict[int, User] = {}
    if event.reporter_id is not None:
        reporter = User.objects.filter(
            pk=event.reporter_id, role=Role.RESIDENT, is_staff=False, is_active=True
        ).first()
        if reporter is not None:
            people[reporter.pk] = reporter
    for follow in Follow.objects.filter(event=event, user__is_active=True).select_related("user"):
        people.setdefault(follow.user_id, follow.user)
    if actor is not None:
        people.pop(actor.pk, None)
    return list(people.values())


def reporter_phone_follow(event: Event) -> Follow | None:
    """For a report given with a mobile: the phone's resident account follows it as its
    reporter, unless it is the reporting account itself (None for a landline, a foreign
    number, a staff member's phone)."""
    phone = mobile_or_none(event.reporter_phone)
    if phone is None:
        return None
    # A report taken on the hotline or by a worker for someone names the staff member as
    # its reporter: the phone given is still the person's, and is told.
    user = resident_for_phone_get_or_create(phone)
    if user is None or user.pk == event.reporter_id:
        return None
    if event.reporter_id is None:
        # Nobody signed in reported it: the phone given is the person, and its account is
        # the reporter (rates, sees its photos, withdraws) once they sign in with a code sent
        # to that phone. Told as the reporter; no follow needed.
        if Event.objects.filter(pk=event.pk, reporter__isnull=True).update(reporter=user):
            LogEntry.objects.log_create(
                event,
                action=LogEntry.Action.UPDATE,
                changes={"reporter": ["None", str(user.pk)]},
                additional_data={"reporter_by_phone": True},
                force_log=True,
            )
            event.reporter_id = user.pk
            return None
    try:
        with transaction.atomic():
            follow, _created = Follow.objects.get_or_create(
                event=event, user=user, defaults={"via": Follow.Via.REPORTER}
            )
    except IntegrityError:  # the same follow written a moment ago
        follow = Follow.objects.filter(event=event, user=user).first()
    return follow


def follow_by_lookup(*, user: User, event: Event) -> str:
    """A resident who looked a report up by its number and phone follows it (unless they
    already relate to it); returns how they relate to it now."""
    if event.reporter_id == user.pk:
        return Follow.Via.REPORTER
    try:
        with transaction.atomic():
            follow, _created = Follow.objects.get_or_create(
                event=event, user=user, defaults={"via": Follow.Via.LOOKUP}
            )
    except IntegrityError:  # the same follow written a moment ago
        follow = Follow.objects.get(event=event, user=user)
    return follow.via


def _merged_follows(event: Event) -> None:
    """A report merged into an earlier one: its people follow the earlier one ("me too")."""
    if not event.duplicate_of_id:
        return
    for person in people_to_tell(event):
        Follow.objects.get_or_create(
            event_id=event.duplicate_of_id, user=person, defaults={"via": Follow.Via.ME_TOO}
        )


def event_told(
    *,
    event: Event,
    action: str,
    from_state: str,
    to_state: str,
    comment: str = "",
    actor: User | None = None,
) -> int:
    """Tell the reporter and the followers of a public step; how many were told."""
    if not from_state:
        reporter_phone_follow(event)
        return 0
    step = rules.public_step(action, from_state, to_state)
    if step is None:
        return 0
    event = Event.objects.select_related("subclass").get(pk=event.pk)
    people = people_to_tell(event, actor=actor)
    if not people:
        return 0
    # The reporter account may rate a closed report (the workflow's EVALUATE row): told so.
    raters = [p for p in people if p.pk == event.reporter_id] if step == rules.CLOSED else []
    others = [p for p in people if p not in raters]
    # The residents' language is the site's (Chinese first), whoever acted.
    with translation.override(settings.LANGUAGE_CODE):
        reason = _refusal_reason(action, comment, event) if step == rules.REFUSED else ""
        text = _text(step, event.number, reason)
        rate_text = _text(RATE, event.number, "")
    kind = f"resident_{step}"
    told = notify(users=others, kind=kind, text=text, event=event) if others else 0
    if raters:
        told += notify(users=raters, kind=kind, text=rate_text, event=event)
    if action == "merge":
        _merged_follows(event)
    return told


def on_event_changed(sender: Any, **kwargs: Any) -> None:
    """The `event_changed` receiver."""
    event_told(
        event=kwargs["event"],
        action=kwargs.get("action", ""),
        from_state=kwargs.get("from_state", ""),
        to_state=kwargs.get("to_state", ""),
        comment=kwargs.get("comment", ""),
        actor=kwargs.get("actor"),
    )
