"""Whistles timed end to end (decision 0025): three deadlines per summons at every level, the
sweep's warnings before and at each deadline (once each), the district-level whistle's
departments, the action step, and the whistling level's rating of the response."""

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone, translation

from gridgov.areas.models import Area, Department
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.events.models import Event, Summons, Whistle
from gridgov.events.services import event_act, event_report
from gridgov.events.services.whistles import (
    DEFAULT_DEADLINES,
    summonable_departments,
    summons_act,
    summons_check_in,
    summons_rate,
    summons_report,
    whistle_blow,
    whistles_sweep,
)
from gridgov.events.views import whistle_choices
from gridgov.events.whistle_chain import overdue_by_level, ratings_summary, whistle_chain
from gridgov.notifications.models import Notification
from tests.events.conftest import report_data

DISTRICT_DEPARTMENTS = {
    "区城市管理综合行政执法局",
    "古城公安分局",
    "区市场监督管理局",
    "区住房和城乡建设局",
    "区卫生健康局",
    "区环境卫生管理站",
}


@pytest.fixture
def filed_event(operator, reporter, wenhui_point) -> Event:
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    return event_act(user=operator, event_id=event.pk, action="accept")


def _blow(user, event, level, departments, reason="需上级协调") -> Whistle:
    return whistle_blow(
        user=user,
        event_id=event.pk,
        level=level,
        department_ids=[d.pk for d in departments],
        reason=reason,
    )


def _local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=timezone.get_current_timezone())


# -- deadlines per level ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("level", "check_in", "action", "report"),
    [
        # Whistled on Tuesday 2026-03-10 09:00; working hours 08:30-12:00 and 14:30-18:00.
        ("community", (3, 10, 11, 0), (3, 11, 9, 0), (3, 13, 9, 0)),
        ("street", (3, 10, 15, 30), (3, 12, 9, 0), (3, 15, 9, 0)),
        ("district", (3, 11, 10, 0), (3, 13, 9, 0), (3, 17, 9, 0)),
    ],
)
def test_every_level_gets_its_three_deadlines(
    level,
    check_in,
    action,
    report,
    community_staff,
    street_staff,
    operator,
    street_squad,
    district_bureau,
    filed_event,
):
    whistler, department = {
        "community": (community_staff, street_squad),
        "street": (street_staff, district_bureau),
        "district": (operator, district_bureau),  # no city in the demo: the district's own
    }[level]
    with mock.patch("django.utils.timezone.now", return_value=_local(2026, 3, 10, 9, 0)):
        summons = _blow(whistler, filed_event, level, [department]).summonses.get()
    assert summons.check_in_due_at == _local(2026, *check_in)
    assert summons.action_due_at == _local(2026, *action)
    assert summons.report_due_at == _local(2026, *report)


@pytest.mark.django_db
def test_no_step_falls_due_before_the_one_before(community_staff, street_squad, filed_event):
    # Friday 17:00: two working hours end on Monday 09:30, after 24 plain hours (Saturday).
    with mock.patch("django.utils.timezone.now", return_value=_local(2026, 3, 13, 17, 0)):
        summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    assert summons.check_in_due_at == _local(2026, 3, 16, 9, 30)
    assert summons.action_due_at == summons.check_in_due_at
    assert summons.report_due_at == _local(2026, 3, 16, 17, 0)


def test_the_defaults_grow_with_the_level():
    community, street, district = (
        DEFAULT_DEADLINES[lvl] for lvl in ("community", "street", "district")
    )
    for step in ("check_in", "action", "report"):
        assert community[step] < street[step] < district[step]
    assert (community["check_in"], street["check_in"], district["check_in"]) == (2, 4, 8)
    assert (community["action"], street["action"], district["action"]) == (24, 48, 72)
    assert (community["report"], street["report"], district["report"]) == (72, 120, 168)


