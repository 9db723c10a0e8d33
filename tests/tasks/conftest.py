import pytest
from huey.contrib.djhuey import HUEY

from gridgov.accounts.models import User
from tests.events.conftest import reporter  # noqa: F401 (a persona of the events tests)
from tests.notifications.test_channels import Gateway
from tests.smartcodes.conftest import places  # noqa: F401 (the places of the plate tests)


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


@pytest.fixture
def recipient(db) -> User:
    return User.objects.create(username="t_worker", role="grid_worker", phone="13800138001")


@pytest.fixture(autouse=True)
def empty_queue():
    """The tests' queue is Huey's in-memory storage, shared by the whole run: start empty."""
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()
