"""Every write to events: intake, the loop's actions, whistle-and-report, the catalog, the sweep."""

import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import area_in_scope
from gridgov.areas import spatial_index
from gridgov.areas.codes import AreaKind, ancestor_paths
from gridgov.areas.coords import to_wgs84
from gridgov.areas.geometry import check_point, haversine_m
from gridgov.areas.models import Area, Department
from gridgov.common.errors import Conflict, DomainError, NotFound, OutOfScope, PermissionDenied
from gridgov.common.idempotency import client_uuid_clean
from gridgov.common.text import xml_safe
from gridgov.events import catalog_data, classifier, selectors
from gridgov.events.calendar import WorkingCalendar, deadline_colour
from gridgov.events.channels import report_source
from gridgov.events.models import (
    Assignment,
    CatalogClass,
    Component,
    ComponentType,
    Event,
    Satisfaction,
    Source,
    Subclass,
    Summons,
    TimelineEntry,
    Urgency,
    Whistle,
)
from gridgov.events.numbers import next_event_number
from gridgov.events.photos import photo_store, photos_for_refs
from gridgov.events.workflow import (
    APPROVED_STATE,
    STAGE_OF_STATE,
    TRANSITIONS,
    Action,
    Refusal,
    Relations,
    State,
    refusal,
)
from gridgov.registry.pii import phone_clean

TERMINAL = (State.REJECTED, State.VOIDED, State.CLOSED, State.EVALUATED)


# The catalog -----------------------------------------------------------------------------
def catalog_load_default() -> int:
    """Create or update the shipped catalog; returns the number of subclasses. Idempotent."""
    catalog_data.load_catalog(CatalogClass, Subclass, ComponentType)
    return Subclass.objects.count()


# Intake -----------------------------------------------------------------------------------
def _subclass(code: Any) -> Subclass:
    subclass = Subclass.objects.filter(code=str(code or "").strip(), active=True).first()
    if subclass is None:
        raise DomainError(
            _("Unknown event subclass %(code)r.") % {"code": code},
            code="unknown_subclass",
            field="subclass",
        )
    return subclass


