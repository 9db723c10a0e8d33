"""The rates of the district's assessment, computed one way for the queue, the API and reports.

Formulas and denominators (docs/rates.md has them with their sources):
- closure rate 结案率 = closed / due to close; due to close = filed events (not void) whose
  handling deadline has passed, or that are closed already. Deferred and suspended events
  leave the denominator when RATES["exclude_deferred"] (some cities do, STANDARDS.md).
- on-time closure 按期结案率 = closed events handled by their handling deadline / due to close.
- timely acceptance 及时受理率 = accepted (or rejected) by the acceptance deadline / reported.
- timely dispatch 按时派遣率 = dispatched by the dispatch deadline / dispatched.
- rework rate 返工率 = events sent back for rework at least once / due to close.
- satisfaction 满意率 = (satisfied + w × basically satisfied) / rated, w = 0.9 by default; the
  five-level answers count as three levels (very satisfied as satisfied, very dissatisfied
  as dissatisfied: RATE_LEVEL).
- 12345: response = answered (filed or not filed) in time / reported; solved = closed / reported
  less void; satisfied = satisfaction; score = 0.1 response + 0.5 solved + 0.4 satisfied
  (weights configurable: official weights were not found).
- average handling time = mean working hours from filing to handling done.

The API and the queue read these from the daily rollup (gridgov.analytics), which stores
`contribution` per event and adds `falls_due` live; `rates_for` over rows is the reference
it is tested equal to.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from gridgov.events.calendar import WorkingCalendar
from gridgov.events.models import Satisfaction
from gridgov.events.workflow import CLOSED_STATES, NOT_TERMINAL, PAUSED, State

DEFAULTS = {
    "basically_satisfied_weight": 0.9,
    "exclude_deferred": False,
    "score_weights": {"response": 0.1, "solved": 0.5, "satisfied": 0.4},
}
CLOSED = frozenset(CLOSED_STATES)
# The rates' three levels (satisfied, basically, dissatisfied) of each five-level answer.
RATE_LEVEL = {s.value: s.rate_level for s in Satisfaction}
RATED_AS = {level: Satisfaction.counted_as(level) for level in set(RATE_LEVEL.values())}
COUNT_KEYS = (
    "reported",
    "voided",
    "answered_in_time",
    "dispatched",
    "dispatched_in_time",
    "closed",
    "due_to_close",
    "closed_on_time",
    "reworked",
    "rated",
    "satisfied",
    "basically",
    "dissatisfied",
)
# What every rate reads of an event, whatever it is grouped by.
LOOP_FIELDS = (
    "state",
    "accepted_at",
    "accept_due_at",
    "dispatched_at",
    "dispatch_due_at",
    "handled_at",
    "handle_due_at",
    "closed_at",
    "rework_count",
    "satisfaction",
)
FIELDS = (
    *LOOP_FIELDS,
    "area__path",
    "department__name",
    "subclass__code",
    "source",
    "reported_at",
)


def rates_config() -> dict[str, Any]:
    return DEFAULTS | getattr(settings, "GRIDGOV_RATES", {})


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


# What one event leaves in the counts that does not change with the clock, and the two
# extra sums the average handling time needs (integer microseconds: a sum of integers is
# the same in any order, so the rollup and the rows agree to the last digit).
STORED_KEYS = (*COUNT_KEYS, "handling_count", "handling_us")
# Deferred (缓办) and suspended (挂账) events: with RATES["exclude_deferred"] they keep only
# what they counted before the denominator (reported, answered, dispatched).
HELD = frozenset(PAUSED)
HELD_EXCLUDED = ("rated", "satisfied", "basically", "dissatisfied", "handling_count", "handling_us")
# Filed events not yet closed (nor voided or refused): they fall due when the clock passes
# their handling deadline, so that part is counted live, never stored.
LIVE_STATES = NOT_TERMINAL
US_PER_HOUR = 3_600_000_000


def contribution(row: dict[str, Any], calendar: WorkingCalendar) -> dict[str, int]:
    """The time-independent counts of one event (the keys of STORED_KEYS that are not zero).
    `due_to_close`, `closed_on_time` and `reworked` here are those of closed events only;
    open events add theirs through `falls_due` at the moment of reading."""
    counts = {"reported": 1}
    state = row["state"]
    if state == State.VOIDED:
        counts["voided"] = 1
        return counts
    answered_at = row["accepted_at"] or (row["closed_at"] if state == State.REJECTED else None)
    if answered_at and row["accept_due_at"] and answered_at <= row["accept_due_at"]:
        counts["answered_in_time"] = 1
    if row["dispatched_at"]:
        counts["dispatched"] = 1
        if row["dispatch_due_at"] and row["dispatched_at"] <= row["dispatch_due_at"]:
            counts["dispatched_in_time"] = 1
    closed = state in CLOSED
    if closed:
        counts["closed"] = 1
    if row["accepted_at"] is None or state == State.REJECTED:
        return counts
    if closed:
        counts["due_to_close"] = 1
        due = row["handle_due_at"]
        if row["handled_at"] and due and row["handled_at"] <= due:
            counts["closed_on_time"] = 1
        if row["rework_count"]:
            counts["reworked"] = 1
    if row["handled_at"]:
        counts["handling_count"] = 1
        hours = calendar.working_hours_between(row["accepted_at"], row["handled_at"])
        counts["handling_us"] = round(hours * US_PER_HOUR)
    if row["satisfaction"]:
        counts["rated"] = 1
        counts[RATE_LEVEL.get(row["satisfaction"], row["satisfaction"])] = 1
    return counts


def falls_due(row: dict[str, Any], now: dt.datetime) -> bool:
    """An open filed event whose handling deadline has passed: due to close *now*."""
    due = row["handle_due_at"]
    return (
        row["state"] in LIVE_STATES
        and row["accepted_at"] is not None
        and due is not None
        and due <= now
    )


def counts_add(
    counts: dict[str, int],
    row: dict[str, Any],
    calendar: WorkingCalendar,
    now: dt.datetime,
    exclude_deferred: bool,
) -> None:
    """Add one event's counts, the stored part and the live part, as `rates_for` reads them."""
    held = row["state"] in HELD
    for key, value in contribution(row, calendar).items():
        if not (exclude_deferred and held and key in HELD_EXCLUDED):
            counts[key] += value
    if falls_due(row, now) and not (exclude_deferred and held):
        counts["due_to_close"] += 1
        if row["rework_count"]:
            counts["reworked"] += 1


