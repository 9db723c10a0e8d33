"""`gridgov demo_residents --count N`: N more generated residents in the demo city, in new
compounds, buildings and village houses of its grids, as a city's registry would hold them:
households of one to five with a head (户主), some rented or left vacant, some people moved
out or deceased with the change recorded, and special groups as care tags with visits due
(some overdue) and reviews. Everything is marked `is_generated`.

PostgreSQL gets the rows by COPY, with ids drawn from each table's own sequence (a million
residents in a few minutes); other databases by `bulk_create`. A second run adds more: ID
numbers, household numbers and compound names continue after those already written.
"""

import datetime as dt
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from shapely.geometry import Point, shape

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.care.models import CareTag, ResidentTag
from gridgov.demo import names
from gridgov.demo.city import DISTRICT_CODE
from gridgov.demo.partition import random_points_inside
from gridgov.registry import models as r

# Residents written per transaction: a batch's objects are dropped once written.
BATCH = 20_000
SPOTS_PER_GRID = 40
# Share of people in each group beyond the elderly living alone (who follow from age and
# household size); the three sensitive groups are rare, as they are in a real community.
GROUP_SHARES = [
    ("disabled", 0.02, None),
    ("dibao", 0.015, None),
    ("low_income", 0.015, None),
    ("veteran", 0.012, (30, 90)),
    ("left_behind_child", 0.03, (0, 15)),
    ("key_care", 0.005, None),
    ("community_correction", 0.001, (18, 70)),
    ("drug_rehab", 0.0005, (18, 60)),
    ("mental_illness", 0.002, (16, 90)),
]
RELATIONS = ["配偶", "子女", "子女", "父母", "孙子女", "兄弟姐妹", "其他"]
ELSEWHERE = ["昆明市五华区", "大理市", "玉龙县", "永胜县", "成都市武侯区", "广州市天河区", "外省"]


@dataclass
class Grid:
    area: Area
    prefix: str  # the address up to the community: 丽江市古城区西安街道文汇社区
    urban: bool
    spots: list
    worker_id: int | None
    serial: int  # the last household number's serial in this grid
    compound_names: set[str] = field(default_factory=set)
    door: int = 200  # village houses continue after the demo's 1–200号


@dataclass
class Batch:
    compounds: list = field(default_factory=list)
    buildings: list = field(default_factory=list)
    households: list = field(default_factory=list)
    residents: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    changes: list = field(default_factory=list)


