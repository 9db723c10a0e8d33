"""The demo's Party building, generated from the demo city: organizations that follow the
grid (a grid branch where a grid has enough formal members, compound branches by the seed's
rule, joint branches for the rest), members drawn from adult residents (about 7%, a third
of them in service elsewhere), central households and household links by the proposal
tool, two years of service records and a year of points, centers and stations, alliances and meetings.
A few rule breaks are left in on purpose, so the report has something to show."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.demo.bulk import columns_update, links_create, rows_insert
from gridgov.party.defaults import load_default_rules
from gridgov.party.models import (
    Alliance,
    Meeting,
    Member,
    Organization,
    PointEntry,
    PointRule,
    Resolution,
    ServiceCenter,
    ServicePost,
    ServiceRecord,
)
from gridgov.party.services import points_automatic, proposal_apply
from gridgov.registry.models import Resident, Unit

MEMBER_SHARE = 0.07
IN_SERVICE_SHARE = 0.33
GRID_BRANCH_FROM = 3  # formal members living in a grid


def build_party(*, seed: int = 530702) -> dict[str, int]:
    rng = random.Random(seed + 7)
    today = timezone.localdate()
    admin = User.objects.filter(is_superuser=True).first()
    load_default_rules(PointRule)
    areas = {a.pk: a for a in Area.objects.all()}
    by_kind = defaultdict(list)
    for area in areas.values():
        by_kind[area.kind].append(area)

    with transaction.atomic():
        # Streets and communities.
        streets = sorted(by_kind["street"], key=lambda a: a.code)
        Organization.objects.bulk_create(
            [
                Organization(
                    name=f"{street.name}党工委",
                    kind="working_committee",
                    area=street,
                    founded_on=dt.date(2005, 7, 1),
                    is_generated=True,
                )
                for street in streets
            ]
        )
        street_org = {o.area_id: o for o in Organization.objects.filter(kind="working_committee")}
        community_orgs = []
        for community in sorted(by_kind["community"], key=lambda a: a.code):
            grids = sum(1 for g in by_kind["grid"] if g.parent_id == community.pk)
            kind = "community_committee" if grids >= 8 else "general_branch"
            suffix = "党委" if kind == "community_committee" else "党总支"
            community_orgs.append(
                Organization(
                    name=f"{community.name}{suffix}",
                    kind=kind,
                    area=community,
                    parent=street_org.get(community.parent_id),
                    founded_on=dt.date(2008, 7, 1),
                    is_generated=True,
                )
            )
        Organization.objects.bulk_create(community_orgs)
        community_org = {o.area_id: o for o in community_orgs}

        # Members: adult residents, about one in twenty.
        residents = list(
            Resident.objects.filter(
                birth_date__lte=today - dt.timedelta(days=18 * 366)
            ).values_list(
                "pk",
                "name",
                "id_number",
                "phone",
                "gender",
                "birth_date",
                "household_id",
                "area_id",
                "household__building__compound_id",
            )
        )
        chosen = [r for r in residents if rng.random() < MEMBER_SHARE]
        units_by_street = defaultdict(list)
        for pk, path in Unit.objects.values_list("pk", "area__path"):
            parts = path.strip("/").split("/")
            units_by_street[parts[1] if len(parts) > 1 else parts[0]].append(pk)
        formal_in_compound: Counter = Counter()
        specs = []
        for _pk, name, id_number, phone, gender, birth, household, area_id, compound in chosen:
            status = "formal" if rng.random() < 0.95 else "probationary"
            grid = areas[area_id]
            community = areas.get(grid.parent_id)
            street = areas.get(community.parent_id) if community else None
            units = units_by_street.get(street.code if street else "", [])
            in_service = bool(units) and rng.random() < IN_SERVICE_SHARE
            age = today.year - birth.year
            specs.append(
                dict(
                    name=name,
                    id_number=id_number,
                    phone=phone,
                    gender=gender,
                    birth_date=birth,
                    household_id=household,
                    area_id=area_id,
                    status=status,
                    joined_on=birth + dt.timedelta(days=365 * rng.randint(20, 35))
                    if age > 22
                    else None,
                    in_service=in_service,
                    work_unit_id=rng.choice(units) if in_service else None,
                    exempt=age >= 70,
                    exempt_reason="年满70周岁" if age >= 70 else "",
                    compound=compound,
                    community=community.pk if community else None,
                )
            )
            if status == "formal":
                if compound:
                    formal_in_compound[compound] += 1

        # Compound branches by the seed's rule (3+ formal members: their own branch), a few
        # left out on purpose; a grid branch where 3+ formal members live in the grid, with
        # the grid's compound branches under it and its small compounds taken in jointly;
        # small compounds of grids without one get a joint compound branch.
        from gridgov.registry.models import Compound

        compounds = {c.pk: c for c in Compound.objects.all()}
        own_branch = []  # compounds with 3+ formal members: their own branch
        small_by_grid = defaultdict(list)
        skip = 0
        for compound_id, n in sorted(formal_in_compound.items()):
            compound = compounds[compound_id]
            if n >= 3:
                skip += 1
                if skip % 25 == 0:
                    continue  # left without its own branch: the report shows it
                own_branch.append(compound)
            else:
                small_by_grid[compound.area_id].append(compound)
        in_grid: Counter = Counter()
        for spec in specs:
            if spec["status"] == "formal":
                in_grid[spec["area_id"]] += 1
        # Grid branches (and joint compound branches) first: a compound's own branch sits
        # under its grid's branch where there is one.
        grid_org, joint_of, compound_org = {}, {}, {}
        for grid in sorted(by_kind["grid"], key=lambda a: a.code):
            small = small_by_grid.get(grid.pk, [])
            common = dict(area=grid, parent=community_org.get(grid.parent_id), is_generated=True)
            if in_grid[grid.pk] >= GRID_BRANCH_FROM:
                org = grid_org[grid.pk] = Organization(
                    name=f"{grid.name}党支部",
                    kind="grid_branch",
                    formation="joint" if small else "single",
                    founded_on=dt.date(2019, 7, 1),
                    **common,
                )
            elif small:
                org = Organization(
                    name=f"{grid.name}小区联合党支部",
                    kind="compound_branch",
                    formation="joint",
                    founded_on=dt.date(2020, 7, 1),
                    **common,
                )
            else:
                continue
            joint_of[grid.pk] = org
            for c in small:
                compound_org[c.pk] = org
        Organization.objects.bulk_create(list(joint_of.values()), batch_size=2000)
        own_orgs = [
            Organization(
                name=f"{compound.name}党支部",
                kind="compound_branch",
                formation="single",
                area=areas[compound.area_id],
                parent=grid_org.get(compound.area_id)
                or community_org.get(areas[compound.area_id].parent_id),
                founded_on=dt.date(2020, 7, 1),
                is_generated=True,
            )
            for compound in own_branch
        ]
        Organization.objects.bulk_create(own_orgs, batch_size=2000)
        for compound, org in zip(own_branch, own_orgs, strict=True):
            compound_org[compound.pk] = org
        links_create(Organization.compounds, [(o.pk, c) for c, o in compound_org.items()])

        members = []
        for spec in specs:
            compound, community = spec.pop("compound"), spec.pop("community")
            organization = (
                compound_org.get(compound)
                or grid_org.get(spec["area_id"])
                or community_org[community]
            )
            members.append(Member(organization=organization, is_generated=True, **spec))
        rows_insert(members)
        members = list(Member.objects.select_related("organization"))
        # Secretaries and committees: the oldest formal members of each organization.
        by_org = defaultdict(list)
        for m in members:
            if m.status == "formal":
                by_org[m.organization_id].append(m)
        formal_by_path = defaultdict(list)
        for m in members:
            if m.status == "formal":
                formal_by_path[m.area_id].append(m)
        secretaries, committees = [], []
        for org in Organization.objects.select_related("area"):
            own = sorted(by_org.get(org.pk, []), key=lambda m: m.birth_date)
            if not own:  # a committee: chosen from the members of its area
                own = sorted(
                    (
                        m
                        for area_id, ms in formal_by_path.items()
                        if areas[area_id].path.startswith(org.area.path)
                        for m in ms
                    ),
                    key=lambda m: m.birth_date,
                )[:7]
            if own:
                secretaries.append((org.pk, own[min(len(own) - 1, 2)].pk))
                committees += [(org.pk, m.pk) for m in own[:5]]
        columns_update(Organization, ["secretary"], secretaries)
        links_create(Organization.committee, committees)

        # 双报到: in-service members with the community where they live, units where they sit.
        from gridgov.party.models import DoubleRegistration

        registered_on = today - dt.timedelta(days=200)
        DoubleRegistration.objects.bulk_create(
            [
                DoubleRegistration(
                    community_id=areas[m.area_id].parent_id, member=m, registered_on=registered_on
                )
                for m in members
                if m.in_service and rng.random() < 0.85
            ]
            + [
                DoubleRegistration(
                    community_id=areas[area_id].parent_id,
                    unit_id=unit_id,
                    registered_on=registered_on,
                )
                for unit_id, area_id in Unit.objects.values_list("pk", "area_id")
                if areas[area_id].kind == "grid"
            ],
            batch_size=2000,
        )

        # Centers, stations, posts.
        centers = []
        for area in by_kind["street"] + by_kind["community"]:
            spot = shape(area.geometry).representative_point()
            centers.append(
                ServiceCenter(
                    name=f"{area.name}党群服务中心",
                    kind="center",
                    area=area,
                    lon=spot.x,
                    lat=spot.y,
                    services="政策咨询\n便民办事\n志愿服务\n党员活动",
                    hours="周一至周五 8:30–17:30",
                )
            )
        for community in rng.sample(by_kind["community"], min(12, len(by_kind["community"]))):
            spot = shape(community.geometry).representative_point()
            centers.append(
                ServiceCenter(
                    name=f"{community.name}红帆驿站",
                    kind="station",
                    area=community,
                    lon=spot.x + 0.002,
                    lat=spot.y + 0.001,
                    services="饮水休息\n手机充电\n应急药箱\n问路指引",
                    hours="每天 8:00–20:00",
                )
            )
        ServiceCenter.objects.bulk_create(centers)
        posts = [
            ServicePost(
                name=f"{grid.name}党员责任区",
                kind="zone",
                area=grid,
                description="环境卫生、邻里纠纷、独居老人关爱",
            )
            for grid in [areas[g] for g in grid_org]
        ]
        ServicePost.objects.bulk_create(posts)
        post_of_grid = {p.area_id: p for p in posts}
        claims = []
        for m in members:
            post = post_of_grid.get(m.area_id)
            if post and rng.random() < 0.4:
                claims.append((post.pk, m.pk))
        links_create(ServicePost.claimed_by, claims)

        # Alliances and meetings.
        for street in by_kind["street"]:
            alliance = Alliance.objects.create(
                name=f"{street.name}党建联盟",
                kind="street_alliance",
                area=street,
                lead=street_org[street.pk],
            )
            alliance.units.set(units_by_street.get(street.code, [])[:12])
            for month in (3, 6, 9):
                meeting = Meeting.objects.create(
                    alliance=alliance,
                    area=street,
                    held_on=dt.date(today.year, month, 15),
                    agenda="通报辖区治理难点；共驻共建项目认领",
                    attendance="\n".join(
                        Unit.objects.filter(pk__in=alliance.units.all()[:5]).values_list(
                            "name", flat=True
                        )
                    ),
                )
                Resolution.objects.create(
                    meeting=meeting,
                    text="老旧小区环境整治共建",
                    owner=f"{street.name}党工委",
                    due_on=dt.date(today.year, month, 15) + dt.timedelta(days=60),
                    status="done" if month < today.month - 2 else "open",
                )

        # Community joint meetings (联席会议), last year and this.
        meetings, resolutions = [], []
        for community in by_kind["community"]:
            for year in (today.year - 1, today.year):
                last_month = 12 if year < today.year else max(1, today.month - 1)
                for month in sorted(
                    rng.sample(range(1, last_month + 1), min(last_month, rng.randint(1, 5)))
                ):
                    meeting = Meeting(
                        area=community,
                        held_on=dt.date(year, month, 10),
                        agenda="网格议事：居民反映问题的解决进度",
                        attendance="社区党组织\n网格长\n驻区单位代表",
                    )
                    meetings.append(meeting)
                    resolutions.append(
                        Resolution(
                            meeting=meeting,
                            text="整治楼道堆物",
                            owner=f"{community.name}网格员",
                            due_on=dt.date(year, month, 10) + dt.timedelta(days=30),
                            status="done"
                            if (year, month) < (today.year, today.month - 1)
                            else "open",
                        )
                    )
        Meeting.objects.bulk_create(meetings, batch_size=2000)
        Resolution.objects.bulk_create(resolutions, batch_size=2000)  # meetings have ids now

        # A year of service records and hand entries, approved.
        records, entries = [], []
        rules = {r.code: r for r in PointRule.objects.filter(automatic=False)}
        start = today - dt.timedelta(days=365)
        for m in members:
            for _ in range(rng.randint(0, 16)):
                day = (
                    start - dt.timedelta(days=365) + dt.timedelta(days=rng.randint(0, 729))
                )  # two years
                volunteering = rng.random() < 0.4
                records.append(
                    ServiceRecord(
                        member=m,
                        date=day,
                        hours=Decimal(rng.choice(["1", "1.5", "2", "3", "4"])),
                        description="志愿服务" if volunteering else "走访联系户",
                        is_volunteering=volunteering,
                        post=post_of_grid.get(m.area_id),
                    )
                )
            for _ in range(rng.randint(2, 8)):
                code = rng.choices(
                    list(rules), weights=[4 if rules[c].points > 0 else 1 for c in rules]
                )[0]
                entries.append(
                    PointEntry(
                        member=m,
                        rule=rules[code],
                        points=rules[code].points,
                        date=start + dt.timedelta(days=rng.randint(0, 364)),
                        evidence="支部记录" if rules[code].evidence_required else "",
                        status="approved" if rng.random() < 0.9 else "pending",
                        decided_by=admin,
                    )
                )
        rows_insert(records)
        rows_insert(entries)
    automatic = points_automatic()
    applied = proposal_apply(user=admin, root_code="530702")
    # Last year's grading of the community organizations from the template's suggestions,
    # a little spread so that every grade occurs.
    from gridgov.party.grading import template_for
    from gridgov.party.services import grading_compute

    for org in Organization.objects.filter(kind__in=("community_committee", "general_branch")):
        scores = {
            b["key"]: max(0, min(20, float(b["suggested"]) + rng.uniform(-6, 4)))
            for b in template_for(org, today.year - 1)
        }
        grading_compute(
            user=admin,
            organization_id=org.pk,
            year=today.year - 1,
            scores={k: round(v, 1) for k, v in scores.items()},
        )
    return {
        "party organizations": Organization.objects.count(),
        "grid branches": len(grid_org),
        "party members": len(members),
        "in-service members": sum(1 for m in members if m.in_service),
        "household links": applied["links"],
        "central households": applied["central_households"],
        "service records": len(records),
        "points entries": len(entries) + automatic,
    }
