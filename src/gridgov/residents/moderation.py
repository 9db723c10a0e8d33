"""The center moderates what the public sees of a report (issue 11): it hides it (with a
reason), rewords it for the public, and approves photos one by one. The original
description is never changed; each moderation is a save of the PublicView row, which the
audit log keeps with its before and after.

Who may: the command center (operators, shift leaders) of the event's area. Anyone else
who may open the event is refused (403); whoever may not even see it is told it does not
exist (404).
"""

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.scope import area_in_scope
from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.events.access import event_for_user
from gridgov.events.models import Event
from gridgov.events.photos import Photo
from gridgov.events.services.timeline import text_clean
from gridgov.events.workflow import CENTER
from gridgov.open311 import publication
from gridgov.residents.models import PublicView

HIDDEN_REASON_MAX = 200
PUBLIC_TEXT_MAX = 4000
PHOTOS_MAX = 20
PHOTO_REF_PREFIX = "photo:"


def moderates(user: User, event: Event) -> bool:
    """Whether `user` may moderate `event`: the center of its area (or a superuser)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.role in CENTER and area_in_scope(user, event.area)


def event_for_moderator(*, user: User, event_id: int) -> Event:
    """The event if `user` moderates it; NotFound if they may not see it, else 403."""
    event = event_for_user(user=user, event_id=event_id)
    if not moderates(user, event):
        raise PermissionDenied(_("Only the command center of this area moderates reports."))
    return event


def public_view_of(event: Event) -> PublicView:
    """The event's PublicView, or an unsaved one with the defaults."""
    return PublicView.objects.filter(event=event).first() or PublicView(event=event)


def default_wording(event: Event) -> str:
    """What the public reads when the center has not reworded it."""
    return publication.public_description(event)


def approved_photos_checked(event: Event, keys: list[str]) -> list[str]:
    """`keys` ("<uuid>" or "photo:<uuid>") as canonical bare photo keys of this event's
    photos, in order, without repeats; a key that is not one of them is refused."""
    if len(keys) > PHOTOS_MAX:
        raise DomainError(
            _("At most %(n)s photos may be shown.") % {"n": PHOTOS_MAX}, field="approved_photos"
        )
    wanted: list[str] = []
    for key in keys:
        bare = str(key).strip()
        if bare.startswith(PHOTO_REF_PREFIX):  # "photo:<uuid>", the form other APIs use
            bare = bare[len(PHOTO_REF_PREFIX) :]
        try:
            canonical = str(uuid.UUID(bare))
        except ValueError:
            raise DomainError(
                _("%(key)s is not a photo of this report.") % {"key": str(key)[:40]},
                field="approved_photos",
            ) from None
        if canonical not in wanted:
            wanted.append(canonical)
    found = {
        str(key)
        for key in Photo.objects.filter(event=event, key__in=wanted).values_list("key", flat=True)
    }
    missing = [key for key in wanted if key not in found]
    if missing:
        raise DomainError(
            _("%(key)s is not a photo of this report.") % {"key": missing[0]},
            field="approved_photos",
        )
    return wanted


def _save(view: PublicView, fields: list[str]) -> PublicView:
    """Save the row (a change the audit log records), creating it on first use; a second
    moderator creating it at the same moment makes this one an update instead."""
    if view._state.adding:
        try:
            with transaction.atomic():
                view.save(force_insert=True)
            return view
        except IntegrityError:
            view._state.adding = False
    view.save(update_fields=fields)
    return view


@transaction.atomic
def public_view_moderate(
    *,
    user: User,
    event_id: int,
    hidden: bool | None = None,
    hidden_reason: str | None = None,
    public_text: str | None = None,
    approved_photos: list[str] | None = None,
) -> PublicView:
    """Moderate what the public sees of event `event_id`; a field given as None keeps its
    value. Preconditions: `user` moderates it (else 403/404); a hidden report has a reason;
    every photo key is one of the event's photos. A public text equal to the default
    wording is stored blank, so a later change of the default (a withdrawn name, a better
    scrubber) still applies."""
    event = event_for_moderator(user=user, event_id=event_id)
    view = PublicView.objects.select_for_update().filter(event=event).first()
    view = view or PublicView(event=event)
    hidden = view.hidden if hidden is None else bool(hidden)
    reason = text_clean(view.hidden_reason if hidden_reason is None else hidden_reason)
    if len(reason) > HIDDEN_REASON_MAX:
        raise DomainError(
            _("The reason may have at most %(n)s characters.") % {"n": HIDDEN_REASON_MAX},
            field="hidden_reason",
        )
    if hidden and not reason:
        raise DomainError(_("Say why the report is hidden."), field="hidden_reason")
    if public_text is None:
        text = view.public_text
    else:
        text = text_clean(public_text)
        if len(text) > PUBLIC_TEXT_MAX:
            raise DomainError(
                _("The public wording may have at most %(n)s characters.") % {"n": PUBLIC_TEXT_MAX},
                field="public_text",
            )
        if text == default_wording(event):
            text = ""
    if approved_photos is None:
        keys = list(view.approved_photos or [])
    else:
        keys = approved_photos_checked(event, list(approved_photos))
    view.hidden = hidden
    view.hidden_reason = reason if hidden else ""
    view.public_text = text
    view.approved_photos = keys
    view.moderated_by = user
    view.moderated_at = timezone.now()
    return _save(
        view,
        [
            "hidden",
            "hidden_reason",
            "public_text",
            "approved_photos",
            "moderated_by",
            "moderated_at",
        ],
    )
