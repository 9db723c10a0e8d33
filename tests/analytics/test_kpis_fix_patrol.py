"""Patrol coverage counts a place as visited only on a check-in that proves the visit: one
flagged far away or without a position is a check-in, not a visit."""

import pytest

from gridgov.accounts.roles import Role
from gridgov.analytics.kpis import kpis_report
from gridgov.areas.models import Area
from gridgov.smartcodes.models import CheckIn, PatrolPlan, SmartCode
from tests.analytics.kpis_story import SINCE, UNTIL, at
from tests.conftest import WENHUI_GRID, _persona


@pytest.mark.django_db
def test_flagged_check_ins_are_no_visits(community_staff):
    grid = Area.objects.get(code=WENHUI_GRID)
    worker = _persona("kpi_patrol", Role.GRID_WORKER, WENHUI_GRID)
    PatrolPlan.objects.create(area=grid, kind="businesses", every_days=7)
    codes = [
        SmartCode.objects.create(kind="businesses", object_id=950 + i, area=grid, serial=f"KPF{i}")
        for i in range(3)
    ]
    # At the first place; far from the second (twice); without a position at the third; and
    # far from the first too, which stays visited.
    for code, flag in (
        (codes[0], CheckIn.Flag.AT_PLACE),
        (codes[1], CheckIn.Flag.FAR),
        (codes[1], CheckIn.Flag.FAR),
        (codes[2], CheckIn.Flag.NO_POSITION),
        (codes[0], CheckIn.Flag.FAR),
    ):
        CheckIn.objects.create(
            code=code, user=worker, at=at(5, 10), flag=flag, far=flag == CheckIn.Flag.FAR
        )

    rows = kpis_report(
        user=community_staff, family="workers", since=SINCE, until=UNTIL, now=at(30, 12)
    )["rows"]
    row = next(row for row in rows if row["id"] == worker.pk)
    counts = row["counts"]
    assert (counts["patrol_places"], counts["patrol_visited"]) == (3, 1)
    assert (counts["patrol_check_ins"], counts["patrol_check_ins_flagged"]) == (5, 4)
    assert row["rates"]["patrol_coverage"] == 0.3333
