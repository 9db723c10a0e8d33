import pytest
from django.db import transaction
from django.test import override_settings
from shapely.geometry import shape

from gridgov.areas.models import Area
from tests.conftest import WENHUI_GRID
from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> World:
    """Personas of every role and one object of each kind in 文汇社区第1网格, built once per
    module inside a transaction rolled back at its end; each test runs in a savepoint of it,
    and every request of the matrix is rolled back, so tests never see each other's writes.
    Tests must not change the world's Python objects either (read users again to alter one).
    """
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        point = shape(Area.objects.get(code=WENHUI_GRID).geometry).representative_point()
        yield build_world((round(point.x, 7), round(point.y, 7)))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _database(db):
    """Every test here runs in its own savepoint of the module's world."""
