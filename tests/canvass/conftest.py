"""Canvass fixtures: two grids of 文汇 with households and workers, one of 金甲, a shift
leader (runs campaigns, sees personal data masked) and roles that must not read canvass
results (department handlers, service companies)."""

import pytest

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area, GridWorker
from gridgov.registry.models import Household
from tests.conftest import JINJIA, WENHUI, _persona


@pytest.fixture
def department_handler(db) -> User:
    return _persona("department_handler", Role.DEPARTMENT_HANDLER, WENHUI)


@pytest.fixture
def shift_leader(db) -> User:
    """Runs campaigns for the district, and may not see personal data unmasked."""
    return _persona("shift_leader", Role.SHIFT_LEADER, "530702")


@pytest.fixture
def service_provider(db) -> User:
    return _persona("service_provider", Role.SERVICE_PROVIDER, WENHUI)


@pytest.fixture
def canvass_city(db):
    """Two grids of 文汇 with 2 and 1 households, one grid of 金甲 with 1; a worker each."""
    grids = list(Area.objects.filter(path__contains=f"/{WENHUI}/", kind="grid").order_by("code"))[
        :2
    ]
    other = Area.objects.filter(path__contains=f"/{JINJIA}/", kind="grid").first()
    GridWorker.objects.filter(grid__in=[*grids, other]).delete()
    made: dict = {"grids": grids, "other": other}
    for grid, count in ((grids[0], 2), (grids[1], 1), (other, 1)):
        for i in range(count):
            Household.objects.create(
                area=grid, lon=100.23, lat=26.87, number=f"C{grid.code}{i}", room=f"{i + 1}01"
            )
    for name, grid in (("cw_a", grids[0]), ("cw_b", grids[1]), ("cw_c", other)):
        made[name] = User.objects.create(username=name, role=Role.GRID_WORKER, area=grid)
        GridWorker.objects.create(grid=grid, user=made[name], employment="full_time")
    return made
