"""The back office's world: one of each record inside 文汇社区第1网格 and one in a grid of
another street, and the personas the shared conftest does not have."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area
from gridgov.party.models import Meeting, Member, Organization, PointRule
from gridgov.registry.models import Household, Unit
from tests.conftest import WENHUI_GRID, _persona
from tests.registry.factories import id_number

XIAN_STREET = "530702001"  # 西安街道, where 文汇社区 and 金甲社区 lie


@pytest.fixture
def street_staff(db) -> User:
    return _persona("street_staff", Role.AREA_STAFF, XIAN_STREET)


@pytest.fixture
def department_handler(db) -> User:
    return _persona("department_handler", Role.DEPARTMENT_HANDLER, "530702")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Side:
    """The records of one grid."""

    grid: Area
    community: Area
    spot: tuple[float, float]
    organization: Organization
    member: Member
    household: Household
    unit: Unit
    meeting: Meeting
    worker: User  # a grid worker not yet placed in any grid


@dataclass
class World:
    inside: Side  # 文汇社区第1网格, in every persona's area
    outside: Side  # a grid of another street: outside all but district-wide personas
    rule: PointRule


def _side(grid: Area, tag: str) -> Side:
    point = shape(grid.geometry).representative_point()
    spot = (round(point.x, 7), round(point.y, 7))
    placed = {"area": grid, "lon": spot[0], "lat": spot[1]}
    organization = Organization.objects.create(
        name=f"{tag}网格党支部", kind=Organization.Kind.GRID_BRANCH, area=grid
    )
    household = Household.objects.create(number=f"H-{tag}", **placed)
    unit = Unit.objects.create(name=f"{tag}单位", kind=Unit.Kind.ENTERPRISE, **placed)
    member = Member.objects.create(
        name=f"{tag}党员",
        id_number=id_number(),
        gender="F",
        birth_date=dt.date(1980, 1, 1),
        status=Member.Status.FORMAL,
        organization=organization,
        area=grid,
        in_service=True,
        work_unit=unit,
    )
    meeting = Meeting.objects.create(area=grid, held_on=dt.date(2026, 1, 5), agenda="议程")
    worker = User.objects.create(
        username=f"t_worker_{grid.code}", role=Role.GRID_WORKER, area=grid, is_staff=True
    )
    return Side(grid, grid.parent, spot, organization, member, household, unit, meeting, worker)


@pytest.fixture
def world(db) -> World:
    inside = Area.objects.get(code=WENHUI_GRID)
    outside = (
        Area.objects.filter(kind="grid", geometry__isnull=False)
        .exclude(path__startswith=inside.parent.parent.path)
        .order_by("code")
        .first()
    )
    rule = PointRule.objects.create(
        code="t-helped", category="role", name="帮扶", points=2, evidence_required=False
    )
    return World(_side(inside, "内"), _side(outside, "外"), rule)
