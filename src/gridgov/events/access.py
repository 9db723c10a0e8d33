"""Who may open an event: the one rule services apply before any write."""

from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.common.errors import NotFound
from gridgov.events import selectors
from gridgov.events.models import Assignment, Event
from gridgov.events.workflow import Relations


def event_for_user(*, user: User, event_id: int, as_follower: bool = False) -> Event:
    """The event if the user may act on it: staff inside their area, department staff on their
    department's events, residents on what they reported. `as_follower`: also a follower of it
    (for the workflow rows that grant followers, which decide the rest)."""
    # The grid's outline is not needed to act on an event and is the largest column read.
    event = (
        Event.objects.select_related("subclass", "area", "department")
        .defer("area__geometry")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        raise NotFound(_("No event #%(id)s.") % {"id": event_id})
    if not may_see(user, event) and not (as_follower and Relations(event, user).follower):
        raise NotFound(_("No event #%(id)s.") % {"id": event_id})
    return event


def may_see(user: User, event: Event) -> bool:
    """The read rule of the selectors (area with the events capability, the department's
    and summoned events, one's own reports), plus whoever the event was handed to by name
    (the assignee, a live offer): they must open it to act on it."""
    if selectors.event_visible_to(user, event):
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    return event.assignee_id == user.pk or (
        event.assignments.filter(
            worker_id=user.pk, status__in=(Assignment.Status.OFFERED, Assignment.Status.ACCEPTED)
        ).exists()
    )
