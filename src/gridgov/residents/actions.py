"""What a resident does to a report after sending it (issue 11): say "me too" (follow it),
add words and photos to an open one, rate a closed one, and say "still not fixed".

Rating and reopening are rows of the events workflow (EVALUATE, RESIDENT_REOPEN) applied by
`event_act`, so their rules stay in the one table; following and adding change no state and
are written here. Every write leaves an audit row (django-auditlog logs every model; the
timeline is the event's own log). A report is named by its number; a resident who may not
act on it learns nothing about it (404).
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.events.models import Event
from gridgov.events.notices import notify_after_commit, people_of
from gridgov.events.photos import photos_attach, photos_for_refs
from gridgov.events.services import MAX_PHOTOS_PER_REPORT, event_act
from gridgov.events.services.timeline import text_clean, timeline_add
from gridgov.events.workflow import TERMINAL, Action
from gridgov.residents.models import Addition, Follow
from gridgov.residents.nearby import may_be_seen_by_public

ADDITION_MAX_CHARS = 1000
RATING_COMMENT_MAX_CHARS = 500
REOPEN_TEXT_MAX_CHARS = 1000
# Additions one person may make to one report: enough to follow a case for months, not a
# channel to flood its handler.
ADDITIONS_PER_PERSON = 20


def _resident(user: User) -> None:
    if not (user.is_authenticated and user.is_active and user.role == Role.RESIDENT):
        raise PermissionDenied(_("Only a resident signed in with their phone may do this."))


def _event_by_number(number: str) -> Event | None:
    return (
        Event.objects.select_related("subclass", "area", "public_view")
        .filter(number=str(number or "").strip())
        .first()
    )


def _not_found(number: str) -> NotFound:
    return NotFound(_("No report %(number)s of yours.") % {"number": number})


def report_of_resident(*, user: User, number: str) -> tuple[Event, Follow | None]:
    """The report if the resident reported or follows it, with their follow (None for a
    reporter who does not follow it as such); anyone else: not found."""
    _resident(user)
    event = _event_by_number(number)
    if event is None:
        raise _not_found(number)
    follow = Follow.objects.filter(event=event, user=user).first()
    if event.reporter_id != user.pk and follow is None:
        raise _not_found(number)
    return event, follow


# Me too ----------------------------------------------------------------------------------
def follow_me_too(*, user: User, number: str) -> Follow:
    """ "Me too": the resident follows a report anyone may see, instead of reporting it again.
    Not their own report, not a finished one (409); sending it twice is one follow."""
    _resident(user)
    event = _event_by_number(number)
    follow = Follow.objects.filter(event=event, user=user).first() if event else None
    if follow is not None:
        return follow  # already following (by "me too", a look-up or as the reporter)
    if event is None or not may_be_seen_by_public(event):
        raise NotFound(_("No public report %(number)s.") % {"number": number})
    if event.reporter_id == user.pk:
        raise Conflict(_("This is your own report; you are told about it already."), code="own")
    if event.state in TERMINAL:
        raise Conflict(_("This report is finished; report it again if needed."), code="finished")
    try:
        with transaction.atomic():
            return Follow.objects.create(event=event, user=user, via=Follow.Via.ME_TOO)
    except IntegrityError:  # the same resident twice at once: the other send made it
        return Follow.objects.get(event=event, user=user)


def follow_stop(*, user: User, number: str) -> None:
    """Stop following a report (idempotent). The reporter's own follow stays: they are told
    as its reporter."""
    _resident(user)
    event = _event_by_number(number)
    follow = Follow.objects.filter(event=event, user=user).first() if event else None
    if follow is None:
        if event is None or not may_be_seen_by_public(event):
            raise NotFound(_("No public report %(number)s.") % {"number": number})
        return
    if follow.via == Follow.Via.REPORTER or event.reporter_id == user.pk:
        raise Conflict(_("This is your own report; you are told about it as its reporter."))
    follow.delete()


# Additions -------------------------------------------------------------------------------
def addition_add(*, user: User, number: str, text: str, photo_refs: list[str]) -> Addition:
    """Words and photos a reporter or follower adds to an unfinished report: kept as an
    Addition, the photos given to the event, a timeline row, and whoever holds the case told
    (its assignee and department, else the center's shift leaders)."""
    event, _follow = report_of_resident(user=user, number=number)
    text = text_clean(text)
    refs = list(photo_refs or [])
    if len(text) > ADDITION_MAX_CHARS:
        raise DomainError(_("At most %(n)s characters.") % {"n": ADDITION_MAX_CHARS}, field="text")
    if not text and not refs:
        raise DomainError(_("Add some words or a photo."), code="required", field="text")
    if len(refs) > MAX_PHOTOS_PER_REPORT:
        raise DomainError(_("At most %(n)s photos.") % {"n": MAX_PHOTOS_PER_REPORT}, field="photos")
    if event.state in TERMINAL:
        raise Conflict(_("This report is finished; nothing can be added to it."), code="finished")
    if Addition.objects.filter(event=event, user=user).count() >= ADDITIONS_PER_PERSON:
        raise Conflict(
            _("You have added to this report %(n)s times already.") % {"n": ADDITIONS_PER_PERSON},
            code="too_many",
        )
    photos = photos_for_refs(refs, user=user)  # only the sender's own, not yet attached
    with transaction.atomic():
        # The state again, under the event's row lock: a report closed meanwhile takes
        # nothing more (the closing and this addition do not interleave).
        state = (
            Event.objects.select_for_update().filter(pk=event.pk).values_list("state", flat=True)
        ).first()
        if state in TERMINAL:
            raise Conflict(
                _("This report is finished; nothing can be added to it."), code="finished"
            )
        addition = Addition.objects.create(
            event=event, user=user, text=text, photo_keys=[str(p.key) for p in photos]
        )
        photos_attach(photos, event)
        timeline_add(
            event,
            user,
            "resident_addition",
            state,
            state,
            comment=text,
            data={"public": True, "addition": addition.pk, "photos": [p.ref for p in photos]},
        )
        message = _("Event %(number)s: the resident added to it: %(text)s") % {
            "number": event.number,
            "text": text or _("%(n)s photo(s)") % {"n": len(photos)},
        }
        notify_after_commit(_holders(event), "resident_addition", message, event)
    return addition


def _holders(event: Event) -> list[User]:
    """Who holds the case: its assignee and department; nobody yet: the center's shift
    leaders (people_of with the center, less the people of a department it has not)."""
    return people_of(event) or people_of(event, with_center=True)


# Rating and reopening (rows of the events workflow) -------------------------------------
def report_rate(*, user: User, number: str, satisfaction: str, comment: str = "") -> Event:
    """The reporter rates a closed report on the five-level scale (EVALUATE); nothing is
    preset and the comment stays on the timeline row."""
    event, _follow = report_of_resident(user=user, number=number)
    if event.reporter_id != user.pk:
        raise PermissionDenied(_("Only the reporter rates a report."), code="not_reporter")
    comment = text_clean(comment)
    if len(comment) > RATING_COMMENT_MAX_CHARS:
        raise DomainError(
            _("At most %(n)s characters.") % {"n": RATING_COMMENT_MAX_CHARS}, field="comment"
        )
    return event_act(
        user=user,
        event_id=event.pk,
        action=Action.EVALUATE,
        comment=comment,
        data={"satisfaction": satisfaction},
    )


def report_reopen(*, user: User, number: str, text: str, photo_refs: list[str]) -> Event:
    """ "Still not fixed": the reporter or a follower sends a closed (or rated) report back
    to the center within GRIDGOV_REOPEN_DAYS of its closing (RESIDENT_REOPEN, whose guard
    keeps the window), with their words and photos."""
    event, _follow = report_of_resident(user=user, number=number)
    text = text_clean(text)
    if len(text) > REOPEN_TEXT_MAX_CHARS:
        raise DomainError(
            _("At most %(n)s characters.") % {"n": REOPEN_TEXT_MAX_CHARS}, field="text"
        )
    if not text:
        raise DomainError(_("Say what is still wrong."), code="required", field="text")
    return event_act(
        user=user,
        event_id=event.pk,
        action=Action.RESIDENT_REOPEN,
        comment=text,
        data={"photos": list(photo_refs or [])},
    )
