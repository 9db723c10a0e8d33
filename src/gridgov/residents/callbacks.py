"""回访: the center calls the reporter back and records what it heard (issue 11).

Only the center (operators and shift leaders) of the event's area does it. The reporter's
phone is masked everywhere; revealing it to call is one audited read (accounts.PiiAccess).
A callback that brings a rating for a closed report records it through the workflow's
EVALUATE_CALLBACK row, so the timeline says whose rating it is and who took it down.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.accounts.services import pii_access_record
from gridgov.common.errors import DomainError, NotFound
from gridgov.events.models import Event, Satisfaction
from gridgov.events.services import event_act
from gridgov.events.services.timeline import text_clean
from gridgov.events.workflow import CENTER, Action, Relations, State
from gridgov.registry.pii import mask_phone
from gridgov.residents.models import Callback

RESULT_MAX_CHARS = 1000


def may_call_back(user: User, event: Event) -> bool:
    """The center of the event's area (or a superuser)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.role in CENTER and Relations(event, user).area


def _event_for_desk(user: User, event_id: int) -> Event:
    event = Event.objects.select_related("subclass", "area", "reporter").filter(pk=event_id).first()
    # Anyone else learns nothing, not even that the event exists.
    if event is None or not may_call_back(user, event):
        raise NotFound(_("No event #%(id)s.") % {"id": event_id})
    return event


def reporter_phone_of(event: Event) -> str:
    """The phone given with the report, else the phone of the reporter's account."""
    if event.reporter_phone:
        return event.reporter_phone
    if event.reporter_id and event.reporter.role == Role.RESIDENT:
        return event.reporter.phone or ""
    return ""


def reporter_phone_masked(event: Event) -> str:
    phone = reporter_phone_of(event)
    return mask_phone(phone) if phone else ""


def reporter_phone_reveal(
    *, user: User, event_id: int, channel: str = "api", ip: str | None = None
) -> str:
    """The reporter's phone unmasked, for the center of the area to call; each read is
    recorded (who, which event, which field) before it is returned."""
    event = _event_for_desk(user, event_id)
    phone = reporter_phone_of(event)
    if phone:
        pii_access_record(
            user=user,
            model="events.event",
            object_ids=[event.pk],
            fields=["reporter_phone"],
            channel=channel,
            ip=ip,
        )
    return phone


def callbacks_of(*, user: User, event_id: int) -> list[Callback]:
    event = _event_for_desk(user, event_id)
    return list(Callback.objects.filter(event=event).select_related("by").order_by("-at", "-pk"))


def callback_record(
    *, user: User, event_id: int, reached: bool, result: str = "", satisfaction: str = ""
) -> Callback:
    """One call back: whether it reached the reporter, what they said and, if they rated the
    handling, the rating. On a closed report the rating is also the event's (as a rating
    from a callback); on any other the callback keeps it alone."""
    event = _event_for_desk(user, event_id)
    result = text_clean(result)
    if len(result) > RESULT_MAX_CHARS:
        raise DomainError(_("At most %(n)s characters.") % {"n": RESULT_MAX_CHARS}, field="result")
    satisfaction = (satisfaction or "").strip()
    if satisfaction and satisfaction not in Satisfaction.values:
        raise DomainError(
            _("Satisfaction must be one of: %(values)s.")
            % {"values": ", ".join(Satisfaction.values)},
            field="satisfaction",
        )
    if satisfaction and not reached:
        raise DomainError(
            _("A rating is heard only on a call that reached the reporter."), field="satisfaction"
        )
    with transaction.atomic():
        callback = Callback.objects.create(
            event=event, by=user, reached=reached, result=result, satisfaction=satisfaction
        )
        if satisfaction and event.state == State.CLOSED:
            event_act(
                user=user,
                event_id=event.pk,
                action=Action.EVALUATE_CALLBACK,
                comment=result[:500],
                data={"satisfaction": satisfaction},
            )
    return callback


def callback_as_dict(callback: Callback) -> dict:
    return {
        "id": callback.pk,
        "at": callback.at,
        "by": callback.by.username,
        "reached": callback.reached,
        "result": callback.result,
        "satisfaction": callback.satisfaction or None,
    }