@pytest.mark.django_db
def test_deadlines_are_configurable(settings, community_staff, street_squad, filed_event):
    settings.GRIDGOV_WHISTLE_DEADLINES = {"community": {"action": 6, "report": 12}}
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    start = summons.whistle.at
    # Plain hours, never before the step before: checking in counts working hours, so on a
    # Friday evening the check-in (and the action after it) falls on Monday.
    action = max(start + dt.timedelta(hours=6), summons.check_in_due_at)
    report = max(start + dt.timedelta(hours=12), action)
    assert abs(summons.action_due_at - action) < dt.timedelta(seconds=5)
    assert abs(summons.report_due_at - report) < dt.timedelta(seconds=5)


# -- the district-level whistle finds departments ---------------------------------------------


@pytest.mark.django_db
def test_the_district_whistle_lists_the_districts_departments_without_a_city(
    operator, district_bureau, filed_event
):
    level, departments = whistle_choices(operator, filed_event)
    assert level == "district"
    assert {d.name for d in departments} == DISTRICT_DEPARTMENTS
    whistle = _blow(operator, filed_event, "district", departments[:2])
    assert whistle.summonses.count() == 2
    street_police = Department.objects.get(name="西安街道派出所")
    with pytest.raises(DomainError):  # a street's department is not above the district
        _blow(operator, filed_event, "district", [street_police])


@pytest.mark.django_db
def test_with_a_city_the_district_whistle_summons_the_citys_departments(
    operator, district_bureau, filed_event
):
    city = Area.objects.create(code="5307", name="丽江市", kind="city", path="/5307/", depth=0)
    Area.objects.filter(code="530702").update(parent=city)
    for area in Area.objects.filter(path__startswith="/530702/"):
        Area.objects.filter(pk=area.pk).update(path="/5307" + area.path, depth=area.depth + 1)
    city_bureau = Department.objects.create(name="丽江市城市管理局", area=city)
    filed_event.refresh_from_db()
    operator.refresh_from_db()
    assert list(summonable_departments(filed_event, "district")) == [city_bureau]
    with pytest.raises(DomainError):
        _blow(operator, filed_event, "district", [district_bureau])


@pytest.mark.django_db
def test_the_event_page_lists_the_district_departments(operator, filed_event):
    client = Client()
    client.force_login(operator)
    page = client.get(f"/events/{filed_event.pk}/").content.decode()
    assert 'id="whistle-form"' in page
    for name in DISTRICT_DEPARTMENTS:
        assert name in page


# -- the action step ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_department_checks_in_acts_and_reports_back(
    community_staff, squad_handler, street_squad, bureau_handler, filed_event
):
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    with pytest.raises(Conflict):  # check in first
        summons_act(user=squad_handler, summons_id=summons.pk, note="到场")
    summons_check_in(user=squad_handler, summons_id=summons.pk)
    with pytest.raises(NotFound):  # not their department
        summons_act(user=bureau_handler, summons_id=summons.pk, note="到场")
    with pytest.raises(DomainError):
        summons_act(user=squad_handler, summons_id=summons.pk, note="  ")
    acted = summons_act(user=squad_handler, summons_id=summons.pk, note="已到场劝离")
    assert acted.action_at
    assert acted.action_by == squad_handler
    with pytest.raises(Conflict):
        summons_act(user=squad_handler, summons_id=summons.pk, note="again")
    reported = summons_report(user=squad_handler, summons_id=summons.pk, report="已取缔")
    assert reported.action_at == acted.action_at  # the recorded action is kept
    actions = list(filed_event.timeline.values_list("action", flat=True))
    assert actions[-4:] == ["whistle", "check_in", "summons_act", "report_back"]


@pytest.mark.django_db
def test_a_report_back_without_a_recorded_action_stamps_it(
    community_staff, squad_handler, street_squad, filed_event
):
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    summons_check_in(user=squad_handler, summons_id=summons.pk)
    reported = summons_report(user=squad_handler, summons_id=summons.pk, report="已处理")
    assert reported.action_at == reported.reported_at


# -- the sweep ---------------------------------------------------------------------------------


