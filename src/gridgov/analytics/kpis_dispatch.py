"""The departments' and dispatchers' KPIs (STANDARDS.md "Rates"; docs/kpis.md).

Departments: 按时处置率 = handled by the handling deadline ÷ handling due; 返工率 = sent back
for rework at least once ÷ due to close (as docs/rates.md); returns ("not ours") ÷
dispatches received, and 推诿 (buck-passing) = returns the center did not uphold — the
next dispatch sent the case back to the same department — ÷ dispatches received.

Dispatchers: 按时派遣率 = first dispatches of a case made by its dispatch deadline ÷ first
dispatches; 准确派遣率 = dispatches settled and not wrong ÷ dispatches settled, where a
dispatch is wrong when it was returned and the center then sent the case elsewhere, and
settled unless it was returned and not yet dispatched again.

Both read one pass over the dispatch and return steps of the window's events, in order per
event (window functions: the step after a dispatch, and the target of the dispatch after
that), grouped by dispatcher and department: one row per pair, never the steps.
"""

from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q

from gridgov.accounts.models import User, full_name
from gridgov.analytics.kpis_window import Window, sql_datetime
from gridgov.areas.models import Department
from gridgov.events.models import Event, TimelineEntry
from gridgov.events.rates import HELD, LIVE_STATES, rates_config
from gridgov.events.workflow import CLOSED_STATES, State

DEPARTMENT_KEYS = (
    "handling_due",
    "handled_on_time",
    "due_to_close",
    "reworked",
    "received",
    "returned",
    "sent_back_again",
    "returns_pending",
)
DISPATCHER_KEYS = (
    "dispatched",
    "first_dispatches",
    "first_on_time",
    "returned",
    "returns_pending",
    "wrong",
    "settled",
    "accurate",
)

CHAIN_SQL = """
WITH steps AS (
    SELECT t.actor_id AS actor_id, t.action AS action, t.at AS at,
           e.dispatch_due_at AS dispatch_due_at,
           {department} AS department, {target} AS target,
           ROW_NUMBER() OVER (PARTITION BY t.event_id, t.action ORDER BY t.id) AS nth,
           LEAD(t.action, 1) OVER (PARTITION BY t.event_id ORDER BY t.id) AS next_action,
           LEAD(t.action, 2) OVER (PARTITION BY t.event_id ORDER BY t.id) AS then_action,
           LEAD({target}, 2) OVER (PARTITION BY t.event_id ORDER BY t.id) AS then_target
    FROM {timeline} t
    JOIN {events} e ON e.id = t.event_id
    WHERE t.action IN ('dispatch', 'return')
      AND e.reported_at >= %s AND e.reported_at < %s {area}
)
SELECT actor_id, department,
       COUNT(*),
       SUM(CASE WHEN nth = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN nth = 1 AND at <= dispatch_due_at THEN 1 ELSE 0 END),
       SUM(CASE WHEN next_action = 'return' THEN 1 ELSE 0 END),
       SUM(CASE WHEN next_action = 'return' AND then_action IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN next_action = 'return' AND then_target = target THEN 1 ELSE 0 END),
       SUM(CASE WHEN next_action = 'return' AND then_target <> target THEN 1 ELSE 0 END)
FROM steps
WHERE action = 'dispatch'
GROUP BY actor_id, department
"""
CHAIN_COLUMNS = (
    "dispatched",
    "first_dispatches",
    "first_on_time",
    "returned",
    "returns_pending",
    "sent_back_again",
    "wrong",
)


def _json_text(column: str, key: str) -> str:
    # The dispatch step's details name the department and the lead worker (effects.dispatch).
    if connection.vendor == "postgresql":
        return f"({column} ->> '{key}')"
    return f"json_extract({column}, '$.{key}')"


