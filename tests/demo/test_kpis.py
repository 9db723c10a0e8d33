"""The demo gives every people's KPI of /leaders/kpis/ (docs/kpis.md) a figure for the demo
month, and the dashboard a handling time: grid cases answered, handled and checked at their
own moments (most on time, some late), departments' returns, patrols at the planned places.

A small demo on a fixed clock (the middle of a month, so the month has room for its cases
whatever day the tests run): 60 grid cases instead of 240, four returns, a few places."""

import datetime as dt
import random
from unittest import mock

import pytest
from django.utils import timezone
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.analytics.kpis import kpis_report
from gridgov.analytics.selectors import rates_report
from gridgov.analytics.services import rollups_rebuild
from gridgov.areas.models import Area
from gridgov.demo.patrols import build_patrols
from gridgov.demo.returns import RETURNS, build_returns
from gridgov.demo.worker_cases import DEMO_GRID, build_worker_cases
from gridgov.events.models import TimelineEntry
from gridgov.registry.models import Business
from gridgov.smartcodes.models import PatrolPlan
from gridgov.smartcodes.services import codes_issue

NOW = dt.datetime(2026, 6, 17, 15, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def demo_month(db):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        rng = random.Random(530702)
        build_worker_cases(rng, 60)
        build_returns(rng)
        _places_on_patrol()
        build_patrols(now=NOW)
        rollups_rebuild()
        yield


def _places_on_patrol() -> None:
    """Shops in the demo grid and the next one, under the district's weekly business plan
    (the tests' demo city has areas and people only)."""
    admin = User.objects.get(username="admin")
    for grid in Area.objects.filter(code__startswith=DEMO_GRID[:-1], kind="grid").order_by("code")[
        :2
    ]:
        spot = shape(grid.geometry).representative_point()
        Business.objects.bulk_create(
            [
                Business(
                    name=f"演示商铺{n}",
                    kind="shop",
                    area=grid,
                    lon=spot.x,
                    lat=spot.y,
                    is_generated=True,
                )
                for n in range(6)
            ]
        )
    PatrolPlan.objects.create(area=Area.objects.get(code="530702"), kind="businesses", every_days=7)
    codes_issue(user=admin, root_code="530702", kinds=("businesses",))


def _figures(user: User, family: str) -> dict[str, list[float]]:
    """Each KPI's values over the rows that have one."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        report = kpis_report(user=user, family=family, now=NOW)
    return {
        kpi["key"]: [
            r["rates"][kpi["key"]] for r in report["rows"] if r["rates"][kpi["key"]] is not None
        ]
        for kpi in report["kpis"]
    }


def _summed(
    user: User, family: str, numerator: str, denominator: str, role: str | None = None
) -> tuple[int, int]:
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        rows = kpis_report(user=user, family=family, now=NOW, limit=1000)["rows"]
    rows = [r for r in rows if role is None or r["role"] == role]
    return sum(r["counts"][numerator] for r in rows), sum(r["counts"][denominator] for r in rows)


def test_every_kpi_has_figures_for_the_demo_month(demo_month):
    # One test over one small demo: building it is most of the time.
    leader = User.objects.get(username="leader")
    for family in ("workers", "departments", "dispatchers"):
        figures = _figures(leader, family)
        assert all(figures.values()), {k: len(v) for k, v in figures.items()}

    # Most steps on time, some late (late is drawn by chance: counted over the three).
    late = 0
    for family, numerator, denominator in (
        ("workers", "verified_on_time", "verifications_due"),
        ("workers", "checks_on_time", "checks"),
        ("dispatchers", "first_on_time", "first_dispatches"),
    ):
        on_time, due = _summed(leader, family, numerator, denominator)
        assert 0.6 * due < on_time <= due, (family, numerator, on_time, due)
        late += due - on_time
    assert late > 0
    # Patrols: the grid workers visited most planned places this month, not every one; the
    # grid heads spot-checked some of their community's.
    visited, places = _summed(leader, "workers", "patrol_visited", "patrol_places", "grid_worker")
    assert 0.6 * places < visited < places
    visited, places = _summed(leader, "workers", "patrol_visited", "patrol_places", "grid_head")
    assert 0 < visited < 0.6 * places

    # The returns: one sent back to the same department, two upheld (wrong first dispatches).
    returned, _received = _summed(leader, "departments", "returned", "received")
    assert returned == len(RETURNS)
    sent_back, _received = _summed(leader, "departments", "sent_back_again", "received")
    assert sent_back == 1
    accurate, settled = _summed(leader, "dispatchers", "accurate", "settled")
    assert settled - accurate == 2

    # The demo's grid worker login sees their own row, with figures.
    worker = User.objects.get(username="grid_worker")
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        rows = kpis_report(user=worker, family="workers", now=NOW)["rows"]
    assert [r["id"] for r in rows] == [worker.pk]
    assert rows[0]["counts"]["verifications_due"] > 0
    assert rows[0]["counts"]["patrol_check_ins"] > 0

    # Each step at its own moment, none in the future; the dashboard's handling time.
    worked = TimelineEntry.objects.filter(action="feedback").select_related("event")
    assert worked
    assert all(t.at - t.event.reported_at > dt.timedelta(minutes=1) for t in worked)
    assert all(t.at <= NOW for t in TimelineEntry.objects.all())
    rates = rates_report(
        user=leader, since=NOW.replace(day=1, hour=0), until=NOW + dt.timedelta(days=1), now=NOW
    )
    assert rates["all"]["average_handling_hours"] > 0
