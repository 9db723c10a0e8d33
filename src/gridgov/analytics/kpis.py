"""People's KPIs (issue 13, decision 0036): grid workers, departments and dispatchers, per
person and period, ranked, for what the reader may see. Definitions: docs/kpis.md.

Every figure is a GROUP BY in SQL over the events reported in the period (the same cohort
the rates of docs/rates.md count) and what hangs off them (timeline steps, offers): the
result is one row per person or department, never the events. `kpis_workers.py` and
`kpis_dispatch.py` hold the queries; this module decides who reads what, checks the period,
and ranks.

Who reads what (the reach):
- ANALYTICS_VIEW (center, leaders, area staff): every family, every person and department,
  over the events of their area subtree.
- a grid head: the grid-worker family of their area's workers (they lead them);
- a grid worker: their own row of the grid-worker family, without a rank;
- a department handler: their own department's row, over the events of the department's
  level area, without a rank (they see their department's work, not the others').
Everyone else: 403.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability, Role
from gridgov.accounts.scope import EVERYWHERE, can, scope_path
from gridgov.analytics.kpis_dispatch import department_rows, dispatcher_rows
from gridgov.analytics.kpis_window import Window, local_midnight
from gridgov.analytics.kpis_workers import worker_rows
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, NotFound, OutOfScope, PermissionDenied

FAMILIES = ("workers", "departments", "dispatchers")
# A KPI period is at most a year (a leap year's 366 days): a district's year is ~100k
# events, and longer ranges are the reports' and the dashboard's, which read rollups.
MAX_PERIOD_DAYS = 366
MAX_ROWS = 1000
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
ROW_MAKERS: dict[str, Callable[[Window], list[dict[str, Any]]]] = {
    "workers": worker_rows,
    "departments": department_rows,
    "dispatchers": dispatcher_rows,
}


@dataclass(frozen=True)
class Kpi:
    key: str
    numerator: str  # the key of `counts` above the line
    denominator: str  # and below it
    higher_is_better: bool = True


# The KPIs of each family, in the order the page shows them; the first is the default sort.
KPIS: dict[str, tuple[Kpi, ...]] = {
    "workers": (
        Kpi("valid_report_rate", "filed", "decided"),
        Kpi("on_time_verification_rate", "verified_on_time", "verifications_due"),
        Kpi("on_time_check_rate", "checks_on_time", "checks"),
        Kpi("missed_rate", "missed", "grid_found", higher_is_better=False),
        Kpi("patrol_coverage", "patrol_visited", "patrol_places"),
    ),
    "departments": (
        Kpi("on_time_handling_rate", "handled_on_time", "handling_due"),
        Kpi("rework_rate", "reworked", "due_to_close", higher_is_better=False),
        Kpi("buck_passing_rate", "sent_back_again", "received", higher_is_better=False),
        Kpi("return_rate", "returned", "received", higher_is_better=False),
    ),
    "dispatchers": (
        Kpi("timely_dispatch_rate", "first_on_time", "first_dispatches"),
        Kpi("accurate_dispatch_rate", "accurate", "settled"),
    ),
}


@dataclass(frozen=True)
class Reach:
    """What one reader may see of one family: the area prefix of the events counted, and
    whose rows (None: everyone's in the area; else the one person's or department's id)."""

    prefix: str
    only: int | None = None
    ranked: bool = True


def kpi_reach(user: User, family: str) -> Reach:
    """The reader's reach for a family, or PermissionDenied."""
    prefix = scope_path(user)
    if prefix is not None and can(user, Capability.ANALYTICS_VIEW):
        return Reach(prefix)
    if prefix is None or user.is_superuser:
        raise PermissionDenied()
    if family == "workers" and can(user, Capability.EVENTS_VIEW):
        if user.role == Role.GRID_HEAD:
            return Reach(prefix)
        if user.role == Role.GRID_WORKER:
            return Reach(prefix, only=user.pk, ranked=False)
    if family == "departments" and user.role == Role.DEPARTMENT_HANDLER and user.department_id:
        department = user.department
        return Reach(department.area.path, only=department.pk, ranked=False)
    raise PermissionDenied()


def kpi_period(
    since: dt.date | None, until: dt.date | None, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """[since, until] as local dates, both included; by default this month up to today."""
    today = today or timezone.localdate()
    until = until or today
    since = since or until.replace(day=1)
    for field, day in (("since", since), ("until", until)):
        if not EARLIEST <= day <= LATEST:
            raise DomainError(
                _("A date between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST},
                code="bad_period",
                field=field,
            )
    if since > until:
        raise DomainError(_("The period starts after it ends."), code="bad_period", field="since")
    if (until - since).days + 1 > MAX_PERIOD_DAYS:
        raise DomainError(
            _("A period is at most %(days)s days.") % {"days": MAX_PERIOD_DAYS},
            code="period_too_long",
            field="until",
        )
    return since, until


def _area_prefix(reach: Reach, area_code: str | None) -> tuple[str, Area | None]:
    """The path prefix to count under: the reach's, or the area asked for inside it."""
    if not area_code:
        area = None
        if reach.prefix != EVERYWHERE:
            area = Area.objects.filter(path=reach.prefix).only("code", "name", "kind").first()
        return reach.prefix, area
    area = Area.objects.filter(code=area_code).only("code", "name", "kind", "path").first()
    if area is None:
        raise NotFound(_("No area has this code."), field="area")
    if not area.path.startswith(reach.prefix):
        raise OutOfScope(field="area")
    return area.path, area


def _rate(counts: dict[str, int], kpi: Kpi) -> float | None:
    below = counts.get(kpi.denominator, 0)
    return round(counts.get(kpi.numerator, 0) / below, 4) if below else None


def _ranked(rows: list[dict[str, Any]], kpi: Kpi, ranked: bool) -> list[dict[str, Any]]:
    """Rows best first on `kpi` (ties share a rank: 1, 2, 2, 4); rows without a value last,
    unranked, in name order."""
    valued = [r for r in rows if r["rates"][kpi.key] is not None]
    empty = sorted((r for r in rows if r["rates"][kpi.key] is None), key=lambda r: r["name"])
    sign = -1 if kpi.higher_is_better else 1
    # Among equal values the one with more cases behind it comes first (10/10 before 1/1).
    valued.sort(
        key=lambda r: (sign * r["rates"][kpi.key], -r["counts"][kpi.denominator], r["name"])
    )
    previous, rank = None, 0
    for position, row in enumerate(valued, start=1):
        value = row["rates"][kpi.key]
        if value != previous:
            rank, previous = position, value
        row["rank"] = rank if ranked else None
    for row in empty:
        row["rank"] = None
    return valued + empty


def kpis_report(
    *,
    user: User,
    family: str,
    since: dt.date | None = None,
    until: dt.date | None = None,
    area: str | None = None,
    sort: str | None = None,
    limit: int = 200,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The KPIs of one family for the events reported in [since, until] (local dates) under
    the reader's area (or `area` inside it), one row per person or department, ranked."""
    if family not in FAMILIES:
        raise NotFound(_("No such KPI family."), field="family")
    reach = kpi_reach(user, family)
    first, last = kpi_period(since, until)
    kpis = {kpi.key: kpi for kpi in KPIS[family]}
    sort = sort or KPIS[family][0].key
    if sort not in kpis:
        raise DomainError(
            _("Sort by one of: %(keys)s.") % {"keys": ", ".join(kpis)},
            code="bad_sort",
            field="sort",
        )
    if not 1 <= limit <= MAX_ROWS:
        raise DomainError(_("Between 1 and %(n)s rows.") % {"n": MAX_ROWS}, field="limit")
    prefix, area_obj = _area_prefix(reach, area)
    window = Window(
        prefix=prefix,
        since=local_midnight(first),
        until=local_midnight(last + dt.timedelta(days=1)),
        now=now or timezone.now(),
        only=reach.only,
        area_ids=tuple(Area.objects.filter(path__startswith=prefix).values_list("pk", flat=True))
        if prefix
        else None,
    )
    rows = ROW_MAKERS[family](window)
    for row in rows:
        row["rates"] = {key: _rate(row["counts"], kpi) for key, kpi in kpis.items()}
    rows = _ranked(rows, kpis[sort], reach.ranked)
    return {
        "family": family,
        "since": first,
        "until": last,
        "area": {"code": area_obj.code, "name": area_obj.name} if area_obj else None,
        "sort": sort,
        "kpis": [
            {
                "key": kpi.key,
                "numerator": kpi.numerator,
                "denominator": kpi.denominator,
                "higher_is_better": kpi.higher_is_better,
            }
            for kpi in KPIS[family]
        ],
        "total": len(rows),
        "rows": rows[:limit],
        "ranked": reach.ranked,
    }
