"""分类定级: the scoring template of the five basics (team, position, rules, activities,
support), each 0–20, with the platform's own figures suggested where it has them.

Grade A (双强 / 先进): 85 or more and no basic under 12. C (后进): under 60, or any basic
under 8. B (达标 / 一般) otherwise. Thresholds in GRIDGOV_PARTY_GRADING to change them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridgov.party.models import (
    Grading,
    HouseholdLink,
    Meeting,
    Member,
    Organization,
    ServiceCenter,
    ServiceRecord,
)
from gridgov.registry.models import Household

MAX = Decimal(20)
LABELS = {
    "team": _("Team (班子建设)"),
    "position": _("Position (阵地建设)"),
    "rules": _("Rules carried out (制度落实)"),
    "activities": _("Activities (活动开展)"),
    "support": _("Support and service (服务保障)"),
}


def _thresholds() -> dict[str, Decimal]:
    custom = getattr(settings, "GRIDGOV_PARTY_GRADING", {}) or {}
    return {
        "a_total": Decimal(str(custom.get("a_total", 85))),
        "a_floor": Decimal(str(custom.get("a_floor", 12))),
        "c_total": Decimal(str(custom.get("c_total", 60))),
        "c_floor": Decimal(str(custom.get("c_floor", 8))),
    }


def template_for(organization: Organization, year: int) -> list[dict[str, Any]]:
    path = organization.area.path
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    members = Member.objects.filter(area__path__startswith=path)
    n_members = members.count()
    committee = organization.committee.count()
    team = (
        MAX
        if organization.secretary_id and committee >= 3
        else (Decimal(12) if organization.secretary_id else Decimal(4))
    )
    position = (
        MAX if ServiceCenter.objects.filter(area__path__startswith=path).exists() else Decimal(10)
    )
    meetings = Meeting.objects.filter(
        area__path__startswith=path, held_on__gte=start, held_on__lt=end
    ).count()
    rules = min(MAX, Decimal(meetings) * 5)
    hours = ServiceRecord.objects.filter(
        member__area__path__startswith=path, date__gte=start, date__lt=end
    ).aggregate(h=Sum("hours"))["h"] or Decimal(0)
    # 12 hours of service a member a year counts as full marks for activities.
    activities = min(MAX, (hours / max(1, n_members) / 12 * MAX).quantize(Decimal("0.1")))
    total_households = Household.objects.filter(area__path__startswith=path).count()
    linked = HouseholdLink.objects.filter(household__area__path__startswith=path).count()
    support = (
        (MAX * linked / total_households).quantize(Decimal("0.1"))
        if total_households
        else Decimal(0)
    )
    return [
        {
            "key": "team",
            "label": str(LABELS["team"]),
            "max": MAX,
            "suggested": team,
            "basis": (
                gettext("secretary in place, %(n)s committee members")
                if organization.secretary_id
                else gettext("no secretary, %(n)s committee members")
            )
            % {"n": committee},
        },
        {
            "key": "position",
            "label": str(LABELS["position"]),
            "max": MAX,
            "suggested": position,
            "basis": gettext("a Party-mass service center or station in the area")
            if position == MAX
            else gettext("no service center on the map"),
        },
        {
            "key": "rules",
            "label": str(LABELS["rules"]),
            "max": MAX,
            "suggested": rules,
            "basis": gettext("%(n)s joint meetings in %(year)s") % {"n": meetings, "year": year},
        },
        {
            "key": "activities",
            "label": str(LABELS["activities"]),
            "max": MAX,
            "suggested": activities,
            "basis": gettext("%(hours)s service hours by %(n)s members")
            % {"hours": hours, "n": n_members},
        },
        {
            "key": "support",
            "label": str(LABELS["support"]),
            "max": MAX,
            "suggested": support,
            "basis": gettext("%(linked)s of %(total)s households linked to a member")
            % {"linked": linked, "total": total_households},
        },
    ]


def grade_for(total: Decimal, scores: dict[str, str]) -> str:
    t = _thresholds()
    lowest = min((Decimal(v) for v in scores.values()), default=Decimal(0))
    if total < t["c_total"] or lowest < t["c_floor"]:
        return Grading.Grade.C
    if total >= t["a_total"] and lowest >= t["a_floor"]:
        return Grading.Grade.A
    return Grading.Grade.B


def lagging(year: int, path: str = "") -> list[dict[str, Any]]:
    """The C organizations of a year with the basics that pull them down, weakest first."""
    rows = []
    for g in Grading.objects.filter(
        year=year, grade=Grading.Grade.C, organization__area__path__startswith=path
    ).select_related("organization"):
        weak = sorted(g.scores.items(), key=lambda kv: Decimal(kv[1]))
        rows.append(
            {
                "organization": g.organization.name,
                "total": str(g.total),
                "weakest": [
                    {"basic": k, "label": str(LABELS.get(k, k)), "score": v} for k, v in weak[:2]
                ],
            }
        )
    return rows
