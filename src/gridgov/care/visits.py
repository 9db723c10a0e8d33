"""Visits to people in care (走访) and the one step from a need found there to an event.

A grid worker records a visit, often offline: the phone sends it later with the
`client_uuid` it made, and a resend stores nothing new. A visit moves the next visit of the
person's groups (the one named, or every live group with a plan)."""

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import get_in_scope, require_capability
from gridgov.care.access import memberships_visible, tag_visible
from gridgov.care.models import ResidentTag, Visit
from gridgov.common.errors import Conflict, DomainError, NotFound
from gridgov.common.idempotency import client_uuid_clean
from gridgov.events.models import Event, Source
from gridgov.events.photos import Photo, photos_for_refs
from gridgov.events.services import event_report
from gridgov.registry.models import Resident
from gridgov.smartcodes.models import SmartCode

# An offline phone may hold a visit for days; older than this it is a mistake, not a visit.
OFFLINE_DAYS = 7
# Phones' clocks run a little ahead: a visit "in the future" by less than this is now.
CLOCK_SKEW = dt.timedelta(minutes=5)
NOTE_MAX = 2000
# Where a care need lands in the catalog: 困难群众帮扶 (issue 14 adds service orders).
CARE_NEED_SUBCLASS = "2401"


def _resident_for_visit(user, resident_id: int) -> Resident:
    rows = get_in_scope(user, Resident.objects.select_related("area"), Capability.REGISTRY_EDIT)
    resident = rows.filter(pk=resident_id).first()
    if resident is None:
        raise NotFound(field="resident_id")
    if resident.status != Resident.Status.LIVING:
        raise DomainError(
            _("This person no longer lives here: no visit can be recorded."),
            code="not_living",
            field="resident_id",
        )
    return resident


