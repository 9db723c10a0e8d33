"""The grid workers' KPIs (监督员考核, STANDARDS.md "Rates"; docs/kpis.md): one GROUP BY per
figure, each bounded by the workers of the area and the events reported in the window.

- 有效上报率: their reports filed ÷ their reports decided (filed, refused, voided or merged);
- 按时核实率: tasks offered to them answered (taken, accepted, declined or returned) within
  verify_hours ÷ offers due (answered, or left unanswered past the limit);
- 按时核查率: their checks (核查, pass or fail) made within check_hours of the handling
  report they check ÷ their checks;
- 漏报率: the public's filed cases of their patch that no worker had reported before ÷ the
  patch's filed cases found by a worker or the public (matters on the grid admission list);
- patrol coverage: planned places of their patch they checked in at, with a check-in that
  proves the visit (not flagged far away or without a position), ÷ planned places.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from gridgov.accounts.models import User, full_name
from gridgov.analytics.kpis_window import WORKER_ROLES, Window, kpis_config
from gridgov.events.models import Assignment, Event, TimelineEntry
from gridgov.events.workflow import HANDLING_ACTIONS, State
from gridgov.smartcodes.models import CheckIn, PatrolPlan, SmartCode

COUNT_KEYS = (
    "reported",
    "decided",
    "filed",
    "verifications_due",
    "verified_on_time",
    "checks",
    "checks_on_time",
    "grid_found",
    "missed",
    "patrol_places",
    "patrol_visited",
    "patrol_check_ins",
    "patrol_check_ins_flagged",
)
CHECK_ACTIONS = ("verify_pass", "verify_fail")
# A worker's answer to a task offered to them: each of their own steps that ends the offer
# (events/workflow.py): `take` and `accept_task` accept it, `decline_task` declines it, and
# `return` ("not ours") withdraws it. A step that does not end the offer (feedback,
# requests) is not an answer.
ANSWER_ACTIONS = ("take", "accept_task", "decline_task", "return")
# The handling reports a check looks back to (a field worker's on-the-spot solution too).
HANDLED_ACTIONS = ("feedback", "solve_on_spot")
assert set(HANDLED_ACTIONS) <= set(HANDLING_ACTIONS)


def _events_in(window: Window, prefix_field: str = "event__") -> Q:
    """The window's events seen from a related model (`event__`) or the event itself ("")."""
    q = Q(**{f"{prefix_field}reported_at__gte": window.since}) & Q(
        **{f"{prefix_field}reported_at__lt": window.until}
    )
    if window.area_ids is not None:
        q &= Q(**{f"{prefix_field}area_id__in": window.area_ids})
    return q


def _workers(window: Window) -> dict[int, dict[str, Any]]:
    people = User.objects.filter(role__in=WORKER_ROLES, is_active=True, area__isnull=False)
    if window.prefix:
        people = people.filter(area__path__startswith=window.prefix)
    if window.only is not None:
        people = people.filter(pk=window.only)
    found = people.values_list(
        "pk",
        "username",
        "last_name",
        "first_name",
        "role",
        "area__code",
        "area__name",
        "area__path",
    )
    return {
        pk: {
            "id": pk,
            "name": full_name(last, first) or username,
            "role": role,
            "area": {"code": code, "name": area_name},
            "path": path,
            "counts": dict.fromkeys(COUNT_KEYS, 0),
        }
        for pk, username, last, first, role, code, area_name, path in found
    }


def _add(rows: dict[int, dict[str, Any]], found, key_field: str) -> None:
    for item in found:
        row = rows.get(item.pop(key_field))
        if row is not None:
            for key, value in item.items():
                row["counts"][key] += value or 0


