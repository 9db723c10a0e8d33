"""What the command wall (decision 0039) shows beside the demo's grid events, so that no
panel of /screen/ stands empty: cases dispatched to departments and handled by them (the
departments' ranking), a few camera alerts of the last days with their snapshot and a
stream, two whistles still waiting for the summoned departments, urgent events still open
and events past their deadline (both halves of the alarm strip).

Everything is made through the services, as a person or a camera platform would, then
moved back in time as a whole where it is "older" (events.py's `_move_back`); the caller
rebuilds the rollups once afterwards. Every description says it is demo data."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.utils import timezone
from PIL import Image, ImageDraw
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area, Department
from gridgov.demo.events import _move_back, _photo, _point_in
from gridgov.events.models import Event, Source
from gridgov.events.services import event_act, event_report
from gridgov.events.services.whistles import summons_act, summons_check_in, whistle_blow
from gridgov.registry.services import record_create

DISTRICT = "530702"
DEMO = "（演示数据）"
SQUAD = "综合执法中队"
# The loop of a case a department handles: the center files and dispatches to the
# department, its handler takes it and reports it done, the center verifies and closes,
# the reporter rates (or the center records the rating from a callback, 回访).
LOOP = ["accept", "dispatch", "take", "feedback", "verify_pass", "close", "evaluate"]
REWORKED = ["accept", "dispatch", "take", "feedback", "verify_fail", "feedback", "verify_pass"]
REWORKED += ["close", "evaluate"]

# (department, street the cases lie in, subclass, what was reported, [(days ago, steps)]).
# `steps` is how far along LOOP the case went, "rework" the loop with one failed check, and
# "late" a case taken and still in the department's hands past its handling deadline.
DEPARTMENT_CASES = [
    (
        "区城市管理综合行政执法局",
        "西安",
        "0404",
        "小区下水道堵塞，污水外溢",
        [(0, 7), (2, 7), (5, 6), (9, 7), (1, 3), (0, "late")],
    ),
    (
        "区住房和城乡建设局",
        "祥和",
        "1402",
        "楼道电动车飞线充电，存在火灾隐患",
        [(1, 7), (4, "rework"), (8, 6), (0, 2), (3, "late")],
    ),
    (
        f"大研街道{SQUAD}",
        "大研",
        "0502",
        "商铺店外经营占用人行道",
        [(0, 7), (3, 7), (6, 7), (2, 4)],
    ),
    (
        "束河街道派出所",
        "束河",
        "1501",
        "邻里因噪音发生纠纷，需调解",
        [(1, 7), (7, "rework"), (0, 1)],
    ),
]

# (street, subclass, what the camera saw, hours ago, steps along LOOP): the newest alerts.
CAMERA_ALERTS = [
    ("大研", "2001", "消防通道被车辆堵塞", 2, 1),
    ("束河", "0504", "停车场出口机动车乱停放", 19, 2),
    ("金山", "0102", "路边垃圾堆放，无人清运", 29, 3),
    ("西安", "0501", "流动摊贩占道经营", 53, 6),
]
STREAM = "https://video.gucheng.example/live/{code}.m3u8"  # a reserved domain: says it is a demo

# Urgent matters still open: (street, subclass, what was reported, urgency, steps).
URGENT_CASES = [
    ("文化", "0403", "小区门口闻到燃气味，疑似燃气泄漏", "critical", 2),
    ("开南", "1401", "老旧民房外墙开裂，有倒塌危险", "urgent", 1),
]


def build_command_wall(seed: int = 530702) -> int:
    """The wall's material (see the module); returns the number of events made."""
    rng = random.Random(seed + 39)  # its own stream: the rest of the demo is unchanged
    people = _People()
    made = _department_cases(rng, people)
    made += _camera_alerts(rng, people)
    made += _urgent_cases(rng, people)
    return made


