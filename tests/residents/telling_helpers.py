"""Fixtures of the telling tests (issue 11, part B): the people of a loop, an SMS gateway,
and a loop driven through the services with each step's after-commit work run."""

import pytest
from django.core.cache import cache

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Department
from gridgov.events.services import event_act, event_report
from gridgov.notifications.models import Channel
from tests.conftest import _persona
from tests.events.conftest import report_data
from tests.events.factories import photo_ref
from tests.notifications.test_channels import Gateway


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the rate limits count in the cache; every test starts from zero
    yield
    cache.clear()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


@pytest.fixture
def sms(gateway) -> Channel:
    return Channel.objects.create(name="sms", kind="sms", url=gateway.url + "/sms")


@pytest.fixture
def reporter(db) -> User:
    user = _persona("reporter", Role.RESIDENT, None)
    User.objects.filter(pk=user.pk).update(is_staff=False, phone="13900000001")
    user.refresh_from_db()
    return user


@pytest.fixture
def neighbour(db) -> User:
    user = _persona("neighbour", Role.RESIDENT, None)
    User.objects.filter(pk=user.pk).update(is_staff=False, phone="13900000002")
    user.refresh_from_db()
    return user


@pytest.fixture
def shift_leader(db) -> User:
    return _persona("shift_leader", Role.SHIFT_LEADER, "530702")


@pytest.fixture
def squad_handler(db) -> User:
    user = _persona("squad_handler", Role.DEPARTMENT_HANDLER, "530702001")
    user.department = Department.objects.get(name="西安街道综合执法中队")
    user.save(update_fields=["department"])
    return user


class Loop:
    """Drives one event through the services, running what each step leaves for after the
    commit (the telling, the notifications, the deliveries) as a request would."""

    def __init__(self, capture, people: dict[str, User]):
        self.capture = capture
        self.people = people
        self.event = None

    def report(self, user: User | None, point, **extra):
        with self.capture(execute=True):
            self.event = event_report(
                user=user, data=report_data(point, **extra), source="resident"
            )
        return self.event

    def act(self, who: str, action: str, **kwargs):
        with self.capture(execute=True):
            self.event = event_act(
                user=self.people[who], event_id=self.event.pk, action=action, **kwargs
            )
        return self.event

    def to_closed(self):
        """accept → dispatch → take → feedback → verify → close, each step's name and
        whether it is public."""
        squad = self.people["squad_handler"].department
        self.act("operator", "accept")
        self.act("operator", "dispatch", data={"department_id": squad.pk})
        self.act("squad_handler", "take")
        self.act(
            "squad_handler",
            "feedback",
            comment="已清运",
            data={"photos": [photo_ref(self.people["squad_handler"])]},
        )
        self.act("grid_worker", "verify_pass")
        self.act("shift_leader", "close")
        return self.event


@pytest.fixture
def loop(
    django_capture_on_commit_callbacks, operator, grid_worker, squad_handler, shift_leader
) -> Loop:
    return Loop(
        django_capture_on_commit_callbacks,
        {
            "operator": operator,
            "grid_worker": grid_worker,
            "squad_handler": squad_handler,
            "shift_leader": shift_leader,
        },
    )
