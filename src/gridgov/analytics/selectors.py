"""Rates read from the daily rollup, for any period and grouping, equal to `rates_for` over
the same events row by row (tests/analytics).

What the user may read is split in two: the part the rollup's keys can say (the user's
area subtree with the events capability, their department's events) read from the rollup
plus the live count of open events fallen due; and the rest (events they reported, were
handed by name, or were summoned to, outside that part) read row by row — a person's own
cases, not history. Days cut by `since`/`until` are read row by row as well.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, scope_path
from gridgov.analytics.models import AreaDayRollup, DailyRollup
from gridgov.analytics.rollups import AREA_LEVELS, GRID_LEVEL
from gridgov.areas.models import Area, Department
from gridgov.common.lookups import IdArray  # registers `__any` (long id lists as one array)
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.models import Assignment, Event, Subclass, Summons
from gridgov.events.rates import (
    FIELDS,
    HELD,
    HELD_EXCLUDED,
    LIVE_STATES,
    STORED_KEYS,
    counts_add,
    group_key,
    rates_config,
    rates_from_counts,
)
from gridgov.events.selectors import area_filter_ids, events_for_rates, subtree_ids

# The rollup's column and the event's for each grouping.
ROLLUP_DIMENSION = {
    "area": "area_id",
    "department": "department_key",
    "subclass": "subclass_id",
    "source": "source",
    "month": "day",
    "day": "day",
}
EVENT_DIMENSION = {**ROLLUP_DIMENSION, "department": "department_id", "month": "local_day"}
EVENT_DIMENSION["day"] = "local_day"
Counts = dict[str, int]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_default_timezone())


def _day_range(since: dt.datetime | None, until: dt.datetime | None):
    """Whole local days [first, end) inside [since, until) and the cut windows around them."""
    tz = timezone.get_default_timezone()
    first = end = None
    windows: list[tuple[dt.datetime | None, dt.datetime | None]] = []
    if since is not None:
        first = timezone.localtime(since, tz).date()
        if _midnight(first) < since:
            first += dt.timedelta(days=1)
    if until is not None:
        end = timezone.localtime(until, tz).date()
    if first is not None and end is not None and first >= end:
        return None, None, [(since, until)] if since < until else [], True
    if since is not None and since < _midnight(first):
        windows.append((since, _midnight(first)))
    if until is not None and _midnight(end) < until:
        windows.append((_midnight(end), until))
    return first, end, windows, False


def _scope(user: User) -> tuple[Q, Q] | None:
    """(rollup condition, event condition) of what the rollup can read for the user; None
    when nothing (every visible event is then read row by row)."""
    if user.is_superuser:
        return Q(), Q()
    rollup_q, event_q = Q(pk__in=[]), Q(pk__in=[])
    found = False
    prefix = scope_path(user) if can(user, Capability.EVENTS_VIEW) else None
    if prefix:
        # The ids themselves, not a subquery: the planner then knows how many there are and
        # counts open events by their own index instead of looping over areas. One array
        # parameter (`__any`), kept per process: 700 placeholders built, compiled and quoted
        # for every read cost more of the dashboard's time than the reads themselves.
        rollup_q |= Q(area_id__any=IdArray(subtree_ids(user, prefix)))
        # Events by a join on the area's path: what is read of them is the small index of
        # open events (the live part), where a 700-id array is tested against every entry
        # one element at a time (67 ms at a district's month of 10M, 12 ms as a hash join).
        event_q |= Q(area__path__startswith=prefix)
        found = True
    if user.department_id:
        rollup_q |= Q(department_key=user.department_id)
        event_q |= Q(department_id=user.department_id)
        found = True
    return (rollup_q, event_q) if found else None


def _labels(group: str, values: set, root_depth: int) -> dict[Any, str]:
    """The group names of rollup values, as `rates.group_key` names event rows."""
    if group == "area":
        paths = dict(Area.objects.filter(pk__in=values).values_list("pk", "path"))
        return {v: group_key({"area__path": paths[v]}, "area", root_depth) for v in paths}
    if group == "department":
        names = dict(Department.objects.filter(pk__in=values).values_list("pk", "name"))
        return {v: names.get(v) or "-" for v in values}
    if group == "subclass":
        return dict(Subclass.objects.filter(pk__in=values).values_list("pk", "code"))
    if group == "month":
        return {v: v.strftime("%Y-%m") for v in values}
    if group == "day":
        return {v: v.isoformat() for v in values}
    return {v: v for v in values}


def rates_report(
    *,
    user: User,
    group: str | None = None,
    area: str | None = None,
    subclass: str | None = None,
    source: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The rates of the events the user may read, reported in [since, until), as
    `rates.rates_grouped` gives them ("all", and "groups" with `group`)."""
    total, groups = rates_counts(
        user=user,
        group=group,
        area=area,
        subclass=subclass,
        source=source,
        since=since,
        until=until,
        now=now,
    )
    return _result(total, groups, group)


