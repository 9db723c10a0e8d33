"""A small known district for the reports: the dashboard's story (tests/analytics), read as a
whole month's report of the district and of 西安街道."""

import datetime as dt

import pytest

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.analytics.models import AreaDayRollup, DailyRollup
from gridgov.areas.models import Area
from gridgov.events.models import Event
from tests.analytics.test_rollups_property import BASE, NOW, _create, world
from tests.events.conftest import reporter, shift_leader, squad_handler, street_squad, street_staff

__all__ = ["reporter", "shift_leader", "squad_handler", "street_squad", "street_staff", "world"]
H = dt.timedelta(hours=1)
XIAN = "530702001"


def _closed(at: dt.datetime, on_time: bool) -> dict:
    return {
        "state": "closed",
        "accepted_at": at + H,
        "handle_due_at": at + 10 * H,
        "handled_at": at + (5 if on_time else 20) * H,
        "closed_at": at + 21 * H,
    }


def _spec(area: int, at: dt.datetime, fields: dict, source: str = "worker") -> dict:
    return {
        "reported_at": at,
        "area": area,
        "subclass": 0,
        "source": source,
        "reporter": 0,
        "fields": fields,
    }


@pytest.fixture
def leader(db) -> User:
    user, _created = User.objects.update_or_create(
        username="t_leader", defaults={"role": Role.LEADER, "area": Area.objects.get(code="530702")}
    )
    return user


@pytest.fixture
def district(world):
    """March 2026 (BASE is 6 March): 西安街道's grid (index 0) has two closed events (one on
    time, one late and from the hotline) and one open past its handling deadline; the other
    street's grid (index 2) one closed on time. February: one closed on time in 西安.
    Read at NOW (11 March), so the open one is due to close."""
    Event.objects.all().delete()
    DailyRollup.objects.all().delete()
    AreaDayRollup.objects.all().delete()
    _create(world, _spec(0, BASE, _closed(BASE, True)))
    _create(world, _spec(0, BASE + 2 * H, _closed(BASE + 2 * H, False), source="hotline"))
    _create(
        world,
        _spec(
            0,
            BASE + 3 * H,
            {"state": "dispatched", "accepted_at": BASE + 4 * H, "handle_due_at": BASE + 10 * H},
        ),
    )
    feb = BASE - dt.timedelta(days=20)
    _create(world, _spec(0, feb, _closed(feb, True)))
    _create(world, _spec(2, BASE + 4 * H, _closed(BASE + 4 * H, True)))
    other = [c for c in world["grids"][2].path.strip("/").split("/") if len(c) == 9][0]
    assert other != XIAN, "the story needs grids in two streets"
    return {"xian": XIAN, "other": other, "now": NOW}
