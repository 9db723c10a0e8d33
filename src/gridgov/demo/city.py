"""The Gucheng demo city (古城区, 530702): real divisions and outline, generated grids and people.

Streets, communities and 620 grids are generated inside the real district
outline so that children tile their parent exactly; the seven urban streets
share an urban core around the old town, the four towns share the rest. All
that is generated is marked `is_generated`. Everything follows from one seed.
"""

import csv
import datetime as dt
import json
import random
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from shapely.geometry import Point, shape

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.codes import AreaKind
from gridgov.areas.models import Area, Department, GridWorker
from gridgov.areas.services import geometry_fields, tree_version_bump
from gridgov.demo import names
from gridgov.demo.bulk import columns_update, rows_insert
from gridgov.demo.partition import partition, polygon_of, random_points_inside, reading_order
from gridgov.registry import models as r

DISTRICT_CODE = "530702"
DISTRICT_NAME = "古城区"
SEED = 530702
GRID_TOTAL = 620
OLD_TOWN = (100.235, 26.872)  # Dayan old town; the urban streets are generated around it
URBAN_RADIUS_DEG = 0.06
DEMO_PASSWORD = "demo1234"
ADMIN_PASSWORD = "admin1234"
DEMO_GRID = "530702001002001"  # 文汇社区第1网格
# username, role, area code, who it is. One login per role and level of the demo.
DEMO_LOGINS = [
    ("operator", Role.OPERATOR, DISTRICT_CODE, "district command-center operator"),
    ("shift_leader", Role.SHIFT_LEADER, DISTRICT_CODE, "district shift leader"),
    ("leader", Role.LEADER, DISTRICT_CODE, "district leader"),
    ("dept_handler", Role.DEPARTMENT_HANDLER, DISTRICT_CODE, "district department handler (城管)"),
    ("street_staff", Role.AREA_STAFF, "530702001", "street staff, 西安街道"),
    ("community_staff", Role.AREA_STAFF, "530702001002", "community staff, 文汇社区"),
    ("party_secretary", Role.PARTY_SECRETARY, "530702001002", "Party secretary, 文汇社区"),
    ("grid_head", Role.GRID_HEAD, "530702001002", "grid head, 文汇社区"),
    ("grid_worker", Role.GRID_WORKER, DEMO_GRID, "grid worker, 文汇社区第1网格"),
    ("service_company", Role.SERVICE_PROVIDER, "530702001002", "service company, 文汇社区"),
    ("resident", Role.RESIDENT, None, "resident"),
]


def _data_dir() -> Path:
    return Path(str(resources.files("gridgov.demo") / "data"))


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(_data_dir() / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def district_outline():
    data = json.loads((_data_dir() / "gucheng-outline.geojson").read_text(encoding="utf-8"))
    return shape(data["features"][0]["geometry"])


def grid_allocation(communities: list[dict[str, str]], total: int = GRID_TOTAL) -> dict[str, int]:
    """Grids per community: urban communities (社区) get three shares, villages (村) one;
    largest remainders make the sum exactly `total`."""
    weights = {c["code"]: (3.0 if "社区" in c["name"] else 1.0) for c in communities}
    scale = total / sum(weights.values())
    exact = {code: w * scale for code, w in weights.items()}
    counts = {code: max(2, int(value)) for code, value in exact.items()}
    remainder = total - sum(counts.values())
    for code in sorted(exact, key=lambda c: (exact[c] - int(exact[c]), c), reverse=True)[
        : max(0, remainder)
    ]:
        counts[code] += 1
    while sum(counts.values()) > total:  # only if minimums pushed us over
        code = max(counts, key=lambda c: (counts[c], c))
        counts[code] -= 1
    return counts


@dataclass
class DemoResult:
    areas: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)


def _area(code: str, name: str, kind: str, parent: Area | None, geometry, generated: bool) -> Area:
    return Area(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        path=(parent.path if parent else "/") + code + "/",
        depth=parent.depth + 1 if parent else 0,
        is_generated=generated,
        **geometry_fields(geometry),
    )


