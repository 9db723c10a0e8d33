"""Demo events: a few hundred reports in every state of the loop, made through the services
(so every step is on each event's timeline). They say they are generated."""

import io
import random

from PIL import Image
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.areas.models import Area
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
FULL = ["accept", "dispatch", "take", "feedback", "verify_pass", "close", "evaluate"]
# How far along the loop demo events go: every state of the queue has some.
DEPTHS = [0, 1, 2, 3, 4, 6, 7, 7, 7]


def _photo(rng: random.Random, user) -> str:
    buffer = io.BytesIO()
    Image.new(
        "RGB", (320, 240), (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200))
    ).save(buffer, format="JPEG")
    return photo_store(user=user, name="demo.jpg", content=buffer.getvalue()).ref


def build_events(rng: random.Random, count: int = 240) -> int:
    operator = User.objects.get(username="operator")
    resident = User.objects.get(username="resident")
    grids = list(Area.objects.filter(kind="grid", path__startswith="/530702/").order_by("code"))
    workers = {
        u.area_id: u for u in User.objects.filter(username__startswith="gw").order_by("username")
    }
    for _ in range(count):
        grid = rng.choice(grids)
        worker = workers[grid.pk]
        code = rng.choice(list(TEXTS))
        point = shape(grid.geometry).representative_point()
        reporter = rng.choice([resident, worker])
        event = event_report(
            user=reporter,
            data={
                "subclass": code,
                "description": f"{TEXTS[code]}（演示数据）",
                "lon": point.x,
                "lat": point.y,
                "address": grid.name,
            },
            source="resident" if reporter == resident else "worker",
        )
        depth = rng.choice(DEPTHS)
        if depth and rng.random() < 0.05:
            event_act(
                user=operator, event_id=event.pk, action="reject", comment="不属于网格事项（演示）"
            )
            continue
        for action in FULL[:depth]:
            # The grid worker takes and handles; the center files, dispatches to them by name,
            # verifies (not the one who handled it) and closes. The reporter rates, or the
            # center records the rating from a callback (回访) to a worker's own report.
            actor = worker if action in ("take", "feedback") else operator
            data = {}
            if action == "dispatch":
                data["assignee_id"] = worker.pk
            if action == "feedback":
                data["photos"] = [_photo(rng, actor)]
            if action == "evaluate":
                if reporter == resident:
                    actor = resident
                else:
                    action = "evaluate_callback"
                data["satisfaction"] = rng.choices(
                    ["satisfied", "basically", "dissatisfied"], weights=[8, 2, 1]
                )[0]
            event_act(user=actor, event_id=event.pk, action=action, comment="演示处理", data=data)
    return count
