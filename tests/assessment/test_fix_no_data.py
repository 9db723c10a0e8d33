"""Issue 13: a year in which the district recorded no check-in at all has no patrol data
(shown "—", out of the weight), not 0% coverage computed from today's places and plans."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.assessment.indicators import REGISTRY, computing
from gridgov.assessment.models import AreaResult
from gridgov.assessment.runs import assessment_compute
from gridgov.assessment.services import indicator_save, zone_save
from gridgov.registry.services import record_create
from gridgov.smartcodes.models import CheckIn, PatrolPlan, SmartCode
from gridgov.smartcodes.services import codes_issue
from tests.assessment.conftest import DISTRICT, JINJIA, WENHUI, XIAN
from tests.conftest import WENHUI_GRID

pytestmark = pytest.mark.django_db


@pytest.fixture
def patrolled_shop(admin_user, wenhui_point):
    """One shop in 文汇's first grid, to be visited every 7 days: today's place and plan."""
    shop = record_create(
        user=admin_user,
        kind_key="businesses",
        data={
            "name": "考核无数据商铺",
            "kind": "shop",
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
            "address": "文汇路1号",
        },
    )
    codes_issue(user=admin_user, root_code=WENHUI_GRID, kinds=("businesses",))
    PatrolPlan.objects.create(
        area=Area.objects.get(code=WENHUI_GRID), kind="businesses", every_days=7
    )
    return SmartCode.objects.get(kind="businesses", object_id=shop.pk)


def test_a_period_without_any_check_in_in_the_district_has_no_data(patrolled_shop):
    now = timezone.now()
    since, until = now - dt.timedelta(days=14), now
    xian = Area.objects.get(code=XIAN)
    with computing(Area.objects.get(code=DISTRICT)):
        assert REGISTRY["patrol_coverage"].compute(xian, since, until) is None


def test_unvisited_places_count_as_0_when_the_district_patrolled(patrolled_shop, grid_worker):
    now = timezone.now()
    since, until = now - dt.timedelta(days=14), now
    # A check-in elsewhere in the district (another place, not in 文汇): patrols were
    # recorded, so 文汇's unvisited shop is a real 0%, not missing data.
    other = SmartCode.objects.create(
        kind="businesses", object_id=10**9, area=Area.objects.get(code=JINJIA)
    )
    CheckIn.objects.create(code=other, user=grid_worker, at=now - dt.timedelta(days=1))
    with computing(Area.objects.get(code=DISTRICT)):
        assert (
            REGISTRY["patrol_coverage"].compute(Area.objects.get(code=WENHUI), since, until) == 0.0
        )


def test_a_computed_year_without_records_grades_nobody(admin_user, patrolled_shop, grid_worker):
    now = timezone.now()
    # Patrols recorded this year only; the year before has nothing anywhere in the district.
    CheckIn.objects.create(code=patrolled_shop, user=grid_worker, at=now - dt.timedelta(hours=1))
    zone = zone_save(user=admin_user, root_code=DISTRICT, name="治理", street_codes=[XIAN])
    indicator_save(user=admin_user, zone_id=zone.pk, key="patrol_coverage", weight=1)
    run = assessment_compute(user=admin_user, root_code=DISTRICT, year=now.year - 1, now=now)

    xian = AreaResult.objects.get(assessment=run, area__code=XIAN)
    assert [(line["key"], line["value"], line["score"]) for line in xian.lines] == [
        ("patrol_coverage", None, None)
    ]
    assert (xian.score, xian.grade, xian.rank) == (None, "", None)
    wenhui = AreaResult.objects.get(assessment=run, area__code=WENHUI)
    assert (wenhui.score, wenhui.grade) == (None, "")