def rates_counts(
    *,
    user: User,
    group: str | None = None,
    area: str | None = None,
    subclass: str | None = None,
    source: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    now: dt.datetime | None = None,
    level: int | None = None,
    relations: bool = True,
) -> tuple[Counts, dict[str, Counts]]:
    """The summed counts behind `rates_report` (total, and per group with `group`), for
    callers that merge groups before computing rates (weeks from days, event classes from
    subclasses). `level`: the depth the "area" grouping names (default the level below the
    user's root). `relations=False` leaves out the events the user reads only through their
    own relation to them (reported, handed, summoned): the figures of an area, not a person."""
    filters = {"area": area, "subclass": subclass, "source": source}
    visible = events_for_rates(user=user, filters=filters)  # refuses who may not read rates
    now = now or timezone.now()
    exclude_deferred = rates_config()["exclude_deferred"]
    root_depth = user.area.depth if user.area_id else 0
    if level is not None:
        root_depth = level - 1
    calendar = WorkingCalendar.from_database()
    total: Counts = defaultdict(int)
    groups: dict[str, Counts] = defaultdict(lambda: defaultdict(int))

    def add(label: str | None, counts: Counts) -> None:
        for key, value in counts.items():
            total[key] += value
            if group:
                groups[label][key] += value

    def add_rows(queryset) -> None:
        for row in queryset.values(*FIELDS).iterator(chunk_size=2000):
            counts: Counts = defaultdict(int)
            counts_add(counts, row, calendar, now, exclude_deferred)
            add(group_key(row, group, root_depth) if group else None, counts)

    scope = _scope(user)
    first, end, windows, no_whole_day = _day_range(since, until)
    period = Q()
    if since is not None:
        period &= Q(reported_at__gte=since)
    if until is not None:
        period &= Q(reported_at__lt=until)
    if scope is None:
        if relations:
            add_rows(visible.filter(period))
        return total, groups
    rollup_q, event_q = scope
    event_filters = Q()
    if area:
        rollup_q &= Q(area_id__any=IdArray(area_filter_ids(user, area)))
        event_filters &= Q(area__path__contains=f"/{area}/")
    rollup_filters = Q()
    if subclass:
        rollup_filters &= Q(subclass_id__in=Subclass.objects.filter(code=subclass).values("pk"))
        event_filters &= Q(subclass__code=subclass)
    if source:
        rollup_filters &= Q(source=source)
        event_filters &= Q(source=source)
    rollup_q &= rollup_filters
    in_rollup = Event.objects.filter(event_q, event_filters).order_by()

    if not no_whole_day:
        plan = _area_plan(user, area, subclass, source, group, root_depth)
        if plan is None:
            _add_rollup(add, group, rollup_q, first, end, exclude_deferred, root_depth)
        else:
            _add_area_rollup(add, group, plan, first, end, exclude_deferred, root_depth)
            if plan.shallow:  # events filed on an area above the grouped level
                # Those areas lie in the user's scope (the plan is made inside it): their ids
                # alone, not ANDed with the scope's 700 (two arrays on one index column cost
                # 67 ms to find no row).
                shallow_q = rollup_filters & Q(area_id__in=plan.shallow)
                _add_rollup(add, group, shallow_q, first, end, exclude_deferred, root_depth)
        _add_live(add, group, in_rollup, first, end, now, exclude_deferred, root_depth)
    for start, stop in windows:
        window = Q()
        if start is not None:
            window &= Q(reported_at__gte=start)
        if stop is not None:
            window &= Q(reported_at__lt=stop)
        add_rows(in_rollup.filter(window))
    if relations and event_q != Q():
        add_rows(_related_only(user, event_q).filter(event_filters, period))
    return total, groups