def build_areas(rng: random.Random) -> dict[str, list[Area]]:
    outline = district_outline()
    streets = _read_csv("gucheng-streets.csv")
    communities = _read_csv("gucheng-villages.csv")
    district = _area(DISTRICT_CODE, DISTRICT_NAME, AreaKind.COUNTY, None, outline, generated=False)
    district.save()

    urban = [s for s in streets if s["name"].endswith("街道")]
    rural = [s for s in streets if not s["name"].endswith("街道")]
    core = polygon_of(outline.intersection(Point(*OLD_TOWN).buffer(URBAN_RADIUS_DEG)))
    rest = polygon_of(outline.difference(core))
    street_shapes = dict(
        zip([s["code"] for s in urban], partition(core, len(urban), rng), strict=True)
    )
    street_shapes |= dict(
        zip([s["code"] for s in rural], partition(rest, len(rural), rng), strict=True)
    )

    street_areas = [
        _area(s["code"], s["name"], AreaKind.STREET, district, street_shapes[s["code"]], True)
        for s in streets
    ]
    Area.objects.bulk_create(street_areas)
    street_by_code = {a.code: a for a in Area.objects.filter(parent=district)}

    community_areas: list[Area] = []
    for street in streets:
        members = sorted(
            (c for c in communities if c["streetCode"] == street["code"]), key=lambda c: c["code"]
        )
        shapes = partition(shape(street_by_code[street["code"]].geometry), len(members), rng)
        community_areas += [
            _area(c["code"], c["name"], AreaKind.COMMUNITY, street_by_code[street["code"]], g, True)
            for c, g in zip(members, shapes, strict=True)
        ]
    Area.objects.bulk_create(community_areas)
    community_by_code = {
        a.code: a
        for a in Area.objects.filter(kind=AreaKind.COMMUNITY, path__startswith=district.path)
    }

    allocation = grid_allocation(communities)
    grid_areas: list[Area] = []
    for code in sorted(allocation):
        community = community_by_code[code]
        cells = partition(shape(community.geometry), allocation[code], rng, iterations=4)
        short = community.name.removesuffix("居委会").removesuffix("委会").removesuffix("村民")
        for number, index in enumerate(reading_order(cells), start=1):
            grid_areas.append(
                _area(
                    f"{code}{number:03d}",
                    f"{short}第{number}网格",
                    AreaKind.GRID,
                    community,
                    cells[index],
                    True,
                )
            )
    Area.objects.bulk_create(grid_areas, batch_size=500)
    tree_version_bump()
    grids = list(
        Area.objects.filter(kind=AreaKind.GRID, path__startswith=district.path).order_by("code")
    )
    return {
        "district": [district],
        "streets": list(street_by_code.values()),
        "communities": list(community_by_code.values()),
        "grids": grids,
    }


DISTRICT_DEPARTMENTS = [
    ("区城市管理综合行政执法局", "城管"),
    ("古城公安分局", "公安"),
    ("区市场监督管理局", "市场监管"),
    ("区住房和城乡建设局", "住建"),
    ("区卫生健康局", "卫健"),
    ("区环境卫生管理站", "环卫"),
]


def build_departments(areas: dict[str, list[Area]]) -> None:
    district = areas["district"][0]
    for name, sector in DISTRICT_DEPARTMENTS:
        Department.objects.create(name=name, sector=sector, area=district)
    for street in areas["streets"]:
        short = street.name
        police = Department.objects.create(name=f"{short}派出所", sector="公安", area=street)
        squad = Department.objects.create(
            name=f"{short}{UNIFIED_SQUAD_SUFFIX}", sector="城管", area=street
        )
        grids = [g for g in areas["grids"] if g.path.startswith(street.path)]
        police.sunk_into.set(grids)
        squad.sunk_into.set(grids)


# Subclass families each department answers for (routing table of the demo).
UNIFIED_SQUAD_SUFFIX = "综合执法中队"
STREET_SQUAD_CLASSES = ("01", "02", "05", "11")
DISTRICT_ROUTES = {
    "区城市管理综合行政执法局": ("03", "04", "19"),
    "古城公安分局": ("12", "15", "16"),
    "区市场监督管理局": ("18", "21"),
    "区住房和城乡建设局": ("13", "14", "20", "22"),
    "区卫生健康局": ("23", "24"),
    "区环境卫生管理站": ("17", "25", "06"),
}


def build_routing(areas: dict[str, list[Area]]) -> None:
    from gridgov.events.models import RoutingRule, Subclass

    district = areas["district"][0]
    subclasses = list(Subclass.objects.all())
    rules = []
    for department in Department.objects.filter(
        area__path__startswith=district.path
    ).select_related("area"):
        if department.area_id == district.id:
            families = DISTRICT_ROUTES.get(department.name, ())
        elif department.name.endswith(UNIFIED_SQUAD_SUFFIX):
            families = STREET_SQUAD_CLASSES
        else:
            families = ("15", "16")
        # The unified enforcement squad (综合执法中队) answers for the whole enforcement list
        # (执法清单), whatever family a matter belongs to (decision 0024).
        squad = department.area_id != district.id and department.name.endswith(UNIFIED_SQUAD_SUFFIX)
        rules += [
            RoutingRule(subclass=s, area=department.area, department=department)
            for s in subclasses
            if s.code[:2] in families or (squad and s.enforcement)
        ]
    RoutingRule.objects.bulk_create(rules, ignore_conflicts=True)


