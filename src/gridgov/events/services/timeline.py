"""What every step leaves: its timeline row, the deadline of the stage it starts, and free
text as it is stored (shared by intake, the loop and whistle-and-report)."""

import datetime as dt
from typing import Any

from gridgov.accounts.models import User
from gridgov.common.text import xml_safe
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.models import Event, TimelineEntry
from gridgov.events.workflow import STAGE_OF_STATE


def timeline_add(
    event: Event,
    actor: User | None,
    action: str,
    from_state: str,
    to_state: str,
    comment: str = "",
    data: dict | None = None,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        event=event,
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data or {},
    )


def stage_deadline(
    event: Event, state: str, now: dt.datetime, calendar: WorkingCalendar
) -> dict[str, Any]:
    stage = STAGE_OF_STATE.get(state)
    if stage is None:
        return {"stage_started_at": None, "stage_due_at": None, "stage_warned": ""}
    hours = event.subclass.limit_hours(event.urgency, stage)
    return {
        "stage_started_at": now,
        "stage_due_at": calendar.add_hours(now, hours, urgent=event.subclass.urgent),
        "stage_warned": "",
    }


def text_clean(value: Any, limit: int | None = None) -> str:
    """Free text as stored: stripped, without the characters XML 1.0 forbids (one vertical
    tab in a description would make Open311's requests.xml unreadable for every client)."""
    text = xml_safe(str(value or "")).strip()
    return text[:limit] if limit else text
