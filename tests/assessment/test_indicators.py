"""The built-in indicators on known records of 西安街道 (文汇社区第1网格), counted by hand,
and the departments assessed by the streets that summoned them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gridgov.analytics.services import rollups_rebuild
from gridgov.areas.models import Area
from gridgov.assessment.indicators import REGISTRY
from gridgov.assessment.models import AreaResult, DepartmentResult
from gridgov.assessment.runs import assessment_compute
from gridgov.assessment.services import indicator_save, zone_save
from gridgov.canvass.models import Campaign, Task
from gridgov.events.models import Event, Source, Subclass, Summons, Whistle
from gridgov.events.services import event_report
from gridgov.party.models import Grading, Organization
from gridgov.registry.models import Household
from gridgov.registry.services import record_create
from gridgov.smartcodes.models import CheckIn, PatrolPlan, SmartCode
from gridgov.smartcodes.services import codes_issue
from tests.assessment.conftest import DISTRICT, JINJIA, WENHUI, XIAN
from tests.conftest import WENHUI_GRID

pytestmark = pytest.mark.django_db

# The clock of the event tests: a Wednesday in the middle of a past year, so that "three
# days ago" and "this year" never straddle a New Year, whatever day the tests run.
NOW = dt.datetime(2025, 6, 18, 12, 0, tzinfo=timezone.get_default_timezone())


def _events(reporter, point, now):
    """Four events reported three days ago, filed, handling due a day ago: three closed on time (rated satisfied,
    basically satisfied, not rated), one still in progress (due, not closed)."""
    subclass = Subclass.objects.filter(active=True, photo_required=False).order_by("code")[0]
    made = []
    for i in range(4):
        event = event_report(
            user=reporter,
            data={
                "subclass": subclass.code,
                "description": f"考核用例 {i}",
                "lon": point[0],
                "lat": point[1],
                "client_uuid": None,
            },
            source=Source.RESIDENT,
        )
        made.append(event)
    base = {
        "reported_at": now - dt.timedelta(days=3),
        "accepted_at": now - dt.timedelta(days=2),
        "handle_due_at": now - dt.timedelta(days=1),
    }
    closed = {
        **base,
        "state": "closed",
        "handled_at": now - dt.timedelta(days=1, hours=12),
        "closed_at": now - dt.timedelta(days=1, hours=6),
    }
    Event.objects.filter(pk=made[0].pk).update(**closed, satisfaction="satisfied")
    Event.objects.filter(pk=made[1].pk).update(**closed, satisfaction="basically")
    Event.objects.filter(pk=made[2].pk).update(**closed)
    Event.objects.filter(pk=made[3].pk).update(**base, state="in_progress")
    rollups_rebuild()
    return made


def _period(now):
    return now - dt.timedelta(days=14), now


def test_event_rates_of_a_street_and_its_communities(resident, wenhui_point):
    now = NOW
    _events(resident, wenhui_point, now)
    since, until = _period(now)
    xian = Area.objects.get(code=XIAN)

    def value(key, area=xian):
        return REGISTRY[key].compute(area, since, until)

    assert value("closure_rate") == 75.0  # 3 closed ÷ 4 due
    assert value("on_time_closure_rate") == 75.0  # 3 handled by their deadline ÷ 4 due
    assert value("satisfaction_rate") == 95.0  # (1 + 0.9 × 1) ÷ 2 rated
    assert value("rework_rate") == 0.0
    assert value("closure_rate", Area.objects.get(code=WENHUI)) == 75.0
    assert value("closure_rate", Area.objects.get(code=JINJIA)) is None  # nothing due there


def test_patrol_coverage_counts_visits_due_per_place(admin_user, grid_worker, wenhui_point):
    now = timezone.now()
    grid = Area.objects.get(code=WENHUI_GRID)
    shops = [
        record_create(
            user=admin_user,
            kind_key="businesses",
            data={
                "name": f"考核商铺{i}",
                "kind": "shop",
                "lon": wenhui_point[0],
                "lat": wenhui_point[1],
                "address": f"文汇路{i}号",
            },
        )
        for i in range(2)
    ]
    codes_issue(user=admin_user, root_code=WENHUI_GRID, kinds=("businesses",))
    PatrolPlan.objects.create(area=grid, kind="businesses", every_days=7)
    first, second = (SmartCode.objects.get(kind="businesses", object_id=s.pk) for s in shops)
    # 14 days, a visit every 7: 2 due per shop. The first shop is visited 3 times (counts 2),
    # the second once, and once more before the period (not counted): (2 + 1) ÷ 4 = 75%.
    for days in (1, 3, 5):
        CheckIn.objects.create(code=first, user=grid_worker, at=now - dt.timedelta(days=days))
    CheckIn.objects.create(code=second, user=grid_worker, at=now - dt.timedelta(days=2))
    CheckIn.objects.create(code=second, user=grid_worker, at=now - dt.timedelta(days=20))
    since, until = _period(now)
    assert REGISTRY["patrol_coverage"].compute(grid, since, until) == 75.0
    assert REGISTRY["patrol_coverage"].compute(Area.objects.get(code=XIAN), since, until) == 75.0
    assert REGISTRY["patrol_coverage"].compute(Area.objects.get(code=JINJIA), since, until) is None


def test_canvass_completion_of_launched_campaigns_due_in_the_period(community_staff, wenhui_point):
    now = timezone.now()
    grid = Area.objects.get(code=WENHUI_GRID)
    community = Area.objects.get(code=WENHUI)
    households = [
        Household.objects.create(
            number=f"KH-{i}", area=grid, lon=wenhui_point[0], lat=wenhui_point[1]
        )
        for i in range(4)
    ]
    launched = Campaign.objects.create(
        name="考核排查", area=community, due_date=timezone.localdate(now), status="open"
    )
    draft = Campaign.objects.create(
        name="草稿", area=community, due_date=timezone.localdate(now), status="draft"
    )
    for i, household in enumerate(households):
        Task.objects.create(
            campaign=launched, household=household, area=grid, status="done" if i else "todo"
        )
        Task.objects.create(campaign=draft, household=household, area=grid, status="todo")
    since = now - dt.timedelta(days=14)
    until = now + dt.timedelta(days=1)  # the campaign is due today: inside [since, until)
    assert REGISTRY["canvass_completion"].compute(community, since, until) == 75.0  # 3 ÷ 4


def test_party_grading_is_the_mean_total_of_the_year(db):
    community = Area.objects.get(code=WENHUI)
    now = timezone.now()
    for total, name in ((80, "一支部"), (90, "二支部")):
        org = Organization.objects.create(name=name, kind="grid_branch", area=community)
        Grading.objects.create(organization=org, year=now.year, scores={}, total=total, grade="B")
    org = Organization.objects.create(name="去年", kind="grid_branch", area=community)
    Grading.objects.create(organization=org, year=now.year - 1, scores={}, total=10, grade="C")
    since = dt.datetime(now.year, 1, 1, tzinfo=timezone.get_default_timezone())
    assert REGISTRY["party_grading"].compute(community, since, now) == 85.0


def test_departments_assessed_by_the_streets_that_summoned_them(
    admin_user, community_staff, resident, wenhui_point, street_squad
):
    now = NOW
    events = _events(resident, wenhui_point, now)
    whistle = Whistle.objects.create(
        event=events[3], level="community", by=community_staff, reason="需要中队"
    )
    again = Whistle.objects.create(
        event=events[3], level="community", by=community_staff, reason="再次"
    )
    hour = dt.timedelta(hours=1)
    # Whistled half a day ago on the test's clock (the field is stamped at creation).
    Whistle.objects.filter(pk__in=[whistle.pk, again.pk]).update(at=now - 12 * hour)
    # Checked in on time, reported back late, rated good.
    Summons.objects.create(
        whistle=whistle,
        department=street_squad,
        check_in_due_at=now - 10 * hour,
        checked_in_at=now - 11 * hour,
        report_due_at=now - 5 * hour,
        reported_at=now - 4 * hour,
        rating="good",
        rated_at=now - 3 * hour,
    )
    # Neither checked in nor reported back, both overdue; not rated.
    Summons.objects.create(
        whistle=again,
        department=street_squad,
        check_in_due_at=now - 10 * hour,
        report_due_at=now - 5 * hour,
    )
    zone = zone_save(user=admin_user, root_code=DISTRICT, name="治理", street_codes=[XIAN])
    indicator_save(user=admin_user, zone_id=zone.pk, key="closure_rate", weight=50)
    indicator_save(user=admin_user, zone_id=zone.pk, key="whistle_report_back", weight=50)
    run = assessment_compute(user=admin_user, root_code=DISTRICT, year=now.year, now=now)

    result = DepartmentResult.objects.get(assessment=run, department=street_squad)
    assert result.summonses == 2
    figures = result.figures
    assert (figures["check_in"], figures["check_in_due"]) == (50.0, 2)
    assert (figures["report_back"], figures["report_due"]) == (0.0, 2)
    assert (figures["rating"], figures["rated"], figures["good"]) == (100.0, 1, 1)
    # 0.3 × 50 + 0.3 × 0 + 0.4 × 100 = 55.0 → D (40–60).
    assert (result.score, result.grade, result.rank) == (Decimal("55.0"), "D", 1)
    assert [(s["code"], s["summonses"]) for s in figures["by_street"]] == [(XIAN, 2)]

    # 西安: closure 75% → 100×(75−70)/(95−70) = 20; its squad reported 0 of 2 on time → 0.
    xian = AreaResult.objects.get(assessment=run, area__code=XIAN)
    lines = {line["key"]: (line["value"], line["score"]) for line in xian.lines}
    assert lines == {"closure_rate": (75.0, 20.0), "whistle_report_back": (0.0, 0.0)}
    assert (xian.score, xian.grade) == (Decimal("10.0"), "E")
    assert xian.pulling_down == ["whistle_report_back", "closure_rate"]
