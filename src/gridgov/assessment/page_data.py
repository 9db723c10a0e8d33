"""What the assessment's pages show, shaped from the selectors' answers: the runs to choose
from, the streets of each zone ranked, communities under their street, the departments, and
the chart data (passed to assessment.js through json_script)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.areas.codes import AreaKind
from gridgov.assessment import selectors
from gridgov.assessment.access import district_root
from gridgov.common.errors import NotFound, PermissionDenied

MAX_ID = 2**62
PULLING_SHOWN = 3


def _labelled(area: dict[str, Any]) -> dict[str, Any]:
    labels = {line["key"]: line["label"] for line in area["lines"]}
    area["pulling"] = [
        {"key": k, "label": labels.get(k, k)} for k in area["pulling_down"][:PULLING_SHOWN]
    ]
    area["no_data"] = [line["label"] for line in area["lines"] if line["value"] is None]
    # The share of the weight that had data: a score from a few indicators reads as well as
    # one from all of them unless the page says how much of the scheme stood behind it.
    total = sum(float(line["weight"]) for line in area["lines"])
    covered = sum(float(line["weight"]) for line in area["lines"] if line["value"] is not None)
    area["coverage"] = round(100 * covered / total) if total else None
    return area


def overview_page(
    user: User, *, root_code: str | None, year: int | None, run_id: int | None
) -> dict[str, Any]:
    root = district_root(root_code, user)
    listing = selectors.assessments_list(user=user, root_code=root.code)
    heads = listing["assessments"]
    years = sorted({h["year"] for h in heads}, reverse=True)
    detail = None
    if run_id is not None:
        detail = selectors.assessment_read(user=user, assessment_id=run_id)
    else:
        chosen = [h for h in heads if year is None or h["year"] == year]
        if chosen:
            detail = selectors.assessment_read(user=user, assessment_id=chosen[0]["id"])
    zones_rules = None
    try:
        zones_rules = selectors.zones_read(user=user, root_code=root.code)
    except PermissionDenied:  # a department's handler reads their result, not the rules
        zones_rules = None
    editable_rules = bool(zones_rules and zones_rules["editable"])
    context: dict[str, Any] = {
        "root": listing["root"],
        "years": years,
        "year": detail["year"] if detail else year,
        "versions": [h for h in heads if detail and h["year"] == detail["year"]],
        "run": detail,
        "editor": editable_rules,
        "zones": [],
        "communities": [],
        "departments": detail["departments"] if detail else [],
        "chart": {"zones": []},
    }
    if detail is None:
        return context
    streets = [_labelled(a) for a in detail["areas"] if a["kind"] == AreaKind.STREET]
    communities = [_labelled(a) for a in detail["areas"] if a["kind"] == AreaKind.COMMUNITY]
    by_zone: dict[str, list] = defaultdict(list)
    for street in streets:
        by_zone[street["zone"]].append(street)
    for zone in detail["zones"]:
        rows = sorted(by_zone.get(zone["name"], []), key=lambda a: (a["rank"] or 999, a["code"]))
        if not rows:
            continue
        context["zones"].append({**zone, "rows": rows})
        context["chart"]["zones"].append(
            {
                "name": zone["name"],
                "streets": [r["name"] for r in rows],
                "scores": [r["score"] for r in rows],
                "grades": [r["grade"] for r in rows],
            }
        )
    names = {a["code"]: a["name"] for a in streets}
    grouped: dict[str, list] = defaultdict(list)
    for community in communities:
        grouped[community["parent"]].append(community)
    context["communities"] = [
        {
            "code": code,
            "name": names.get(code, code),
            "rows": sorted(rows, key=lambda a: (a["rank"] or 999, a["code"])),
            "grades": {g: sum(1 for r in rows if r["grade"] == g) for g in ("A", "B", "C")},
        }
        for code, rows in sorted(grouped.items())
    ]
    context["chart"]["labels"] = {"score": _("Score")}
    return context


def area_page(user: User, assessment_id: int, code: str) -> dict[str, Any]:
    if not 1 <= assessment_id <= MAX_ID:
        raise NotFound()
    detail = selectors.assessment_read(user=user, assessment_id=assessment_id)
    found = [a for a in detail["areas"] if a["code"] == code]
    if not found:
        raise NotFound()
    area = _labelled(found[0])
    children = sorted(
        (_labelled(a) for a in detail["areas"] if a["parent"] == code),
        key=lambda a: (a["rank"] or 999, a["code"]),
    )
    parent = next((a for a in detail["areas"] if a["code"] == area["parent"]), None)
    peers = [a for a in detail["areas"] if a["kind"] == area["kind"] and a["zone"] == area["zone"]]
    if area["kind"] == AreaKind.COMMUNITY:
        peers = [a for a in peers if a["parent"] == area["parent"]]
    return {
        "run": detail,
        "area": area,
        "parent": parent,
        "children": children,
        "peers": len(peers),
        "bands": detail["street_grades"]
        if area["kind"] == AreaKind.STREET
        else detail["community_grades"],
        "chart": {
            "labels": [line["label"] for line in area["lines"]],
            "scores": [line["score"] for line in area["lines"]],
            "weights": [float(line["weight"]) for line in area["lines"]],
            "score_label": _("Score"),
        },
    }