def _visited_at_clean(value) -> dt.datetime:
    now = timezone.now()
    if value in (None, ""):
        return now
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise DomainError(
                _("visited_at must be an ISO 8601 date and time."), field="visited_at"
            ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        raise DomainError(_("A visit cannot be in the future."), field="visited_at")
    if value < now - dt.timedelta(days=OFFLINE_DAYS):
        raise DomainError(
            _("A visit older than %(days)s days cannot be recorded from the phone.")
            % {"days": OFFLINE_DAYS},
            field="visited_at",
        )
    return min(value, now)


def _photo_clean(user, ref: str | None) -> Photo | None:
    if not ref:
        return None
    try:
        photo = photos_for_refs([ref], user=user)[0]
    except DomainError as error:
        raise DomainError(error.message, code=error.code, field="photo") from None
    if photo.care_visits.exists():
        raise DomainError(
            _("This photo belongs to another visit; upload it again."),
            code="bad_photo",
            field="photo",
        )
    return photo


def _code_clean(token: str | None, resident: Resident) -> SmartCode | None:
    """The door plate scanned at the visit: a live code of the person's household, or of a
    place in the person's grid. Anything else is refused rather than stored as proof."""
    if not token:
        return None
    code = SmartCode.objects.filter(token=str(token)[:32], revoked_at__isnull=True).first()
    if code is None:
        raise DomainError(_("This code is unknown or revoked."), code="bad_code", field="code")
    if code.kind == "households":
        matches = code.object_id == resident.household_id
    else:
        matches = code.area_id == resident.area_id
    if not matches:
        raise DomainError(
            _("This code is not on this person's home."), code="bad_code", field="code"
        )
    return code


def _resent(existing: Visit, user, resident_id: int) -> tuple[Visit, bool]:
    if existing.worker_id == user.pk and existing.resident_id == resident_id:
        return existing, False
    raise Conflict(_("This client_uuid was used for another visit."), code="client_uuid_taken")


def _plans_move(memberships: list[ResidentTag], visit: Visit) -> None:
    """Each group's last visit and next one. A late offline visit older than the last one
    moves nothing; "not at home" is recorded but the person was not seen: the plan stays."""
    if visit.outcome == Visit.Outcome.NOT_HOME:
        return
    day = timezone.localdate(visit.visited_at)
    for membership in memberships:
        if membership.last_visit_at and membership.last_visit_at >= visit.visited_at:
            continue
        membership.last_visit_at = visit.visited_at
        fields = ["last_visit_at"]
        if membership.tag.visit_every_days:
            membership.visit_due = day + dt.timedelta(days=membership.tag.visit_every_days)
            fields.append("visit_due")
        membership.save(update_fields=fields)


def visit_record(
    *,
    user,
    resident_id: int,
    outcome: str,
    tag: str | None = None,
    note: str = "",
    photo: str | None = None,
    code: str | None = None,
    visited_at: dt.datetime | str | None = None,
    client_uuid=None,
) -> tuple[Visit, bool]:
    """Record a visit (REGISTRY_EDIT, the person in the user's area and living). `tag`
    names one of the person's live groups the user may see (else 404, a hidden sensitive
    group included); without it every live group with a plan is moved. Returns (visit,
    created): the same client_uuid from the same worker for the same person is the visit
    already stored; reused otherwise it is a Conflict."""
    require_capability(user, Capability.REGISTRY_EDIT)
    key = client_uuid_clean(client_uuid)
    if key is not None:
        existing = Visit.objects.filter(client_uuid=key).first()
        if existing is not None:
            return _resent(existing, user, resident_id)
    resident = _resident_for_visit(user, resident_id)
    if outcome not in Visit.Outcome.values:
        raise DomainError(
            _("Outcome must be one of: %(values)s.") % {"values": ", ".join(Visit.Outcome.values)},
            field="outcome",
        )
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(
            _("The note is longer than %(max)s characters.") % {"max": NOTE_MAX}, field="note"
        )
    when = _visited_at_clean(visited_at)
    live = memberships_visible(user).filter(resident=resident, ended_on__isnull=True)
    named = None
    if tag:
        named = live.filter(tag=tag_visible(user, tag)).select_related("tag").first()
        if named is None:
            raise NotFound(_("This person is not in that group."), field="tag")
    try:
        with transaction.atomic():
            photo_row = _photo_clean(user, photo)
            code_row = _code_clean(code, resident)
            visit = Visit.objects.create(
                resident=resident,
                resident_tag=named,
                area=resident.area,
                worker=user,
                visited_at=when,
                outcome=outcome,
                note=note,
                photo=photo_row,
                scanned_code=code_row,
                client_uuid=key or uuid.uuid4(),
            )
            if named is not None:
                memberships = [named]
            else:
                rows = live.filter(tag__visit_every_days__isnull=False).select_related("tag")
                memberships = list(rows.select_for_update(of=("self",)))
            _plans_move(memberships, visit)
    except IntegrityError:
        # The same uuid sent twice at once: the other request stored it.
        existing = Visit.objects.filter(client_uuid=key).first() if key else None
        if existing is None:
            raise
        return _resent(existing, user, resident_id)
    return visit, True


def next_visit_due(user, resident_id: int) -> dt.date | None:
    """The earliest next visit of the person's live groups with a plan the user may see."""
    return (
        memberships_visible(user)
        .filter(resident_id=resident_id, ended_on__isnull=True, visit_due__isnull=False)
        .order_by("visit_due")
        .values_list("visit_due", flat=True)
        .first()
    )


def visit_event_create(*, user, visit_id: int, description: str = "", subclass: str = "") -> Event:
    """A need found at a visit becomes an event in one step: reported by the user as a
    worker (WORKER source), at the person's home, described by the visit's note. Only a visit
    whose outcome is "needs help", in the user's area; once per visit (a second call answers
    the event already made). Service orders are issue 14."""
    require_capability(user, Capability.REGISTRY_EDIT)
    visits = get_in_scope(
        user, Visit.objects.select_related("resident", "photo"), Capability.REGISTRY_EDIT
    )
    with transaction.atomic():
        visit = visits.select_for_update(of=("self",)).filter(pk=visit_id).first()
        if visit is None:
            raise NotFound()
        if visit.event_id:
            return visit.event
        if visit.outcome != Visit.Outcome.NEEDS_HELP:
            raise DomainError(
                _("Only a visit that found a need becomes an event."),
                code="no_need",
                field="outcome",
            )
        resident = visit.resident
        text = str(description or "").strip() or visit.note
        # The event is read by roles that may not know the person is in a sensitive group: it
        # must say nothing of care (neither the words nor the care subclass), so the worker
        # names the kind of problem and describes it as any report.
        sensitive = ResidentTag.objects.filter(
            resident=resident, ended_on__isnull=True, tag__sensitive=True
        ).exists()
        if sensitive and not (subclass and text):
            raise DomainError(
                _(
                    "This person is in a group only some roles may know of: choose the kind "
                    "of problem and describe it, and the event will not mention the visit."
                ),
                code="describe_the_need",
                field="subclass" if not subclass else "description",
            )
        if not sensitive:
            text = _("Care visit: %(text)s") % {"text": text or _("Needs help")}
        event = event_report(
            user=user,
            data={
                "subclass": subclass or CARE_NEED_SUBCLASS,
                "description": text,
                "lon": resident.lon,
                "lat": resident.lat,
                "address": resident.address,
                "client_uuid": visit.client_uuid,
                # The visit's photo shows the need: the event takes it (and keeps it).
                "photos": [f"photo:{visit.photo.key}"] if visit.photo_id else [],
            },
            source=Source.WORKER,
        )
        Visit.objects.filter(pk=visit.pk).update(event=event)
    return event