def _user(
    username: str, name: str, role: str, area: Area | None, password_hash: str, **extra
) -> User:
    return User(
        username=username,
        first_name=name[1:],
        last_name=name[0],
        role=role,
        area=area,
        is_staff=role not in (Role.RESIDENT,),
        password=password_hash,
        **extra,
    )


def build_people(
    areas: dict[str, list[Area]], rng: random.Random
) -> list[tuple[str, str, str, str]]:
    """Role users for the demo logins, a grid head per community and the grid workers."""
    demo_hash = make_password(DEMO_PASSWORD)
    by_code = {a.code: a for group in areas.values() for a in group}
    grid = by_code[DEMO_GRID]
    logins = [(u, d, role, by_code.get(code)) for u, role, code, d in DEMO_LOGINS]
    User.objects.bulk_create(
        [_user(u, names.person_name(rng), role, area, demo_hash) for u, _d, role, area in logins]
    )
    admin = User.objects.create_superuser("admin", password=ADMIN_PASSWORD, first_name="管理员")
    admin.save()

    heads = [
        _user(f"head{c.code}", names.person_name(rng), Role.GRID_HEAD, c, demo_hash)
        for c in areas["communities"]
    ]
    User.objects.bulk_create(heads)
    head_by_community = {u.area_id: u for u in User.objects.filter(username__startswith="head")}
    workers: list[User] = []
    plan: list[tuple[str, str]] = []
    for g in areas["grids"]:
        count = 2 if rng.random() < 0.2 else 1
        for n in range(count):
            username = f"gw{g.code}" + ("" if n == 0 else f"-{n + 1}")
            full_time = n == 0 and rng.random() < 0.85
            workers.append(
                _user(
                    username,
                    names.person_name(rng),
                    Role.GRID_WORKER,
                    g,
                    demo_hash,
                    phone=names.mobile(rng),
                )
            )
            plan.append(
                (
                    username,
                    GridWorker.Employment.FULL_TIME
                    if full_time
                    else GridWorker.Employment.PART_TIME,
                )
            )
    User.objects.bulk_create(workers, batch_size=1000)
    user_ids = dict(User.objects.filter(username__startswith="gw").values_list("username", "id"))
    grid_by_code = {g.code: g for g in areas["grids"]}
    GridWorker.objects.bulk_create(
        [
            GridWorker(grid=grid_by_code[u[2:17]], user_id=user_ids[u], employment=e)
            for u, e in plan
        ],
        batch_size=1000,
    )
    # The worker login of the demo also works its grid.
    GridWorker.objects.create(
        grid=grid,
        user=User.objects.get(username="grid_worker"),
        employment=GridWorker.Employment.FULL_TIME,
    )
    for g in areas["grids"]:
        g.grid_head = head_by_community[g.parent_id]
    columns_update(Area, ["grid_head"], [(g.pk, g.grid_head_id) for g in areas["grids"]])
    return [("admin", ADMIN_PASSWORD, "superuser", "—")] + [
        (u, DEMO_PASSWORD, description, area.code if area else "—")
        for u, description, _role, area in logins
    ]


def _placed(grid: Area, point: Point, address: str) -> dict:
    return {
        "area": grid,
        "lon": round(point.x, 6),
        "lat": round(point.y, 6),
        "address": address,
        "is_generated": True,
    }


