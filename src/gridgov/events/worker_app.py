"""Reads of the worker app (decision 0023): a grid worker's tasks, what they may verify in
their grid, one event with its photos, and the cheap pulse the app polls for new offers.

Everything is read through `selectors` (the same visibility and the same `event_as_dict`
as the queue), so the app shows no more than the event page would: the reporter's name and
phone are never part of it.
"""

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.common.errors import PermissionDenied
from gridgov.dispatch.services import FIELD_ROLES
from gridgov.events import selectors
from gridgov.events.access import event_for_user
from gridgov.events.models import ActionReceipt, Assignment, Event
from gridgov.events.workflow import LIVE_OFFER, TERMINAL, Action, State

# The actions the app sends; anything else belongs to the desk.
APP_ACTIONS = (
    Action.ACCEPT_TASK,
    Action.DECLINE_TASK,
    Action.FEEDBACK,
    Action.SOLVE_ON_SPOT,
    Action.VERIFY_PASS,
    Action.VERIFY_FAIL,
)
LIST_LIMIT = 100


def field_user_check(user: User) -> None:
    """The app's reads and writes are for grid workers and grid heads (and superusers)."""
    if not (user.is_authenticated and (user.is_superuser or user.role in FIELD_ROLES)):
        raise PermissionDenied(_("The worker app is for grid workers and grid heads."))


def _offers(user: User):
    return Assignment.objects.filter(worker_id=user.pk, status__in=LIVE_OFFER).exclude(
        event__state__in=TERMINAL
    )


def worker_tasks(*, user: User) -> list[dict]:
    """The user's live offers and accepted tasks, newest offer first, each as the queue shows
    an event plus the offer's status and time."""
    field_user_check(user)
    offers = list(
        _offers(user)
        .order_by("-offered_at", "-id")
        .values_list("event_id", "status", "offered_at")[:LIST_LIMIT]
    )
    events = Event.objects.select_related("subclass", "area", "department", "assignee").in_bulk(
        [event_id for event_id, _s, _t in offers]
    )
    ordered = [events[event_id] for event_id, _s, _t in offers if event_id in events]
    rows = selectors.page_as_dicts(ordered, user)
    by_id = {event_id: (status, at) for event_id, status, at in offers}
    for row in rows:
        status, at = by_id[row["id"]]
        row["offer"] = status
        row["offered_at"] = at.isoformat()
    return rows


def worker_to_verify(*, user: User) -> list[dict]:
    """Handled events of the user's grid that someone else handled: 核查 is theirs to do.
    The workflow's rows decide (separation of duties included): only those whose actions
    hold verify_pass are listed."""
    field_user_check(user)
    events = list(
        selectors.events_visible(user)
        .filter(state=State.HANDLED)
        .order_by("-handled_at", "-id")[:LIST_LIMIT]
    )
    return [
        row for row in selectors.page_as_dicts(events, user) if Action.VERIFY_PASS in row["actions"]
    ]


def worker_pulse(*, user: User) -> dict:
    """What the app polls every few seconds: two aggregates on the worker's offers index."""
    field_user_check(user)
    offers = _offers(user).aggregate(newest=Max("id"))
    return {
        "offers": _offers(user).filter(status=Assignment.Status.OFFERED).count(),
        "newest": offers["newest"] or 0,
    }


def worker_event(*, user: User, event_id: int) -> dict:
    """One event for the app: as the event page's API shows it (timeline included), with its
    photos' addresses. Only events the user may open (NotFound otherwise)."""
    field_user_check(user)
    return event_payload(event_for_user(user=user, event_id=event_id), user)


def event_payload(event: Event, user: User) -> dict:
    """The app's view of an event the user may open, or has just acted on: a worker who
    declined an offer outside their grid still gets the answer to their own action."""
    data = selectors.event_as_dict(event, user, with_timeline=True)
    data["photos"] = [
        reverse("photo_file", kwargs={"key": key})
        for key in event.photos.order_by("created_at", "pk").values_list("key", flat=True)
    ]
    offer = (
        event.assignments.filter(worker_id=user.pk, status__in=LIVE_OFFER)
        .values_list("status", flat=True)
        .first()
    )
    data["offer"] = offer
    return data


def receipt_for(client_uuid) -> ActionReceipt | None:
    return ActionReceipt.objects.filter(client_uuid=client_uuid).select_related("event").first()
