"""Whistle and report (吹哨报到): a level that cannot solve an event summons the departments
of the level above; each checks in (报到), acts (到场处置) and reports back (反馈), each by its
own deadline, and the whistling level rates the response (decision 0025)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.codes import AreaKind, ancestor_paths
from gridgov.areas.models import Department
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.events.access import event_for_user
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.models import Event, Summons, Whistle
from gridgov.events.notices import notify_after_commit, people_of
from gridgov.events.services.timeline import text_clean, timeline_add
from gridgov.events.workflow import TERMINAL, State

WHISTLE_LEVELS = {
    # level: (the whistler's area kind, the kind of area whose departments are summoned)
    Whistle.Level.COMMUNITY: (AreaKind.COMMUNITY, AreaKind.STREET),
    Whistle.Level.STREET: (AreaKind.STREET, AreaKind.COUNTY),
    Whistle.Level.DISTRICT: (AreaKind.COUNTY, AreaKind.CITY),
}
# Who speaks for a level: they whistle and they rate the departments' responses.
WHISTLER_ROLES = (Role.AREA_STAFF, Role.OPERATOR, Role.SHIFT_LEADER, Role.LEADER)

# The three deadlines of a summons, in the order they fall.
STEPS = ("check_in", "action", "report")
STEP_NAMES = {
    "check_in": gettext_lazy("check-in (报到)"),
    "action": gettext_lazy("action on the spot (到场处置)"),
    "report": gettext_lazy("report-back (反馈)"),
}
DUE_FIELD = {"check_in": "check_in_due_at", "action": "action_due_at", "report": "report_due_at"}
DONE_FIELD = {"check_in": "checked_in_at", "action": "action_at", "report": "reported_at"}
# Hours after the whistle, per level; GRIDGOV_WHISTLE_DEADLINES overrides any of them
# (e.g. {"street": {"action": 36}}). Neither STANDARDS.md nor the seeds name numbers: these
# double at each level up (a wider area, a busier department), decision 0025.
DEFAULT_DEADLINES: dict[str, dict[str, float]] = {
    Whistle.Level.COMMUNITY: {"check_in": 2, "action": 24, "report": 72},
    Whistle.Level.STREET: {"check_in": 4, "action": 48, "report": 120},
    Whistle.Level.DISTRICT: {"check_in": 8, "action": 72, "report": 168},
}
# Checking in is a desk's act: counted in working hours. Acting and reporting back are
# counted in plain hours (a day, three days), as the departments' own rules state them.
WORKING_TIME_STEPS = frozenset({"check_in"})
# The sweep warns once a step has used this share of its time, and again once it is missed.
WARN_SHARE = 0.75
WARNING_BITS = {
    (step, kind): 1 << (2 * i + j)
    for i, step in enumerate(STEPS)
    for j, kind in enumerate(("near", "missed"))
}


def deadline_hours(level: str) -> dict[str, float]:
    configured = (getattr(settings, "GRIDGOV_WHISTLE_DEADLINES", None) or {}).get(level, {})
    return {**DEFAULT_DEADLINES[level], **configured}


def deadlines_for(
    level: str, start: dt.datetime, calendar: WorkingCalendar
) -> dict[str, dt.datetime]:
    """Each step's due moment for a whistle at `start`; never earlier than the step before
    (a configuration with a short action time still asks to check in first)."""
    hours = deadline_hours(level)
    due: dict[str, dt.datetime] = {}
    previous = start
    for step in STEPS:
        if step in WORKING_TIME_STEPS:
            moment = calendar.add_working_hours(start, hours[step])
        else:
            moment = start + dt.timedelta(hours=hours[step])
        due[step] = previous = max(moment, previous)
    return due


def summonable_departments(event: Event, level: str):
    """The departments a whistle at `level` may summon for `event`: those of the level above
    whose area holds the event. A district whistle summons the city's departments; where the
    data has no city above the district (the demo: 古城区 is the root), the district's own
    departments answer it (decision 0025)."""
    _whistler, summoned_kind = WHISTLE_LEVELS[level]
    above = ancestor_paths(event.area.path)
    departments = Department.objects.filter(area__kind=summoned_kind, area__path__in=above)
    if summoned_kind == AreaKind.CITY and not departments.exists():
        departments = Department.objects.filter(area__kind=AreaKind.COUNTY, area__path__in=above)
    return departments.select_related("area").order_by("name")


def whistle_level_of(user: User) -> str | None:
    """The level this user whistles at (by the kind of their area), if they speak for one."""
    if not (user.is_authenticated and user.area_id and user.role in WHISTLER_ROLES):
        return None
    return next((lvl for lvl, (kind, _s) in WHISTLE_LEVELS.items() if user.area.kind == kind), None)


def whistle_blow(
    *, user: User, event_id: int, level: str, department_ids: list[int], reason: str
) -> Whistle:
    """A community (street, district) that cannot solve an event summons departments of the
    street (district, city). Each gets its three deadlines (deadlines_for)."""
    event = event_for_user(user=user, event_id=event_id)
    reason = text_clean(reason)
    if level not in WHISTLE_LEVELS:
        raise DomainError(_("Unknown whistle level."), field="level")
    if event.state in TERMINAL or event.state == State.REPORTED:
        raise Conflict(_("Only a filed, open event can be whistled."), code="not_allowed_now")
    if not user.is_superuser and whistle_level_of(user) != level:
        raise PermissionDenied(_("Only staff of the whistling level may whistle."))
    if not (reason or "").strip():
        raise DomainError(_("Please give a reason."), code="required", field="reason")
    allowed = {d.pk: d for d in summonable_departments(event, level)}
    wanted = set(department_ids)
    if not wanted:
        raise DomainError(
            _("Choose the departments to summon."), code="required", field="department_ids"
        )
    departments = list(Department.objects.filter(pk__in=wanted))
    if len(departments) != len(wanted):
        raise DomainError(_("Choose the departments to summon."), field="department_ids")
    for department in departments:
        if department.pk not in allowed:
            raise DomainError(
                _("%(name)s is not a department of the level above.") % {"name": department.name},
                field="department_ids",
            )
    now = timezone.now()
    due = deadlines_for(level, now, WorkingCalendar.from_database())
    with transaction.atomic():
        whistle = Whistle.objects.create(event=event, level=level, by=user, reason=reason.strip())
        Summons.objects.bulk_create(
            [
                Summons(
                    whistle=whistle,
                    department=d,
                    check_in_due_at=due["check_in"],
                    action_due_at=due["action"],
                    report_due_at=due["report"],
                )
                for d in departments
            ]
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
        text = _(
            "Event %(number)s: you are summoned (吹哨); check in by %(check_in)s, act by "
            "%(action)s, report back by %(report)s."
        ) % {
            "number": event.number,
            **{step: _when(moment) for step, moment in due.items()},
        }
        for department in departments:
            notify_after_commit(people_of(event, department=department), "summoned", text, event)
    return whistle


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _summons_for(user: User, summons_id: int) -> Summons:
    summons = (
        Summons.objects.select_related("whistle__event", "department").filter(pk=summons_id).first()
    )
    if summons is None or not (user.is_superuser or user.department_id == summons.department_id):
        raise NotFound(_("No such summons for your department."))
    return summons


def _record(summons: Summons, user: User, action: str, comment: str, **data) -> None:
    event = summons.whistle.event
    timeline_add(
        event, user, action, event.state, event.state, comment,
        {"department": summons.department.name, **data},
    )  # fmt: skip


def summons_check_in(*, user: User, summons_id: int) -> Summons:
    summons = _summons_for(user, summons_id)
    now = timezone.now()
    with transaction.atomic():
        if not Summons.objects.filter(pk=summons.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, checked_in_by=user
        ):
            raise Conflict(_("Already checked in."), code="already")
        _record(summons, user, "check_in", "", late=now > summons.check_in_due_at)
    summons.refresh_from_db()
    return summons


def summons_act(*, user: User, summons_id: int, note: str) -> Summons:
    """The department acted on the spot (到场处置): once, after checking in."""
    summons = _summons_for(user, summons_id)
    note = (text_clean(note) or "").strip()
    if not note:
        raise DomainError(_("Please say what was done."), code="required", field="note")
    now = timezone.now()
    with transaction.atomic():
        if not Summons.objects.filter(
            pk=summons.pk, checked_in_at__isnull=False, action_at__isnull=True
        ).update(action_at=now, action_by=user, action_note=note):
            raise Conflict(_("Check in first, and record the action once."), code="not_allowed_now")
        late = bool(summons.action_due_at and now > summons.action_due_at)
        _record(summons, user, "summons_act", note, late=late)
    summons.refresh_from_db()
    return summons


def summons_report(*, user: User, summons_id: int, report: str) -> Summons:
    """Report back (反馈). A department that reports back without recording the action
    separately acted by now: the action is stamped with the report's time."""
    summons = _summons_for(user, summons_id)
    report = (text_clean(report) or "").strip()
    if not report:
        raise DomainError(_("Please say what was done."), code="required", field="report")
    now = timezone.now()
    with transaction.atomic():
        updated = Summons.objects.filter(
            pk=summons.pk, checked_in_at__isnull=False, reported_at__isnull=True
        ).update(reported_at=now, report=report)
        if not updated:
            raise Conflict(_("Check in first, and report back once."), code="not_allowed_now")
        Summons.objects.filter(pk=summons.pk, action_at__isnull=True).update(
            action_at=now, action_by=user
        )
        late = bool(summons.report_due_at and now > summons.report_due_at)
        _record(summons, user, "report_back", report, late=late)
    summons.refresh_from_db()
    return summons