def _chain(window: Window) -> list[dict[str, Any]]:
    """(dispatcher, department) → the counts of CHAIN_COLUMNS, for the window's events."""
    department = _json_text("t.data", "department")
    # Where a dispatch went: the department, else the lead worker offered the task.
    target = f"COALESCE({department}, 'worker:' || {_json_text('t.data', 'assignee')}, '')"
    params: list[Any] = [sql_datetime(window.since), sql_datetime(window.until)]
    area = ""
    if window.area_ids is not None:
        ids = list(window.area_ids) or [0]
        area = f"AND e.area_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    sql = CHAIN_SQL.format(
        department=department,
        target=target,
        timeline=TimelineEntry._meta.db_table,
        events=Event._meta.db_table,
        area=area,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [
        {"actor_id": actor_id, "department": name, **dict(zip(CHAIN_COLUMNS, counts, strict=True))}
        for actor_id, name, *counts in found
    ]


def _handling(window: Window) -> dict[int, dict[str, int]]:
    """Per department of the window's filed events: handling due and on time, due to close
    and reworked (as the rates count them: docs/rates.md)."""
    live = [s for s in LIVE_STATES if not (rates_config()["exclude_deferred"] and s in HELD)]
    due_to_close = Q(state__in=CLOSED_STATES) | Q(state__in=live, handle_due_at__lte=window.now)
    events = Event.objects.filter(
        reported_at__gte=window.since,
        reported_at__lt=window.until,
        department_id__isnull=False,
        accepted_at__isnull=False,
    ).exclude(state__in=(State.VOIDED, State.REJECTED))
    if window.area_ids is not None:
        events = events.filter(area_id__in=window.area_ids)
    if window.only is not None:
        events = events.filter(department_id=window.only)
    found = (
        events.order_by()
        .values("department_id")
        .annotate(
            handling_due=Count(
                "pk", filter=Q(handled_at__isnull=False) | Q(handle_due_at__lte=window.now)
            ),
            handled_on_time=Count("pk", filter=Q(handled_at__lte=F("handle_due_at"))),
            due_to_close=Count("pk", filter=due_to_close),
            reworked=Count("pk", filter=due_to_close & Q(rework_count__gt=0)),
        )
    )
    return {item.pop("department_id"): item for item in found}


def department_rows(window: Window) -> list[dict[str, Any]]:
    handling = _handling(window)
    chain = _chain(window)
    by_name: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in chain:
        if item["department"]:
            counts = by_name[item["department"]]
            counts["received"] += item["dispatched"]
            for key in ("returned", "sent_back_again", "returns_pending"):
                counts[key] += item[key]
    departments = Department.objects.filter(Q(pk__in=list(handling)) | Q(name__in=list(by_name)))
    if window.only is not None:
        departments = departments.filter(pk=window.only)
    rows: dict[int, dict[str, Any]] = {}
    # The timeline names a department by its name: two departments of one name (at two
    # levels) share their returns; the one with cases in the window takes them.
    named: dict[str, int] = {}
    for pk, name, area_name in departments.order_by("pk").values_list("pk", "name", "area__name"):
        rows[pk] = {
            "id": pk,
            "name": name,
            "area": {"name": area_name},
            "counts": dict.fromkeys(DEPARTMENT_KEYS, 0) | handling.get(pk, {}),
        }
        if name not in named or (pk in handling and named[name] not in handling):
            named[name] = pk
    for name, counts in by_name.items():
        if name in named:
            for key, value in counts.items():
                rows[named[name]]["counts"][key] += value
    return list(rows.values())


def dispatcher_rows(window: Window) -> list[dict[str, Any]]:
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DISPATCHER_KEYS, 0))
    for item in _chain(window):
        if item["actor_id"] is None:  # a deleted account's steps
            continue
        counts = totals[item["actor_id"]]
        for key in CHAIN_COLUMNS:
            if key in counts:
                counts[key] += item[key]
    for counts in totals.values():
        counts["settled"] = counts["dispatched"] - counts["returns_pending"]
        counts["accurate"] = counts["settled"] - counts["wrong"]
    people = User.objects.filter(pk__in=list(totals)).values_list(
        "pk", "username", "last_name", "first_name", "role", "area__code", "area__name"
    )
    return [
        {
            "id": pk,
            "name": full_name(last, first) or username,
            "role": role,
            "area": {"code": code, "name": area_name},
            "counts": totals[pk],
        }
        for pk, username, last, first, role, code, area_name in people
    ]