def build_registry(areas: dict[str, list[Area]], rng: random.Random) -> dict[str, int]:
    street_name = {a.id: a.name for a in areas["streets"]}
    community_by_id = {a.id: a for a in areas["communities"]}
    used_ids: set[str] = set()
    compounds, buildings_plan, rentals, businesses, cameras, units = [], [], [], [], [], []
    household_rows: list[tuple[r.Household, list[dict]]] = []
    for grid in areas["grids"]:
        community = community_by_id[grid.parent_id]
        prefix = f"丽江市古城区{street_name[community.parent_id]}{community.name.removesuffix('居委会').removesuffix('委会')}"
        polygon = shape(grid.geometry)
        urban = "社区" in community.name
        if urban:
            for c in range(rng.randint(1, 2)):
                spot = random_points_inside(polygon, 1, rng)[0]
                name = f"{rng.choice(names.COMPOUND_WORDS)}{rng.choice(names.COMPOUND_SUFFIX)}"
                name = f"{name}{c + 1}期" if c else name
                status = rng.choices(["managed", "community", "none"], weights=[5, 2, 3])[0]
                compound = r.Compound(
                    name=name,
                    property_status=status,
                    property_company="丽江物业服务有限公司" if status == "managed" else "",
                    **_placed(grid, spot, f"{prefix}{name}"),
                )
                compounds.append(compound)
                for b in range(rng.randint(2, 5)):
                    buildings_plan.append(
                        (
                            compound,
                            f"{b + 1}栋",
                            rng.randint(3, 11),
                            random_points_inside(polygon, 1, rng)[0],
                        )
                    )
        else:
            for spot in random_points_inside(polygon, rng.randint(12, 24), rng):
                household_rows.append(
                    _household(grid, spot, f"{prefix}{rng.randint(1, 200)}号", None, rng, used_ids)
                )
        for spot in random_points_inside(
            polygon, rng.randint(3, 7) if urban else rng.randint(0, 2), rng
        ):
            kind, words = rng.choice(names.SHOP_KINDS)
            businesses.append(
                r.Business(
                    name=f"{rng.choice(names.SHOP_WORDS)}{rng.choice(words)}",
                    kind=kind,
                    credit_code=names.credit_code(rng),
                    operator_name=names.person_name(rng),
                    operator_phone=names.mobile(rng),
                    **_placed(grid, spot, f"{prefix}{rng.randint(1, 300)}号"),
                )
            )
        for spot in random_points_inside(
            polygon, rng.randint(1, 4) if urban else rng.randint(0, 1), rng
        ):
            rentals.append(
                r.RentalHouse(
                    landlord_name=names.person_name(rng),
                    landlord_phone=names.mobile(rng),
                    tenants=rng.randint(1, 6),
                    **_placed(grid, spot, f"{prefix}{rng.randint(1, 300)}号"),
                )
            )
        if rng.random() < 0.5:
            spot = random_points_inside(polygon, 1, rng)[0]
            cameras.append(
                r.Camera(
                    code=f"CAM{grid.code}",
                    name=f"{grid.name}监控点",
                    kind=rng.choice(r.Camera.Kind.values),
                    stream_url="",
                    **_placed(grid, spot, prefix),
                )
            )
        if rng.random() < 0.25:
            spot = random_points_inside(polygon, 1, rng)[0]
            units.append(
                r.Unit(
                    name=f"{community.name.removesuffix('居委会').removesuffix('委会')}{rng.choice(['小学', '卫生服务站', '供电所', '邮政所', '文化站', '商会'])}{len(units) + 1}",
                    kind=rng.choice(r.Unit.Kind.values),
                    contact_name=names.person_name(rng),
                    contact_phone=names.mobile(rng),
                    # A landline the dispatcher may call; made without the generator so the
                    # rest of the demo city stays as it was.
                    phone=f"0888-51{len(units) + 1:05d}",
                    **_placed(grid, spot, prefix),
                )
            )
    r.Compound.objects.bulk_create(compounds, batch_size=1000)
    buildings = [
        r.Building(compound=c, name=n, floors=f, **_placed(c.area, p, f"{c.address}{n}"))
        for c, n, f, p in buildings_plan
    ]
    r.Building.objects.bulk_create(buildings, batch_size=1000)
    for building in buildings:
        for floor in range(1, (building.floors or 1) + 1):
            for door in range(1, rng.randint(1, 2) + 1):
                household_rows.append(
                    _household(
                        building.area,
                        Point(building.lon, building.lat),
                        f"{building.address}{floor}0{door}室",
                        building,
                        rng,
                        used_ids,
                        room=f"{floor}0{door}",
                    )
                )
    for number, (household, _residents) in enumerate(household_rows, start=1):
        household.number = f"{household.area.code}{number:06d}"
    rows_insert([h for h, _ in household_rows])
    residents, groups = [], []
    for household, people in household_rows:
        for person in people:
            groups.append(person.pop("special_groups"))
            residents.append(r.Resident(household=household, **person))
    rows_insert(residents)
    _household_heads()
    _care_groups(residents, groups)
    markets = []
    for community in areas["communities"][::6]:
        grid = next(g for g in areas["grids"] if g.parent_id == community.id)
        spot = random_points_inside(shape(grid.geometry), 1, rng)[0]
        markets.append(
            r.Market(
                name=f"{community.name.removesuffix('居委会').removesuffix('委会')}农贸市场",
                stalls=rng.randint(40, 200),
                **_placed(grid, spot, community.name),
            )
        )
    r.Market.objects.bulk_create(markets)
    rows_insert(businesses)
    rows_insert(rentals)
    r.Camera.objects.bulk_create(cameras, batch_size=2000)
    r.Unit.objects.bulk_create(units, batch_size=2000)
    for unit in r.Unit.objects.filter(is_generated=True):
        unit.linked_grids.add(unit.area)
    return {
        "compounds": len(compounds),
        "buildings": len(buildings),
        "households": len(household_rows),
        "residents": len(residents),
        "businesses": len(businesses),
        "rentals": len(rentals),
        "markets": len(markets),
        "cameras": len(cameras),
        "units": len(units),
    }