def _related_only(user: User, event_q: Q):
    """The events `events_visible` gives the user besides their area and department: those
    they reported, lead, were offered, or their department was summoned to. Each relation
    is one indexed lookup (an OR of them would scan the table)."""
    relations = [
        Event.objects.filter(reporter=user),
        Event.objects.filter(assignee=user),
        Event.objects.filter(
            pk__in=Assignment.objects.filter(
                worker=user, status__in=("offered", "accepted")
            ).values("event_id")
        ),
    ]
    if user.department_id:
        relations.append(
            Event.objects.filter(
                pk__in=Summons.objects.filter(department_id=user.department_id).values(
                    "whistle__event_id"
                )
            )
        )
    ids: set[int] = set()
    for events in relations:
        ids.update(events.exclude(event_q).order_by().values_list("pk", flat=True))
    return Event.objects.filter(pk__in=ids).order_by()


@dataclass
class AreaPlan:
    """What to read of AreaDayRollup: codes (and the group label of each), one dimension
    and its value (None: grouped by value), and the ids of areas above the grouped level
    under which events may be filed directly (read from DailyRollup)."""

    labels: dict[str, str | None]
    dimension: int
    value: str | None
    shallow: list[int] = field(default_factory=list)


def _area_plan(user, area, subclass, source, group, root_depth) -> AreaPlan | None:
    """How to read the request from the area rollup, or None when it cannot say it (a
    department's scope, a grid by anything but day, two filters at once, a filter and a
    grouping by another dimension): the daily rollup answers those."""
    if user.is_superuser:
        scope = list(Area.objects.filter(depth=0))
    elif user.department_id or not can(user, Capability.EVENTS_VIEW) or not user.area_id:
        return None
    else:
        scope = [user.area]
    areas = scope
    if area:
        target = Area.objects.filter(code=area).first()
        if target is None:
            areas = []
        elif any(target.path.startswith(a.path) for a in scope):
            areas = [target]
        else:
            areas = [a for a in scope if a.path.startswith(target.path)]
    filters = []
    if subclass:
        found = Subclass.objects.filter(code=subclass).values_list("pk", flat=True).first()
        filters.append((AreaDayRollup.Dimension.SUBCLASS, str(found)))
    if source:
        filters.append((AreaDayRollup.Dimension.SOURCE, source))
    by_value = {
        "subclass": AreaDayRollup.Dimension.SUBCLASS,
        "source": AreaDayRollup.Dimension.SOURCE,
        "department": AreaDayRollup.Dimension.DEPARTMENT,
    }
    if len(filters) > 1 or (filters and group in by_value):
        return None
    if group in by_value:
        dimension, value = by_value[group], None
    else:
        dimension, value = filters[0] if filters else (AreaDayRollup.Dimension.NONE, "")
    # The deepest level summed for this dimension (grids are summed by day only).
    deepest = GRID_LEVEL if dimension == AreaDayRollup.Dimension.NONE else AREA_LEVELS - 1
    if any(a.depth > deepest for a in areas):
        return None
    if group != "area":
        return AreaPlan({a.code: None for a in areas}, int(dimension), value)
    level = root_depth + 1
    labels: dict[str, str | None] = {}
    shallow: list[int] = []
    for a in areas:
        if a.depth >= level:
            labels[a.code] = [c for c in a.path.strip("/").split("/") if c][level]
            continue
        if level > deepest:
            return None
        below = Area.objects.filter(path__startswith=a.path)
        labels |= {code: code for code in below.filter(depth=level).values_list("code", flat=True)}
        shallow += list(below.filter(depth__lt=level).values_list("pk", flat=True))
    return AreaPlan(labels, int(dimension), value, shallow)


