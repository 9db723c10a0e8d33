"""What a resident sees of the loop, as small pure functions of the event's state: the
public state, which steps of the timeline are public (and are told), and what the viewer
may do now (rate, reopen, add). The telling, the resident's timeline and the actions
(residents/actions.py) read the same rules, so no button is offered that is then refused.
"""

import datetime as dt

from gridgov.events.workflow import TERMINAL, State

# The steps a resident is told of and sees on the public timeline (issue 11).
FILED = "filed"
REFUSED = "refused"
DISPATCHED = "dispatched"
HANDLED = "handled"
CLOSED = "closed"
REOPENED = "reopened"
PUBLIC_STEPS = (FILED, REFUSED, DISPATCHED, HANDLED, CLOSED, REOPENED)

# The loop's twelve states as the resident's seven.
PUBLIC_STATE = {
    State.REPORTED: "received",
    State.FILED: "filed",
    State.DISPATCHED: "dispatched",
    State.IN_PROGRESS: "dispatched",
    State.DEFERRED: "dispatched",
    State.SUSPENDED: "dispatched",
    State.HANDLED: "handled",
    State.VERIFIED: "handled",
    State.CLOSED: "closed",
    State.EVALUATED: "rated",
    State.REJECTED: "refused",
    State.VOIDED: "refused",
}
DONE = (State.CLOSED, State.EVALUATED)
REFUSED_STATES = (State.REJECTED, State.VOIDED)


def public_state(state: str) -> str:
    return PUBLIC_STATE.get(state, "received")


def public_step(action: str, from_state: str, to_state: str) -> str | None:
    """The public step a change of the loop is, or None for the internal ones (offers,
    takes, returns, verification, requests, approvals, supervision, re-dispatches)."""
    if not from_state:
        return None  # the report itself: the reporter knows they sent it
    if to_state in REFUSED_STATES and from_state not in REFUSED_STATES:
        return REFUSED
    if from_state in DONE and to_state not in DONE:
        return REOPENED
    if action in ("accept", "solve_on_spot") and from_state == State.REPORTED:
        return FILED
    if action == "dispatch" and from_state == State.FILED and to_state == State.DISPATCHED:
        return DISPATCHED
    if action == "feedback" and to_state == State.HANDLED:
        return HANDLED
    if to_state == State.CLOSED and from_state != State.CLOSED:
        return CLOSED
    return None


def is_terminal(state: str) -> bool:
    return state in TERMINAL


def can_rate(*, state: str, viewer_is_reporter: bool) -> bool:
    """Rating is the reporter's (the workflow's EVALUATE row: the reporter account only)."""
    return state == State.CLOSED and viewer_is_reporter


def can_reopen(
    *,
    state: str,
    closed_at: dt.datetime | None,
    now: dt.datetime,
    reopen_days: int,
    viewer_relates: bool,
) -> bool:
    """ "Still not fixed": closed or rated, within `reopen_days` of the closing, by the
    reporter or a follower."""
    return (
        viewer_relates
        and state in DONE
        and closed_at is not None
        and now - closed_at <= dt.timedelta(days=reopen_days)
    )


def can_add(*, state: str, viewer_relates: bool) -> bool:
    """Words and photos reach the handler while the report is not finished."""
    return viewer_relates and not is_terminal(state)
