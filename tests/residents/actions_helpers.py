"""Shared setup of the actions part's tests (issue 11): residents, a report in 文汇's first
grid, and the states a resident acts on, set directly where the loop would need a story."""

import datetime as dt

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.events.models import Event
from gridgov.events.services import event_report
from tests.conftest import _persona
from tests.events.conftest import report_data


def resident_named(name: str, phone: str = "") -> User:
    user = _persona(name, Role.RESIDENT, None)
    user.is_staff = False
    user.phone = phone
    user.save(update_fields=["is_staff", "phone"])
    return user


def reported(reporter: User | None, point, **data) -> Event:
    return event_report(user=reporter, data=report_data(point, **data), source="resident")


def set_state(event: Event, state: str, **fields) -> Event:
    if state in ("closed", "evaluated") and "closed_at" not in fields:
        fields["closed_at"] = timezone.now() - dt.timedelta(hours=1)
    Event.objects.filter(pk=event.pk).update(state=state, **fields)
    event.refresh_from_db()
    return event


def snapshot(event: Event) -> tuple:
    """What a refused action must leave as it was."""
    event.refresh_from_db()
    return (
        event.state,
        event.version,
        event.satisfaction,
        event.closed_at,
        event.timeline.count(),
        event.photos.count(),
        event.additions.count(),
        event.follows.count(),
    )


def center_person(name: str, role: str = Role.SHIFT_LEADER, area_code: str = "530702") -> User:
    return _persona(name, role, area_code)
