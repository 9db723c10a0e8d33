"""Scoring one run of the classified assessment: its period, its copy of the rules, and the
results of every street, community and department, built in memory (assessment/runs.py
claims the run and writes them). No writes here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.codes import AreaKind
from gridgov.areas.models import Area
from gridgov.assessment.formulas import (
    RATING_POINTS,
    combine,
    department_score,
    grade_for,
    indicator_score,
    percent,
    ranks,
)
from gridgov.assessment.indicators import REGISTRY
from gridgov.assessment.models import AreaResult, Assessment, DepartmentResult, Zone
from gridgov.assessment.services import scheme_of
from gridgov.common.errors import DomainError
from gridgov.events.models import Summons, Whistle

FIRST_YEAR = 2000
# The levels that whistle on behalf of streets: a community (its street's departments
# report) and a street (the district's departments report).
STREET_LEVELS = (Whistle.Level.COMMUNITY, Whistle.Level.STREET)


def period_of(year: int, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[January 1, the next January 1) in local time, cut at `now` for the current year."""
    tz = timezone.get_default_timezone()
    if year < FIRST_YEAR or year > timezone.localtime(now, tz).year:
        raise DomainError(
            _("Choose a year from %(first)d to this year.") % {"first": FIRST_YEAR},
            code="bad_year",
            field="year",
        )
    since = dt.datetime(year, 1, 1, tzinfo=tz)
    return since, min(dt.datetime(year + 1, 1, 1, tzinfo=tz), now)


def rules_snapshot(root: Area) -> dict[str, Any]:
    zones = []
    for zone in Zone.objects.filter(root=root).prefetch_related("streets__street", "indicators"):
        indicators = []
        for ind in zone.indicators.all():
            kind = REGISTRY.get(ind.key)
            indicators.append(
                {
                    "key": ind.key,
                    "label": str(kind.label) if kind else ind.key,
                    "unit": str(kind.unit) if kind else "",
                    "formula": str(kind.formula) if kind else "",
                    "weight": str(ind.weight),
                    "target": ind.target,
                    "baseline": ind.baseline,
                }
            )
        streets = sorted(
            ({"code": zs.street.code, "name": zs.street.name} for zs in zone.streets.all()),
            key=lambda s: s["code"],
        )
        zones.append(
            {
                "id": zone.pk,
                "name": zone.name,
                "focus": zone.focus,
                "streets": streets,
                "indicators": indicators,
            }
        )
    return {"zones": zones, **scheme_of(root)}


def _lines(area: Area, indicators: list[dict], since, until) -> list[dict[str, Any]]:
    lines = []
    for ind in indicators:
        kind = REGISTRY.get(ind["key"])
        value = kind.compute(area, since, until) if kind else None
        lines.append(
            {
                **{k: ind[k] for k in ("key", "label", "unit", "target", "baseline")},
                "weight": ind["weight"],
                "value": value,
                "score": indicator_score(value, ind["target"], ind["baseline"]),
            }
        )
    return lines


def area_results(
    run: Assessment, rules: dict, tick: Callable[[float], None] | None = None
) -> list[AreaResult]:
    """Every street's and community's result, ranked; `tick(share done)` after each street
    (the job's progress and heartbeat)."""
    results: list[AreaResult] = []
    total = sum(len(z["streets"]) for z in rules["zones"] if z["indicators"]) or 1
    done = 0
    streets = {
        a.code: a
        for a in Area.objects.filter(
            code__in=[s["code"] for z in rules["zones"] for s in z["streets"]]
        )
    }
    communities: dict[int, list[Area]] = defaultdict(list)
    for community in Area.objects.filter(
        parent__in=streets.values(), kind=AreaKind.COMMUNITY
    ).order_by("code"):
        communities[community.parent_id].append(community)
    for zone in rules["zones"]:
        if not zone["indicators"]:
            continue
        zone_streets: dict[int, AreaResult] = {}
        for entry in zone["streets"]:
            street = streets[entry["code"]]
            zone_streets[street.pk] = _result(run, street, zone, rules["street_grades"])
            peers = {
                c.pk: _result(run, c, zone, rules["community_grades"])
                for c in communities[street.pk]
            }
            _rank(peers)
            results += peers.values()
            done += 1
            if tick is not None:
                tick(done / total)
        _rank(zone_streets)  # streets are ranked within their zone: like with like
        results += zone_streets.values()
    return results