def _household_heads() -> None:
    """The first person of each household (户主) heads it: residents were written in
    household order, so the head is the household's resident with the lowest id. One
    UPDATE (a bulk_update of thirty thousand rows took seconds)."""
    first = r.Resident.objects.filter(household=OuterRef("pk")).order_by("pk").values("pk")[:1]
    r.Household.objects.filter(head__isnull=True).update(head=Subquery(first))


def _care_groups(residents: list[r.Resident], groups: list[list[str]]) -> None:
    """The demo's special groups as care tags (the tags themselves come with the migrations)."""
    from gridgov.care.models import CareTag, ResidentTag

    tags = {tag.key: tag for tag in CareTag.objects.all()}
    today = timezone.localdate()
    rows = [
        ResidentTag(
            resident=resident,
            tag=tags[key],
            area_id=resident.area_id,
            since=today,
            review_due=today + dt.timedelta(days=tags[key].review_every_days),
            visit_due=today if tags[key].visit_every_days else None,
        )
        for resident, keys in zip(residents, groups, strict=True)
        for key in keys
    ]
    rows_insert(rows)


def _household(
    grid: Area,
    spot: Point,
    address: str,
    building,
    rng: random.Random,
    used_ids: set[str],
    room: str = "",
) -> tuple:
    household = r.Household(building=building, number="", room=room, **_placed(grid, spot, address))
    people = []
    surname = rng.choice(names.SURNAMES)
    for n in range(rng.choices([1, 2, 3, 4, 5], weights=[2, 4, 4, 3, 1])[0]):
        id_number, birth = names.id_number(rng, DISTRICT_CODE, used_ids)
        age = 2026 - birth.year
        groups = []
        if age >= 70 and rng.random() < 0.2:
            groups.append("elderly_alone")
        if rng.random() < 0.02:
            groups.append("disabled")
        if rng.random() < 0.03:
            groups.append("low_income")
        people.append(
            {
                "name": (surname if n < 2 else surname) + names.person_name(rng)[1:],
                "id_number": id_number,
                "phone": names.mobile(rng) if 16 <= age <= 80 else "",
                "birth_date": birth,
                "gender": "M" if int(id_number[16]) % 2 else "F",
                "residence": "floating" if rng.random() < 0.15 else "registered",
                "special_groups": groups,
                "relation": "户主" if n == 0 else rng.choice(["配偶", "子女", "父母", "其他"]),
                **_placed(grid, spot, address),
            }
        )
    return household, people


def demo_loaded() -> bool:
    return Area.objects.filter(code=DISTRICT_CODE).exists()


def load_demo(*, seed: int = SEED, with_registry: bool = True) -> DemoResult:
    rng = random.Random(seed)
    result = DemoResult()
    with transaction.atomic():
        areas = build_areas(rng)
        build_departments(areas)
        build_routing(areas)
        result.logins = build_people(areas, rng)
        User.objects.filter(username="dept_handler").update(
            department=Department.objects.get(name="区城市管理综合行政执法局")
        )
        if with_registry:
            result.records = build_registry(areas, rng)
            from gridgov.demo.events import build_events

            result.records["events"] = build_events(rng)
            from gridgov.demo.field import build_field

            result.records |= build_field(seed=seed)
            from gridgov.demo.party import build_party

            result.records |= build_party(seed=seed)
            from gridgov.demo.command import subscribe_leader

            result.records |= subscribe_leader()
    result.areas = {key: len(value) for key, value in areas.items()}
    return result