def may_rate(user: User, summons: Summons) -> bool:
    """Staff of the whistling level whose area holds the event (the street rates the
    departments it summoned)."""
    if user.is_superuser:
        return True
    event = summons.whistle.event
    return whistle_level_of(user) == summons.whistle.level and event.area.path.startswith(
        user.area.path
    )


def summons_rate(*, user: User, summons_id: int, rating: str, note: str = "") -> Summons:
    """The whistling level rates a department's response, once, after its report-back."""
    summons = (
        Summons.objects.select_related("whistle__event__area", "department")
        .filter(pk=summons_id)
        .first()
    )
    if summons is None:
        raise NotFound(_("No such summons."))
    event_for_user(user=user, event_id=summons.whistle.event_id)  # NotFound when not visible
    if not may_rate(user, summons):
        raise PermissionDenied(_("Only staff of the whistling level may rate the response."))
    if rating not in Summons.Rating.values:
        raise DomainError(_("Rate the response good, adequate or poor."), field="rating")
    note = (text_clean(note) or "").strip()
    if rating == Summons.Rating.POOR and not note:
        raise DomainError(_("Say why the response was poor."), code="required", field="note")
    now = timezone.now()
    with transaction.atomic():
        if not Summons.objects.filter(pk=summons.pk, reported_at__isnull=False, rating="").update(
            rating=rating, rating_note=note, rated_at=now, rated_by=user
        ):
            raise Conflict(
                _("A response is rated once, after the department reported back."),
                code="not_allowed_now",
            )
        _record(summons, user, "summons_rated", note, rating=rating)
    summons.refresh_from_db()
    return summons


