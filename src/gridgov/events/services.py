"""Every write to events: the loop's actions, the catalog, the sweep; and, re-exported from
their own modules, intake (`intake`), who may open an event (`access`) and
whistle-and-report (`whistles`), so callers have one place to import writes from."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.analytics.services import rollup_event_changed
from gridgov.areas.models import Department
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.common.text import xml_safe
from gridgov.events import catalog_data
from gridgov.events.access import event_for_user as event_for_user
from gridgov.events.access import may_see as may_see
from gridgov.events.calendar import WorkingCalendar, deadline_colour
from gridgov.events.catalog_cache import catalog_changed
from gridgov.events.history import stage_deadline, timeline_add
from gridgov.events.intake import MAX_PHOTOS_PER_REPORT
from gridgov.events.intake import event_report as event_report
from gridgov.events.intake import likely_duplicate as likely_duplicate
from gridgov.events.models import (
    Assignment,
    CatalogClass,
    ComponentType,
    Event,
    Satisfaction,
    Subclass,
)
from gridgov.events.notices import notify_after_commit, people_of
from gridgov.events.photos import photo_store, photos_for_refs
from gridgov.events.whistles import CHECK_IN_HOURS as CHECK_IN_HOURS
from gridgov.events.whistles import WHISTLE_LEVELS as WHISTLE_LEVELS
from gridgov.events.whistles import summons_check_in as summons_check_in
from gridgov.events.whistles import summons_report as summons_report
from gridgov.events.whistles import whistle_blow as whistle_blow
from gridgov.events.workflow import (
    APPROVED_STATE,
    TRANSITIONS,
    Action,
    Refusal,
    Relations,
    State,
    refusal,
)
from gridgov.events.workflow import TERMINAL as TERMINAL


# The catalog -----------------------------------------------------------------------------
def catalog_load_default() -> int:
    """Create or update the shipped catalog; returns the number of subclasses. Idempotent."""
    catalog_data.load_catalog(CatalogClass, Subclass, ComponentType)
    catalog_changed()  # processes keep the catalog in memory
    return Subclass.objects.count()


# The loop ---------------------------------------------------------------------------------
def event_act(
    *,
    user: User,
    event_id: int,
    action: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
    version: int | None = None,
    photo_files: Sequence[tuple[str, bytes]] = (),
) -> Event:
    """Apply one row of the workflow table. Two people acting at once: one wins, the other
    gets a Conflict and the event is as the winner left it. `photo_files` (name, bytes) of
    a feedback are stored only once the user may act and the rest is checked."""
    data = data or {}
    event = event_for_user(user=user, event_id=event_id)
    if version is not None and version != event.version:
        raise Conflict(
            _("The event changed since you loaded it; reload and try again."), code="stale"
        )
    step = TRANSITIONS.get((event.state, action))
    if step is None:
        raise Conflict(
            _("“%(action)s” is not allowed while the event is “%(state)s”.")
            % {"action": action, "state": event.get_state_display()},
            code="not_allowed_now",
        )
    relations = Relations(event, user)
    refused = refusal(step, event, user, relations)
    if refused == Refusal.GUARD:
        raise Conflict(str(step.guard.message), code=step.guard.code)
    if refused is not None:
        raise PermissionDenied(str(Refusal(refused).label), code=refused)
    comment = xml_safe((comment or "").strip())
    if step.needs_comment and not comment:
        raise DomainError(_("Please give a reason."), code="required", field="comment")
    now = timezone.now()
    calendar = WorkingCalendar.from_database()
    changes: dict[str, Any] = {}
    attach: list = []
    after: list = []  # writes that belong to the same transaction, after the state swap
    to_state = step.to or event.state
    details: dict[str, Any] = {}

    if action == Action.ACCEPT:
        changes["accepted_at"] = now
    elif action == Action.DISPATCH:
        department, workers = _dispatch_targets(user, event, data)
        assignee = workers[0] if workers else None
        changes |= {"department": department, "assignee": assignee, "dispatched_at": now}
        details = {
            "department": department.name if department else None,
            "assignee": assignee.username if assignee else None,
            "offered_to": [w.username for w in workers],
        }
        after.append(lambda: _offers_replace(event, workers, now))
    elif action == Action.TAKE:
        changes["assignee"] = event.assignee or user
        after.append(lambda: _offer_decide(event, user, Assignment.Status.ACCEPTED, "", now))
    elif action == Action.ACCEPT_TASK:
        # The table's guard saw the user's offer open (offered, not yet accepted).
        if event.assignee_id is None:
            changes["assignee"] = user
        after.append(lambda: _offer_decide(event, user, Assignment.Status.ACCEPTED, "", now))
    elif action == Action.DECLINE_TASK:
        others = [
            a
            for a in event.assignments.filter(
                status__in=(Assignment.Status.OFFERED, Assignment.Status.ACCEPTED)
            ).exclude(worker=user)
        ]
        if event.assignee_id == user.pk:
            # The lead declined: an accepted colleague leads, else the next one offered.
            others.sort(key=lambda a: (a.status != Assignment.Status.ACCEPTED, a.offered_at, a.pk))
            changes["assignee"] = others[0].worker if others else None
        if not others and event.department_id is None and event.state == State.DISPATCHED:
            # Nobody is left to do it: back to the dispatcher, like a return.
            to_state = State.FILED
            changes |= {"assignee": None}
            center_text = _("Event %(number)s was declined by everyone it was offered to.") % {
                "number": event.number
            }
            after.append(
                lambda: notify_after_commit(
                    people_of(event, with_center=True), "declined", center_text, event
                )
            )
        details = {"declined_by": user.username}
        after.append(lambda: _offer_decide(event, user, Assignment.Status.DECLINED, comment, now))
    elif action == Action.RETURN:
        changes |= {"department": None, "assignee": None}
        after.append(lambda: _offers_replace(event, [], now))
    elif action in (Action.FEEDBACK, Action.SOLVE_ON_SPOT):
        refs = data.get("photos") or []
        if len(refs) + len(photo_files) > MAX_PHOTOS_PER_REPORT:
            raise DomainError(
                _("At most %(n)s photos per report.") % {"n": MAX_PHOTOS_PER_REPORT},
                field="photos",
            )
        photos = photos_for_refs(refs, user=user)
        if event.subclass.photo_required and not (photos or photo_files):
            raise DomainError(
                _("This kind of event needs a photo of the result."),
                code="photo_required",
                field="photos",
            )
        photos += [photo_store(user=user, name=n, content=c) for n, c in photo_files]
        changes["handled_at"] = now
        details = {"photos": [p.ref for p in photos]}
        attach = photos
        if action == Action.SOLVE_ON_SPOT:
            changes |= {"accepted_at": now, "assignee": user}
    elif action == Action.VERIFY_FAIL:
        changes["rework_count"] = event.rework_count + 1
    elif action == Action.CLOSE:
        changes["closed_at"] = now
    elif action in (Action.EVALUATE, Action.EVALUATE_CALLBACK):
        # Never a default: the rating is what the reporter chose, or what they said on the
        # phone to the operator who records the callback (marked on the timeline row).
        satisfaction = data.get("satisfaction")
        if satisfaction not in Satisfaction.values:
            raise DomainError(
                _("Satisfaction must be one of: %(values)s.")
                % {"values": ", ".join(Satisfaction.values)},
                field="satisfaction",
            )
        changes["satisfaction"] = satisfaction
        details = {"satisfaction": satisfaction, "callback": action == Action.EVALUATE_CALLBACK}
    elif action == Action.REOPEN:
        changes |= {"closed_at": None, "satisfaction": "", "department": None, "assignee": None}
        after.append(lambda: _offers_replace(event, [], now))
    elif action in (Action.REQUEST_EXTENSION, Action.REQUEST_DEFERRAL, Action.REQUEST_SUSPENSION):
        changes["pending_request"] = action
        if action == Action.REQUEST_EXTENSION:
            hours = data.get("extra_hours")
            try:
                hours = float(hours)
            except (TypeError, ValueError):
                raise DomainError(
                    _("Say how many working hours more are needed."), field="extra_hours"
                ) from None
            if not 0 < hours <= 400:
                raise DomainError(
                    _("An extension is between 0 and 400 working hours."), field="extra_hours"
                )
            changes["pending_until"] = calendar.add_working_hours(event.stage_due_at or now, hours)
        details = {
            "until": changes.get("pending_until").isoformat()
            if changes.get("pending_until")
            else None
        }
    elif action in (Action.APPROVE, Action.DENY):
        changes |= {"pending_request": "", "pending_until": None}
        details = {"request": event.pending_request}
        if action == Action.APPROVE:
            approved_state = APPROVED_STATE[event.pending_request]
            if approved_state:
                to_state = approved_state
            elif event.pending_until:
                changes |= {
                    "stage_due_at": event.pending_until,
                    "handle_due_at": event.pending_until,
                    "stage_warned": "",
                }
    elif action == Action.SUPERVISE:
        changes["supervised"] = True
    elif action in (Action.MERGE, Action.NOT_DUPLICATE):
        details = {"duplicate_of": event.duplicate_of.number}
        if action == Action.NOT_DUPLICATE:
            changes["duplicate_of"] = None

    if to_state != event.state or action in (Action.DISPATCH, Action.VERIFY_FAIL):
        changes |= stage_deadline(event, to_state, now, calendar)
        if to_state == State.DISPATCHED:
            changes["handle_due_at"] = changes["stage_due_at"]
        elif to_state == State.FILED and action == Action.ACCEPT:
            changes["dispatch_due_at"] = changes["stage_due_at"]
    changes |= {"state": to_state, "version": event.version + 1}
    with transaction.atomic():
        # Compare and swap: the update succeeds only on the version this user acted on.
        updated = Event.objects.filter(
            pk=event.pk, version=event.version, state=event.state
        ).update(**changes)
        if not updated:
            raise Conflict(
                _("Someone else acted on this event just now; reload and try again."), code="stale"
            )
        rollup_event_changed(before=event, changes=changes, calendar=calendar)
        timeline_add(event, user, action, event.state, to_state, comment, details)
        for write in after:
            write()
        if action == Action.DISPATCH:
            event.assignee, event.department = changes["assignee"], changes["department"]
            text = _("Event %(number)s (%(kind)s) was dispatched to you.") % {
                "number": event.number,
                "kind": event.subclass.name_zh,
            }
            workers = [a.worker for a in event.assignments.filter(status="offered")]
            notify_after_commit(people_of(event) + workers, "dispatched", text, event)
        for photo in attach:
            if not type(photo).objects.filter(pk=photo.pk, event__isnull=True).update(event=event):
                raise Conflict(_("A photo was attached to another event just now."), code="stale")
    event.refresh_from_db()
    return event


def _offer_decide(event: Event, user: User, status: str, reason: str, now: dt.datetime) -> None:
    updated = event.assignments.filter(
        worker=user, status__in=(Assignment.Status.OFFERED, Assignment.Status.ACCEPTED)
    ).update(status=status, reason=reason[:300], decided_at=now)
    if not updated and status == Assignment.Status.ACCEPTED:
        # Taking a task nobody offered (a department handler, or a worker stepping in).
        Assignment.objects.create(event=event, worker=user, status=status, decided_at=now)


def _offers_replace(event: Event, workers: list[User], now: dt.datetime) -> None:
    """Reassignment: offers to people no longer chosen are withdrawn; new ones are offered."""
    keep = {w.pk for w in workers}
    live = event.assignments.filter(
        status__in=(Assignment.Status.OFFERED, Assignment.Status.ACCEPTED)
    )
    live.exclude(worker_id__in=keep).update(status=Assignment.Status.WITHDRAWN, decided_at=now)
    have = set(live.filter(worker_id__in=keep).values_list("worker_id", flat=True))
    Assignment.objects.bulk_create(
        [Assignment(event=event, worker=w) for w in workers if w.pk not in have]
    )


def _dispatch_targets(
    user: User, event: Event, data: dict[str, Any]
) -> tuple[Department | None, list[User]]:
    department = None
    if data.get("department_id"):
        department = (
            Department.objects.filter(pk=data["department_id"]).select_related("area").first()
        )
        if department is None:
            raise NotFound(_("No such department."), field="department_id")
        if not event.area.path.startswith(department.area.path):
            raise DomainError(
                _("This department does not answer for the event's area."), field="department_id"
            )
    ids = list(data.get("assignee_ids") or [])
    if data.get("assignee_id") and data["assignee_id"] not in ids:
        ids.insert(0, data["assignee_id"])
    if len(ids) > 20:
        raise DomainError(_("Dispatch to at most 20 people at once."), field="assignee_ids")
    found = (
        User.objects.filter(pk__in=ids, is_active=True)
        .select_related("area", "department__area")
        .in_bulk()
    )
    workers = []
    for person_id in dict.fromkeys(ids):
        assignee = found.get(person_id)
        if assignee is None:
            raise NotFound(_("No such user: %(id)s.") % {"id": person_id}, field="assignee_id")
        # A worker by their area; a department's handler by the area their department answers
        # for, the same rule as dispatching to the department itself.
        answers_for = (
            assignee.department.area.path
            if assignee.department_id
            else (assignee.area.path if assignee.area_id else None)
        )
        if assignee.role not in (Role.GRID_WORKER, Role.GRID_HEAD, Role.DEPARTMENT_HANDLER) or not (
            answers_for is not None and event.area.path.startswith(answers_for)
        ):
            raise DomainError(
                _("%(name)s cannot take the event's area.") % {"name": assignee.username},
                field="assignee_id",
            )
        workers.append(assignee)
    if (
        any(w.role in (Role.GRID_WORKER, Role.GRID_HEAD) for w in workers)
        and not event.subclass.in_grid_list
    ):
        # 入格事项清单: only listed matters may be given to grid staff.
        raise DomainError(
            _("%(kind)s is not on the grid admission list; dispatch it to a department.")
            % {"kind": event.subclass.name_zh},
            code="not_in_grid_list",
            field="assignee_id",
        )
    if department is None and not workers:
        suggested = routing_candidates(event)
        if not suggested:
            raise DomainError(
                _("Choose a department or a person to dispatch to."),
                code="required",
                field="department_id",
            )
        department = suggested[0]
    return department, workers


def routing_candidates(event: Event) -> list[Department]:
    """Departments the routing table names for the event's subclass, nearest area first."""
    ancestors = [c for c in event.area.path.strip("/").split("/") if c]
    rules = (
        Department.objects.filter(routes__subclass=event.subclass, routes__area__code__in=ancestors)
        .select_related("area")
        .distinct()
    )
    return sorted(rules, key=lambda d: -d.area.depth)


# Deadlines --------------------------------------------------------------------------------
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
    for event in open_events.only(
        "id", "state", "stage_started_at", "stage_due_at", "stage_warned", "version"
    ):
        colour = deadline_colour(event.stage_started_at, event.stage_due_at, now, calendar)
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


def events_open_for_department(department: Department):
    return (
        Event.objects.filter(
            Q(department=department) | Q(whistles__summonses__department=department)
        )
        .exclude(state__in=TERMINAL)
        .distinct()
    )
