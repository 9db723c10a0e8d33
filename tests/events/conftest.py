import pytest

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area, Department
from tests.conftest import WENHUI, WENHUI_GRID, _persona


@pytest.fixture
def shift_leader(db) -> User:
    return _persona("shift_leader", Role.SHIFT_LEADER, "530702")


@pytest.fixture
def leader(db) -> User:
    return _persona("leader", Role.LEADER, "530702")


@pytest.fixture
def street_squad(db) -> Department:
    return Department.objects.get(name="西安街道综合执法中队")


@pytest.fixture
def squad_handler(db, street_squad) -> User:
    user = _persona("squad_handler", Role.DEPARTMENT_HANDLER, "530702001")
    user.department = street_squad
    user.save(update_fields=["department"])
    return user


@pytest.fixture
def district_bureau(db) -> Department:
    return Department.objects.get(name="区城市管理综合行政执法局")


@pytest.fixture
def bureau_handler(db, district_bureau) -> User:
    user = _persona("bureau_handler", Role.DEPARTMENT_HANDLER, "530702")
    user.department = district_bureau
    user.save(update_fields=["department"])
    return user


@pytest.fixture
def street_staff(db) -> User:
    return _persona("street_staff", Role.AREA_STAFF, "530702001")


@pytest.fixture
def reporter(db) -> User:
    return _persona("reporter", Role.RESIDENT, None)


def report_data(point, **extra) -> dict:
    return {
        "subclass": "0102",
        "description": "文汇路口垃圾堆放两天了，没人清运",
        "lon": point[0],
        "lat": point[1],
        **extra,
    }


__all__ = ["Area", "WENHUI", "WENHUI_GRID"]
