"""Recurring problems: the same place and kind of event coming back within N days (issue 13,
decision 0037), listed for the center to treat at the root, and the mark that it was.

A place is the registered city component the event was reported on, else its H3 cell
(areas.hexes). Events of one place and subclass, in order of report, form a RUN while each
comes within N days of the one before; a run of two or more is a recurring problem. The
runs are found in the database (window functions, "gaps and islands"): one row per run
comes back, never one per event, and only the events of the runs shown are read.
"""

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import BigIntegerField, F, Max, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import area_in_scope, require_capability
from gridgov.analytics.hotspots import (
    _subclass_name,
    area_for,
    category_for,
    events_in_scope,
    period_window,
    subclass_for,
)
from gridgov.analytics.models import RootTreatment
from gridgov.areas import hexes
from gridgov.areas.models import Area
from gridgov.common.errors import Conflict, DomainError, NotFound
from gridgov.events.models import Event, Subclass

DEFAULT_DAYS = 30  # N: "coming back within a month" is the center's usual test
MAX_GAP_DAYS = 365
DEFAULT_PERIOD_DAYS = 90
MAX_RUNS = 100
EVENTS_PER_RUN = 20
MAX_NOTE = 1000


def _epoch_sql(column: str) -> str:
    """Seconds since 1970 of a datetime column, in this database's SQL (SQLite keeps text;
    its julian days count from 4714 BC, 2440587.5 of them before 1970)."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})"
    return f"((julianday({column}) - 2440587.5) * 86400.0)"


def _place_expression():
    """The place of an event as one integer: −component id, else the H3 cell."""
    return Coalesce(F("component_id") * Value(-1), F("h3_cell"), output_field=BigIntegerField())


def place_text(place: int) -> str:
    """The place as the API spells it: "h3:<cell>" or "component:<id>"."""
    return f"component:{-place}" if place < 0 else f"h3:{hexes.cell_hex(place)}"


def place_from_text(text: str) -> int:
    kind, _sep, value = (text or "").partition(":")
    if kind == "component" and value.isdigit() and 0 < int(value) < 2**62:
        return -int(value)
    if kind == "h3":
        cell = hexes.cell_from_hex(value)
        if cell is not None:
            return cell
    raise DomainError(_("Unknown place."), code="unknown_place", field="place")


def _runs_sql(events_sql: str, gap_seconds: float, min_events: int, limit: int) -> tuple[str, list]:
    """The runs of the events of `events_sql` (a SELECT with id, place, subclass_id, area_id,
    reported_at): a run starts where the gap to the previous event of its place and kind is
    over N days; its number is the running sum of those starts. One row per run of at least
    `min_events`, the largest and latest first, with the number of all such runs."""
    epoch = _epoch_sql("reported_at")
    sql = f"""
        WITH e AS ({events_sql}),
        g AS (
            SELECT e.*, {epoch} AS t,
                CASE WHEN {epoch} - LAG({epoch}) OVER (
                    PARTITION BY place, subclass_id ORDER BY reported_at, id) <= %s
                THEN 0 ELSE 1 END AS fresh
            FROM e
        ),
        r AS (
            SELECT g.*, SUM(fresh) OVER (
                PARTITION BY place, subclass_id ORDER BY reported_at, id
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
            FROM g
        )
        SELECT place, subclass_id, run, COUNT(*) AS n, MIN(t) AS first_t, MAX(t) AS last_t,
            MAX(id) AS last_id, COUNT(*) OVER () AS runs
        FROM r
        GROUP BY place, subclass_id, run
        HAVING COUNT(*) >= %s
        ORDER BY n DESC, last_t DESC, place, subclass_id
        LIMIT %s
    """
    return sql, [gap_seconds, min_events, limit]


def recurring_problems(
    *,
    user: User,
    since: str | dt.datetime | dt.date | None = None,
    until: str | dt.datetime | dt.date | None = None,
    days: int = DEFAULT_DAYS,
    min_events: int = 2,
    subclass: str | None = None,
    category: int | None = None,
    area: str | None = None,
) -> dict[str, Any]:
    """The recurring problems of the user's area (or `area`, a code inside it) among the
    events reported in the period (default the last DEFAULT_PERIOD_DAYS): at most MAX_RUNS
    runs, each with its latest EVENTS_PER_RUN events and whether it was treated at the root
    since (status "treated"), before it came back ("returned") or not ("open")."""
    require_capability(user, Capability.ANALYTICS_VIEW)
    if not 1 <= days <= MAX_GAP_DAYS:
        raise DomainError(_("N must be 1 to 365 days."), code="invalid_days", field="days")
    if not 2 <= min_events <= 1000:
        raise DomainError(_("A run has at least 2 events."), field="min_events")
    start, end = period_window(since, until, default_days=DEFAULT_PERIOD_DAYS)
    events = (
        events_in_scope(
            user=user,
            since=start,
            until=end,
            area=area_for(user, area),
            subclass=subclass_for(subclass),
            category=category_for(category),
        )
        .annotate(place=_place_expression())
        .filter(place__isnull=False)
        .values("id", "place", "subclass_id", "area_id", "reported_at")
        .order_by()
    )
    events_sql, params = events.query.sql_with_params()
    sql, more = _runs_sql(events_sql, days * 86400.0, min_events, MAX_RUNS)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *more])
        rows = cursor.fetchall()
    total_runs = rows[0][7] if rows else 0
    runs = [
        {
            "place": place,
            "subclass_id": subclass_id,
            "count": n,
            "first_at": _from_epoch(first_t),
            "last_at": _from_epoch(last_t),
        }
        for place, subclass_id, _run, n, first_t, last_t, _last_id, _runs in rows
    ]
    _attach_events(runs, events)
    _attach_treatments(runs)
    _attach_names(runs)
    return {
        "since": start.isoformat(),
        "until": end.isoformat(),
        "days": days,
        "total": total_runs,
        "truncated": total_runs > len(runs),
        "runs": [_run_out(run) for run in runs],
    }


def _from_epoch(seconds: float) -> dt.datetime:
    # SQLite's julianday keeps about a millisecond; the run's bounds are read back from its
    # events anyway (_attach_events), this only narrows the events read.
    return dt.datetime.fromtimestamp(float(seconds), tz=dt.UTC)


def _attach_events(runs: list[dict], events) -> None:
    """The latest events of each run: one read of the shown runs' places and kinds over
    the span of those runs, split by run in Python (at most MAX_RUNS × their events)."""
    if not runs:
        return
    slack = dt.timedelta(seconds=1)
    first = min(run["first_at"] for run in runs) - slack
    last = max(run["last_at"] for run in runs) + slack
    rows = (
        events.filter(
            place__in={run["place"] for run in runs},
            subclass_id__in={run["subclass_id"] for run in runs},
            reported_at__gte=first,
            reported_at__lte=last,
        )
        .values("id", "number", "place", "subclass_id", "area_id", "reported_at", "state")
        .order_by("-reported_at", "-id")
    )
    for run in runs:
        run["events"] = []
        run["area_ids"] = set()
    by_key: dict[tuple[int, int], list[dict]] = {}
    for run in runs:
        by_key.setdefault((run["place"], run["subclass_id"]), []).append(run)
    for row in rows.iterator(chunk_size=2000):
        for run in by_key.get((row["place"], row["subclass_id"]), []):
            if run["first_at"] - slack <= row["reported_at"] <= run["last_at"] + slack:
                run["area_ids"].add(row["area_id"])
                if len(run["events"]) < EVENTS_PER_RUN:
                    run["events"].append(row)
                break


def _attach_treatments(runs: list[dict]) -> None:
    """Each run's latest root treatment of its place and kind (one read)."""
    if not runs:
        return
    latest = (
        RootTreatment.objects.filter(
            place__in={run["place"] for run in runs},
            subclass_id__in={run["subclass_id"] for run in runs},
        )
        .values("place", "subclass_id")
        .annotate(at=Max("treated_at"))
    )
    treated = {(row["place"], row["subclass_id"]): row["at"] for row in latest}
    for run in runs:
        at = treated.get((run["place"], run["subclass_id"]))
        run["treated_at"] = at
        if at is None or at < run["first_at"]:
            run["status"] = "open"
        elif at >= run["last_at"]:
            run["status"] = "treated"
        else:
            run["status"] = "returned"  # treated, and the problem came back since


def _attach_names(runs: list[dict]) -> None:
    subclasses = {
        row["pk"]: row
        for row in Subclass.objects.filter(pk__in={run["subclass_id"] for run in runs}).values(
            "pk", "code", "name_zh", "name_en"
        )
    }
    area_ids = {pk for run in runs for pk in run["area_ids"]}
    areas = dict(Area.objects.filter(pk__in=area_ids).values_list("pk", "name"))
    for run in runs:
        run["subclass"] = subclasses[run["subclass_id"]]
        run["areas"] = sorted(areas[pk] for pk in run["area_ids"] if pk in areas)


def _run_out(run: dict) -> dict[str, Any]:
    place = run["place"]
    lon, lat = hexes.centre(place) if place > 0 else (None, None)
    return {
        "place": place_text(place),
        "cell": hexes.cell_hex(place) if place > 0 else None,
        "component_id": -place if place < 0 else None,
        "lon": lon,
        "lat": lat,
        "subclass": run["subclass"]["code"],
        "subclass_name": _subclass_name(run["subclass"]),
        "count": run["count"],
        "first_at": run["first_at"].isoformat(),
        "last_at": run["last_at"].isoformat(),
        "areas": run["areas"],
        "status": run["status"],
        "treated_at": run["treated_at"].isoformat() if run["treated_at"] else None,
        "events": [
            {
                "id": row["id"],
                "number": row["number"],
                "reported_at": row["reported_at"].isoformat(),
                "state": row["state"],
            }
            for row in run["events"]
        ],
    }


def recurring_treat(*, user: User, place: str, subclass: str, note: str) -> RootTreatment:
    """Mark the place and kind treated at the root, now. Preconditions: ANALYTICS_VIEW, and
    an event of that place and kind in the user's area (the mark is scoped to its grid);
    a note saying what was done. Refused (409) when already marked since its latest event."""
    require_capability(user, Capability.ANALYTICS_VIEW)
    key = place_from_text(place)
    kind = subclass_for(subclass)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what was done."), code="required", field="note")
    if len(note) > MAX_NOTE:
        raise DomainError(_("The note is too long."), field="note")
    with transaction.atomic():
        latest = (
            Event.objects.annotate(place=_place_expression())
            .filter(place=key, subclass=kind)
            .select_related("area")
            .order_by("-reported_at", "-id")
            .first()
        )
        if latest is None or not area_in_scope(user, latest.area):
            raise NotFound(field="place")
        # The lock makes two marks of one place at once one mark and one 409.
        Area.objects.select_for_update().filter(pk=latest.area_id).first()
        last_mark = (
            RootTreatment.objects.filter(place=key, subclass=kind)
            .order_by("-treated_at")
            .values_list("treated_at", flat=True)
            .first()
        )
        if last_mark is not None and last_mark >= latest.reported_at:
            raise Conflict(
                _("Already marked treated since it last came back."), code="already_treated"
            )
        since = timezone.now() - dt.timedelta(days=MAX_GAP_DAYS)
        return RootTreatment.objects.create(
            place=key,
            subclass=kind,
            area_id=latest.area_id,
            treated_at=timezone.now(),
            treated_by=user,
            events=Event.objects.annotate(place=_place_expression())
            .filter(place=key, subclass=kind, reported_at__gte=since)
            .count(),
            note=note,
        )
