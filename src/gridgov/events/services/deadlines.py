"""The deadline sweep: events that turned yellow or red are marked once and their people told."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.events.calendar import WorkingCalendar, deadline_colour
from gridgov.events.models import Event
from gridgov.events.notices import notify_after_commit, people_of
from gridgov.events.services.timeline import timeline_add
from gridgov.events.workflow import TERMINAL


def deadlines_sweep(*, now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """Mark events that turned yellow or red since the last sweep and record one timeline
    notice each. Idempotent: a second run at the same moment finds nothing new."""
    now = now or timezone.now()
    calendar = WorkingCalendar.from_database()
    found: list[tuple[int, str]] = []
    open_events = (
        Event.objects.filter(stage_due_at__isnull=False)
        .exclude(state__in=TERMINAL)
        .exclude(stage_warned="red")
    )
    # An urgent subclass's stage runs in clock time, so its colour is a share of clock time.
    for event in open_events.select_related("subclass").only(
        "id",
        "state",
        "stage_started_at",
        "stage_due_at",
        "stage_warned",
        "version",
        "subclass__urgent",
    ):
        colour = deadline_colour(
            event.stage_started_at,
            event.stage_due_at,
            now,
            calendar,
            urgent=event.subclass.urgent,
        )
        if colour not in ("yellow", "red") or colour == event.stage_warned:
            continue
        with transaction.atomic():
            # Claim by compare-and-swap so two sweepers never notify twice.
            if Event.objects.filter(
                pk=event.pk, stage_warned=event.stage_warned, stage_due_at=event.stage_due_at
            ).update(stage_warned=colour):
                timeline_add(
                    event,
                    None,
                    f"deadline_{colour}",
                    event.state,
                    event.state,
                    "",
                    {"due": event.stage_due_at.isoformat()},
                )
                _notify_deadline(event.pk, colour)
                found.append((event.pk, colour))
    return found


def _notify_deadline(event_id: int, colour: str) -> None:
    event = Event.objects.select_related("area", "subclass").get(pk=event_id)
    text = (
        _("Event %(number)s is overdue.")
        if colour == "red"
        else _("Event %(number)s is near its deadline.")
    ) % {"number": event.number}
    notify_after_commit(
        people_of(event, with_center=colour == "red"), f"deadline_{colour}", text, event
    )
