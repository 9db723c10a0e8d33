"""What each row of the workflow table does besides moving the state: one function per
action, named by the row's `effect` (events/workflow.py), run by `loop.event_act`.

An effect checks the data the action needs (raising before anything is written), and
returns an `Outcome`: the field changes, the timeline details, the writes that belong to
the same transaction after the compare-and-swap (offers, photos, notices), and, when the
row's next state depends on the event, that state. Effects never write themselves: the
applier writes only once the version still matches."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.common.errors import DomainError
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.models import Assignment, Event, Satisfaction
from gridgov.events.notices import notify_after_commit, people_of, supervisors_of
from gridgov.events.photos import photo_store, photos_attach, photos_for_refs
from gridgov.events.services.intake import MAX_PHOTOS_PER_REPORT
from gridgov.events.services.offers import _dispatch_targets, _offer_decide, _offers_replace
from gridgov.events.workflow import APPROVED_STATE, Action, State


@dataclass(frozen=True)
class Context:
    """What an effect may read: the event as the user loaded it and what they sent."""

    event: Event
    user: User
    data: dict[str, Any]
    comment: str
    now: dt.datetime
    calendar: WorkingCalendar
    photo_files: Sequence[tuple[str, bytes]] = ()


@dataclass
class Outcome:
    changes: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    # Writes in the same transaction, after the state swap and the timeline row, in order.
    after: list[Callable[[], None]] = field(default_factory=list)
    to: str | None = None  # the next state when the row's own `to` is not the answer
    # Start the stage's deadline again although the state stays (a reassignment).
    restart_stage: bool = False
    # A field that also takes the new stage's due time (the dispatch or handling deadline).
    due_field: str | None = None


def nothing(ctx: Context) -> Outcome:
    """Only the state moves (reject, void, verify pass, resume)."""
    return Outcome()


def accept(ctx: Context) -> Outcome:
    return Outcome(changes={"accepted_at": ctx.now}, due_field="dispatch_due_at")


def dispatch(ctx: Context) -> Outcome:
    event, now = ctx.event, ctx.now
    department, workers = _dispatch_targets(ctx.user, event, ctx.data)
    assignee = workers[0] if workers else None

    def tell() -> None:
        event.assignee, event.department = assignee, department
        text = _("Event %(number)s (%(kind)s) was dispatched to you.") % {
            "number": event.number,
            "kind": event.subclass.name_zh,
        }
        offered = [a.worker for a in event.assignments.filter(status="offered")]
        notify_after_commit(people_of(event) + offered, "dispatched", text, event)

    return Outcome(
        changes={"department": department, "assignee": assignee, "dispatched_at": now},
        details={
            "department": department.name if department else None,
            "assignee": assignee.username if assignee else None,
            "offered_to": [w.username for w in workers],
        },
        after=[lambda: _offers_replace(event, workers, now), tell],
        restart_stage=True,
        due_field="handle_due_at",
    )


def take(ctx: Context) -> Outcome:
    event, user = ctx.event, ctx.user
    return Outcome(
        changes={"assignee": event.assignee or user},
        after=[lambda: _offer_decide(event, user, Assignment.Status.ACCEPTED, "", ctx.now)],
    )


def accept_task(ctx: Context) -> Outcome:
    # The row's guard saw the user's offer open (offered, not yet accepted).
    event, user = ctx.event, ctx.user
    return Outcome(
        changes={} if event.assignee_id else {"assignee": user},
        after=[lambda: _offer_decide(event, user, Assignment.Status.ACCEPTED, "", ctx.now)],
    )


def decline_task(ctx: Context) -> Outcome:
    event, user = ctx.event, ctx.user
    out = Outcome(details={"declined_by": user.username})
    others = list(
        event.assignments.filter(
            status__in=(Assignment.Status.OFFERED, Assignment.Status.ACCEPTED)
        ).exclude(worker=user)
    )
    if event.assignee_id == user.pk:
        # The lead declined: an accepted colleague leads, else the next one offered.
        others.sort(key=lambda a: (a.status != Assignment.Status.ACCEPTED, a.offered_at, a.pk))
        out.changes["assignee"] = others[0].worker if others else None
    if not others and event.department_id is None and event.state == State.DISPATCHED:
        # Nobody is left to do it: back to the dispatcher, like a return.
        out.to = State.FILED
        out.changes["assignee"] = None
        text = _("Event %(number)s was declined by everyone it was offered to.") % {
            "number": event.number
        }
        out.after.append(
            lambda: notify_after_commit(people_of(event, with_center=True), "declined", text, event)
        )
    out.after.append(
        lambda: _offer_decide(event, user, Assignment.Status.DECLINED, ctx.comment, ctx.now)
    )
    return out


def give_back(ctx: Context) -> Outcome:
    """A return ("not ours"): the department and offers go; the dispatcher chooses again."""
    return Outcome(
        changes={"department": None, "assignee": None},
        after=[lambda: _offers_replace(ctx.event, [], ctx.now)],
    )


def _photos(ctx: Context) -> list:
    """The photos an action sends (refs of uploaded ones and files), counted and checked;
    files are stored only now: the user may act and the rest is checked."""
    refs = ctx.data.get("photos") or []
    if len(refs) + len(ctx.photo_files) > MAX_PHOTOS_PER_REPORT:
        raise DomainError(
            _("At most %(n)s photos per report.") % {"n": MAX_PHOTOS_PER_REPORT}, field="photos"
        )
    photos = photos_for_refs(refs, user=ctx.user)
    return photos + [photo_store(user=ctx.user, name=n, content=c) for n, c in ctx.photo_files]


def _with_photos(out: Outcome, ctx: Context, photos: list) -> Outcome:
    """The photos listed on the timeline row and given to the event after the swap."""
    out.details["photos"] = [p.ref for p in photos]
    out.after.append(lambda: photos_attach(photos, ctx.event))
    return out


def feedback(ctx: Context) -> Outcome:
    photos = _photos(ctx)
    if ctx.event.subclass.photo_required and not photos:
        raise DomainError(
            _("This kind of event needs a photo of the result."),
            code="photo_required",
            field="photos",
        )
    return _with_photos(Outcome(changes={"handled_at": ctx.now}), ctx, photos)


def solve_on_spot(ctx: Context) -> Outcome:
    out = feedback(ctx)
    out.changes |= {"accepted_at": ctx.now, "assignee": ctx.user}
    return out


def verify_pass(ctx: Context) -> Outcome:
    """核查: the verifier's photos (the place as they found it) stay with the event."""
    return _with_photos(Outcome(), ctx, _photos(ctx))