def _at_tuesday_nine(summons: Summons) -> None:
    """A whistle on Tuesday 2026-03-10 09:00 with the community level's deadlines."""
    start = _local(2026, 3, 10, 9, 0)
    Whistle.objects.filter(pk=summons.whistle_id).update(at=start)
    Summons.objects.filter(pk=summons.pk).update(
        check_in_due_at=_local(2026, 3, 10, 11, 0),  # 2 working hours
        action_due_at=start + dt.timedelta(hours=24),
        report_due_at=start + dt.timedelta(hours=72),
    )


@pytest.mark.django_db
def test_warnings_before_and_at_each_deadline_once_each(
    community_staff, squad_handler, street_squad, filed_event, django_capture_on_commit_callbacks
):
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    _at_tuesday_nine(summons)
    Notification.objects.all().delete()
    moments = [
        (_local(2026, 3, 10, 10, 0), []),  # half the check-in time: nothing yet
        (_local(2026, 3, 10, 10, 40), [("check_in", "near")]),
        (_local(2026, 3, 10, 11, 1), [("check_in", "missed")]),
        (_local(2026, 3, 11, 3, 1), [("action", "near")]),  # 18 h of 24
        (_local(2026, 3, 11, 9, 1), [("action", "missed")]),
        (_local(2026, 3, 12, 15, 1), [("report", "near")]),  # 54 h of 72
        (_local(2026, 3, 13, 9, 1), [("report", "missed")]),
    ]
    for now, expected in moments:
        with django_capture_on_commit_callbacks(execute=True):
            first = whistles_sweep(now=now)
            second = whistles_sweep(now=now)
        assert first == [(summons.pk, step, kind) for step, kind in expected], now
        assert second == [], now
    for user in (squad_handler, community_staff):  # the department and the whistler
        kinds = list(Notification.objects.filter(user=user).values_list("kind", flat=True))
        assert sorted(kinds) == ["whistle_missed"] * 3 + ["whistle_near"] * 3
    overdue = filed_event.timeline.filter(action="summons_overdue")
    assert sorted(t.data["step"] for t in overdue) == ["action", "check_in", "report"]
    assert whistles_sweep(now=_local(2026, 3, 20, 9, 0)) == []


@pytest.mark.django_db
def test_a_late_first_sweep_sends_only_the_missed_warnings(
    community_staff, street_squad, filed_event
):
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    _at_tuesday_nine(summons)
    later = _local(2026, 3, 16, 9, 0)
    assert whistles_sweep(now=later) == [
        (summons.pk, "check_in", "missed"),
        (summons.pk, "action", "missed"),
        (summons.pk, "report", "missed"),
    ]
    assert whistles_sweep(now=later) == []


@pytest.mark.django_db
def test_a_step_done_in_time_is_not_warned(
    community_staff, squad_handler, street_squad, filed_event
):
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    _at_tuesday_nine(summons)
    summons_check_in(user=squad_handler, summons_id=summons.pk)
    sent = whistles_sweep(now=_local(2026, 3, 11, 9, 1))
    assert ("check_in", "missed") not in [(step, kind) for _pk, step, kind in sent]
    assert (summons.pk, "action", "missed") in sent


@pytest.mark.django_db
def test_a_closed_event_is_not_swept(community_staff, street_squad, filed_event):
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    _at_tuesday_nine(summons)
    Event.objects.filter(pk=filed_event.pk).update(state="closed")
    assert whistles_sweep(now=_local(2026, 3, 20, 9, 0)) == []


@pytest.mark.django_db
def test_the_periodic_task_sweeps_whistles(community_staff, street_squad, filed_event):
    from gridgov.events.tasks import whistles_sweep_task

    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    past = timezone.now() - dt.timedelta(minutes=1)
    Summons.objects.filter(pk=summons.pk).update(check_in_due_at=past)
    assert whistles_sweep_task.call_local() == 1
    assert whistles_sweep_task.call_local() == 0


# -- the whistling level's rating ------------------------------------------------------------


@pytest.fixture
def reported_summons(community_staff, squad_handler, street_squad, filed_event) -> Summons:
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    summons_check_in(user=squad_handler, summons_id=summons.pk)
    return summons_report(user=squad_handler, summons_id=summons.pk, report="已联合执法")


