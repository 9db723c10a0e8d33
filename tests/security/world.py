"""The world the authorization matrix is checked in: one persona per role (inside and
outside 文汇社区, the one whose case it is and a colleague), and one object of each kind in
文汇社区第1网格 — events in the states a role acts on, a photo, a summons, a worker's
position, a Party organization with a member, a canvass task, a smart code, a plate job.

Objects are made directly in the database where the services would need a whole story
(an event in progress); the rules checked are those of reads and writes, not of the loop.
"""

import datetime as dt
import zlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area, Department
from gridgov.areas.services import area_create
from gridgov.canvass.models import Campaign, Field, Task
from gridgov.dispatch.models import PositionSample, WorkerPosition
from gridgov.events.models import Assignment, Event, Source, Subclass, Summons, Whistle
from gridgov.events.photos import Photo
from gridgov.events.services import event_report
from gridgov.notifications.models import Notification
from gridgov.party.models import Member, Organization, PointPublication
from gridgov.registry.models import Household, Unit
from gridgov.registry.services import record_create
from gridgov.smartcodes.jobs import plate_file
from gridgov.smartcodes.models import PlateJob, SmartCode
from gridgov.smartcodes.services import codes_issue
from tests.areas.factories import micro_square
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID
from tests.events.factories import jpeg_bytes
from tests.registry.factories import id_number, resident_data

STREET = "530702001"  # 西安街道
DISTRICT = "530702"

# column of the matrix -> (role, area code, department name or None)
PERSONAS: dict[str, tuple[str, str | None, str | None]] = {
    "reporter": (Role.RESIDENT, None, None),
    "other_resident": (Role.RESIDENT, None, None),
    "grid_worker": (Role.GRID_WORKER, WENHUI_GRID, None),
    "colleague": (Role.GRID_WORKER, WENHUI_GRID, None),
    "grid_head": (Role.GRID_HEAD, WENHUI_GRID, None),
    "community_staff": (Role.AREA_STAFF, WENHUI, None),
    "other_community_staff": (Role.AREA_STAFF, JINJIA, None),
    "street_staff": (Role.AREA_STAFF, STREET, None),
    "district_staff": (Role.AREA_STAFF, DISTRICT, None),
    "operator": (Role.OPERATOR, DISTRICT, None),
    "shift_leader": (Role.SHIFT_LEADER, DISTRICT, None),
    "leader": (Role.LEADER, DISTRICT, None),
    "squad_handler": (Role.DEPARTMENT_HANDLER, STREET, "西安街道综合执法中队"),
    "bureau_handler": (Role.DEPARTMENT_HANDLER, DISTRICT, "区城市管理综合行政执法局"),
    "party_secretary": (Role.PARTY_SECRETARY, WENHUI, None),
    "service_provider": (Role.SERVICE_PROVIDER, WENHUI, None),
}
COLUMNS = ["anonymous", *PERSONAS, "superuser"]


@dataclass
class World:
    users: dict[str, User | None]
    objects: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.objects[key]


def _user(name: str, role: str, area_code: str | None, department: str | None) -> User:
    user, _created = User.objects.update_or_create(
        username=f"m_{name}",
        defaults={
            "role": role,
            "area": Area.objects.get(code=area_code) if area_code else None,
            "department": Department.objects.get(name=department) if department else None,
            "is_staff": role != Role.RESIDENT,
            # Distinct phones and names: the matrix looks for them in answers.
            "phone": f"139{zlib.crc32(name.encode()) % 10**8:08d}",
            "first_name": f"矩阵{name}",
            "password": make_password(None),
        },
    )
    return user


def _event(grid: Area, point, reporter: User, state: str, **fields) -> Event:
    # A kind of event whose handling needs no photo: the rows check who, not what is sent.
    subclass = Subclass.objects.filter(active=True, photo_required=False).order_by("code")[0]
    event = event_report(
        user=reporter,
        data={
            "subclass": subclass.code,
            "description": f"矩阵用例: {state}",
            "lon": point[0],
            "lat": point[1],
            "client_uuid": None,
        },
        source=Source.RESIDENT,
    )
    Event.objects.filter(pk=event.pk).update(state=state, **fields)
    event.refresh_from_db()
    assert event.area_id == grid.pk
    return event