def _result(run: Assessment, area: Area, zone: dict, bands: list) -> AreaResult:
    lines = _lines(area, zone["indicators"], run.since, run.until)
    score, pulling_down = combine(lines)
    for line in lines:
        if line["score"] is not None:
            line["score"] = round(line["score"], 2)
    return AreaResult(
        assessment=run,
        area=area,
        kind=area.kind,
        zone_name=zone["name"],
        score=score,
        grade=grade_for(score, bands),
        lines=lines,
        pulling_down=pulling_down,
    )


def _rank(results: dict[Any, Any]) -> None:
    for key, rank in ranks({k: r.score for k, r in results.items()}).items():
        results[key].rank = rank


def department_results(run: Assessment, rules: dict) -> list[DepartmentResult]:
    """Departments summoned in the year by the district's communities and streets: one
    GROUP BY department × street of the event."""
    until = run.until
    rows = (
        Summons.objects.filter(
            whistle__at__gte=run.since,
            whistle__at__lt=until,
            whistle__level__in=STREET_LEVELS,
            whistle__event__area__path__startswith=run.root.path,
        )
        .values("department_id", "whistle__event__area__path")
        .annotate(
            n=Count("pk"),
            check_in_due=Count(
                "pk", filter=Q(checked_in_at__isnull=False) | Q(check_in_due_at__lt=until)
            ),
            checked_in=Count("pk", filter=Q(checked_in_at__lte=F("check_in_due_at"))),
            report_due=Count(
                "pk",
                filter=Q(report_due_at__isnull=False)
                & (Q(reported_at__isnull=False) | Q(report_due_at__lt=until)),
            ),
            reported=Count("pk", filter=Q(reported_at__lte=F("report_due_at"))),
            good=Count("pk", filter=Q(rating="good")),
            adequate=Count("pk", filter=Q(rating="adequate")),
            poor=Count("pk", filter=Q(rating="poor")),
        )
        .order_by()
    )
    depth = run.root.depth + 1  # the street's code in an event's area path
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_street: dict[int, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    keys = ("n", "check_in_due", "checked_in", "report_due", "reported", "good", "adequate", "poor")
    for row in rows:
        codes = [c for c in row["whistle__event__area__path"].strip("/").split("/") if c]
        street = codes[depth] if len(codes) > depth else codes[-1]
        for key in keys:
            sums[row["department_id"]][key] += row[key]
            by_street[row["department_id"]][street][key] += row[key]
    names = dict(
        Area.objects.filter(code__in={s for d in by_street.values() for s in d}).values_list(
            "code", "name"
        )
    )
    results = {}
    for department_id, c in sums.items():
        figures = _department_figures(c)
        figures["by_street"] = [
            {"code": code, "name": names.get(code, code), **_department_figures(s)}
            for code, s in sorted(by_street[department_id].items())
        ]
        score = department_score(figures, rules["department_weights"])
        results[department_id] = DepartmentResult(
            assessment=run,
            department_id=department_id,
            summonses=c["n"],
            figures=figures,
            score=score,
            grade=grade_for(score, rules["street_grades"]),
        )
    for key, rank in ranks({k: r.score for k, r in results.items()}).items():
        results[key].rank = rank
    return list(results.values())


def _department_figures(c: dict[str, int]) -> dict[str, Any]:
    rated = c["good"] + c["adequate"] + c["poor"]
    points = sum(RATING_POINTS[k] * c[k] for k in RATING_POINTS)
    return {
        "summonses": c["n"],
        "check_in": percent(c["checked_in"], c["check_in_due"]),
        "check_in_due": c["check_in_due"],
        "report_back": percent(c["reported"], c["report_due"]),
        "report_due": c["report_due"],
        "rating": round(points / rated, 2) if rated else None,
        "rated": rated,
        "good": c["good"],
        "adequate": c["adequate"],
        "poor": c["poor"],
    }