class _People:
    """Who acts in the demo: the center, a resident, the street's staff, each department's
    handler (the demo's `dept_handler` for the city-management bureau; one more per other
    department, with the same demo password)."""

    def __init__(self) -> None:
        self.operator = User.objects.get(username="operator")
        self.resident = User.objects.get(username="resident")
        self.admin = User.objects.get(username="admin")
        self._handlers: dict[int, User] = {}

    def handler(self, department: Department) -> User:
        if department.pk not in self._handlers:
            user = User.objects.filter(
                role=Role.DEPARTMENT_HANDLER, department=department, is_active=True
            ).first()
            if user is None:
                template = User.objects.get(username="dept_handler")
                user = User.objects.create(
                    username=f"dept{department.pk}",
                    first_name="经办",
                    last_name=department.sector[:1] or "王",
                    role=Role.DEPARTMENT_HANDLER,
                    area=department.area,
                    department=department,
                    is_staff=True,
                    password=template.password,  # demo1234, without hashing it again
                )
            self._handlers[department.pk] = user
        return self._handlers[department.pk]


def _grids(street_name: str) -> list[Area]:
    street = Area.objects.get(
        kind="street", path__startswith=f"/{DISTRICT}/", name__startswith=street_name
    )
    return list(Area.objects.filter(kind="grid", path__startswith=street.path).order_by("code"))


def _report(rng, people: _People, grid: Area, code: str, text: str, **extra) -> Event:
    """A resident's report or a hotline call (12345) taken by the center, at a point of the grid."""
    point = _point_in(rng, grid)
    hotline = rng.random() < 0.4
    return event_report(
        user=people.operator if hotline else people.resident,
        data={
            "subclass": code,
            "description": f"{text}{DEMO}",
            "lon": point.x,
            "lat": point.y,
            "address": grid.name,
            **extra,
        },
        source=Source.HOTLINE if hotline else Source.RESIDENT,
    )


def _walk(rng, event: Event, steps: list[str], people: _People, handler: User | None) -> Event:
    for action in steps:
        actor, data, comment = people.operator, {}, "演示处理"
        if action == "dispatch":  # to the handler's department, else where the routing says
            data = {"department_id": handler.department_id} if handler else {}
        if action in ("take", "feedback"):
            actor = handler
        if action == "feedback":
            data["photos"] = [_photo(rng, actor)]
        if action == "verify_fail":
            comment = "现场核查仍未整改到位（演示）"
        if action == "evaluate":
            if event.reporter_id == people.resident.pk:
                actor = people.resident
            else:
                action = "evaluate_callback"
            data["satisfaction"] = rng.choices(
                ["satisfied", "basically", "dissatisfied"], weights=[7, 2, 1]
            )[0]
        event = event_act(user=actor, event_id=event.pk, action=action, comment=comment, data=data)
    return event


def _days_back(now: dt.datetime, days: int, rng) -> dt.timedelta:
    """`days` ago, but inside this month: the wall ranks departments for the month."""
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    room = now - month_start
    wanted = dt.timedelta(days=days, hours=rng.uniform(0, 6))
    return min(wanted, room * 0.9)


def _past_deadline(event: Event, now: dt.datetime, rng) -> dt.timedelta:
    """Far enough back that the event's current stage is overdue by a few hours to a day."""
    return (event.stage_due_at - now) + dt.timedelta(hours=rng.uniform(3, 26))


def _department_cases(rng, people: _People) -> int:
    made = 0
    for name, street_name, code, text, cases in DEPARTMENT_CASES:
        department = Department.objects.get(name=name)
        handler = people.handler(department)
        grids = _grids(street_name)
        for days, plan in cases:
            event = _report(rng, people, rng.choice(grids), code, text)
            steps = {"rework": REWORKED, "late": LOOP[:3]}.get(plan) or LOOP[:plan]
            event = _walk(rng, event, steps, people, handler)
            now = timezone.now()
            if plan == "late" and event.stage_due_at is not None:
                _move_back(event.pk, _past_deadline(event, now, rng))
            elif days:
                _move_back(event.pk, _days_back(now, days, rng))
            made += 1
    return made + _whistles(rng, people)


def _whistles(rng, people: _People) -> int:
    """西安's staff whistle (吹哨) the district's bureaus on two open cases: one bureau on
    site and acting, the others not yet checked in; none has reported back."""
    street_staff = User.objects.get(username="street_staff")
    xian = street_staff.area
    bureaus = {d.name: d for d in Department.objects.filter(area__code=DISTRICT)}
    grids = _grids(xian.name[:2])
    plans = [
        (
            "0404",
            "雨水管网堵塞，多次疏通无效",
            ["区城市管理综合行政执法局", "区住房和城乡建设局"],
            1,
        ),
        ("0102", "背街小巷垃圾长期堆放", ["区环境卫生管理站"], 0),
    ]
    for code, text, names, acted in plans:
        event = _report(rng, people, rng.choice(grids), code, text)
        event = _walk(rng, event, ["accept", "dispatch"], people, None)
        whistle = whistle_blow(
            user=street_staff,
            event_id=event.pk,
            level="street",
            department_ids=[bureaus[n].pk for n in names],
            reason=f"街道无法单独解决，需要区级部门联合处置{DEMO}",
        )
        for summons in list(whistle.summonses.select_related("department").order_by("pk"))[:acted]:
            handler = people.handler(summons.department)
            summons_check_in(user=handler, summons_id=summons.pk)
            summons_act(user=handler, summons_id=summons.pk, note=f"已到场查看，制定方案{DEMO}")
    return len(plans)


