"""The closed loop as a table: (state, action) → next state, who may take the action, and
when.

CJ/T 315 / GB/T 30428.8: 信息收集 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案 → 评价,
with the practice flags of STANDARDS.md (不予立案, 作废, 返工, 退回, 延期, 缓办, 挂账,
督办). Nothing else assigns `Event.state`; `services.event_act` applies a row of
this table with a compare-and-swap on the event's version.

Each row names who may act by role AND by relation to the event (issue 8): a handler
acts only on a case that is theirs (assignee, live offer, dispatched or summoned
department), the center only inside its area, a resident only on what they reported.
`allowed_actions` reads the same rows, so no button is offered that is then refused.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Role
from gridgov.accounts.scope import scope_path


class State(models.TextChoices):
    REPORTED = "reported", _("Reported")
    FILED = "filed", _("Filed (立案)")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("Being handled")
    HANDLED = "handled", _("Handled, to verify")
    VERIFIED = "verified", _("Verified, to close")
    CLOSED = "closed", _("Closed")
    EVALUATED = "evaluated", _("Rated")
    REJECTED = "rejected", _("Not filed (不予立案)")
    VOIDED = "voided", _("Void (作废)")
    DEFERRED = "deferred", _("Deferred (缓办)")
    SUSPENDED = "suspended", _("Suspended (挂账)")


class Action(models.TextChoices):
    ACCEPT = "accept", _("File (立案)")
    REJECT = "reject", _("Do not file")
    VOID = "void", _("Void as false report")
    SOLVE_ON_SPOT = "solve_on_spot", _("Solved on the spot")
    DISPATCH = "dispatch", _("Dispatch")
    TAKE = "take", _("Take the task")
    ACCEPT_TASK = "accept_task", _("Accept the task")
    DECLINE_TASK = "decline_task", _("Decline the task")
    RETURN = "return", _("Return: not ours")
    FEEDBACK = "feedback", _("Report handling done")
    VERIFY_PASS = "verify_pass", _("Verified: solved")
    VERIFY_FAIL = "verify_fail", _("Verified: not solved (rework)")
    CLOSE = "close", _("Close the case")
    EVALUATE = "evaluate", _("Rate")
    # An operator records the rating a resident gave on the phone (回访): a separate action,
    # so the timeline says whose rating it is and nobody rates in a reporter's place.
    EVALUATE_CALLBACK = "evaluate_callback", _("Record the rating from a callback (回访)")
    REOPEN = "reopen", _("Reopen")
    # "Still not fixed": the reporter or a follower sends it back to the center within
    # GRIDGOV_REOPEN_DAYS of the closing (issue 11), with their words and photos.
    RESIDENT_REOPEN = "resident_reopen", _("Still not fixed (reopened by a resident)")
    REQUEST_EXTENSION = "request_extension", _("Ask for an extension")
    REQUEST_DEFERRAL = "request_deferral", _("Ask to defer")
    REQUEST_SUSPENSION = "request_suspension", _("Ask to suspend")
    APPROVE = "approve", _("Approve the request")
    DENY = "deny", _("Deny the request")
    RESUME = "resume", _("Resume")
    SUPERVISE = "supervise", _("Supervise (督办)")
    MERGE = "merge", _("Merge into the earlier report")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")


CENTER = frozenset({Role.OPERATOR, Role.SHIFT_LEADER})
APPROVERS = frozenset({Role.SHIFT_LEADER, Role.LEADER})
FIELD = frozenset({Role.GRID_WORKER, Role.GRID_HEAD})
HANDLERS = frozenset({Role.DEPARTMENT_HANDLER, Role.GRID_WORKER, Role.GRID_HEAD, Role.AREA_STAFF})
VERIFIERS = FIELD | CENTER

# The states by category, named only here (intake, the screen, the queue, dispatch and the
# sweep read these). Every state is in exactly one of TERMINAL, OPEN_OR_NEW and PAUSED.
TERMINAL = (State.REJECTED, State.VOIDED, State.CLOSED, State.EVALUATED)
# Filed and not yet closed: supervision applies, the loop's clocks run.
OPEN_STATES = (State.FILED, State.DISPATCHED, State.IN_PROGRESS, State.HANDLED, State.VERIFIED)
# What the center still has to see through: the big screen, the overdue and warned filters.
OPEN_OR_NEW = (State.REPORTED, *OPEN_STATES)
# Approved pauses (缓办, 挂账): no clock runs until someone resumes them.
PAUSED = (State.DEFERRED, State.SUSPENDED)
# Someone holds the task: requests and approvals apply.
HANDLING_STATES = (State.DISPATCHED, State.IN_PROGRESS)
# Not finished, whatever the stage: a department's or a worker's open load.
NOT_TERMINAL = (*OPEN_OR_NEW, *PAUSED)
# Terminal and done (not refused nor void): what the closure rates count as closed.
CLOSED_STATES = (State.CLOSED, State.EVALUATED)

# Timeline actions that make someone a handler of the event: they may not verify it.
HANDLING_ACTIONS = ("take", "accept_task", "feedback", "solve_on_spot")
LIVE_OFFER = ("offered", "accepted")  # Assignment.Status values (models import this module)


class Relation(models.TextChoices):
    """What a user is to one event."""

    # The event lies in the user's area: how the center, approvers and field staff relate to
    # events. Department handlers never act by area: they act by their department.
    AREA = "area", _("in their area")
    ASSIGNEE = "assignee", _("the assignee")
    OFFER = "offer", _("offered the task")
    DEPARTMENT = "department", _("of the dispatched department")
    SUMMONED = "summoned", _("of a summoned department")
    REPORTER = "reporter", _("the reporter")
    # Follows the report (said "me too", or looked it up by number and phone): the rows
    # that name this relation let a follower act without reading the staff's view of it.
    FOLLOWER = "follower", _("follows the report")
    # Took, accepted, fed back or solved on the spot, or leads it: separation of duties.
    HANDLER = "handler", _("handled it")


CASE = frozenset({Relation.ASSIGNEE, Relation.OFFER, Relation.DEPARTMENT, Relation.SUMMONED})
IN_AREA = frozenset({Relation.AREA})


class Relations:
    """The relations of one user to one event, each looked up at most once (lists of events
    ask for a few of them only, and only for rows the user's role may take)."""

    def __init__(self, event: Any, user: Any) -> None:
        self.event = event
        self.user = user

    def has(self, relation: str) -> bool:
        return bool(getattr(self, relation))

    @cached_property
    def area(self) -> bool:
        prefix = scope_path(self.user)
        return prefix is not None and self.event.area.path.startswith(prefix)

    @cached_property
    def assignee(self) -> bool:
        return self.event.assignee_id is not None and self.event.assignee_id == self.user.pk

    @cached_property
    def offer_status(self) -> str | None:
        """The status of the user's live offer ("offered", "accepted") or None."""
        return (
            self.event.assignments.filter(worker_id=self.user.pk, status__in=LIVE_OFFER)
            .values_list("status", flat=True)
            .first()
        )

    @cached_property
    def offer(self) -> bool:
        return self.offer_status is not None

    @cached_property
    def department(self) -> bool:
        return bool(self.user.department_id) and self.event.department_id == self.user.department_id

    @cached_property
    def summoned(self) -> bool:
        return (
            bool(self.user.department_id)
            and self.event.whistles.filter(
                summonses__department_id=self.user.department_id
            ).exists()
        )

    @cached_property
    def reporter(self) -> bool:
        return self.event.reporter_id is not None and self.event.reporter_id == self.user.pk

    @cached_property
    def follower(self) -> bool:
        # The follows live in the residents app, which sits above events: read through the
        # reverse relation's name (residents.Follow, related_name="follows"), not imported.
        # A list of events may prefetch `follows` (one query for the page, not one a row).
        follows = getattr(self.event, "follows", None)
        if follows is None or self.user.pk is None:
            return False
        if "follows" in getattr(self.event, "_prefetched_objects_cache", {}):
            return any(follow.user_id == self.user.pk for follow in follows.all())
        return follows.filter(user_id=self.user.pk).exists()

    @cached_property
    def handler(self) -> bool:
        return self.assignee or (
            self.event.timeline.filter(actor_id=self.user.pk, action__in=HANDLING_ACTIONS).exists()
        )


@dataclass(frozen=True)
class Grant:
    """Who may: a role among `roles` that stands in one of `relations` to the event."""

    roles: frozenset[str]
    relations: frozenset[str]


@dataclass(frozen=True)
class Guard:
    """A condition on the event beyond who acts; refused as a conflict (409) with `message`."""

    holds: Callable[[Any, Relations], bool]
    message: Any
    code: str = "not_allowed_now"


@dataclass(frozen=True)
class Step:
    to: str | None  # None: the state does not change (a flag, a request, a rating of a rating)
    grants: tuple[Grant, ...]
    needs_comment: bool = False
    guard: Guard | None = None
    # Relations that bar a user whatever their grant: who handled an event may not verify it.
    barred: frozenset[str] = field(default_factory=frozenset)
    # What the row does besides moving the state: the name of a function in
    # events/services/effects.py (field changes, timeline details, offers, notices, and the
    # next state where it depends on the event). Named, not imported: effects need the
    # models, and the models import this table.
    effect: str = "nothing"

    @property
    def effect_function(self) -> Callable[[Any], Any]:
        from gridgov.events.services import effects

        return getattr(effects, self.effect)

    @property
    def roles(self) -> frozenset[str]:
        """Every role some grant names."""
        return frozenset().union(*(grant.roles for grant in self.grants))


def by(roles: frozenset[str], relations: frozenset[str]) -> tuple[Grant, ...]:
    return (Grant(roles, relations),)


NO_PENDING = Guard(
    lambda event, _r: not event.pending_request,
    _("A request is already waiting for approval."),
    code="pending",
)
PENDING = Guard(lambda event, _r: bool(event.pending_request), _("There is no request to decide."))
DISSATISFIED = Guard(
    # Either of the five levels the three-level rates count as dissatisfied (docs/rates.md).
    lambda event, _r: event.satisfaction in ("dissatisfied", "very_dissatisfied"),
    _("Only an event rated dissatisfied is reopened."),
)
LINKED = Guard(
    lambda event, _r: event.duplicate_of_id is not None,
    _("This report is not linked to an earlier one."),
)
# 入格事项清单: what the grid may not be given, it may not solve on the spot either (a gas
# leak goes to its department however close the worker stands).
IN_GRID_LIST = Guard(
    lambda event, _r: event.subclass.in_grid_list,
    _("This matter is not on the grid admission list: report it for a department to handle."),
    code="not_in_grid_list",
)
OFFER_OPEN_TO_ACCEPT = Guard(
    lambda _e, relations: relations.offer_status == "offered",
    _("You have already accepted this task."),
)
OFFER_OPEN_TO_DECLINE = Guard(
    lambda _e, relations: relations.offer_status == "offered",
    _("You accepted this task; return it with a reason instead."),
)


def _within_reopen_window(event: Any, _relations: Relations) -> bool:
    if event.closed_at is None:
        return False
    days = getattr(settings, "GRIDGOV_REOPEN_DAYS", 7)
    return timezone.now() - event.closed_at <= dt.timedelta(days=days)


REOPEN_WINDOW = Guard(
    _within_reopen_window,
    _("Too long since it was closed to reopen it; please report it again."),
    code="reopen_window_passed",
)

CENTER_IN_AREA = by(CENTER, IN_AREA)
# Two grants, the reporter's first: the reporter is known without a query, a follower not.
RESIDENT_REPORTER_OR_FOLLOWER = (
    Grant(frozenset({Role.RESIDENT}), frozenset({Relation.REPORTER})),
    Grant(frozenset({Role.RESIDENT}), frozenset({Relation.FOLLOWER})),
)
HANDLER_OF_CASE = by(HANDLERS, CASE)

TRANSITIONS: dict[tuple[str, str], Step] = {
    (State.REPORTED, Action.ACCEPT): Step(State.FILED, CENTER_IN_AREA, effect="accept"),
    (State.REPORTED, Action.REJECT): Step(State.REJECTED, CENTER_IN_AREA, needs_comment=True),
    (State.REPORTED, Action.VOID): Step(State.VOIDED, CENTER_IN_AREA, needs_comment=True),
    # The field worker on the spot: the event lies in their grid.
    (State.REPORTED, Action.SOLVE_ON_SPOT): Step(
        State.HANDLED, by(FIELD, IN_AREA), guard=IN_GRID_LIST, effect="solve_on_spot"
    ),
    (State.REPORTED, Action.MERGE): Step(
        State.VOIDED, CENTER_IN_AREA, guard=LINKED, effect="merge"
    ),
    (State.REPORTED, Action.NOT_DUPLICATE): Step(
        None, CENTER_IN_AREA, guard=LINKED, effect="not_duplicate"
    ),
    (State.FILED, Action.DISPATCH): Step(State.DISPATCHED, CENTER_IN_AREA, effect="dispatch"),
    (State.FILED, Action.VOID): Step(State.VOIDED, CENTER_IN_AREA, needs_comment=True),
    (State.DISPATCHED, Action.TAKE): Step(State.IN_PROGRESS, HANDLER_OF_CASE, effect="take"),
    (State.DISPATCHED, Action.RETURN): Step(
        State.FILED, HANDLER_OF_CASE, needs_comment=True, effect="give_back"
    ),
    # Reassignment: the stage's clock starts again.
    (State.DISPATCHED, Action.DISPATCH): Step(State.DISPATCHED, CENTER_IN_AREA, effect="dispatch"),
    # Offers to grid workers (one or several): the first acceptance starts the work.
    (State.DISPATCHED, Action.ACCEPT_TASK): Step(
        State.IN_PROGRESS,
        by(FIELD, frozenset({Relation.OFFER})),
        guard=OFFER_OPEN_TO_ACCEPT,
        effect="accept_task",
    ),
    (State.IN_PROGRESS, Action.ACCEPT_TASK): Step(
        None,
        by(FIELD, frozenset({Relation.OFFER})),
        guard=OFFER_OPEN_TO_ACCEPT,
        effect="accept_task",
    ),
    # Declined by everyone offered, with no department holding it: back to FILED (effect).
    (State.DISPATCHED, Action.DECLINE_TASK): Step(
        None,
        by(FIELD, frozenset({Relation.OFFER})),
        needs_comment=True,
        guard=OFFER_OPEN_TO_DECLINE,
        effect="decline_task",
    ),
    (State.IN_PROGRESS, Action.DECLINE_TASK): Step(
        None,
        by(FIELD, frozenset({Relation.OFFER})),
        needs_comment=True,
        guard=OFFER_OPEN_TO_DECLINE,
        effect="decline_task",
    ),
    (State.IN_PROGRESS, Action.FEEDBACK): Step(State.HANDLED, HANDLER_OF_CASE, effect="feedback"),
    (State.IN_PROGRESS, Action.RETURN): Step(
        State.FILED, HANDLER_OF_CASE, needs_comment=True, effect="give_back"
    ),
    # 核查: someone of the area who did not handle it (separation of duties).
    (State.HANDLED, Action.VERIFY_PASS): Step(
        State.VERIFIED,
        by(VERIFIERS, IN_AREA),
        barred=frozenset({Relation.HANDLER}),
        effect="verify_pass",
    ),
    (State.HANDLED, Action.VERIFY_FAIL): Step(
        State.IN_PROGRESS,
        by(VERIFIERS, IN_AREA),
        needs_comment=True,
        barred=frozenset({Relation.HANDLER}),
        effect="verify_fail",
    ),
    (State.VERIFIED, Action.CLOSE): Step(State.CLOSED, CENTER_IN_AREA, effect="close"),
    # The rating is the reporter's; the center records it only from a callback, as such.
    (State.CLOSED, Action.EVALUATE): Step(
        State.EVALUATED,
        by(frozenset({Role.RESIDENT}), frozenset({Relation.REPORTER})),
        effect="evaluate",
    ),
    (State.CLOSED, Action.EVALUATE_CALLBACK): Step(
        State.EVALUATED, CENTER_IN_AREA, effect="evaluate_callback"
    ),
    (State.EVALUATED, Action.REOPEN): Step(
        State.FILED, CENTER_IN_AREA, needs_comment=True, guard=DISSATISFIED, effect="reopen"
    ),
    # "Still not fixed" (issue 11): back to the center, with the resident's words and photos.
    (State.CLOSED, Action.RESIDENT_REOPEN): Step(
        State.FILED,
        RESIDENT_REPORTER_OR_FOLLOWER,
        needs_comment=True,
        guard=REOPEN_WINDOW,
        effect="resident_reopen",
    ),
    (State.EVALUATED, Action.RESIDENT_REOPEN): Step(
        State.FILED,
        RESIDENT_REPORTER_OR_FOLLOWER,
        needs_comment=True,
        guard=REOPEN_WINDOW,
        effect="resident_reopen",
    ),
    (State.DEFERRED, Action.RESUME): Step(State.IN_PROGRESS, CENTER_IN_AREA + HANDLER_OF_CASE),
    (State.SUSPENDED, Action.RESUME): Step(State.IN_PROGRESS, CENTER_IN_AREA),
}
# Requests, approvals and supervision keep or set the state as their rule says.
for _state in HANDLING_STATES:
    for _request in (
        Action.REQUEST_EXTENSION,
        Action.REQUEST_DEFERRAL,
        Action.REQUEST_SUSPENSION,
    ):
        TRANSITIONS[(_state, _request)] = Step(
            None, HANDLER_OF_CASE, needs_comment=True, guard=NO_PENDING, effect=_request.value
        )
    # APPROVE's next state comes from the pending request (see APPROVED_STATE).
    TRANSITIONS[(_state, Action.APPROVE)] = Step(
        None, by(APPROVERS, IN_AREA), guard=PENDING, effect="approve"
    )
    TRANSITIONS[(_state, Action.DENY)] = Step(
        None, by(APPROVERS, IN_AREA), needs_comment=True, guard=PENDING, effect="deny"
    )
# 督办: the handlers and whoever leads them are told (effects.supervise).
for _state in OPEN_STATES:
    TRANSITIONS[(_state, Action.SUPERVISE)] = Step(
        None, by(APPROVERS, IN_AREA), needs_comment=True, effect="supervise"
    )

# Actions some row grants to followers: `event_act` lets a follower load the event for these
# only (a follower does not read the event as its reporter or staff do).
FOLLOWER_ACTIONS = frozenset(
    action
    for (_state, action), step in TRANSITIONS.items()
    if any(Relation.FOLLOWER in grant.relations for grant in step.grants)
)

# What an approval does to the state, by the pending request.
APPROVED_STATE = {
    Action.REQUEST_EXTENSION: None,
    Action.REQUEST_DEFERRAL: State.DEFERRED,
    Action.REQUEST_SUSPENSION: State.SUSPENDED,
}

# The stage each state's deadline measures, for time limits per subclass and urgency.
STAGE_OF_STATE = {
    State.REPORTED: "accept",
    State.FILED: "dispatch",
    State.IN_PROGRESS: "handle",
    State.DISPATCHED: "handle",
}


class Refusal(models.TextChoices):
    """Why a user may not take a row: the first reason found, in this order."""

    ROLE = "role", _("Your role may not do this.")
    RELATION = "not_yours", _("This event is not yours to act on.")
    SEPARATION = "separation_of_duties", _("You handled this event; someone else verifies it.")
    GUARD = "guard", _("Not allowed now.")


def refusal(step: Step, event: Any, user: Any, relations: Relations | None = None) -> str | None:
    """None when `user` may take `step` on `event` now, else a `Refusal` value. Superusers pass
    every grant but not separation of duties."""
    relations = relations or Relations(event, user)
    if not user.is_superuser:
        roles_fit = [grant for grant in step.grants if user.role in grant.roles]
        if not roles_fit:
            return Refusal.ROLE
        if not any(relations.has(r) for grant in roles_fit for r in grant.relations):
            return Refusal.RELATION
    if any(relations.has(r) for r in step.barred):
        return Refusal.SEPARATION
    if step.guard is not None and not step.guard.holds(event, relations):
        return Refusal.GUARD
    return None


def allowed_actions(event: Any, user: Any, is_superuser: bool = False) -> list[str]:
    """The actions `user` may take on `event` now, from the same rows `event_act` applies.

    The old form `allowed_actions(state, role, is_superuser)` (role only, no relation) is
    kept for callers not yet moved; it may offer actions that are then refused."""
    if isinstance(event, str):
        return [
            action
            for (from_state, action), step in TRANSITIONS.items()
            if from_state == event and (is_superuser or user in step.roles)
        ]
    relations = Relations(event, user)
    return [
        action
        for (from_state, action), step in TRANSITIONS.items()
        if from_state == event.state and refusal(step, event, user, relations) is None
    ]
