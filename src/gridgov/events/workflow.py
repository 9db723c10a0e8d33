"""The closed loop as a table: (state, action) → next state, and who may take the action.

CJ/T 315 / GB/T 30428.8: 信息收集 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案 → 评价,
with the practice flags of STANDARDS.md (不予立案, 作废, 返工, 退回, 延期, 缓办, 挂账,
督办). Nothing else assigns `Event.state`; `services.event_act` applies a row of
this table with a compare-and-swap on the event's version.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Role


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
    REOPEN = "reopen", _("Reopen")
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

OPEN_STATES = (State.FILED, State.DISPATCHED, State.IN_PROGRESS, State.HANDLED, State.VERIFIED)
HANDLING_STATES = (State.DISPATCHED, State.IN_PROGRESS)


@dataclass(frozen=True)
class Step:
    to: str | None  # None: the state does not change (a flag, a request, a rating of a rating)
    roles: frozenset[str]
    needs_comment: bool = False


TRANSITIONS: dict[tuple[str, str], Step] = {
    (State.REPORTED, Action.ACCEPT): Step(State.FILED, CENTER),
    (State.REPORTED, Action.REJECT): Step(State.REJECTED, CENTER, needs_comment=True),
    (State.REPORTED, Action.VOID): Step(State.VOIDED, CENTER, needs_comment=True),
    (State.REPORTED, Action.SOLVE_ON_SPOT): Step(State.HANDLED, FIELD),
    (State.REPORTED, Action.MERGE): Step(State.VOIDED, CENTER),
    (State.REPORTED, Action.NOT_DUPLICATE): Step(None, CENTER),
    (State.FILED, Action.DISPATCH): Step(State.DISPATCHED, CENTER),
    (State.FILED, Action.VOID): Step(State.VOIDED, CENTER, needs_comment=True),
    (State.DISPATCHED, Action.TAKE): Step(State.IN_PROGRESS, HANDLERS),
    (State.DISPATCHED, Action.RETURN): Step(State.FILED, HANDLERS, needs_comment=True),
    (State.DISPATCHED, Action.DISPATCH): Step(State.DISPATCHED, CENTER),  # reassign
    # Offers to grid workers (one or several): the first acceptance starts the work.
    (State.DISPATCHED, Action.ACCEPT_TASK): Step(State.IN_PROGRESS, FIELD),
    (State.IN_PROGRESS, Action.ACCEPT_TASK): Step(None, FIELD),
    (State.DISPATCHED, Action.DECLINE_TASK): Step(None, FIELD, needs_comment=True),
    (State.IN_PROGRESS, Action.DECLINE_TASK): Step(None, FIELD, needs_comment=True),
    (State.IN_PROGRESS, Action.FEEDBACK): Step(State.HANDLED, HANDLERS),
    (State.IN_PROGRESS, Action.RETURN): Step(State.FILED, HANDLERS, needs_comment=True),
    (State.HANDLED, Action.VERIFY_PASS): Step(State.VERIFIED, VERIFIERS),
    (State.HANDLED, Action.VERIFY_FAIL): Step(State.IN_PROGRESS, VERIFIERS, needs_comment=True),
    (State.VERIFIED, Action.CLOSE): Step(State.CLOSED, CENTER),
    (State.CLOSED, Action.EVALUATE): Step(State.EVALUATED, CENTER | {Role.RESIDENT}),
    (State.EVALUATED, Action.REOPEN): Step(State.FILED, CENTER, needs_comment=True),
    (State.DEFERRED, Action.RESUME): Step(State.IN_PROGRESS, CENTER | HANDLERS),
    (State.SUSPENDED, Action.RESUME): Step(State.IN_PROGRESS, CENTER),
}
# Requests, approvals and supervision keep or set the state as their rule says.
for _state in HANDLING_STATES:
    TRANSITIONS[(_state, Action.REQUEST_EXTENSION)] = Step(None, HANDLERS, needs_comment=True)
    TRANSITIONS[(_state, Action.REQUEST_DEFERRAL)] = Step(None, HANDLERS, needs_comment=True)
    TRANSITIONS[(_state, Action.REQUEST_SUSPENSION)] = Step(None, HANDLERS, needs_comment=True)
    TRANSITIONS[(_state, Action.APPROVE)] = Step(
        None, APPROVERS
    )  # to: from the request (see services)
    TRANSITIONS[(_state, Action.DENY)] = Step(None, APPROVERS, needs_comment=True)
for _state in OPEN_STATES:
    TRANSITIONS[(_state, Action.SUPERVISE)] = Step(None, APPROVERS, needs_comment=True)

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
    State.DISPATCHED: "handle",
    State.IN_PROGRESS: "handle",
}


def allowed_actions(state: str, role: str, is_superuser: bool = False) -> list[str]:
    return [
        action
        for (from_state, action), step in TRANSITIONS.items()
        if from_state == state and (is_superuser or role in step.roles)
    ]
