"""The rates explorer behind the leaders' dashboard (issue 13, decision 0034): every rate of
docs/rates.md by street, community, grid, department, event class (category), subclass,
source or period (day, week, month, quarter, year), for a period, ranked, beside the
previous period.

Everything is read from the daily rollups through `selectors.rates_counts`: its groupings
(area at any level, department, subclass, source, day) are read as they are, and the
others are merged from them before any rate is computed — weeks, months, quarters and
years from days, event classes from subclasses — so a merged rate is the rate of the summed
counts, never an average of rates. The figures are an area's: the events a user reads only
through their own relation to them (reported by them, handed to them) are left out.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import area_in_scope, can, scope_path
from gridgov.analytics.explorer_periods import Period, bucket_of, buckets
from gridgov.analytics.selectors import rates_counts
from gridgov.areas.codes import AreaKind
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, NotFound, OutOfScope, PermissionDenied
from gridgov.events.models import CatalogClass, Source, Subclass
from gridgov.events.rates import rates_from_counts

AREA_GROUPINGS = {
    "street": AreaKind.STREET,
    "community": AreaKind.COMMUNITY,
    "grid": AreaKind.GRID,
}
TIME_GROUPINGS = ("day", "week", "month", "quarter", "year")
# "area": the level below the area looked at (the drill-down's next step).
GROUPINGS = ("area", *AREA_GROUPINGS, "department", "category", "subclass", "source")
GROUPINGS += TIME_GROUPINGS
# A trend of more points than this is not readable: group by a longer period instead.
MAX_BUCKETS = 400


@dataclass(frozen=True)
class Rate:
    key: str
    lower_is_better: bool = False


# The figures of every row, in the order the dashboard shows them.
RATES = (
    Rate("reported"),
    Rate("closure_rate"),
    Rate("on_time_closure_rate"),
    Rate("timely_acceptance_rate"),
    Rate("timely_dispatch_rate"),
    Rate("rework_rate", lower_is_better=True),
    Rate("satisfaction_rate"),
    Rate("hotline_score"),
    Rate("average_handling_hours", lower_is_better=True),
)
RATE_KEYS = tuple(r.key for r in RATES)


def figures(rates: dict[str, Any]) -> dict[str, Any]:
    """The flat figures of `rates_from_counts`' answer, one per RATES key."""
    out = {key: rates.get(key) for key in RATE_KEYS}
    out["reported"] = rates["counts"]["reported"]
    out["hotline_score"] = rates["hotline"]["score"]
    return out


@dataclass(frozen=True)
class Query:
    grouping: str | None
    period: Period
    area: Area | None = None
    subclass: str | None = None
    source: str | None = None
    category: str | None = None


def require_reader(user: User) -> None:
    """The dashboard's readers: ANALYTICS_VIEW (center roles, leaders, area staff) with an
    area to read. Department handlers get no area figures from it (decision 0034)."""
    if not can(user, Capability.ANALYTICS_VIEW) or scope_path(user) is None:
        raise PermissionDenied()


def root_area(user: User) -> Area | None:
    """The area a user's dashboard opens on: their own, or the top one for a superuser."""
    if user.area_id:
        return user.area
    return Area.objects.filter(depth=0).order_by("code").first()


def checked_query(
    user: User,
    *,
    grouping: str | None,
    period: Period,
    area: str | None = None,
    subclass: str | None = None,
    source: str | None = None,
    category: str | None = None,
) -> Query:
    """The request checked: the reader, an area in their scope, codes that exist."""
    require_reader(user)
    if grouping is not None and grouping not in GROUPINGS:
        raise DomainError(
            _("Unknown grouping %(value)s; it takes one of: %(values)s.")
            % {"value": grouping[:32], "values": ", ".join(GROUPINGS)},
            field="group",
        )
    found = None
    if area:
        found = Area.objects.filter(code=area).first()
        if found is None:
            raise NotFound(_("No area has this code."), field="area")
        if not area_in_scope(user, found):
            raise OutOfScope(field="area")
    if subclass and not Subclass.objects.filter(code=subclass).exists():
        raise DomainError(_("No subclass has this code."), field="subclass")
    if source and source not in Source.values:
        raise DomainError(
            _("Unknown source %(value)s; it takes one of: %(values)s.")
            % {"value": source[:32], "values": ", ".join(Source.values)},
            field="source",
        )
    if category:
        if grouping != "subclass":
            raise DomainError(
                _("An event class filters the grouping by subclass only."), field="category"
            )
        if not _classes().get(category):
            raise DomainError(_("No event class has this code."), field="category")
    if grouping in TIME_GROUPINGS and len(buckets(grouping, period)) > MAX_BUCKETS:
        raise DomainError(
            _("Too many points for a trend: group by a longer period."), field="group"
        )
    return Query(grouping, period, found, subclass or None, source or None, category or None)


def _classes() -> dict[str, str]:
    return dict(
        CatalogClass.objects.filter(family=CatalogClass.Family.EVENT).values_list("code", "name_zh")
    )


