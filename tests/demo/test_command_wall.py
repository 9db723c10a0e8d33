"""The demo fills every panel of the command wall (/screen/, decision 0039): departments
ranked for the month, camera alerts with a snapshot and a stream, whistles in progress,
urgent and overdue events on the alarm strip; the rollups still agree with the events
after they were moved back in time; and the district leader takes the monthly report."""

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.analytics.services import rollups_rebuild, rollups_verify
from gridgov.demo.command import (
    CAMERA_ALERTS,
    DEPARTMENT_CASES,
    URGENT_CASES,
    build_command_wall,
    subscribe_leader,
)
from gridgov.events.models import Event, Source
from gridgov.events.screen_panels import command_alarms, command_cameras, command_whistles
from gridgov.events.screen_rates import command_rates
from gridgov.reports.models import Subscription


def test_the_demo_fills_every_panel_of_the_wall(db):
    made = build_command_wall()
    rollups_rebuild()
    assert made == sum(len(cases) for *_d, cases in DEPARTMENT_CASES) + 2 + len(
        CAMERA_ALERTS
    ) + len(URGENT_CASES)
    assert rollups_verify() == []
    operator = User.objects.get(username="operator")

    # Departments that handled cases this month (the demo keeps older cases inside the
    # month, whatever day it runs), ranked.
    rates = command_rates(user=operator, period="month")
    ranked = {d["name"]: d for d in rates["departments"]}
    assert {name for name, *_rest in DEPARTMENT_CASES} <= set(ranked)
    assert all(ranked[name]["due_to_close"] > 0 for name, *_rest in DEPARTMENT_CASES)
    # The bureau closed (0, 7), (2, 7), (5, 6) and (9, 7); (1, 3) is in its hands.
    assert ranked["区城市管理综合行政执法局"]["closed"] == 4
    assert [d["rank"] for d in rates["departments"]] == list(range(1, len(ranked) + 1))

    # Camera alerts of the last days: each with its snapshot (the event's photo) and the
    # stream of the registered camera it names.
    cameras = command_cameras(user=operator)
    assert cameras["total"] == len(CAMERA_ALERTS)
    assert len(cameras["events"]) == len(CAMERA_ALERTS)
    for alert in cameras["events"]:
        assert alert["snapshot_url"].startswith("/")
        assert alert["stream_url"].startswith("https://")
        assert alert["camera"]
    ages = [timezone.now() - e.reported_at for e in Event.objects.filter(source=Source.CAMERA)]
    assert max(ages).days < 7
    assert min(ages).total_seconds() > 3600

    # Whistles still waiting for a department's report-back, one bureau on site.
    whistles = command_whistles(user=operator)
    assert whistles["total"] == 2
    steps = [
        {s["step"]: s["status"] for s in summons["steps"]}
        for w in whistles["whistles"]
        for summons in w["summonses"]
    ]
    assert len(steps) == 3
    done = ("on_time", "late")
    assert [s["check_in"] in done and s["action"] in done for s in steps].count(True) == 1
    assert not any(s["report"] in done for s in steps)

    # Both halves of the alarm strip.
    alarms = command_alarms(user=operator)
    assert alarms["urgent_total"] >= len(URGENT_CASES) + 1  # the fire lane's camera too
    assert alarms["overdue_total"] >= 2
    codes = {a["number"] for a in alarms["overdue"]}
    late = Event.objects.filter(number__in=codes, department__isnull=False).count()
    assert late >= 2  # the departments' cases past their deadline


def test_the_leader_subscribes_to_the_districts_monthly_report(db):
    subscribe_leader()
    subscribe_leader()  # the demo may run it again: still one subscription
    leader = User.objects.get(username="leader")
    rows = list(Subscription.objects.filter(user=leader).values_list("area__code", "kind"))
    assert rows == [("530702", "month")]