class Generator:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.tags = {t.key: t for t in CareTag.objects.all()}
        self.used_ids = set(r.Resident.objects.values_list("id_number", flat=True).iterator())
        self.batch = Batch()

    def grids(self) -> list[Grid]:
        areas = {a.id: a for a in Area.objects.filter(path__startswith=f"/{DISTRICT_CODE}/")}
        serials = dict(
            r.Household.objects.values("area_id")
            .annotate(top=Max("number"))
            .values_list("area_id", "top")
        )
        workers = dict(
            User.objects.filter(username__startswith="gw", area__kind="grid")
            .order_by("-username")
            .values_list("area_id", "id")
        )
        compound_names = defaultdict(set)
        for area_id, name in r.Compound.objects.values_list("area_id", "name").iterator():
            compound_names[area_id].add(name)
        grids = []
        for area in sorted((a for a in areas.values() if a.kind == "grid"), key=lambda a: a.code):
            community = areas[area.parent_id]
            street = areas[community.parent_id]
            short = community.name.removesuffix("居委会").removesuffix("委会")
            top = serials.get(area.id) or ""
            grids.append(
                Grid(
                    area=area,
                    prefix=f"丽江市古城区{street.name}{short}",
                    urban="社区" in community.name,
                    spots=random_points_inside(shape(area.geometry), SPOTS_PER_GRID, self.rng),
                    worker_id=workers.get(area.id),
                    serial=int(top[len(area.code) :] or 0) if top.startswith(area.code) else 0,
                    compound_names=compound_names[area.id],
                )
            )
        return grids

    def _placed(self, grid: Grid, address: str, spot=None) -> dict:
        if spot is None:  # somewhere near one of the grid's spots (±40 m)
            near = self.rng.choice(grid.spots)
            spot = Point(
                near.x + self.rng.uniform(-0.0004, 0.0004),
                near.y + self.rng.uniform(-0.0004, 0.0004),
            )
        return {
            "area": grid.area,
            "lon": round(spot.x, 6),
            "lat": round(spot.y, 6),
            "address": address,
            "is_generated": True,
        }

    def compound(self, grid: Grid) -> list[tuple[r.Building | None, str, str]]:
        """A new compound with its buildings: the (building, address, room) of each flat."""
        rng = self.rng
        base = f"{rng.choice(names.COMPOUND_WORDS)}{rng.choice(names.COMPOUND_SUFFIX)}"
        name, phase = base, 1
        while name in grid.compound_names:
            phase += 1
            name = f"{base}{phase}期"
        grid.compound_names.add(name)
        status = rng.choices(["managed", "community", "none"], weights=[5, 2, 3])[0]
        compound = r.Compound(
            name=name,
            property_status=status,
            property_company="丽江物业服务有限公司" if status == "managed" else "",
            **self._placed(grid, f"{grid.prefix}{name}"),
        )
        self.batch.compounds.append(compound)
        flats = []
        for number in range(1, rng.randint(3, 9) + 1):
            floors = rng.choice([4, 5, 6, 6, 7, 11, 18])
            building = r.Building(
                compound=compound,
                name=f"{number}栋",
                floors=floors,
                **self._placed(grid, f"{compound.address}{number}栋"),
            )
            self.batch.buildings.append(building)
            doors = rng.randint(2, 4)
            for floor in range(1, floors + 1):
                for door in range(1, doors + 1):
                    room = f"{floor}{door:02d}"
                    flats.append((building, f"{building.address}{room}室", room))
        return flats

    def household(self, grid: Grid, building, address: str, room: str) -> int:
        """One household and its people; returns how many people were written."""
        rng = self.rng
        grid.serial += 1
        occupancy = rng.choices(["owner", "rented", "vacant"], weights=[84, 12, 4])[0]
        # A flat stands where its building does.
        spot = None if building is None else Point(building.lon, building.lat)
        household = r.Household(
            building=building,
            number=f"{grid.area.code}{grid.serial:06d}",
            room=room,
            occupancy=occupancy,
            **self._placed(grid, address, spot),
        )
        place = {k: getattr(household, k) for k in ("area", "lon", "lat", "address")}
        self.batch.households.append(household)
        since = self.today - dt.timedelta(days=rng.randrange(30, 365 * 20))
        size = rng.choices([1, 2, 3, 4, 5], weights=[2, 4, 4, 3, 1])[0]
        surname = rng.choice(names.SURNAMES)
        people = []
        for n in range(size):
            id_number, birth = names.id_number(rng, DISTRICT_CODE, self.used_ids)
            age = self.today.year - birth.year
            status = "living"
            if occupancy == "vacant":
                status = "moved_out"
            elif n and rng.random() < 0.06:
                status = rng.choices(["moved_out", "deceased"], weights=[4, 1 if age > 60 else 0])[
                    0
                ]
            resident = r.Resident(
                household=household,
                name=(surname if n < 2 else surname) + names.person_name(rng)[1:],
                id_number=id_number,
                phone=names.mobile(rng) if 16 <= age <= 80 and rng.random() < 0.92 else "",
                birth_date=birth,
                gender="M" if int(id_number[16]) % 2 else "F",
                residence="floating"
                if rng.random() < (0.6 if occupancy == "rented" else 0.1)
                else "registered",
                relation="户主" if n == 0 else rng.choice(RELATIONS),
                status=status,
                is_generated=True,
                **place,
            )
            people.append(resident)
            self.batch.residents.append(resident)
            self._change(household, resident, "registered", since, grid)
            if status != "living":
                kind = "moved_out" if status == "moved_out" else "died"
                other = rng.choice(ELSEWHERE) if kind == "moved_out" else ""
                on = since + dt.timedelta(days=rng.randrange(0, (self.today - since).days))
                self._change(household, resident, kind, on, grid, other_place=other)
            else:
                self._tags(resident, age, size, grid)
        if occupancy != "owner":
            self._change(household, None, occupancy, since, grid)
        head = people[0] if people[0].status == "living" else None
        household.head = head
        return size

    def _change(self, household, resident, kind, on, grid, other_place="") -> None:
        self.batch.changes.append(
            r.HouseholdChange(
                household=household,
                resident=resident,
                area=grid.area,
                kind=kind,
                happened_on=on,
                other_place=other_place,
                recorded_by_id=grid.worker_id,
                recorded_at=self.now,
            )
        )

    def _tags(self, resident, age: int, size: int, grid: Grid) -> None:
        rng = self.rng
        keys = ["elderly_alone"] if age >= 70 and size == 1 else []
        for key, share, ages in GROUP_SHARES:
            if (ages is None or ages[0] <= age <= ages[1]) and rng.random() < share:
                keys.append(key)
        for key in keys:
            tag = self.tags[key]
            since = self.today - dt.timedelta(days=rng.randrange(10, 2000))
            visited = None
            visit_due = None
            if tag.visit_every_days:
                # Most are visited on time; about one in eight is overdue.
                late = tag.visit_every_days * (2 if rng.random() < 0.12 else 1)
                visited = self.today - dt.timedelta(days=rng.randrange(0, late))
                visit_due = visited + dt.timedelta(days=tag.visit_every_days)
            self.batch.tags.append(
                ResidentTag(
                    resident=resident,
                    tag=tag,
                    area=grid.area,
                    details=self._details(key, resident),
                    since=since,
                    review_due=self.today
                    + dt.timedelta(days=rng.randrange(-20, tag.review_every_days)),
                    last_visit_at=None
                    if visited is None
                    else dt.datetime.combine(visited, dt.time(10), tzinfo=dt.UTC),
                    visit_due=visit_due,
                )
            )

    def _details(self, key: str, resident) -> dict:
        rng = self.rng
        if key == "community_correction":
            return {"term_ends": str(self.today + dt.timedelta(days=rng.randrange(30, 900)))}
        if key == "mental_illness":
            return {"risk_level": f"{rng.randrange(0, 4)}级", "guardian": names.person_name(rng)}
        if key == "left_behind_child":
            return {"guardian": resident.name[0] + names.person_name(rng)[1:]}
        if key == "disabled":
            return {"grade": rng.choice(["一级", "二级", "三级", "四级"])}
        return {}


