"""Anonymity and withdrawal (issue 11): the reporter chooses whether the public sees their
name, and may withdraw their personal data from a report — the report stays, the person
goes. The center does the same on the person's request (by phone, at the counter).

The event's reporter fields are written with one `.update()` (the event row is the loop's,
CAS-versioned by its own writes; this touches none of the fields the loop reads), so the
audit row is written here, with what was cleared (masked, as the audit log masks it).
"""

from auditlog.models import LogEntry
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.common.errors import NotFound
from gridgov.events.models import Event
from gridgov.events.photos import Photo
from gridgov.residents.models import Addition, Follow, PublicView
from gridgov.residents.moderation import default_wording, event_for_moderator, public_view_of

MASKED = "***"


def event_of_reporter(*, user: User, number: str) -> Event:
    """The report numbered `number` if `user` reported it (an account's own report);
    NotFound otherwise, never saying whether the number exists."""
    event = None
    if user.is_authenticated and user.is_active:
        event = Event.objects.filter(number=number, reporter_id=user.pk).first()
    if event is None:
        raise NotFound(_("No report %(number)s of yours.") % {"number": number})
    return event


@transaction.atomic
def report_publicity_set(*, user: User, number: str, reporter_named: bool) -> PublicView:
    """Whether the public sees the reporter's name on report `number` (the reporter only)."""
    event = event_of_reporter(user=user, number=number)
    view = public_view_of(event)
    if not view._state.adding and view.reporter_named == reporter_named:
        return view
    view.reporter_named = reporter_named
    if view._state.adding:
        view.save(force_insert=True)
    else:
        view.save(update_fields=["reporter_named"])
    return view


def report_withdraw(*, user: User, number: str) -> Event:
    """The reporter withdraws their personal data from report `number`."""
    event = event_of_reporter(user=user, number=number)
    return _reporter_clear(event=event, actor=user, reason="reporter")


def reporter_withdraw_by_center(*, user: User, event_id: int) -> Event:
    """The center withdraws the reporter's personal data on their request (moderators only)."""
    event = event_for_moderator(user=user, event_id=event_id)
    return _reporter_clear(event=event, actor=user, reason="center")


@transaction.atomic
def _reporter_clear(*, event: Event, actor: User, reason: str) -> Event:
    """Clear the reporter from `event`: the account link, the name and phone given, their
    follows of it, their link to its photos and additions, and the choice to be named.
    The public wording is frozen first when the center wrote none, so a name the operator
    typed into the description (masked by the reporter's name) stays masked without it.
    Idempotent: a report without a reporter is left as it is."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    reporter_id, name, phone = event.reporter_id, event.reporter_name, event.reporter_phone
    if reporter_id is None and not name and not phone:
        return event
    view = public_view_of(event)
    frozen = not view.public_text
    if frozen:
        view.public_text = default_wording(event)
    view.reporter_named = False
    if view._state.adding:
        view.save(force_insert=True)
    else:
        view.save(update_fields=["public_text", "reporter_named"])
    Event.objects.filter(pk=event.pk).update(reporter=None, reporter_name="", reporter_phone="")
    # The person's follows: their account's, and any account of the phone they gave.
    person = Q(user_id=reporter_id) if reporter_id else Q(pk__in=[])
    if phone:
        person |= Q(user__phone=phone)
    follows = Follow.objects.filter(event=event).filter(person).delete()[0]
    if reporter_id:
        Photo.objects.filter(event=event, uploaded_by_id=reporter_id).update(uploaded_by=None)
        Addition.objects.filter(event=event, user_id=reporter_id).update(user=None)
    LogEntry.objects.log_create(
        event,
        action=LogEntry.Action.UPDATE,
        actor=actor if actor.is_authenticated else None,
        changes={
            "reporter": [str(reporter_id) if reporter_id else "None", "None"],
            "reporter_name": [MASKED if name else "", ""],
            "reporter_phone": [MASKED if phone else "", ""],
            "follows_deleted": [str(follows), "0"],
        },
        additional_data={"withdrawal": reason},
        force_log=True,
    )
    event.reporter, event.reporter_name, event.reporter_phone = None, "", ""
    return event