def _patches(rows: dict[int, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The workers by the path of their area (their patch)."""
    patches: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows.values():
        patches[row["path"]].append(row)
    return patches


def _holders(patches: dict[str, list[dict[str, Any]]], path: str) -> list[dict[str, Any]]:
    """The workers whose patch holds the area at `path` (its own workers and those of the
    areas above it): a walk up the path's few levels, not over every worker."""
    codes = [code for code in path.strip("/").split("/") if code]
    found = []
    for depth in range(1, len(codes) + 1):
        found += patches.get("/" + "/".join(codes[:depth]) + "/", [])
    return found


def _reports(rows, window: Window) -> None:
    found = (
        Event.objects.filter(_events_in(window, ""), reporter_id__in=list(rows))
        .order_by()
        .values("reporter_id")
        .annotate(
            reported=Count("pk"),
            decided=Count("pk", filter=~Q(state=State.REPORTED)),
            filed=Count("pk", filter=Q(accepted_at__isnull=False) & ~Q(state=State.VOIDED)),
        )
    )
    _add(rows, found, "reporter_id")


def _verifications(rows, window: Window) -> None:
    """Offers answered in time. The answer is the worker's own first step that ends the offer
    (ANSWER_ACTIONS): the offer row's decided_at is overwritten when an offer is withdrawn."""
    limit = dt.timedelta(hours=kpis_config()["verify_hours"])
    answered_at = Subquery(
        TimelineEntry.objects.filter(
            event_id=OuterRef("event_id"),
            actor_id=OuterRef("worker_id"),
            action__in=ANSWER_ACTIONS,
            at__gte=OuterRef("offered_at"),
        )
        .order_by("id")
        .values("at")[:1]
    )
    # The step that made the row: the event's last step at or before it. A dispatch makes
    # offers; a worker's own `take` of a task nobody offered them makes an accepted row
    # (events/services/offers.py, written after the step) that is no offer: not counted, nor
    # is the return that may end it later.
    made_by = Subquery(
        TimelineEntry.objects.filter(event_id=OuterRef("event_id"), at__lte=OuterRef("offered_at"))
        .order_by("-at", "-id")
        .values("id")[:1]
    )
    taken_unoffered = Exists(
        TimelineEntry.objects.filter(
            pk=OuterRef("made_by"), actor_id=OuterRef("worker_id"), action="take"
        )
    )
    answered = Q(answered_at__isnull=False)
    # Unanswered past the limit: still offered when the limit ran out, or withdrawn after it.
    overdue = Q(answered_at__isnull=True) & (
        Q(status="offered", offered_at__lte=window.now - limit)
        | Q(status="withdrawn", decided_at__gt=F("offered_at") + limit)
    )
    found = (
        Assignment.objects.filter(_events_in(window), worker_id__in=list(rows))
        .annotate(made_by=made_by)
        .filter(~taken_unoffered)
        .annotate(answered_at=answered_at)
        .order_by()
        .values("worker_id")
        .annotate(
            verifications_due=Count("pk", filter=answered | overdue),
            verified_on_time=Count(
                "pk", filter=answered & Q(answered_at__lte=F("offered_at") + limit)
            ),
        )
    )
    _add(rows, found, "worker_id")


def _checks(rows, window: Window) -> None:
    limit = dt.timedelta(hours=kpis_config()["check_hours"])
    handled_at = Subquery(
        TimelineEntry.objects.filter(
            event_id=OuterRef("event_id"), action__in=HANDLED_ACTIONS, id__lt=OuterRef("id")
        )
        .order_by("-id")
        .values("at")[:1]
    )
    found = (
        TimelineEntry.objects.filter(
            _events_in(window), action__in=CHECK_ACTIONS, actor_id__in=list(rows)
        )
        .annotate(handled_at=handled_at)
        .order_by()
        .values("actor_id")
        .annotate(
            checks=Count("pk"),
            checks_on_time=Count("pk", filter=Q(at__lte=F("handled_at") + limit)),
        )
    )
    _add(rows, found, "actor_id")


def _missed(rows, window: Window) -> None:
    """Per area of the window, then summed into each worker's patch (their area and below):
    everyone who works a grid answers for all of it."""
    public = kpis_config()["public_sources"]
    found = (
        Event.objects.filter(
            _events_in(window, ""), accepted_at__isnull=False, subclass__in_grid_list=True
        )
        .exclude(state=State.VOIDED)
        .order_by()
        .values("area__path")
        .annotate(
            by_worker=Count("pk", filter=Q(source="worker")),
            by_public=Count("pk", filter=Q(source__in=public)),
            # The public reported what a worker had reported before (linked as its duplicate).
            seen_before=Count("pk", filter=Q(source__in=public, duplicate_of__source="worker")),
        )
    )
    patches = _patches(rows)
    for item in found:
        for row in _holders(patches, item["area__path"]):
            row["counts"]["grid_found"] += item["by_worker"] + item["by_public"]
            row["counts"]["missed"] += item["by_public"] - item["seen_before"]


def _patrol(rows, window: Window) -> None:
    """Places a patrol plan covers in each worker's patch, and those the worker checked in
    at during the window with a check-in that proves the visit. Nested plans of one kind
    count a place once."""
    roots: dict[str, list[str]] = defaultdict(list)
    for kind, path in PatrolPlan.objects.filter(active=True).values_list("kind", "area__path"):
        roots[kind].append(path)
    planned = Q(pk__in=[])
    for kind, paths in roots.items():
        paths = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
        under = Q(pk__in=[])
        for path in set(paths):
            under |= Q(area__path__startswith=path)
        planned |= Q(kind=kind) & under
    if not roots:
        return
    codes = SmartCode.objects.filter(planned, revoked_at__isnull=True)
    if window.prefix:
        codes = codes.filter(area__path__startswith=window.prefix)
    patches = _patches(rows)
    for path, n in (
        codes.order_by().values("area__path").annotate(n=Count("pk")).values_list("area__path", "n")
    ):
        for row in _holders(patches, path):
            row["counts"]["patrol_places"] += n
    visits = (
        CheckIn.objects.filter(
            user_id__in=list(rows),
            at__gte=window.since,
            at__lt=window.until,
            code__in=codes,
            code__area__path__startswith=F("user__area__path"),
        )
        .order_by()
        .values("user_id")
        .annotate(
            # A check-in flagged far away or without a position does not prove a visit
            # (smartcodes CheckIn.flag): counted as a check-in, not as a visited place.
            patrol_visited=Count("code_id", distinct=True, filter=Q(flag=CheckIn.Flag.AT_PLACE)),
            patrol_check_ins=Count("pk"),
            patrol_check_ins_flagged=Count("pk", filter=~Q(flag=CheckIn.Flag.AT_PLACE)),
        )
    )
    _add(rows, visits, "user_id")


def worker_rows(window: Window) -> list[dict[str, Any]]:
    rows = _workers(window)
    if not rows:
        return []
    for figure in (_reports, _verifications, _checks, _missed, _patrol):
        figure(rows, window)
    for row in rows.values():
        del row["path"]
    return list(rows.values())