def residents_generate(*, count: int, seed: int | None = None) -> int:
    """Add about `count` residents (whole households: a few more, never fewer) to the
    demo city's grids, urban grids three times as dense as the villages'.

    Precondition: the demo city is loaded (`gridgov demo`), with its care groups."""
    if count <= 0:
        return 0
    rng = random.Random(seed)
    generator = Generator(rng, timezone.localdate())
    grids = generator.grids()
    if not grids:
        raise ValueError("Load the demo city first (gridgov demo).")
    weights = [3 if g.urban else 1 for g in grids]
    quota = {id(g): count * w / sum(weights) for g, w in zip(grids, weights, strict=True)}
    written = 0
    for grid in grids:
        placed = 0
        while placed < quota[id(grid)] and written + placed < count:
            if grid.urban:
                flats = generator.compound(grid)
            else:
                grid.door += 1
                flats = [(None, f"{grid.prefix}{grid.door}号", "")]
            for building, address, room in flats:
                if placed >= quota[id(grid)] or written + placed >= count:
                    break
                placed += generator.household(grid, building, address, room)
        written += placed
        if len(generator.batch.residents) >= BATCH:
            _write(generator.batch)
            generator.batch = Batch()
    _write(generator.batch)
    return written


def _write(batch: Batch) -> None:
    order = [
        (r.Compound, batch.compounds),
        (r.Building, batch.buildings),
        (r.Household, batch.households),
        (r.Resident, batch.residents),
        (ResidentTag, batch.tags),
        (r.HouseholdChange, batch.changes),
    ]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            for model, objects in order:
                _ids_take(model, objects)
            for model, objects in order:
                _copy(model, objects)
            return
        heads = [(h, h.head) for h in batch.households]
        for household, _head in heads:
            household.head = None
        for model, objects in order:
            model.objects.bulk_create(objects, batch_size=500)
        for household, head in heads:
            household.head = head
        r.Household.objects.bulk_update(batch.households, ["head"], batch_size=500)


def _ids_take(model, objects: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk


def _copy(model, objects: list) -> None:
    """COPY the rows; foreign keys may point forward (a household's head): Django's
    constraints are deferred to the commit."""
    if not objects:
        return
    now = timezone.now()
    with connection.cursor() as cursor:
        # A column added by a later migration not yet applied here is left to its default.
        present = {
            c.name
            for c in connection.introspection.get_table_description(cursor, model._meta.db_table)
        }
    fields = [f for f in model._meta.concrete_fields if not f.generated and f.column in present]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([_value(obj, f, now) for f in fields])


def _value(obj, field, now):
    if field.is_relation and field.is_cached(obj):
        target = field.get_cached_value(obj)
        return None if target is None else target.pk
    value = getattr(obj, field.attname)
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return value or now
    if field.get_internal_type() == "JSONField":
        return json.dumps(value, ensure_ascii=False)
    return value


class Command(BaseCommand):
    help = (
        "Add about N generated residents (whole households, in new compounds, buildings and "
        "village houses, with special groups as care tags) to the demo city (COPY on "
        "PostgreSQL): the registry at a city's volume."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, count: int, seed: int | None, **options):
        if count < 1:
            raise CommandError(f"--count must be 1 or more, not {count}.")
        started = time.perf_counter()
        try:
            written = residents_generate(count=count, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Added {written} residents in {elapsed:.1f} s "
            f"({written / elapsed if elapsed else 0:.0f}/s); the registry now holds "
            f"{r.Resident.objects.count()} residents in {r.Household.objects.count()} households."
        )
