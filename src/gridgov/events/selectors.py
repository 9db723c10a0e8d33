"""Reads of events, scoped: staff see their area, department staff their department's
events, residents what they reported."""

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, get_in_scope, scope_path
from gridgov.common.errors import PermissionDenied
from gridgov.events.calendar import WorkingCalendar, deadline_colour
from gridgov.events.models import Event, Summons
from gridgov.events.workflow import Action, allowed_actions

# Timeline steps that are not actions of the table.
STEP_LABELS = {
    "report": _("Reported"),
    "whistle": _("Whistled"),
    "check_in": _("Checked in"),
    "report_back": _("Reported back"),
    "deadline_yellow": _("Deadline near (yellow)"),
    "deadline_red": _("Deadline passed (red)"),
}


def step_label(action: str) -> str:
    if action in Action.values:
        return str(Action(action).label)
    return str(STEP_LABELS.get(action, action))


def local(value) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def events_visible(user: User) -> QuerySet[Event]:
    """Events the user may read: those of their area with the events capability, those
    dispatched or whistled to their department, and those they reported themselves.

    Department handlers read by their department, not by the district they sit in; roles
    without the capability (service companies, Party secretaries) read only their own reports.
    """
    queryset = Event.objects.select_related("subclass", "area", "department", "assignee")
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if user.is_superuser:
        return queryset
    in_area = get_in_scope(user, Event.objects.all(), Capability.EVENTS_VIEW)
    # Whoever the event was handed to by name (the assignee, a live offer) sees it in their
    # list too, as `access.may_see` lets them open it.
    condition = (
        Q(reporter=user)
        | Q(pk__in=in_area.values("pk"))
        | Q(assignee=user)
        | Q(assignments__worker=user, assignments__status__in=("offered", "accepted"))
    )
    if user.department_id:
        condition |= Q(department_id=user.department_id) | Q(
            whistles__summonses__department_id=user.department_id
        )
    return queryset.filter(condition).distinct()


def event_visible_to(user: User, event: Event) -> bool:
    """The same rule as `events_visible`, for one event already read."""
    if not (user.is_authenticated and user.is_active):
        return False
    return event.reporter_id == user.pk or handles(user, event)


def handles(user: User, event: Event) -> bool:
    """The user reads the event as staff: in their area with the capability, or through
    their department (dispatched or summoned). Only they see staff names, phones, internal
    comments and whistles; a reporter without this sees the progress of their case."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if user.department_id and (
        event.department_id == user.department_id
        or Summons.objects.filter(whistle__event=event, department_id=user.department_id).exists()
    ):
        return True
    prefix = scope_path(user)
    return (
        can(user, Capability.EVENTS_VIEW)
        and prefix is not None
        and event.area.path.startswith(prefix)
    )


def events_queue(*, user: User, filters: dict) -> QuerySet[Event]:
    queryset = events_visible(user)
    for key, lookup in (
        ("state", "state"),
        ("subclass", "subclass__code"),
        ("source", "source"),
        ("urgency", "urgency"),
    ):
        if filters.get(key):
            queryset = queryset.filter(**{lookup: filters[key]})
    if filters.get("area"):
        queryset = queryset.filter(area__path__contains=f"/{filters['area']}/")
    if filters.get("mine"):
        queryset = queryset.filter(
            Q(assignee=user) | Q(department_id=user.department_id)
            if user.department_id
            else Q(assignee=user)
        )
    if filters.get("overdue"):
        queryset = queryset.filter(stage_due_at__lt=timezone.now())
    if filters.get("warned") in ("yellow", "red"):
        # What the deadline sweep marked: yellow from 80% of the stage's working time, red overdue.
        queryset = queryset.filter(stage_warned=filters["warned"])
    return queryset.order_by("-reported_at")


def events_for_rates(*, user: User, filters: dict) -> QuerySet[Event]:
    """The events whose rates the user may read: the area's with the events capability, or a
    department's for its handlers. A resident's own reports make no rate; other roles none."""
    if not (can(user, Capability.EVENTS_VIEW) or (user.is_authenticated and user.department_id)):
        raise PermissionDenied()
    return events_queue(user=user, filters=filters)


def event_as_dict(
    event: Event, user: User, calendar: WorkingCalendar | None = None, with_timeline: bool = False
) -> dict:
    calendar = calendar or WorkingCalendar.from_database()
    staff = handles(user, event)
    data = {
        "id": event.pk,
        "number": event.number,
        "state": event.state,
        "state_name": str(event.get_state_display()),
        "version": event.version,
        "subclass": event.subclass.code,
        "subclass_name": event.subclass.name_zh,
        "description": event.description,
        "urgency": event.urgency,
        "source": event.source,
        "area": event.area.code,
        "area_name": event.area.name,
        "lon": event.lon,
        "lat": event.lat,
        "address": event.address,
        "department": event.department.name if event.department else None,
        "assignee": event.assignee.username if event.assignee and staff else None,
        "duplicate_of": event.duplicate_of_id,
        "pending_request": event.pending_request or None,
        "supervised": event.supervised,
        "rework_count": event.rework_count,
        "satisfaction": event.satisfaction or None,
        "reported_at": event.reported_at.isoformat(),
        "reported_display": local(event.reported_at),
        "stage_due_display": local(event.stage_due_at),
        "stage_due_at": event.stage_due_at.isoformat() if event.stage_due_at else None,
        "deadline": deadline_colour(
            event.stage_started_at, event.stage_due_at, timezone.now(), calendar
        ),
        "closed_at": event.closed_at.isoformat() if event.closed_at else None,
        # From the workflow's rows with the user's relation to the event: no button is
        # offered that would then be refused.
        "actions": allowed_actions(event, user),
    }
    if with_timeline:
        data["timeline"] = [
            {
                "at": t.at.isoformat(),
                "at_display": local(t.at),
                "label": step_label(t.action),
                "action": t.action,
                "from": t.from_state,
                "to": t.to_state,
                # Who did what and their notes stay inside the handling staff.
                "by": t.actor.username if t.actor and staff else None,
                "comment": t.comment if staff else "",
                "data": t.data if staff else {},
            }
            for t in event.timeline.select_related("actor")
        ]
        data["whistles"] = [
            {
                "level": w.level,
                "level_name": str(w.get_level_display()),
                "reason": w.reason,
                "at": w.at.isoformat(),
                "summonses": [
                    {
                        "id": s.pk,
                        "department": s.department.name,
                        "check_in_due_at": s.check_in_due_at.isoformat(),
                        "checked_in_at": s.checked_in_at.isoformat() if s.checked_in_at else None,
                        "late": bool((s.checked_in_at or timezone.now()) > s.check_in_due_at),
                        "reported_at": s.reported_at.isoformat() if s.reported_at else None,
                        "report": s.report,
                    }
                    for s in Summons.objects.filter(whistle=w).select_related("department")
                ],
            }
            for w in (event.whistles.all() if staff else ())
        ]
    return data
