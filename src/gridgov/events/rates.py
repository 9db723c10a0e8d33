"""The rates of the district's assessment, computed one way for the queue, the API and reports.

Formulas and denominators (docs/rates.md has them with their sources):
- closure rate 结案率 = closed / due to close; due to close = filed events (not void) whose
  handling deadline has passed, or that are closed already. Deferred and suspended events
  leave the denominator when RATES["exclude_deferred"] (some cities do, STANDARDS.md).
- on-time closure 按期结案率 = closed events handled by their handling deadline / due to close.
- timely acceptance 及时受理率 = accepted (or rejected) by the acceptance deadline / reported.
- timely dispatch 按时派遣率 = dispatched by the dispatch deadline / dispatched.
- rework rate 返工率 = events sent back for rework at least once / due to close.
- satisfaction 满意率 = (satisfied + w × basically satisfied) / rated, w = 0.9 by default.
- 12345: response = answered (filed or not filed) in time / reported; solved = closed / reported
  less void; satisfied = satisfaction; score = 0.1 response + 0.5 solved + 0.4 satisfied
  (weights configurable: official weights were not found).
- average handling time = mean working hours from filing to handling done.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from gridgov.events.calendar import WorkingCalendar
from gridgov.events.workflow import State

DEFAULTS = {
    "basically_satisfied_weight": 0.9,
    "exclude_deferred": False,
    "score_weights": {"response": 0.1, "solved": 0.5, "satisfied": 0.4},
}
CLOSED = {State.CLOSED, State.EVALUATED}
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
FIELDS = (
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
    "area__path",
    "department__name",
    "subclass__code",
    "source",
    "reported_at",
)


def _settings() -> dict[str, Any]:
    return DEFAULTS | getattr(settings, "GRIDGOV_RATES", {})


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def rates_for(
    rows: Iterable[dict[str, Any]], calendar: WorkingCalendar | None = None
) -> dict[str, Any]:
    config = _settings()
    calendar = calendar or WorkingCalendar.from_database()
    now = timezone.now()
    counts = defaultdict(int)
    handling_hours: list[float] = []
    for row in rows:
        state = row["state"]
        counts["reported"] += 1
        if state == State.VOIDED:
            counts["voided"] += 1
            continue
        answered_at = row["accepted_at"] or (row["closed_at"] if state == State.REJECTED else None)
        if answered_at and row["accept_due_at"] and answered_at <= row["accept_due_at"]:
            counts["answered_in_time"] += 1
        if row["dispatched_at"]:
            counts["dispatched"] += 1
            if row["dispatch_due_at"] and row["dispatched_at"] <= row["dispatch_due_at"]:
                counts["dispatched_in_time"] += 1
        closed = state in CLOSED
        if closed:
            counts["closed"] += 1
        if row["accepted_at"] is None or state == State.REJECTED:
            continue
        if config["exclude_deferred"] and state in (State.DEFERRED, State.SUSPENDED):
            continue
        due = row["handle_due_at"]
        if closed or (due and due <= now):
            counts["due_to_close"] += 1
            if closed and row["handled_at"] and due and row["handled_at"] <= due:
                counts["closed_on_time"] += 1
            if row["rework_count"]:
                counts["reworked"] += 1
        if row["handled_at"]:
            handling_hours.append(
                calendar.working_hours_between(row["accepted_at"], row["handled_at"])
            )
        if row["satisfaction"]:
            counts["rated"] += 1
            counts[row["satisfaction"]] += 1
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
    return {
        "counts": {key: counts[key] for key in COUNT_KEYS},
        "closure_rate": _ratio(counts["closed"], counts["due_to_close"]),
        "on_time_closure_rate": _ratio(counts["closed_on_time"], counts["due_to_close"]),
        "timely_acceptance_rate": _ratio(
            counts["answered_in_time"], counts["reported"] - counts["voided"]
        ),
        "timely_dispatch_rate": _ratio(counts["dispatched_in_time"], counts["dispatched"]),
        "rework_rate": _ratio(counts["reworked"], counts["due_to_close"]),
        "satisfaction_rate": satisfaction,
        "hotline": {
            "response_rate": response,
            "solved_rate": solved,
            "satisfied_rate": satisfaction,
            "score": score,
        },
        "average_handling_hours": round(sum(handling_hours) / len(handling_hours), 2)
        if handling_hours
        else None,
    }


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
    rows: list[dict[str, Any]], group: str | None, root_depth: int = 0
) -> dict[str, Any]:
    calendar = WorkingCalendar.from_database()
    result: dict[str, Any] = {"all": rates_for(rows, calendar)}
    if group:
        buckets: dict[str, list] = defaultdict(list)
        for row in rows:
            buckets[group_key(row, group, root_depth)].append(row)
        result["groups"] = {
            key: rates_for(bucket, calendar) for key, bucket in sorted(buckets.items())
        }
    return result


def whistle_counts(events) -> dict[str, dict[str, int]]:
    """Per summoned department: summonses, checked in (on time / late), not checked in
    (overdue or still open), reported back. 吹哨报到 is assessed on these."""
    from gridgov.events.models import Summons

    now = timezone.now()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = Summons.objects.filter(whistle__event__in=events).values_list(
        "department__name", "check_in_due_at", "checked_in_at", "reported_at"
    )
    for department, due, checked_in, reported in rows:
        bucket = counts[department]
        bucket["summoned"] += 1
        if checked_in:
            bucket["checked_in_late" if checked_in > due else "checked_in_on_time"] += 1
        else:
            bucket["not_checked_in_overdue" if now > due else "not_checked_in_yet"] += 1
        if reported:
            bucket["reported_back"] += 1
    return {name: dict(bucket) for name, bucket in sorted(counts.items())}