def rates_from_counts(counts: dict[str, int]) -> dict[str, Any]:
    """The rates of summed counts (from rows or from the rollup: the same arithmetic)."""
    config = rates_config()
    satisfied = counts["satisfied"] + config["basically_satisfied_weight"] * counts["basically"]
    satisfaction = round(satisfied / counts["rated"], 4) if counts["rated"] else None
    response = _ratio(counts["answered_in_time"], counts["reported"] - counts["voided"])
    solved = _ratio(counts["closed"], counts["reported"] - counts["voided"])
    weights = config["score_weights"]
    score = None
    if None not in (response, solved, satisfaction):
        score = round(
            weights["response"] * response
            + weights["solved"] * solved
            + weights["satisfied"] * satisfaction,
            4,
        )
    handled = counts["handling_count"]
    return {
        "counts": {key: counts[key] for key in COUNT_KEYS},
        "closure_rate": _ratio(counts["closed"], counts["due_to_close"]),
        "on_time_closure_rate": _ratio(counts["closed_on_time"], counts["due_to_close"]),
        "timely_acceptance_rate": response,
        "timely_dispatch_rate": _ratio(counts["dispatched_in_time"], counts["dispatched"]),
        "rework_rate": _ratio(counts["reworked"], counts["due_to_close"]),
        "satisfaction_rate": satisfaction,
        "hotline": {
            "response_rate": response,
            "solved_rate": solved,
            "satisfied_rate": satisfaction,
            "score": score,
        },
        "average_handling_hours": round(counts["handling_us"] / US_PER_HOUR / handled, 2)
        if handled
        else None,
    }


def rates_for(
    rows: Iterable[dict[str, Any]],
    calendar: WorkingCalendar | None = None,
    *,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Rates over event rows (dicts of FIELDS), row by row: the reference the rollup equals."""
    calendar = calendar or WorkingCalendar.from_database()
    now = now or timezone.now()
    exclude_deferred = rates_config()["exclude_deferred"]
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts_add(counts, row, calendar, now, exclude_deferred)
    return rates_from_counts(counts)


def group_key(row: dict[str, Any], group: str, root_depth: int) -> str:
    if group == "area":
        codes = [c for c in row["area__path"].strip("/").split("/") if c]
        return codes[min(len(codes) - 1, root_depth + 1)]
    if group == "department":
        return row["department__name"] or "-"
    if group == "subclass":
        return row["subclass__code"]
    if group == "source":
        return row["source"]
    if group == "month":
        return timezone.localtime(row["reported_at"]).strftime("%Y-%m")
    if group == "day":
        return timezone.localtime(row["reported_at"]).strftime("%Y-%m-%d")
    raise ValueError(group)


def rates_grouped(
    rows: list[dict[str, Any]],
    group: str | None,
    root_depth: int = 0,
    *,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Rates of all rows and, with `group`, per group; each row is counted once (its working
    hours computed once) and added to both."""
    calendar = WorkingCalendar.from_database()
    now = now or timezone.now()
    exclude_deferred = rates_config()["exclude_deferred"]
    total: dict[str, int] = defaultdict(int)
    buckets: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts: dict[str, int] = defaultdict(int)
        counts_add(counts, row, calendar, now, exclude_deferred)
        for key, value in counts.items():
            total[key] += value
            if group:
                buckets[group_key(row, group, root_depth)][key] += value
    result: dict[str, Any] = {"all": rates_from_counts(total)}
    if group:
        result["groups"] = {key: rates_from_counts(c) for key, c in sorted(buckets.items())}
    return result


KEPT_COUNTER = {
    "on_time": "{}_on_time",
    "late": "{}_late",
    "overdue": "not_{}_overdue",
    "open": "not_{}_yet",
}


def whistle_counts(events) -> dict[str, dict[str, int]]:
    """Per summoned department, for each of the three deadlines of 吹哨报到 (check-in,
    action, report-back): done on time, done late, overdue, or not yet due — the counts a
    department's response is assessed on — and the summonses in all."""
    from gridgov.events.models import Summons
    from gridgov.events.whistle_chain import deadline_kept

    now = timezone.now()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    steps = (
        ("checked_in", "check_in_due_at", "checked_in_at"),
        ("acted", "action_due_at", "action_at"),
        ("reported_back", "report_due_at", "reported_at"),
    )
    fields = ["department__name"] + [f for _, due, done in steps for f in (due, done)]
    for row in Summons.objects.filter(whistle__event__in=events).values_list(*fields):
        bucket = counts[row[0]]
        bucket["summoned"] += 1
        for i, (name, _due_field, _done_field) in enumerate(steps):
            due, done = row[1 + 2 * i], row[2 + 2 * i]
            # A summons from before the three deadlines has no due time: done counts on
            # time, not done as not yet due.
            kept = deadline_kept(due, done, now) if due else ("on_time" if done else "open")
            bucket[KEPT_COUNTER[kept].format(name)] += 1
    return {name: dict(bucket) for name, bucket in sorted(counts.items())}
