"""Demo events: a few hundred reports in every state of the loop, made through the services
(so every step is on each event's timeline). They say they are generated.

Most are spread over their grid; a few places are hotspots where one kind of problem keeps
coming back over the last two months (a market lane's street vendors, a crossing that floods
after rain …), so the hotspot map and the recurring problems have something true to show
(decision 0037). Those are reported through the services too, then moved back in time as a
whole (every timestamp of the event and its timeline by the same amount), and the rollups
are rebuilt once at the end so the rates agree with the events."""

import datetime as dt
import io
import random

import h3
from django.db.models import F
from django.utils import timezone
from PIL import Image
from shapely.geometry import Point, shape

from gridgov.accounts.models import User
from gridgov.analytics.models import RootTreatment
from gridgov.analytics.services import rollups_rebuild
from gridgov.areas import hexes
from gridgov.areas.models import Area
from gridgov.events.models import Event, Subclass, TimelineEntry
from gridgov.events.photos import photo_store
from gridgov.events.services import event_act, event_report

TEXTS = {
    "0102": "路边垃圾堆放，无人清运",
    "0104": "路面油污，行人易滑倒",
    "0201": "墙上贴满小广告",
    "0404": "下水道堵塞，污水外溢",
    "0501": "流动摊贩占道经营",
    "0502": "商铺店外经营占用人行道",
    "0504": "机动车乱停放堵住巷道",
    "1102": "路灯不亮，晚上很黑",
    "1402": "楼道电动车飞线充电",
    "1501": "邻里因噪音发生纠纷",
    "1901": "古城民居私自改变外立面",
    "2201": "暴雨后路口积水",
}
# The hotspots' loop (the grid cases have theirs in worker_cases.py).
FULL = ["accept", "dispatch", "accept_task", "feedback", "verify_pass", "close", "evaluate"]


def _photo(rng: random.Random, user) -> str:
    buffer = io.BytesIO()
    Image.new(
        "RGB", (320, 240), (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200))
    ).save(buffer, format="JPEG")
    return photo_store(user=user, name="demo.jpg", content=buffer.getvalue()).ref


def build_events(rng: random.Random, count: int = 240) -> int:
    """The grid cases (worker_cases.py), the hotspots, the command wall's material and the
    departments' returns, then the rollups rebuilt once from the events."""
    from gridgov.demo.command import build_command_wall  # it builds on this module
    from gridgov.demo.returns import build_returns
    from gridgov.demo.worker_cases import build_worker_cases

    count = build_worker_cases(rng, count)
    count += build_hotspots(rng)
    count += build_command_wall()  # departments' cases, camera alerts, whistles, alarms
    count += build_returns(rng)
    rollups_rebuild()  # the hotspots' and the wall's events were moved back after their steps
    return count


def _point_in(rng: random.Random, grid: Area) -> Point:
    """A random point of the grid (a few tries inside its bounds, else a point surely in it)."""
    geometry = shape(grid.geometry)
    minx, miny, maxx, maxy = geometry.bounds
    for _ in range(20):
        point = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if geometry.contains(point):
            return point
    return geometry.representative_point()


def _walk(rng, event, depth, *, operator, worker, reporter) -> None:
    """The event `depth` steps along FULL. The grid worker takes and handles; the center
    files, dispatches to them by name, verifies (not the one who handled it) and closes. The
    reporter rates, or the center records the rating from a callback (回访) to a worker's own
    report."""
    for action in FULL[:depth]:
        actor = worker if action in ("accept_task", "feedback") else operator
        data = {}
        if action == "dispatch":
            data["assignee_id"] = worker.pk
        if action == "feedback":
            data["photos"] = [_photo(rng, actor)]
        if action == "evaluate":
            if reporter.username == "resident":
                actor = reporter
            else:
                action = "evaluate_callback"
            data["satisfaction"] = rng.choices(
                ["satisfied", "basically", "dissatisfied"], weights=[8, 2, 1]
            )[0]
        event_act(user=actor, event_id=event.pk, action=action, comment="演示处理", data=data)