def _share_used(
    start: dt.datetime, due: dt.datetime, now: dt.datetime, step: str, calendar: WorkingCalendar
) -> float:
    if step in WORKING_TIME_STEPS:
        limit = calendar.working_hours_between(start, due)
        return calendar.working_hours_between(start, now) / limit if limit else 1.0
    limit = (due - start).total_seconds()
    return (now - start).total_seconds() / limit if limit > 0 else 1.0


def whistles_sweep(*, now: dt.datetime | None = None) -> list[tuple[int, str, str]]:
    """Warn the summoned department's handlers and the whistler when a step of a summons has
    used WARN_SHARE of its time, and when it is missed: once each (bits in `warned`, claimed
    by compare-and-swap). Returns (summons id, step, "near"|"missed") for each warning sent."""
    now = now or timezone.now()
    calendar = WorkingCalendar.from_database()
    every = sum(WARNING_BITS.values())
    sent: list[tuple[int, str, str]] = []
    candidates = (
        Summons.objects.filter(reported_at__isnull=True)
        .exclude(warned=every)
        .exclude(whistle__event__state__in=TERMINAL)
        .select_related("whistle__event", "whistle__by", "department")
    )
    for summons in candidates:
        warned, found = summons.warned, []
        for step in STEPS:
            due = getattr(summons, DUE_FIELD[step])
            if due is None or getattr(summons, DONE_FIELD[step]) is not None:
                continue
            near, missed = WARNING_BITS[(step, "near")], WARNING_BITS[(step, "missed")]
            if now >= due:
                if not warned & missed:
                    warned |= near | missed  # a missed step needs no "near" warning after
                    found.append((step, "missed", due))
            elif (
                not warned & near
                and _share_used(summons.whistle.at, due, now, step, calendar) >= WARN_SHARE
            ):
                warned |= near
                found.append((step, "near", due))
        if not found:
            continue
        with transaction.atomic():
            if not Summons.objects.filter(pk=summons.pk, warned=summons.warned).update(
                warned=warned
            ):
                continue  # another sweeper claimed it; the next sweep sees its bits
            for step, kind, due in found:
                _warn(summons, step, kind, due)
                sent.append((summons.pk, step, kind))
    return sent


def _warn(summons: Summons, step: str, kind: str, due: dt.datetime) -> None:
    event = summons.whistle.event
    values = {
        "number": event.number,
        "department": summons.department.name,
        "step": STEP_NAMES[step],
        "due": _when(due),
    }
    if kind == "missed":
        text = _("Event %(number)s: %(department)s missed the %(step)s deadline (%(due)s).")
        # The immutable timeline keeps the missed deadline (who was late is assessed on it).
        timeline_add(
            event, None, "summons_overdue", event.state, event.state, "",
            {"department": summons.department.name, "step": step, "due": due.isoformat()},
        )  # fmt: skip
    else:
        text = _("Event %(number)s: %(department)s, the %(step)s is due at %(due)s.")
    people = list(User.objects.filter(department_id=summons.department_id, is_active=True))
    people.append(summons.whistle.by)
    notify_after_commit(people, f"whistle_{kind}", text % values, event)