def verify_fail(ctx: Context) -> Outcome:
    out = Outcome(changes={"rework_count": ctx.event.rework_count + 1}, restart_stage=True)
    return _with_photos(out, ctx, _photos(ctx))


def close(ctx: Context) -> Outcome:
    return Outcome(changes={"closed_at": ctx.now})


def evaluate(ctx: Context) -> Outcome:
    # Never a default: the rating is what the reporter chose, or what they said on the
    # phone to the operator who records the callback (marked on the timeline row).
    satisfaction = ctx.data.get("satisfaction")
    if satisfaction not in Satisfaction.values:
        raise DomainError(
            _("Satisfaction must be one of: %(values)s.")
            % {"values": ", ".join(Satisfaction.values)},
            field="satisfaction",
        )
    return Outcome(
        changes={"satisfaction": satisfaction},
        details={"satisfaction": satisfaction, "callback": False},
    )


def evaluate_callback(ctx: Context) -> Outcome:
    out = evaluate(ctx)
    out.details["callback"] = True
    return out


def reopen(ctx: Context) -> Outcome:
    return Outcome(
        changes={"closed_at": None, "satisfaction": "", "department": None, "assignee": None},
        after=[lambda: _offers_replace(ctx.event, [], ctx.now)],
    )


def resident_reopen(ctx: Context) -> Outcome:
    """Still not fixed (issue 11): back to the center as a center reopen puts it, with the
    resident's photos on the timeline and the event, and the center's shift leaders told.
    The rating goes: the case is not done, and a new closing will be rated again."""
    photos = _photos(ctx)
    out = reopen(ctx)
    out.details["by_resident"] = True
    event = ctx.event
    text = _("Event %(number)s was reopened by a resident: still not fixed. %(comment)s") % {
        "number": event.number,
        "comment": ctx.comment,
    }
    out.after.append(lambda: notify_after_commit(_shift_leaders(event), "reopened", text, event))
    return _with_photos(out, ctx, photos)


def _shift_leaders(event: Event) -> list[User]:
    """The center's shift leaders whose area holds the event (who takes a reopened case)."""
    return [
        person for person in people_of(event, with_center=True) if person.role == Role.SHIFT_LEADER
    ]


def request_extension(ctx: Context) -> Outcome:
    hours = ctx.data.get("extra_hours")
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
    until = ctx.calendar.add_working_hours(ctx.event.stage_due_at or ctx.now, hours)
    return Outcome(
        changes={"pending_request": Action.REQUEST_EXTENSION, "pending_until": until},
        details={"until": until.isoformat()},
    )


def request_deferral(ctx: Context) -> Outcome:
    return Outcome(changes={"pending_request": Action.REQUEST_DEFERRAL}, details={"until": None})


def request_suspension(ctx: Context) -> Outcome:
    return Outcome(changes={"pending_request": Action.REQUEST_SUSPENSION}, details={"until": None})


def approve(ctx: Context) -> Outcome:
    """The pending request's rule decides: deferral and suspension change the state, an
    extension moves the deadlines to the date asked for."""
    event = ctx.event
    out = deny(ctx)
    approved_state = APPROVED_STATE[event.pending_request]
    if approved_state:
        out.to = approved_state
    elif event.pending_until:
        out.changes |= {
            "stage_due_at": event.pending_until,
            "handle_due_at": event.pending_until,
            "stage_warned": "",
        }
    return out


def deny(ctx: Context) -> Outcome:
    return Outcome(
        changes={"pending_request": "", "pending_until": None},
        details={"request": ctx.event.pending_request},
    )


def supervise(ctx: Context) -> Outcome:
    """督办: the case is flagged, and whoever handles it and whoever leads them are told."""
    event = ctx.event
    text = _("Event %(number)s is under supervision (督办): %(comment)s") % {
        "number": event.number,
        "comment": ctx.comment,
    }

    def tell() -> None:
        notify_after_commit(supervisors_of(event), "supervised", text, event)

    return Outcome(changes={"supervised": True}, after=[tell])


def merge(ctx: Context) -> Outcome:
    return Outcome(details={"duplicate_of": ctx.event.duplicate_of.number})


def not_duplicate(ctx: Context) -> Outcome:
    out = merge(ctx)
    out.changes["duplicate_of"] = None
    return out