def _unchanged(summons: Summons, call) -> None:
    before = (
        Summons.objects.filter(pk=summons.pk).values().get(),
        summons.whistle.event.timeline.count(),
    )
    with pytest.raises((DomainError,)):
        call()
    after = (
        Summons.objects.filter(pk=summons.pk).values().get(),
        summons.whistle.event.timeline.count(),
    )
    assert before == after


@pytest.mark.django_db
def test_only_the_whistling_levels_staff_in_their_area_rate_after_the_report_back(
    community_staff,
    other_community_staff,
    street_staff,
    squad_handler,
    grid_worker,
    reported_summons,
):
    s = reported_summons
    for user in (street_staff, squad_handler, grid_worker):
        _unchanged(s, lambda u=user: summons_rate(user=u, summons_id=s.pk, rating="good"))
    with pytest.raises(NotFound):  # another community's staff do not see the event
        summons_rate(user=other_community_staff, summons_id=s.pk, rating="good")
    _unchanged(s, lambda: summons_rate(user=community_staff, summons_id=s.pk, rating="great"))
    _unchanged(s, lambda: summons_rate(user=community_staff, summons_id=s.pk, rating="poor"))
    rated = summons_rate(user=community_staff, summons_id=s.pk, rating="adequate", note="稍慢")
    assert (rated.rating, rated.rating_note, rated.rated_by) == (
        "adequate",
        "稍慢",
        community_staff,
    )
    _unchanged(s, lambda: summons_rate(user=community_staff, summons_id=s.pk, rating="good"))
    assert s.whistle.event.timeline.filter(action="summons_rated").count() == 1


@pytest.mark.django_db
def test_no_rating_before_the_report_back(
    community_staff, squad_handler, street_squad, filed_event
):
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    _unchanged(
        summons, lambda: summons_rate(user=community_staff, summons_id=summons.pk, rating="good")
    )
    summons_check_in(user=squad_handler, summons_id=summons.pk)
    _unchanged(
        summons, lambda: summons_rate(user=community_staff, summons_id=summons.pk, rating="good")
    )


@pytest.mark.django_db
def test_ratings_are_summed_per_department_for_street_and_district_staff(
    community_staff, street_staff, district_staff, grid_worker, squad_handler, reported_summons
):
    summons_rate(user=community_staff, summons_id=reported_summons.pk, rating="good")
    today = timezone.localdate()
    for reader in (street_staff, district_staff):
        summary = ratings_summary(user=reader, date_from=today, date_to=today)
        assert summary["departments"] == [
            {
                "department_id": reported_summons.department_id,
                "department": "西安街道综合执法中队",
                "good": 1,
                "adequate": 0,
                "poor": 0,
                "total": 1,
                "score": 100.0,
            }
        ]
    earlier = today - dt.timedelta(days=10)
    assert (
        ratings_summary(user=street_staff, date_from=earlier, date_to=earlier)["departments"] == []
    )
    for reader in (community_staff, grid_worker, squad_handler):
        with pytest.raises(PermissionDenied):
            ratings_summary(user=reader, date_from=today, date_to=today)