def build_world(point: tuple[float, float]) -> World:
    users: dict[str, User | None] = {name: _user(name, *spec) for name, spec in PERSONAS.items()}
    users["anonymous"] = None
    users["superuser"] = User.objects.get(username="admin")
    grid = Area.objects.get(code=WENHUI_GRID)
    community = Area.objects.get(code=WENHUI)
    squad = users["squad_handler"].department
    world = World(users=users)
    o = world.objects
    o["grid"] = grid
    o["point"] = point
    reporter = users["reporter"]
    now = timezone.now()

    # Events in the states the rows act on, all reported by `reporter` in 文汇's first grid.
    o["reported"] = _event(grid, point, reporter, "reported")
    o["dispatched"] = _event(
        grid, point, reporter, "dispatched", department=squad, dispatched_at=now
    )
    o["in_progress"] = _event(
        grid, point, reporter, "in_progress", assignee=users["grid_worker"], dispatched_at=now
    )
    Assignment.objects.create(
        event=o["in_progress"], worker=users["grid_worker"], status=Assignment.Status.ACCEPTED
    )
    o["closed"] = _event(grid, point, reporter, "closed", closed_at=now, handled_at=now)
    # 文汇 whistles on the case in progress: the street's squad is summoned (报到).
    whistle = Whistle.objects.create(
        event=o["in_progress"], level="community", by=users["community_staff"], reason="矩阵"
    )
    o["summons"] = Summons.objects.create(
        whistle=whistle, department=squad, check_in_due_at=now + dt.timedelta(hours=1)
    )
    earlier = Whistle.objects.create(
        event=o["in_progress"], level="community", by=users["community_staff"], reason="矩阵一"
    )
    o["summons_checked_in"] = Summons.objects.create(
        whistle=earlier,
        department=squad,
        check_in_due_at=now + dt.timedelta(hours=1),
        checked_in_at=now,
    )
    # Two more the squad reported back on: one for 文汇 to rate, one rated (the ratings read).
    for key, reason, rating in (
        ("summons_reported", "矩阵二", ""),
        ("summons_rated", "矩阵三", "good"),
    ):
        reported = Whistle.objects.create(
            event=o["in_progress"], level="community", by=users["community_staff"], reason=reason
        )
        o[key] = Summons.objects.create(
            whistle=reported,
            department=squad,
            check_in_due_at=now + dt.timedelta(hours=1),
            checked_in_at=now,
            action_at=now,
            reported_at=now,
            report="矩阵: 已处理",
            rating=rating,
            rated_at=now if rating else None,
        )
    o["squad"] = squad

    photo = Photo(event=o["reported"], uploaded_by=reporter, width=64, height=48, sha256="0" * 64)
    photo.image.save("matrix.jpg", ContentFile(jpeg_bytes()), save=False)
    photo.save()
    o["photo"] = photo
    lost = Photo(event=o["reported"], uploaded_by=reporter, width=64, height=48, sha256="1" * 64)
    lost.image.name = "photos/lost/never-stored.jpg"
    lost.save()
    o["photo_missing"] = lost

    WorkerPosition.objects.create(
        user=users["grid_worker"], lon=point[0], lat=point[1], at=now, on_duty=True
    )
    PositionSample.objects.create(user=users["grid_worker"], lon=point[0], lat=point[1], at=now)

    org = Organization.objects.create(name="矩阵党支部", kind="general_branch", area=community)
    o["organization"] = org
    o["member"] = Member.objects.create(
        name="和丽华",
        id_number=id_number(),
        phone="13908881234",
        gender="F",
        birth_date=dt.date(1975, 3, 1),
        status="formal",
        organization=org,
        area=grid,
    )
    o["publication"] = PointPublication.objects.create(
        organization=org, year=now.year, quarter=1, ranking=[]
    )
    o["unit"] = Unit.objects.create(
        name="矩阵单位", kind="enterprise", area=grid, lon=point[0], lat=point[1]
    )
    household = Household.objects.create(number="MX001", area=grid, lon=point[0], lat=point[1])
    o["household"] = household
    o["resident"] = record_create(
        user=users["superuser"],
        kind_key="residents",
        data=resident_data(point, name="木强", household=household.number),
    )
    campaign = Campaign.objects.create(
        name="矩阵走访",
        area=community,
        due_date=timezone.localdate() + dt.timedelta(days=7),
        status=Campaign.Status.OPEN,
        created_by=users["community_staff"],
    )
    Field.objects.create(campaign=campaign, key="note", label="情况", kind="text", required=True)
    o["campaign"] = campaign
    o["task"] = Task.objects.create(
        campaign=campaign, household=household, area=grid, worker=users["grid_worker"]
    )
    o["draft_campaign"] = Campaign.objects.create(
        name="矩阵草稿走访",
        area=community,
        due_date=campaign.due_date,
        status=Campaign.Status.DRAFT,
        created_by=users["community_staff"],
    )
    Field.objects.create(
        campaign=o["draft_campaign"], key="note", label="情况", kind="text", required=True
    )
    o["due_date"] = campaign.due_date.isoformat()
    o["year"] = now.year

    shop = record_create(
        user=users["superuser"],
        kind_key="businesses",
        data={
            "name": "矩阵银器店",
            "kind": "shop",
            "operator_name": "和丽华",
            "lon": point[0],
            "lat": point[1],
            "address": "文汇路1号",
        },
    )
    codes_issue(user=users["superuser"], root_code=WENHUI_GRID, kinds=("businesses",))
    o["code"] = SmartCode.objects.get(kind="businesses", object_id=shop.pk)
    job = PlateJob.objects.create(
        area=grid,
        requested_by=users["community_staff"],
        status=PlateJob.Status.DONE,
        total=1,
        progress=1.0,
    )
    plate_file(job).write_bytes(b"%PDF-1.4 matrix\n")
    o["plate_job"] = job

    o["notification"] = Notification.objects.create(
        user=reporter, event=o["reported"], kind="state", text="矩阵通知: 已受理"
    )
    # A grid below 文汇's first grid that only area editors may remove.
    o["micro"] = area_create(
        user=users["superuser"],
        code=WENHUI_GRID + "009",
        name="矩阵微网格",
        parent_code=WENHUI_GRID,
        geometry=micro_square(WENHUI_GRID),
    )
    o["subclass"] = Subclass.objects.filter(active=True).order_by("code").first()
    return world