# The hotspots: (street name, subclass, description, days ago of each report, root
# treatment). A treatment is (days ago, what was done): after the last report, the place is
# "treated"; between reports, the problem "came back" after it.
HOTSPOTS = [
    (
        "大研",
        "0501",
        "四方街巷口流动摊贩占道经营",
        [58, 53, 47, 41, 36, 30, 27, 24, 19, 13, 10, 8, 4, 1],
        None,
    ),
    ("大研", "1901", "古城民居私自改变外立面", [50, 38, 27, 15, 3], None),
    ("束河", "0504", "古镇停车场出口机动车乱停放", [44, 39, 33, 26, 20, 14, 9, 2], None),
    ("西安", "0102", "菜市场后门垃圾堆放无人清运", [35, 30, 26, 21, 16, 11, 6, 2], None),
    (
        "祥和",
        "2201",
        "祥和路口暴雨后严重积水",
        [57, 49, 41, 34, 27, 5],
        (20, "疏通雨水管网、加装截水沟"),
    ),
    ("金山", "1102", "金山小区门口路灯不亮", [29, 22, 16], (10, "更换整段线路和灯具")),
    ("开南", "0404", "开南小区下水道堵塞，污水外溢", [40, 33, 26, 19, 12, 6], None),
]


def build_hotspots(rng: random.Random) -> int:
    """The places of HOTSPOTS, each at one spot of the street's second grid (one H3 cell),
    reported oldest first and moved back in time one by one, so that the duplicate check of
    each new report never sees the earlier ones."""
    operator = User.objects.get(username="operator")
    leader = User.objects.get(username="leader")
    workers = {
        u.area_id: u for u in User.objects.filter(username__startswith="gw").order_by("username")
    }
    made = 0
    for street_name, code, text, ages, treatment in HOTSPOTS:
        street = Area.objects.get(kind="street", name__startswith=street_name)
        grid = Area.objects.filter(kind="grid", path__startswith=street.path).order_by("code")[1]
        spot, jitter = _spot_in(grid)
        last = None
        for age in sorted(ages, reverse=True):
            lon = spot.x + rng.uniform(-jitter, jitter)
            lat = spot.y + rng.uniform(-jitter, jitter)
            worker = workers[grid.pk]
            reporter = rng.choice([worker, worker, User.objects.get(username="resident")])
            event = event_report(
                user=reporter,
                data={
                    "subclass": code,
                    "description": f"{text}（演示数据）",
                    "lon": lon,
                    "lat": lat,
                    "address": grid.name,
                },
                source="worker" if reporter == worker else "resident",
            )
            worker = workers.get(event.area_id, worker)  # the grid the point fell in
            # Older reports went round the loop; the latest few are still being handled.
            depth = 6 if age > 3 else rng.choice([1, 2, 3])
            _walk(rng, event, depth, operator=operator, worker=worker, reporter=reporter)
            _move_back(event.pk, dt.timedelta(days=age, hours=rng.uniform(0, 8)))
            last = event
            made += 1
        if treatment and last is not None:
            days_ago, note = treatment
            RootTreatment.objects.create(
                place=hexes.cell_of(spot.x, spot.y) if last.h3_cell is None else last.h3_cell,
                subclass=Subclass.objects.get(code=code),
                area_id=last.area_id,
                treated_at=timezone.now() - dt.timedelta(days=days_ago),
                treated_by=leader,
                events=len([a for a in ages if a >= days_ago]),
                note=f"{note}（演示数据）",
            )
    return made


def _spot_in(grid: Area) -> tuple[Point, float]:
    """(spot, jitter in degrees): the centre of an H3 cell inside the grid (the cell of its
    representative point or a neighbour's), where reports a couple of metres apart stay in
    one cell and in the grid; else the representative point itself, reported exactly there
    (the old town's grids are narrow lanes)."""
    geometry = shape(grid.geometry)
    inside = geometry.representative_point()
    origin = h3.latlng_to_cell(inside.y, inside.x, hexes.RESOLUTION)
    for cell in [origin, *sorted(h3.grid_disk(origin, 2))]:
        lat, lon = h3.cell_to_latlng(cell)
        if geometry.contains(Point(lon, lat).buffer(0.00006)):
            return Point(lon, lat), 0.00002
    return inside, 0.0


def _move_back(event_id: int, delta: dt.timedelta) -> None:
    """Every timestamp of the event and of its timeline earlier by `delta` (NULLs stay)."""
    fields = [
        "reported_at",
        "stage_started_at",
        "stage_due_at",
        "accept_due_at",
        "dispatch_due_at",
        "accepted_at",
        "dispatched_at",
        "handled_at",
        "closed_at",
        "handle_due_at",
        "pending_until",
    ]
    Event.objects.filter(pk=event_id).update(**{name: F(name) - delta for name in fields})
    TimelineEntry.objects.filter(event_id=event_id).update(at=F("at") - delta)