# -- API -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_records_the_action_and_the_rating_and_reads_the_ratings(
    community_staff, squad_handler, street_staff, street_squad, filed_event
):
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    handler = Client()
    handler.force_login(squad_handler)
    base = "/api/v1"
    assert handler.post(f"{base}/events/summonses/{summons.pk}/check-in").status_code == 200
    answer = handler.post(
        f"{base}/whistles/summonses/{summons.pk}/action",
        {"note": "已到场"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["late"] is False
    again = handler.post(
        f"{base}/whistles/summonses/{summons.pk}/action",
        {"note": "x"},
        content_type="application/json",
    )
    assert again.status_code == 409
    handler.post(
        f"{base}/events/summonses/{summons.pk}/report",
        {"report": "完成"},
        content_type="application/json",
    )
    assert (
        handler.post(
            f"{base}/whistles/summonses/{summons.pk}/rating",
            {"rating": "good"},
            content_type="application/json",
        ).status_code
        == 403
    )
    staff = Client()
    staff.force_login(community_staff)
    rated = staff.post(
        f"{base}/whistles/summonses/{summons.pk}/rating",
        {"rating": "good", "note": "及时"},
        content_type="application/json",
    )
    assert rated.status_code == 200
    assert rated.json()["rating"] == "good"
    reader = Client()
    reader.force_login(street_staff)
    summary = reader.get(f"{base}/whistles/ratings").json()
    assert summary["departments"][0]["good"] == 1
    assert staff.get(f"{base}/whistles/ratings").status_code == 403


# -- the chain on the event page and the big screen ------------------------------------------


@pytest.mark.django_db
def test_the_chain_shows_each_deadline_on_time_late_or_overdue(
    community_staff, squad_handler, street_squad, filed_event
):
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    now = timezone.now()
    Summons.objects.filter(pk=summons.pk).update(check_in_due_at=now - dt.timedelta(hours=3))
    summons_check_in(user=squad_handler, summons_id=summons.pk)  # late by about 3 hours
    Summons.objects.filter(pk=summons.pk).update(action_due_at=now - dt.timedelta(minutes=30))
    with translation.override("en"):
        chain = whistle_chain(filed_event, community_staff)
    steps = {st["step"]: st for st in chain[0]["summonses"][0]["steps"]}
    assert steps["check_in"]["status"] == "late"
    assert steps["check_in"]["by"].startswith("3 h")
    assert steps["action"]["status"] == "overdue"
    assert steps["action"]["by"].endswith("min")
    assert steps["report"]["status"] == "open"
    client = Client()
    client.force_login(community_staff)
    page = client.get(f"/events/{filed_event.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for marker in ('class="whistle-chain"', "step-late", "step-overdue", "late by 3 h"):
        assert marker in page
    assert overdue_by_level(Event.objects.all(), timezone.now()) == {
        "community": 1,
        "street": 0,
        "district": 0,
    }


@pytest.mark.django_db
def test_the_big_screen_counts_overdue_summonses_per_level(
    community_staff, street_staff, operator, street_squad, district_bureau, filed_event
):
    _blow(community_staff, filed_event, "community", [street_squad])
    late = _blow(street_staff, filed_event, "street", [district_bureau]).summonses.get()
    Summons.objects.filter(pk=late.pk).update(
        check_in_due_at=timezone.now() - dt.timedelta(hours=1)
    )
    client = Client()
    client.force_login(operator)
    block = client.get("/api/v1/events/screen").json()["whistles"]
    assert block["overdue_total"] == 1
    assert {row["level"]: row["overdue"] for row in block["levels"]} == {
        "community": 0,
        "street": 1,
        "district": 0,
    }


@pytest.mark.django_db
def test_the_department_checks_in_acts_and_reports_on_the_event_page(
    community_staff, squad_handler, street_squad, filed_event
):
    summons = _blow(community_staff, filed_event, "community", [street_squad]).summonses.get()
    client = Client()
    client.force_login(squad_handler)
    url = f"/events/{filed_event.pk}/"
    assert 'id="check-in"' in client.get(url).content.decode()
    client.post(url, {"op": "check_in", "summons_id": summons.pk})
    assert 'id="act"' in client.get(url).content.decode()
    client.post(url, {"op": "act", "summons_id": summons.pk, "note": "已到场"})
    assert 'id="report-back"' in client.get(url).content.decode()
    client.post(url, {"op": "report_back", "summons_id": summons.pk, "report": "已处理"})
    summons.refresh_from_db()
    assert summons.action_note == "已到场"
    assert summons.report == "已处理"
    staff = Client()
    staff.force_login(community_staff)
    staff.post(url, {"op": "rate", "summons_id": summons.pk, "rating": "good"})
    detail = staff.get(f"/api/v1/events/{filed_event.pk}").json()
    row = detail["whistles"][0]["summonses"][0]
    assert row["rating"] == "good"
    assert row["action_at"]
    assert row["report_due_at"]
