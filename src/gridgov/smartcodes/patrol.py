"""Patrol coverage: the places a plan covers that nobody checked in at within its frequency,
by grid and by worker. Read inside the user's scope."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import require_capability, scope_path
from gridgov.areas.models import Area, GridWorker
from gridgov.registry.kinds import KINDS
from gridgov.smartcodes.models import CheckIn, PatrolPlan


def _plans_for(path_prefix: str) -> list[PatrolPlan]:
    """Plans that reach into the scope: inside it, or above it (a district plan covers a grid)."""
    plans = PatrolPlan.objects.filter(active=True).select_related("area")
    return [
        p
        for p in plans
        if p.area.path.startswith(path_prefix) or path_prefix.startswith(p.area.path)
    ]


def coverage(*, user: User, now: dt.datetime | None = None) -> dict[str, Any]:
    """Needs codes.view: who patrolled where is for the staff who run patrols, not for
    residents, departments, Party secretaries or service companies."""
    require_capability(user, Capability.CODES_VIEW)
    prefix = scope_path(user)
    if prefix is None:
        return {"grids": [], "workers": [], "overdue": []}
    now = now or timezone.now()
    # The tightest plan wins where plans overlap (a street asks weekly, a grid daily).
    every: dict[tuple[str, int], int] = {}
    for plan in _plans_for(prefix):
        model = KINDS[plan.kind].model
        root = plan.area.path if plan.area.path.startswith(prefix) else prefix
        for pk in model.objects.filter(area__path__startswith=root).values_list("pk", flat=True):
            key = (plan.kind, pk)
            every[key] = min(every.get(key, plan.every_days), plan.every_days)
    if not every:
        return {"grids": [], "workers": [], "overdue": []}
    kinds = {kind for kind, _pk in every}
    last: dict[tuple[str, int], dt.datetime] = {}
    # A check-in flagged far from the place or without a position proves no visit: it is
    # counted per worker below (to look into), not as the place's last visit (as the
    # people's KPIs count patrol coverage, docs/kpis.md).
    visits = (
        CheckIn.objects.filter(
            code__kind__in=kinds,
            code__area__path__startswith=prefix,
            flag=CheckIn.Flag.AT_PLACE,
        )
        .values("code__kind", "code__object_id")
        .annotate(at=Max("at"))
    )
    for row in visits:
        last[(row["code__kind"], row["code__object_id"])] = row["at"]
    places: dict[tuple[str, int], tuple[int, str]] = {}
    for kind in kinds:
        model = KINDS[kind].model
        name_field = "name" if any(f.name == "name" for f in model._meta.fields) else "address"
        ids = [pk for k, pk in every if k == kind]
        for pk, area_id, name in model.objects.filter(pk__in=ids).values_list(
            "pk", "area_id", name_field
        ):
            places[(kind, pk)] = (area_id, name or "")
    # Check-ins per worker over the longest plan period: how much each one patrolled, and
    # how many of those were sent without a position or far from the place (to look into).
    since = now - dt.timedelta(days=max(every.values()))
    visits_by = {
        user_id: (n, flagged)
        for user_id, n, flagged in CheckIn.objects.filter(code__kind__in=kinds, at__gte=since)
        .values_list("user_id")
        .annotate(n=Count("id"), flagged=Count("id", filter=~Q(flag="")))
        .values_list("user_id", "n", "flagged")
    }

    areas = {a.pk: a for a in Area.objects.filter(pk__in={a for a, _n in places.values()})}
    workers_of: dict[int, list[int]] = defaultdict(list)
    for grid_id, user_id in GridWorker.objects.filter(grid_id__in=areas).values_list(
        "grid_id", "user_id"
    ):
        workers_of[grid_id].append(user_id)
    by_grid: dict[int, dict[str, Any]] = {}
    overdue = []
    for key, days in every.items():
        if key not in places:
            continue
        area_id, name = places[key]
        grid = by_grid.setdefault(
            area_id,
            {"grid": areas[area_id].code, "name": areas[area_id].name, "places": 0, "visited": 0},
        )
        grid["places"] += 1
        seen = last.get(key)
        if seen is not None and now - seen <= dt.timedelta(days=days):
            grid["visited"] += 1
        else:
            overdue.append(
                {
                    "kind": key[0],
                    "id": key[1],
                    "name": name,
                    "grid": areas[area_id].code,
                    "every_days": days,
                    "last_visit": seen.isoformat() if seen else None,
                    "workers": workers_of.get(area_id, []),
                }
            )
    for grid in by_grid.values():
        grid["share"] = round(grid["visited"] / grid["places"], 4) if grid["places"] else None
    people = {
        u.pk: u.get_full_name() or u.username
        for u in User.objects.filter(pk__in={w for ws in workers_of.values() for w in ws})
    }
    by_worker = []
    for user_id, name in sorted(people.items(), key=lambda item: item[1]):
        grids = [g for g, ws in workers_of.items() if user_id in ws]
        due = [o for o in overdue if user_id in o["workers"]]
        by_worker.append(
            {
                "id": user_id,
                "name": name,
                "grids": sorted(areas[g].code for g in grids),
                "overdue": len(due),
                "visits": visits_by.get(user_id, (0, 0))[0],
                "flagged": visits_by.get(user_id, (0, 0))[1],
            }
        )
    overdue.sort(key=lambda o: (o["grid"], o["kind"], o["id"]))
    return {
        "grids": sorted(by_grid.values(), key=lambda g: g["grid"]),
        "workers": by_worker,
        "overdue": overdue,
    }
