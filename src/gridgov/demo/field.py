"""The demo's field work: worker positions, patrol plans, policies, smart codes and a canvass
campaign, so the big screen, dispatch, the scan pages and the worker app have something to
show. Everything here is generated; positions are refreshed by `gridgov demo_positions`."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.areas.models import Area, GridWorker
from gridgov.demo.patrols import build_patrols
from gridgov.dispatch.models import PositionSample, WorkerPosition
from gridgov.registry.models import Point
from gridgov.smartcodes.models import PatrolPlan, Policy
from gridgov.smartcodes.services import codes_issue

DISTRICT = "530702"
WENHUI = "530702001002"

POLICIES = [
    (
        "",
        "网格员联系方式",
        "遇到问题可扫码上报，或拨打社区网格服务电话，网格员将在规定时限内响应。",
    ),
    ("businesses", "个体工商户服务", "营业执照办理、变更与年报，可到街道便民服务中心“一窗通办”。"),
    ("rentals", "出租房屋登记须知", "出租房屋应在租客入住后 3 日内向社区登记租客信息。"),
    ("compounds", "物业服务投诉渠道", "对物业服务不满意，可向社区“红色物业”联络员反映。"),
]
PLANS = [("businesses", 7), ("rentals", 3), ("markets", 1), ("compounds", 14)]


def positions_refresh(*, seed: int = 530702, now: dt.datetime | None = None) -> int:
    """Put every demo grid worker somewhere in their grid, on duty, as of now."""
    rng = random.Random(seed)
    now = now or timezone.now()
    spots = {}
    for area in Area.objects.filter(kind="grid", path__startswith=f"/{DISTRICT}/"):
        spots[area.pk] = shape(area.geometry).representative_point()
    rows = []
    for grid_id, user_id in GridWorker.objects.filter(grid_id__in=spots).values_list(
        "grid_id", "user_id"
    ):
        point = spots[grid_id]
        rows.append((user_id, point.x + rng.gauss(0, 0.0015), point.y + rng.gauss(0, 0.0015)))
    with transaction.atomic():
        WorkerPosition.objects.filter(user_id__in=[r[0] for r in rows]).delete()
        WorkerPosition.objects.bulk_create(
            [WorkerPosition(user_id=u, lon=x, lat=y, accuracy_m=15, at=now) for u, x, y in rows]
        )
        PositionSample.objects.bulk_create(
            [PositionSample(user_id=u, lon=x, lat=y, accuracy_m=15, at=now) for u, x, y in rows]
        )
    return len(rows)


def build_field(*, seed: int = 530702) -> dict[str, int]:
    from gridgov.canvass.services import campaign_create, campaign_launch

    district = Area.objects.get(code=DISTRICT)
    admin = User.objects.filter(is_superuser=True).first()
    for position, (kind, title, body) in enumerate(POLICIES):
        Policy.objects.get_or_create(
            area=district,
            title=title,
            defaults={"body": body, "applies_to": kind, "position": position},
        )
    for kind, days in PLANS:
        PatrolPlan.objects.get_or_create(area=district, kind=kind, defaults={"every_days": days})
    # A campaign point and a service station in 文汇社区, with codes like any place.
    wenhui_grid = Area.objects.filter(code__startswith=WENHUI, kind="grid").order_by("code").first()
    spot = shape(wenhui_grid.geometry).representative_point()
    for name, purpose in (
        ("文汇社区返乡人员登记点", "registration"),
        ("文汇社区红帆驿站", "service"),
    ):
        Point.objects.get_or_create(
            area=wenhui_grid,
            name=name,
            defaults={"purpose": purpose, "lon": spot.x, "lat": spot.y, "is_generated": True},
        )
    codes = codes_issue(user=admin, root_code=DISTRICT)
    staff = User.objects.filter(username="community_staff").first() or admin
    campaign = campaign_create(
        user=staff,
        name="冬季返乡人员入户排查（演示）",
        area_code=WENHUI,
        due_date=timezone.localdate() + dt.timedelta(days=30),
        instructions="逐户核实常住人数与返乡人员情况。",
        fields=[
            {"key": "people", "label": "常住人数", "kind": "number"},
            {
                "key": "returned",
                "label": "是否有返乡人员",
                "kind": "choice",
                "choices": ["是", "否"],
            },
            {"key": "arrived", "label": "返乡日期", "kind": "date", "required": False},
            {"key": "door", "label": "门牌照片", "kind": "photo", "required": False},
            {"key": "note", "label": "备注", "kind": "text", "required": False},
        ],
    )
    tasks = campaign_launch(user=staff, campaign_id=campaign.pk)
    positions = positions_refresh(seed=seed)
    return {
        "smart codes": codes,
        "patrol check-ins": build_patrols(seed=seed),
        "canvass tasks": tasks,
        "worker positions": positions,
    }
