"""Reads of Party building, inside the user's scope: the rules report, coverage, rankings."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.party.bounds import bounds, is_exempt
from gridgov.party.models import (
    CentralHousehold,
    HouseholdLink,
    Member,
    Organization,
    PointEntry,
)
from gridgov.registry.models import Compound, Household


def formal_members_by_compound(path: str) -> Counter:
    return Counter(
        Member.objects.filter(
            status=Member.Status.FORMAL,
            area__path__startswith=path,
            household__building__compound__isnull=False,
        ).values_list("household__building__compound_id", flat=True)
    )


def party_report(root: Area) -> dict[str, Any]:
    """One object with what the seeds' rules ask of an area: organizations by kind, compounds
    and grids without an organization, branches that break the compound rule, households
    without a member, central households and members outside their bounds, coverage."""
    b = bounds()
    path = root.path
    today = timezone.localdate()
    orgs = Organization.objects.filter(area__path__startswith=path)
    by_kind = dict(
        orgs.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )

    covered_compounds = set(
        Organization.compounds.through.objects.filter(
            organization__area__path__startswith=path
        ).values_list("compound_id", flat=True)
    )
    compounds = list(
        Compound.objects.filter(area__path__startswith=path).values_list("pk", "name", "area__code")
    )
    formal = formal_members_by_compound(path)
    compounds_without = [
        {"id": pk, "name": name, "grid": grid, "formal_members": formal.get(pk, 0)}
        for pk, name, grid in compounds
        if pk not in covered_compounds
    ]
    grids_with_org = set(orgs.values_list("area_id", flat=True))
    grids_without = [
        {"code": code, "name": name}
        for pk, code, name in Area.objects.filter(path__startswith=path, kind="grid")
        .order_by("code")
        .values_list("pk", "code", "name")
        if pk not in grids_with_org
    ]

    violations = []
    single_of: dict[int, list[int]] = defaultdict(list)
    joint_of: dict[int, list[int]] = defaultdict(list)
    for org_id, compound_id, formation in Organization.compounds.through.objects.filter(
        organization__area__path__startswith=path,
        organization__kind=Organization.Kind.COMPOUND_BRANCH,
    ).values_list("organization_id", "compound_id", "organization__formation"):
        (single_of if formation == Organization.Formation.SINGLE else joint_of)[compound_id].append(
            org_id
        )
    for pk, name, grid in compounds:
        n = formal.get(pk, 0)
        if n >= b.own_branch_from and not single_of.get(pk):
            violations.append(
                {
                    "compound": pk,
                    "name": name,
                    "grid": grid,
                    "formal_members": n,
                    "rule": f"{n} formal members (≥{b.own_branch_from}): should have its own branch",
                }
            )
        elif 0 < n < b.own_branch_from and single_of.get(pk):
            violations.append(
                {
                    "compound": pk,
                    "name": name,
                    "grid": grid,
                    "formal_members": n,
                    "organization": single_of[pk][0],
                    "rule": f"{n} formal members (<{b.own_branch_from}): should join a joint branch",
                }
            )

    households = Household.objects.filter(area__path__startswith=path)
    total = households.count()
    linked = HouseholdLink.objects.filter(household__area__path__startswith=path).count()
    households_without = list(
        households.filter(party_link__isnull=True)
        .order_by("number")
        .values_list("number", flat=True)
    )

    low_c, high_c = b.members_per_central
    central_out = [
        {"id": pk, "host": host, "members": n}
        for pk, host, n in CentralHousehold.objects.filter(area__path__startswith=path)
        .annotate(n=Count("members"))
        .values_list("pk", "host__name", "n")
        if not low_c <= n <= high_c
    ]
    low_h, high_h = b.households_per_member
    members_out = []
    for pk, name, exempt, birth, n in (
        Member.objects.filter(area__path__startswith=path)
        .annotate(n=Count("household_links"))
        .values_list("pk", "name", "exempt", "birth_date", "n")
    ):
        if is_exempt(exempt, birth, today, b.exempt_age):
            if n > high_h:
                members_out.append({"id": pk, "name": name, "households": n, "exempt": True})
            continue
        if not low_h <= n <= high_h:
            members_out.append({"id": pk, "name": name, "households": n, "exempt": False})
    return {
        "root": root.code,
        "organizations": by_kind,
        "compounds_without_organization": compounds_without,
        "grids_without_organization": grids_without,
        "branch_rule_violations": violations,
        "households_without_member": households_without,
        "central_households_out_of_bounds": central_out,
        "members_out_of_bounds": members_out,
        "household_coverage": round(linked / total, 4) if total else None,
    }


def coverage_by_area(root: Area, level: str = "grid") -> list[dict[str, Any]]:
    """Households with a member, by grid or by community under `root`: linked / total."""
    kind = "community" if level == "community" else "grid"
    sample = Area.objects.filter(kind=kind, path__startswith=root.path).first()
    if sample is None:
        return []
    names = dict(
        Area.objects.filter(kind=kind, path__startswith=root.path).values_list("code", "name")
    )
    totals: Counter = Counter()
    linked: Counter = Counter()
    for area_path, has_link in (
        Household.objects.filter(area__path__startswith=root.path)
        .annotate(has=Count("party_link"))
        .values_list("area__path", "has")
    ):
        codes = [c for c in area_path.strip("/").split("/") if c]
        if len(codes) <= sample.depth:
            continue  # a household placed above this level
        key = codes[sample.depth]
        totals[key] += 1
        linked[key] += 1 if has_link else 0
    return [
        {
            "area": key,
            "name": names.get(key, key),
            "households": totals[key],
            "linked": linked[key],
            "coverage": round(linked[key] / totals[key], 4),
        }
        for key in sorted(totals)
    ]


def quarter_range(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return start, end


def ranking(organization: Organization, year: int, quarter: int, base: Decimal = Decimal(100)):
    """Members of the organization (and the organizations under it) by points in the
    quarter: the base score plus approved entries."""
    start, end = quarter_range(year, quarter)
    members = Member.objects.filter(
        Q(organization=organization) | Q(organization__parent=organization)
    ).annotate(
        earned=Sum(
            "point_entries__points",
            filter=Q(
                point_entries__status=PointEntry.Status.APPROVED,
                point_entries__date__gte=start,
                point_entries__date__lt=end,
            ),
        )
    )
    rows = sorted(
        ((base + Decimal(str(m.earned or 0)), m.name, m.pk) for m in members),
        key=lambda r: (-r[0], r[1], r[2]),
    )
    result, rank, previous = [], 0, None
    for position, (score, name, pk) in enumerate(rows, start=1):
        if score != previous:
            rank, previous = position, score
        result.append({"rank": rank, "member": pk, "name": name, "points": f"{score:.1f}"})
    return result


def report_back(unit, start: dt.date, end: dt.date) -> dict[str, Any]:
    """双报告: what a unit's in-service members did where they live, for the unit, per period."""
    from gridgov.party.models import DoubleRegistration, ServiceRecord

    members = list(
        Member.objects.filter(work_unit=unit, in_service=True)
        .select_related("area", "organization")
        .order_by("name")
    )
    ids = [m.pk for m in members]
    registered = dict(
        DoubleRegistration.objects.filter(member_id__in=ids).values_list(
            "member_id", "community__name"
        )
    )
    hours = dict(
        ServiceRecord.objects.filter(member_id__in=ids, date__gte=start, date__lt=end)
        .values_list("member_id")
        .annotate(h=Sum("hours"))
        .values_list("member_id", "h")
    )
    records = Counter(
        ServiceRecord.objects.filter(member_id__in=ids, date__gte=start, date__lt=end).values_list(
            "member_id", flat=True
        )
    )
    points = dict(
        PointEntry.objects.filter(
            member_id__in=ids, status=PointEntry.Status.APPROVED, date__gte=start, date__lt=end
        )
        .values_list("member_id")
        .annotate(p=Sum("points"))
        .values_list("member_id", "p")
    )
    links = Counter(
        HouseholdLink.objects.filter(member_id__in=ids).values_list("member_id", flat=True)
    )
    unit_registration = (
        DoubleRegistration.objects.filter(unit=unit).select_related("community").first()
    )
    return {
        "unit": unit,
        "start": start,
        "end": end - dt.timedelta(days=1),
        "unit_registered_with": unit_registration.community.name if unit_registration else None,
        "rows": [
            {
                "name": m.name,
                "lives_in": m.area.name,
                "registered_with": registered.get(m.pk),
                "records": records.get(m.pk, 0),
                "hours": hours.get(m.pk) or 0,
                "points": points.get(m.pk) or 0,
                "households": links.get(m.pk, 0),
            }
            for m in members
        ],
    }