def _timeline(
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


def likely_duplicate(
    *, subclass: Subclass, lon: float, lat: float, at: dt.datetime
) -> Event | None:
    """The newest open event of the same subclass within the subclass's radius and window."""
    radius = subclass.duplicate_radius_m
    dlat = radius / 111_320
    dlon = radius / (111_320 * max(0.01, math.cos(math.radians(lat))))
    candidates = (
        Event.objects.filter(
            subclass=subclass,
            reported_at__gte=at - dt.timedelta(hours=subclass.duplicate_window_hours),
            lon__range=(lon - dlon, lon + dlon),
            lat__range=(lat - dlat, lat + dlat),
        )
        .exclude(state__in=TERMINAL)
        .order_by("-reported_at")
    )
    for candidate in candidates[:20]:
        if haversine_m(lon, lat, candidate.lon, candidate.lat) <= radius:
            return candidate
    return None


def _stage_deadline(
    event: Event, state: str, now: dt.datetime, calendar: WorkingCalendar
) -> dict[str, Any]:
    stage = STAGE_OF_STATE.get(state)
    if stage is None:
        return {"stage_started_at": None, "stage_due_at": None, "stage_warned": ""}
    hours = event.subclass.limit_hours(event.urgency, stage)
    return {
        "stage_started_at": now,
        "stage_due_at": calendar.add_working_hours(now, hours),
        "stage_warned": "",
    }


def _location(data: dict[str, Any], component: Component | None) -> tuple[float, float]:
    """WGS84 lon/lat from the report: its coordinates (any CRS), else the component's,
    else a registered place whose address matches (there is no geocoder offline)."""
    if data.get("lon") not in (None, "") or data.get("lat") not in (None, ""):
        lon, lat = check_point(data.get("lon"), data.get("lat"))
        return to_wgs84(lon, lat, data.get("crs") or "wgs84")
    if component is not None:
        return component.lon, component.lat
    address = str(data.get("address") or "").strip()
    if len(address) >= 4:
        from gridgov.registry.kinds import KINDS

        for kind in ("compounds", "markets", "businesses", "units", "buildings", "rentals"):
            place = (
                KINDS[kind].model.objects.filter(address__contains=address).order_by("pk").first()
            )
            if place is not None:
                return place.lon, place.lat
        raise DomainError(
            _("No registered place has the address %(address)r; give the location on the map.")
            % {"address": address},
            code="unknown_address",
            field="address",
        )
    raise DomainError(
        _("Give the location: coordinates, a component or a registered address."),
        code="required",
        field="lon",
    )


MAX_PHOTOS_PER_REPORT = 9


def _text(value: Any, limit: int | None = None) -> str:
    """Free text as stored: stripped, without the characters XML 1.0 forbids (one vertical
    tab in a description would make Open311's requests.xml unreadable for every client)."""
    text = xml_safe(str(value or "")).strip()
    return text[:limit] if limit else text


EXTRA_MAX_DEPTH = 4
EXTRA_MAX_CHARS = 8000


def _extra_clean(value: Any, depth: int = 0) -> Any:
    """The extra fields with every string made XML-safe (they reach Open311 and Excel),
    bounded in depth and size: a deeply nested body must be a 400, not a RecursionError."""
    if depth > EXTRA_MAX_DEPTH:
        raise DomainError(_("The extra fields are nested too deeply."), field="extra")
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {xml_safe(str(k)): _extra_clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_extra_clean(v, depth + 1) for v in value]
    return value


def _resent(existing: Event, user: User | None, source: str) -> Event:
    """An offline resend gets back the event it stored, if the sender may see it. Anyone
    else learns nothing about that event: the answer is the same 409 for every taken UUID."""
    if user is not None and may_see(user, existing):
        return existing
    if user is None and source != Source.RESIDENT and existing.source == source:
        # A signed webhook's or an Open311 key's retry: the channel sees what it sent.
        if existing.reporter_id is None:
            return existing
    raise Conflict(
        _("This client_uuid was already used for another report; send a new one."),
        code="client_uuid_taken",
        field="client_uuid",
    )


def event_report(
    *,
    user: User | None,
    data: dict[str, Any],
    source: str | None = None,
    photo_files: Sequence[tuple[str, bytes]] = (),
) -> Event:
    """Take in a report. Preconditions: a known subclass, a description, a location inside a
    managed area (and inside a staff reporter's scope).

    `source` is a wish: the channel is derived from the reporter's role (`channels`).
    `user=None` is intake code without a person (public form, webhooks, Open311).
    `photo_files` (name, bytes) are stored only once the report is valid; photos stored
    for a report that then fails stay unattached and `photos_purge_unattached` removes them.
    A `client_uuid` already stored returns that event to whoever may see it, else 409."""
    source = report_source(user, source)
    client_uuid = client_uuid_clean(data.get("client_uuid"))
    if client_uuid:
        existing = Event.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return _resent(existing, user, source)
    subclass = _subclass(data.get("subclass"))
    description = _text(data.get("description"))
    if not description:
        raise DomainError(_("Please describe the problem."), code="required", field="description")
    if len(description) > 2000:
        raise DomainError(_("The description is longer than 2000 characters."), field="description")
    urgency = data.get("urgency") or Urgency.NORMAL
    if urgency not in Urgency.values:
        raise DomainError(
            _("Urgency must be one of: %(values)s.") % {"values": ", ".join(Urgency.values)},
            field="urgency",
        )
    component = None
    if data.get("component"):
        component = Component.objects.filter(identifier=str(data["component"]).strip()).first()
        if component is None:
            raise DomainError(
                _("No city component %(id)s is registered.") % {"id": data["component"]},
                field="component",
            )
    address = _text(data.get("address"), 200)
    lon, lat = _location({**data, "address": address}, component)
    node = spatial_index.get_index().deepest(lon, lat)
    if node is None:
        raise DomainError(
            _("(%(lon)s, %(lat)s) lies outside every managed area.")
            % {"lon": round(lon, 6), "lat": round(lat, 6)},
            code="outside_areas",
            field="lon",
        )
    area = Area.objects.get(pk=node.id)
    staff = (
        user is not None
        and user.is_authenticated
        and user.role != Role.RESIDENT
        and not user.is_superuser
    )
    if staff and not area_in_scope(user, area):
        raise OutOfScope(_("This location lies outside your area."), field="lon")
    refs = data.get("photos") or []
    if len(refs) + len(photo_files) > MAX_PHOTOS_PER_REPORT:
        raise DomainError(
            _("At most %(n)s photos per report.") % {"n": MAX_PHOTOS_PER_REPORT}, field="photos"
        )
    photos = photos_for_refs(refs, user=user)
    reporter_phone = phone_clean(data.get("reporter_phone") or "", field="reporter_phone")
    extra = _extra_clean(data.get("extra") or {})
    if not isinstance(extra, dict):
        raise DomainError(_("Extra fields must be an object."), field="extra")
    if len(json.dumps(extra, ensure_ascii=False)) > EXTRA_MAX_CHARS:
        raise DomainError(_("The extra fields are too long."), field="extra")
    # Everything is checked: only now are new photos stored.
    photos += [photo_store(user=user, name=name, content=content) for name, content in photo_files]
    now = timezone.now()
    event = Event(
        subclass=subclass,
        description=description,
        urgency=urgency,
        source=source,
        area=area,
        lon=lon,
        lat=lat,
        address=address,
        reporter=user if user and user.is_authenticated else None,
        reporter_name=_text(data.get("reporter_name"), 50),
        reporter_phone=reporter_phone,
        extra=extra,
        component=component,
        duplicate_of=likely_duplicate(subclass=subclass, lon=lon, lat=lat, at=now),
    )
    if client_uuid:
        event.client_uuid = client_uuid
    for key, value in _stage_deadline(
        event, State.REPORTED, now, WorkingCalendar.from_database()
    ).items():
        setattr(event, key, value)
    event.accept_due_at = event.stage_due_at
    # The suggestion is kept for the operator who files the event (and to measure the model).
    event.extra = {**event.extra, "suggestions": classifier.suggest(description)}
    try:
        with transaction.atomic():
            _event_create(event, user, source, photos)
    except IntegrityError:
        # Two sends of one report at once: the other one stored it first (the unique
        # client_uuid decided). Its photos stay unattached and are purged later.
        existing = Event.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if existing is None:
            raise
        return _resent(existing, user, source)
    return event


def _event_create(event: Event, user: User | None, source: str, photos: list) -> None:
    event.number = next_event_number()
    event.save()
    for photo in photos:
        if not type(photo).objects.filter(pk=photo.pk, event__isnull=True).update(event=event):
            raise Conflict(_("A photo was attached to another event just now."), code="stale")
    _timeline(
        event,
        user,
        "report",
        "",
        State.REPORTED,
        data={
            "source": source,
            "photos": [p.ref for p in photos],
            "duplicate_of": event.duplicate_of.number if event.duplicate_of else None,
        },
    )


# Notifications ----------------------------------------------------------------------------
def _people_of(
    event: Event, *, department: Department | None = None, with_center: bool = False
) -> list[User]:
    """Who hears about an event: its assignee, the staff of its department, and (for warnings)
    the shift leaders whose area holds it."""
    people = [event.assignee] if event.assignee_id else []
    department_id = department.pk if department else event.department_id
    if department_id:
        people += list(User.objects.filter(department_id=department_id, is_active=True))
    if with_center:
        people += list(
            User.objects.filter(
                role=Role.SHIFT_LEADER,
                is_active=True,
                area__path__in=ancestor_paths(event.area.path),
            )
        )
    return people


def _notify_after_commit(people: list[User], kind: str, text: str, event: Event) -> None:
    from gridgov.notifications.services import notify

    transaction.on_commit(lambda: notify(users=people, kind=kind, text=text, event=event))


# The loop ---------------------------------------------------------------------------------
def event_for_user(*, user: User, event_id: int) -> Event:
    """The event if the user may act on it: staff inside their area, department staff on their
    department's events, residents on what they reported."""
    event = (
        Event.objects.select_related("subclass", "area", "department").filter(pk=event_id).first()
    )
    if event is None:
        raise NotFound(_("No event #%(id)s.") % {"id": event_id})
    if not may_see(user, event):
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
                lambda: _notify_after_commit(
                    _people_of(event, with_center=True), "declined", center_text, event
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
        changes |= _stage_deadline(event, to_state, now, calendar)
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
        _timeline(event, user, action, event.state, to_state, comment, details)
        for write in after:
            write()
        if action == Action.DISPATCH:
            event.assignee, event.department = changes["assignee"], changes["department"]
            text = _("Event %(number)s (%(kind)s) was dispatched to you.") % {
                "number": event.number,
                "kind": event.subclass.name_zh,
            }
            workers = [a.worker for a in event.assignments.filter(status="offered")]
            _notify_after_commit(_people_of(event) + workers, "dispatched", text, event)
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
    found = User.objects.filter(pk__in=ids, is_active=True).select_related("area").in_bulk()
    workers = []
    for person_id in dict.fromkeys(ids):
        assignee = found.get(person_id)
        if assignee is None:
            raise NotFound(_("No such user: %(id)s.") % {"id": person_id}, field="assignee_id")
        if assignee.role not in (Role.GRID_WORKER, Role.GRID_HEAD, Role.DEPARTMENT_HANDLER) or not (
            assignee.area_id
            and event.area.path.startswith(assignee.area.path)
            or assignee.department_id
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


# Whistle and report -----------------------------------------------------------------------
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
    reason = _text(reason)
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
        _timeline(
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
            _notify_after_commit(_people_of(event, department=department), "summoned", text, event)
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
        _timeline(
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
    report = _text(report)
    if not report:
        raise DomainError(_("Please say what was done."), code="required", field="report")
    now = timezone.now()
    with transaction.atomic():
        updated = Summons.objects.filter(
            pk=summons.pk, checked_in_at__isnull=False, reported_at__isnull=True
        ).update(reported_at=now, report=report.strip())
        if not updated:
            raise Conflict(_("Check in first, and report back once."), code="not_allowed_now")
        _timeline(
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
                _timeline(
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
    _notify_after_commit(
        _people_of(event, with_center=colour == "red"), f"deadline_{colour}", text, event
    )


def events_open_for_department(department: Department):
    return (
        Event.objects.filter(
            Q(department=department) | Q(whistles__summonses__department=department)
        )
        .exclude(state__in=TERMINAL)
        .distinct()
    )