def _snapshot(rng, camera_code: str, at: dt.datetime) -> bytes:
    """A camera frame: a grey street scene with the camera's code and time burnt in."""
    image = Image.new("RGB", (480, 270), (70, 74, 78))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 170, 480, 270), fill=(96, 98, 100))  # the road
    for _ in range(4):
        x = rng.randint(20, 400)
        draw.rectangle((x, 150, x + 60, 185), fill=tuple(rng.randint(90, 220) for _ in range(3)))
    stamp = f"{camera_code}  {timezone.localtime(at):%Y-%m-%d %H:%M:%S}"
    draw.rectangle((0, 0, 480, 22), fill=(0, 0, 0))
    draw.text((8, 5), stamp, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def _camera_alerts(rng, people: _People) -> int:
    """Cameras registered with a stream, each sending an alert as the signed webhook does
    (events/alerts.py: `extra.camera_id` names the registered camera) with its snapshot
    stored as the event's photo; the center then takes each some way along the loop."""
    made = 0
    for number, (street_name, code, text, hours_ago, depth) in enumerate(CAMERA_ALERTS, start=1):
        grid = _grids(street_name)[number]
        spot = shape(grid.geometry).representative_point()
        camera_code = f"DEMO-XL-{grid.code}"
        camera = record_create(
            user=people.admin,
            kind_key="cameras",
            data={
                "code": camera_code,
                "name": f"{grid.name}雪亮工程监控点",
                "kind": "xueliang",
                "stream_url": STREAM.format(code=camera_code),
                "lon": round(spot.x, 6),
                "lat": round(spot.y, 6),
                "address": f"{street_name}{grid.name}",
            },
        )
        at = timezone.now() - dt.timedelta(hours=hours_ago)
        event = event_report(
            user=None,
            data={
                "subclass": code,
                "description": f"摄像头{camera.name}告警：{text}{DEMO}",
                "lon": camera.lon,
                "lat": camera.lat,
                "address": camera.address,
                "extra": {
                    "camera_id": camera.code,
                    "alert_source": "xueliang-demo",
                    "time": timezone.localtime(at).isoformat(),
                    "snapshot_url": "",
                },
            },
            source=Source.CAMERA,
            photo_files=[("snapshot.jpg", _snapshot(rng, camera.code, at))],
        )
        worker = User.objects.filter(role=Role.GRID_WORKER, area_id=event.area_id).first()
        steps = LOOP[:depth]
        for action in steps:
            actor, data = people.operator, {}
            if action == "dispatch":
                data = {"assignee_id": worker.pk}
            if action in ("take", "feedback"):
                actor = worker
            if action == "feedback":
                data["photos"] = [_photo(rng, worker)]
            event_act(user=actor, event_id=event.pk, action=action, comment="演示处理", data=data)
        _move_back(event.pk, dt.timedelta(hours=hours_ago))
        made += 1
    return made


def _urgent_cases(rng, people: _People) -> int:
    """Urgent calls still open: filed and dispatched to the department the routing names."""
    made = 0
    for street_name, code, text, urgency, depth in URGENT_CASES:
        event = _report(rng, people, rng.choice(_grids(street_name)), code, text, urgency=urgency)
        _walk(rng, event, LOOP[:depth], people, None)
        made += 1
    return made


def subscribe_leader() -> dict[str, int]:
    """The district leader takes the district's monthly report in their inbox (the hourly
    task makes last month's report and tells them)."""
    from gridgov.reports.services import subscription_set

    subscription_set(
        user=User.objects.get(username="leader"), area_code=DISTRICT, kind="month", subscribed=True
    )
    return {"report subscriptions": 1}
