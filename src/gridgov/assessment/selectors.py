"""Reads of the classified assessment, scoped: the rules (zones and indicators), the runs
of a district a user may open, and one run's results as the user may see them."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.scope import EVERYWHERE
from gridgov.areas.models import Area
from gridgov.assessment.access import (
    district_editor,
    district_root,
    own_department_in,
    reader_prefix,
    reads_all_departments,
    reads_root,
)
from gridgov.assessment.indicators import REGISTRY
from gridgov.assessment.models import AreaResult, Assessment, DepartmentResult, Zone
from gridgov.assessment.services import scheme_of
from gridgov.common.errors import NotFound, PermissionDenied


def _open_root(user: User, root_code: str | None) -> Area:
    if reader_prefix(user) is None and not (user.is_authenticated and user.department_id):
        raise PermissionDenied()
    root = district_root(root_code, user)
    if not reads_root(user, root):
        raise PermissionDenied()
    return root


def indicator_catalog() -> list[dict[str, Any]]:
    return [
        {
            "key": kind.key,
            "label": str(kind.label),
            "unit": str(kind.unit),
            "formula": str(kind.formula),
            "target": kind.target,
            "baseline": kind.baseline,
        }
        for kind in sorted(REGISTRY.values(), key=lambda k: k.key)
    ]


def zones_read(*, user: User, root_code: str | None = None) -> dict[str, Any]:
    """The district's zones with their streets and indicators (a street's staff: the zones
    of their streets), the grade bands, and whether the user may edit them."""
    root = _open_root(user, root_code)
    if reader_prefix(user) is None:
        raise PermissionDenied()  # a department's handler reads their result, not the rules
    prefix = reader_prefix(user) or EVERYWHERE
    zones = []
    for zone in Zone.objects.filter(root=root).prefetch_related("streets__street", "indicators"):
        streets = sorted((zs.street for zs in zone.streets.all()), key=lambda a: a.code)
        whole = root.path.startswith(prefix)
        if not whole and not any(
            s.path.startswith(prefix) or prefix.startswith(s.path) for s in streets
        ):
            continue
        zones.append(
            {
                "id": zone.pk,
                "name": zone.name,
                "focus": zone.focus,
                "position": zone.position,
                "streets": [{"code": s.code, "name": s.name} for s in streets],
                "indicators": [
                    {
                        "id": ind.pk,
                        "key": ind.key,
                        "label": str(REGISTRY[ind.key].label) if ind.key in REGISTRY else ind.key,
                        "unit": str(REGISTRY[ind.key].unit) if ind.key in REGISTRY else "",
                        "formula": str(REGISTRY[ind.key].formula) if ind.key in REGISTRY else "",
                        "registered": ind.key in REGISTRY,
                        "weight": float(ind.weight),
                        "target": ind.target,
                        "baseline": ind.baseline,
                    }
                    for ind in zone.indicators.all()
                ],
            }
        )
    return {
        "root": {"code": root.code, "name": root.name},
        "editable": district_editor(user) and reads_all_departments(user, root),
        "zones": zones,
        **scheme_of(root),
    }


def _visible_runs(user: User, root: Area):
    runs = Assessment.objects.filter(root=root)
    if not (district_editor(user) and reads_all_departments(user, root)):
        runs = runs.filter(status=Assessment.Status.PUBLISHED)  # drafts are the district's
    return runs


def assessments_list(*, user: User, root_code: str | None = None, year: int | None = None):
    root = _open_root(user, root_code)
    runs = _visible_runs(user, root)
    if year is not None:
        runs = runs.filter(year=year)
    return {
        "root": {"code": root.code, "name": root.name},
        "assessments": [_run_head(run) for run in runs.order_by("-year", "-version")[:200]],
    }


def _run_head(run: Assessment) -> dict[str, Any]:
    return {
        "id": run.pk,
        "year": run.year,
        "version": run.version,
        "status": run.status,
        "since": run.since,
        "until": run.until,
        "computed_at": run.computed_at,
        "published_at": run.published_at,
        "state": run.state,
        "progress": run.progress,
        "error": run.error,
        "finished_at": run.finished_at,
    }


def assessment_for(user: User, assessment_id: int) -> Assessment:
    run = Assessment.objects.select_related("root").filter(pk=assessment_id).first()
    if run is None or not reads_root(user, run.root):
        raise NotFound()
    if not _visible_runs(user, run.root).filter(pk=run.pk).exists():
        raise NotFound()
    return run


def latest_for(user: User, root: Area, year: int | None) -> Assessment | None:
    runs = _visible_runs(user, root)
    if year is not None:
        runs = runs.filter(year=year)
    return runs.order_by("-year", "-version").first()


def _line_labels(lines: list[dict]) -> list[dict]:
    for line in lines:
        kind = REGISTRY.get(line["key"])
        if kind is not None:  # today's language; the copy stays for unregistered keys
            line["label"] = str(kind.label)
    return lines


def assessment_read(*, user: User, assessment_id: int) -> dict[str, Any]:
    """One run as the user may see it: the areas of their subtree (streets and communities),
    and the departments (all for the district's readers, their own for a handler)."""
    run = assessment_for(user, assessment_id)
    prefix = reader_prefix(user)
    areas = []
    if prefix is not None:
        rows = AreaResult.objects.filter(assessment=run).select_related("area", "area__parent")
        if prefix != EVERYWHERE:
            rows = rows.filter(area__path__startswith=prefix)
        for row in rows.order_by("area__path"):
            areas.append(
                {
                    "code": row.area.code,
                    "name": row.area.name,
                    "kind": row.kind,
                    "parent": row.area.parent.code if row.area.parent_id else None,
                    "zone": row.zone_name,
                    "score": float(row.score) if row.score is not None else None,
                    "grade": row.grade,
                    "rank": row.rank,
                    "lines": _line_labels(row.lines),
                    "pulling_down": row.pulling_down,
                }
            )
    departments = DepartmentResult.objects.filter(assessment=run).select_related("department")
    if not reads_all_departments(user, run.root):
        if not own_department_in(user, run.root):
            departments = departments.none()
        else:
            departments = departments.filter(department_id=user.department_id)
    rules = run.rules
    return {
        **_run_head(run),
        "root": {"code": run.root.code, "name": run.root.name},
        "zones": [
            {
                "name": z["name"],
                "focus": z["focus"],
                "streets": z["streets"],
                "indicators": z["indicators"],
            }
            for z in rules["zones"]
        ],
        "street_grades": rules["street_grades"],
        "community_grades": rules["community_grades"],
        "department_weights": rules["department_weights"],
        "areas": areas,
        "departments": [
            {
                "id": d.department_id,
                "name": d.department.name,
                "summonses": d.summonses,
                "score": float(d.score) if d.score is not None else None,
                "grade": d.grade,
                "rank": d.rank,
                "figures": d.figures,
            }
            for d in departments.order_by(F("rank").asc(nulls_last=True), "department__name")
        ],
        "editable": run.status == Assessment.Status.DRAFT
        and district_editor(user)
        and reads_all_departments(user, run.root),
        "note": _("Published results never change.") if run.status == "published" else "",
    }
