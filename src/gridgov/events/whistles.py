"""Whistle and report (吹哨报到): a level that cannot solve an event summons the departments
of the level above; each checks in by its deadline and reports back."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.codes import AreaKind
from gridgov.areas.models import Department
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.events.access import event_for_user
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.history import text_clean, timeline_add
from gridgov.events.models import (
    Summons,
    Whistle,
)
from gridgov.events.notices import notify_after_commit, people_of
from gridgov.events.workflow import (
    TERMINAL,
    State,
)

WHISTLE_LEVELS = {
    # level: (the whistler's area kind, the kind of area whose departments are summoned)
    Whistle.Level.COMMUNITY: (AreaKind.COMMUNITY, AreaKind.STREET),
    Whistle.Level.STREET: (AreaKind.STREET, AreaKind.COUNTY),
    Whistle.Level.DISTRICT: (AreaKind.COUNTY, AreaKind.CITY),
}
CHECK_IN_HOURS = 2.0


def whistle_blow(
    *, user: User, event_id: int, level: str, department_ids: list[int], reason: str
) -> Whistle:
    """A community (street, district) that cannot solve an event summons departments of the
    street (district, city). Each must check in within CHECK_IN_HOURS working hours."""
    event = event_for_user(user=user, event_id=event_id)
    reason = text_clean(reason)
    if level not in WHISTLE_LEVELS:
        raise DomainError(_("Unknown whistle level."), field="level")
    if event.state in TERMINAL or event.state == State.REPORTED:
        raise Conflict(_("Only a filed, open event can be whistled."), code="not_allowed_now")
    whistler_kind, summoned_kind = WHISTLE_LEVELS[level]
    if not user.is_superuser and not (
        user.role in (Role.AREA_STAFF, Role.OPERATOR, Role.SHIFT_LEADER, Role.LEADER)
        and user.area
        and user.area.kind == whistler_kind
    ):
        raise PermissionDenied(_("Only staff of the whistling level may whistle."))
    if not (reason or "").strip():
        raise DomainError(_("Please give a reason."), code="required", field="reason")
    departments = list(Department.objects.filter(pk__in=department_ids).select_related("area"))
    if not departments or len(departments) != len(set(department_ids)):
        raise DomainError(
            _("Choose the departments to summon."), code="required", field="department_ids"
        )
    for department in departments:
        summoned_level_ok = department.area.kind == summoned_kind and event.area.path.startswith(
            department.area.path
        )
        # A city's departments sit above the district; with no city in the tree, the root's departments count.
        if summoned_kind == AreaKind.CITY and department.area.kind == AreaKind.CITY:
            summoned_level_ok = event.area.path.startswith(department.area.path)
        if not summoned_level_ok:
            raise DomainError(
                _("%(name)s is not a department of the level above.") % {"name": department.name},
                field="department_ids",
            )
    now = timezone.now()
    due = WorkingCalendar.from_database().add_working_hours(now, CHECK_IN_HOURS)
    with transaction.atomic():
        whistle = Whistle.objects.create(event=event, level=level, by=user, reason=reason.strip())
        Summons.objects.bulk_create(
            [Summons(whistle=whistle, department=d, check_in_due_at=due) for d in departments]
        )
        timeline_add(
            event,
            user,
            "whistle",
            event.state,
            event.state,
            reason.strip(),
            {"level": level, "departments": [d.name for d in departments]},
        )
        text = _("Event %(number)s: you are summoned (吹哨); check in by %(due)s.") % {
            "number": event.number,
            "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
        }
        for department in departments:
            notify_after_commit(people_of(event, department=department), "summoned", text, event)
    return whistle


def _summons_for(user: User, summons_id: int) -> Summons:
    summons = (
        Summons.objects.select_related("whistle__event", "department").filter(pk=summons_id).first()
    )
    if summons is None or not (user.is_superuser or user.department_id == summons.department_id):
        raise NotFound(_("No such summons for your department."))
    return summons


def summons_check_in(*, user: User, summons_id: int) -> Summons:
    summons = _summons_for(user, summons_id)
    now = timezone.now()
    with transaction.atomic():
        if not Summons.objects.filter(pk=summons.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, checked_in_by=user
        ):
            raise Conflict(_("Already checked in."), code="already")
        late = now > summons.check_in_due_at
        timeline_add(
            summons.whistle.event,
            user,
            "check_in",
            summons.whistle.event.state,
            summons.whistle.event.state,
            "",
            {"department": summons.department.name, "late": late},
        )
    summons.refresh_from_db()
    return summons


def summons_report(*, user: User, summons_id: int, report: str) -> Summons:
    summons = _summons_for(user, summons_id)
    report = text_clean(report)
    if not report:
        raise DomainError(_("Please say what was done."), code="required", field="report")
    now = timezone.now()
    with transaction.atomic():
        updated = Summons.objects.filter(
            pk=summons.pk, checked_in_at__isnull=False, reported_at__isnull=True
        ).update(reported_at=now, report=report.strip())
        if not updated:
            raise Conflict(_("Check in first, and report back once."), code="not_allowed_now")
        timeline_add(
            summons.whistle.event,
            user,
            "report_back",
            summons.whistle.event.state,
            summons.whistle.event.state,
            report.strip(),
            {"department": summons.department.name},
        )
    summons.refresh_from_db()
    return summons