def _days_summed(rows, first, end, exclude_deferred: bool):
    """Rollup rows of the whole days [first, end), unordered, and the sums of their counts
    (held events left out of the counts the deferred setting excludes)."""
    if first is not None:
        rows = rows.filter(day__gte=first)
    if end is not None:
        rows = rows.filter(day__lt=end)
    sums = {f"sum_{name}": Sum(name) for name in STORED_KEYS}
    if exclude_deferred:
        for name in HELD_EXCLUDED:
            sums[f"sum_{name}"] = Sum(name, filter=Q(held=False))
    return rows.order_by(), sums


def _add_area_rollup(add, group, plan: AreaPlan, first, end, exclude_deferred, root_depth):
    rows = AreaDayRollup.objects.filter(area_code__in=list(plan.labels), dimension=plan.dimension)
    if plan.value is not None:
        rows = rows.filter(value=plan.value)
    rows, sums = _days_summed(rows, first, end, exclude_deferred)
    column = {"area": "area_code", "month": "day", "day": "day"}.get(group or "", "value")
    found = list(rows.values(column).annotate(**sums) if group else [rows.aggregate(**sums)])
    if group == "area":
        labels = plan.labels
    elif group in ("subclass", "department"):
        labels = _labels(group, {int(r[column]) for r in found}, root_depth)
        labels = {str(k): v for k, v in labels.items()}
    elif group:
        labels = _labels(group, {r[column] for r in found}, root_depth)
    for row in found:
        counts = {name: row[f"sum_{name}"] or 0 for name in STORED_KEYS}
        if counts["reported"]:
            add(labels.get(row[column], "-") if group else None, counts)


def _add_rollup(add, group, rollup_q, first, end, exclude_deferred, root_depth) -> None:
    rows, sums = _days_summed(DailyRollup.objects.filter(rollup_q), first, end, exclude_deferred)
    dimension = ROLLUP_DIMENSION.get(group or "")
    found = list(rows.values(dimension).annotate(**sums) if dimension else [rows.aggregate(**sums)])
    labels = _labels(group, {r[dimension] for r in found}, root_depth) if group else {}
    for row in found:
        counts = {name: row[f"sum_{name}"] or 0 for name in STORED_KEYS}
        if counts["reported"]:  # keys whose events all moved away keep a row of zeros
            add(labels.get(row[dimension], "-") if group else None, counts)


def _add_live(add, group, in_rollup, first, end, now, exclude_deferred, root_depth) -> None:
    """Open filed events whose handling deadline has passed: due to close now (and
    reworked, if sent back before). Bounded by the open events, not by history."""
    states = [s for s in LIVE_STATES if not (exclude_deferred and s in HELD)]
    due = in_rollup.filter(state__in=states, accepted_at__isnull=False, handle_due_at__lte=now)
    if first is not None:
        due = due.filter(reported_at__gte=_midnight(first))
    if end is not None:
        due = due.filter(reported_at__lt=_midnight(end))
    dimension = EVENT_DIMENSION.get(group or "")
    if dimension == "local_day":
        due = due.annotate(
            local_day=TruncDate("reported_at", tzinfo=timezone.get_default_timezone())
        )
    counts = {"n": Count("pk"), "reworked": Count("pk", filter=Q(rework_count__gt=0))}
    found = list(
        due.values(dimension).annotate(**counts) if dimension else [due.aggregate(**counts)]
    )
    if group == "department":
        for row in found:
            row[dimension] = row[dimension] or 0
    labels = _labels(group, {r[dimension] for r in found}, root_depth) if group else {}
    for row in found:
        if row["n"]:
            label = labels.get(row[dimension], "-") if group else None
            add(label, {"due_to_close": row["n"], "reworked": row["reworked"]})


def _result(total: Counts, groups: dict[str, Counts], group: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {"all": rates_from_counts(total)}
    if group:
        result["groups"] = {
            key: rates_from_counts(counts)
            for key, counts in sorted(groups.items())
            if counts["reported"]
        }
    return result
