"""Shared fixtures: the Gucheng demo tree loaded once per test database, and named personas.

Personas read like sentences in tests: `community_staff` works 文汇社区 and may see
personal data; `operator` sees the whole district, masked; `other_community_staff`
works 金甲社区 and must never touch 文汇社区.
"""

import pytest
from django.core.management import call_command

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas import spatial_index
from gridgov.areas.models import Area
from gridgov.common import versioned_cache
from gridgov.dispatch.position_index import positions

WENHUI = "530702001002"  # 文汇社区, 西安街道
JINJIA = "530702001001"  # 金甲社区, 西安街道
WENHUI_GRID = "530702001002001"


BROWSER_TIMEOUT = 600  # s: a browser test starts chromium and a live server; the rest get 300


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(BROWSER_TIMEOUT))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request: pytest.FixtureRequest) -> None:
    from django.conf import settings

    for database in settings.DATABASES.values():
        if database["ENGINE"].endswith(".sqlite3") and not database.get("TEST", {}).get("NAME"):
            # SQLite tests run in memory, but django-prometheus wraps the engine's name and
            # pytest-django then names each xdist worker's database after the file's path.
            # Each worker is a process of its own: in memory is what it needs.
            database.setdefault("TEST", {})["NAME"] = ":memory:"
    request.getfixturevalue("django_db_modify_db_settings_parallel_suffix")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo", "--areas-only", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def demo_city(transactional_db):
    # Transactional tests flush the database after each test, including what migrations
    # loaded: the shipped catalog and the demo areas are loaded again.
    from gridgov.demo.city import demo_loaded, load_demo
    from gridgov.events.models import Subclass
    from gridgov.events.services import catalog_load_default

    if not Subclass.objects.exists():
        catalog_load_default()
    from gridgov.party.defaults import load_default_rules
    from gridgov.party.models import PointRule

    if not PointRule.objects.exists():
        load_default_rules(PointRule)
    if not demo_loaded():
        load_demo(with_registry=False)


@pytest.fixture(autouse=True)
def _fresh_area_index():
    # Each test's transaction is rolled back; the in-memory indexes must not outlive it.
    spatial_index.invalidate()
    positions.invalidate()
    versioned_cache.invalidate_all()  # the catalog, the calendar, the classifier
    yield
    spatial_index.invalidate()
    positions.invalidate()
    versioned_cache.invalidate_all()


def _persona(username: str, role: str, area_code: str | None) -> User:
    area = Area.objects.get(code=area_code) if area_code else None
    user, _ = User.objects.update_or_create(
        username=f"t_{username}", defaults={"role": role, "area": area, "is_staff": True}
    )
    return user


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.get(username="admin")


@pytest.fixture
def operator(db) -> User:
    return _persona("operator", Role.OPERATOR, "530702")


@pytest.fixture
def district_staff(db) -> User:
    return _persona("district_staff", Role.AREA_STAFF, "530702")


@pytest.fixture
def community_staff(db) -> User:
    return _persona("community_staff", Role.AREA_STAFF, WENHUI)


@pytest.fixture
def other_community_staff(db) -> User:
    return _persona("other_community_staff", Role.AREA_STAFF, JINJIA)


@pytest.fixture
def grid_worker(db) -> User:
    return _persona("grid_worker", Role.GRID_WORKER, WENHUI_GRID)


@pytest.fixture
def party_secretary(db) -> User:
    return _persona("party_secretary", Role.PARTY_SECRETARY, WENHUI)


@pytest.fixture
def resident(db) -> User:
    return _persona("resident", Role.RESIDENT, None)


@pytest.fixture
def wenhui_point(db) -> tuple[float, float]:
    """A point well inside 文汇社区第1网格."""
    from shapely.geometry import shape

    point = shape(Area.objects.get(code=WENHUI_GRID).geometry).representative_point()
    return round(point.x, 7), round(point.y, 7)


@pytest.fixture
def jinjia_point(db) -> tuple[float, float]:
    from shapely.geometry import shape

    grid = Area.objects.filter(parent__code=JINJIA).order_by("code").first()
    point = shape(grid.geometry).representative_point()
    return round(point.x, 7), round(point.y, 7)