def area_level(user: User, query: Query) -> int | None:
    """The depth the area groupings name, or None for a grouping by something else."""
    looked_at = query.area or root_area(user)
    base = looked_at.depth if looked_at else 0
    if query.grouping == "area":
        return base + 1
    if query.grouping in AREA_GROUPINGS:
        depth = (
            Area.objects.filter(kind=AREA_GROUPINGS[query.grouping])
            .values_list("depth", flat=True)
            .first()
        )
        if depth is None or depth <= base:
            raise DomainError(_("There is no such level below this area."), field="group")
        return depth
    return None


def _read(user: User, query: Query, period: Period, level: int | None, now) -> tuple:
    """(total counts, counts per raw group) of the period, from the rollups."""
    grouping = query.grouping
    if grouping in TIME_GROUPINGS:
        raw = "day"
    elif grouping == "category":
        raw = "subclass"
    elif grouping in AREA_GROUPINGS or grouping == "area":
        raw = "area"
    else:
        raw = grouping
    return rates_counts(
        user=user,
        group=raw,
        area=query.area.code if query.area else None,
        subclass=query.subclass,
        source=query.source,
        since=period.since,
        until=period.until,
        now=now,
        level=level,
        relations=False,
    )


def _merged(query: Query, groups: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Raw groups merged into the asked grouping (days into weeks…, subclasses into classes)."""
    grouping = query.grouping
    if grouping in TIME_GROUPINGS and grouping != "day":
        key_of = lambda day: bucket_of(grouping, dt.date.fromisoformat(day))  # noqa: E731
    elif grouping == "category":
        class_of = dict(Subclass.objects.values_list("code", "event_class__code"))
        key_of = lambda code: class_of.get(code, "-")  # noqa: E731
    elif grouping == "subclass" and query.category:
        class_of = dict(Subclass.objects.values_list("code", "event_class__code"))
        return {k: v for k, v in groups.items() if class_of.get(k) == query.category}
    else:
        return groups
    merged: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, counts in groups.items():
        target = merged[key_of(key)]
        for name, value in counts.items():
            target[name] += value
    return merged


def _labels(query: Query, keys) -> dict[str, str]:
    grouping = query.grouping
    keys = list(keys)
    if grouping in AREA_GROUPINGS or grouping == "area":
        return dict(Area.objects.filter(code__in=keys).values_list("code", "name"))
    if grouping == "subclass":
        return dict(Subclass.objects.filter(code__in=keys).values_list("code", "name_zh"))
    if grouping == "category":
        return _classes()
    if grouping == "source":
        return {value: str(label) for value, label in Source.choices}
    if grouping == "department":
        return {"-": _("No department")}
    return {}


def _ranks(rows: list[dict]) -> None:
    """Each row's rank for each figure among the rows (1 = best; ties share a rank; rows
    without the figure get none)."""
    for rate in RATES:
        values = sorted(
            (r["values"][rate.key] for r in rows if r["values"][rate.key] is not None),
            reverse=not rate.lower_is_better,
        )
        first_at: dict[Any, int] = {}
        for position, value in enumerate(values, start=1):
            first_at.setdefault(value, position)
        for row in rows:
            value = row["values"][rate.key]
            row["ranks"][rate.key] = first_at.get(value) if value is not None else None


def explore(user: User, query: Query, *, compare: bool = True, now=None) -> dict[str, Any]:
    """Every figure of the period's events, per group of `query.grouping` (ranked, except
    by period), and of the previous period beside them when `compare`."""
    level = area_level(user, query)
    total, groups = _read(user, query, query.period, level, now)
    current = _merged(query, groups) if query.grouping else {}
    before_total: dict[str, int] | None = None
    before: dict[str, dict[str, int]] = {}
    previous = query.period.previous()
    if compare:
        before_total, raw_before = _read(user, query, previous, level, now)
        before = _merged(query, raw_before) if query.grouping else {}
    by_period = query.grouping in TIME_GROUPINGS
    if by_period:
        # A day of March has no "same day" in February: a trend compares as a whole (total).
        before = {}
    labels = _labels(query, set(current) | set(before)) if query.grouping else {}
    rows = []
    for key in sorted(current):
        counts = current[key]
        if not counts.get("reported"):
            continue
        rows.append(
            {
                "key": key,
                "label": labels.get(key, key),
                "rates": rates_from_counts(counts),
                "values": figures(rates_from_counts(counts)),
                "previous": figures(rates_from_counts(before[key])) if key in before else None,
                "ranks": {},
            }
        )
    if not by_period:
        _ranks(rows)
    return {
        "grouping": query.grouping,
        "period": query.period.as_dict(),
        "previous_period": previous.as_dict() if compare else None,
        "total": figures(rates_from_counts(total)),
        "total_rates": rates_from_counts(total),
        "previous_total": (
            figures(rates_from_counts(before_total)) if before_total is not None else None
        ),
        "rows": rows,
        "buckets": buckets(query.grouping, query.period) if by_period else None,
    }
