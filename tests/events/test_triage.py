"""Triage at the desk (decision 0024): the operator sets subclass and urgency before filing,
sees the classifier's reasons, answers the reporter; urgent matters alarm and run on the
clock; the enforcement list goes to the unified squad."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.accounts.roles import Role
from gridgov.areas.models import Area
from gridgov.common.errors import Conflict, NotFound, PermissionDenied
from gridgov.events import classifier
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.models import Event, ResponseTemplate, Subclass
from gridgov.events.services import event_act, event_report, routing_candidates
from gridgov.events.triage import event_triage
from gridgov.events.workflow import State
from tests.api.test_api import token_for
from tests.conftest import _persona
from tests.events.conftest import report_data

GAS = "0403"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sub(code: str) -> Subclass:
    return Subclass.objects.get(code=code)


@pytest.fixture
def reported(reporter, wenhui_point) -> Event:
    return event_report(
        user=reporter,
        data=report_data(wenhui_point, description="楼道里有很浓的燃气味，怀疑煤气泄漏"),
        source="resident",
    )


@pytest.fixture
def far_operator(db):
    """An operator of another street: the event lies outside their area."""
    street = Area.objects.filter(depth=2).exclude(code="530702001").first()
    return _persona("far_operator", Role.OPERATOR, street.code)


# The service --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_operator_reclassifies_and_the_deadline_and_routing_follow(operator, reported):
    assert reported.subclass.code == "0102"
    assert not reported.subclass.urgent
    event = event_triage(
        user=operator,
        event_id=reported.pk,
        subclass_id=sub("0504").pk,
        urgency="urgent",
        version=reported.version,
    )
    assert (event.subclass.code, event.urgency, event.state) == ("0504", "urgent", State.REPORTED)
    assert event.version == reported.version + 1
    calendar = WorkingCalendar.from_database()
    hours = sub("0504").limit_hours("urgent", "accept")
    assert event.stage_due_at == calendar.add_working_hours(reported.stage_started_at, hours)
    assert event.accept_due_at == event.stage_due_at
    row = event.timeline.get(action="triage")
    assert row.data["subclass"] == ["0102", "0504"]
    assert row.data["urgency"] == ["normal", "urgent"]
    assert row.actor == operator
    # Routing reads the new subclass: parking goes to the street's unified squad.
    assert routing_candidates(event)[0].name.endswith("综合执法中队")


@pytest.mark.django_db
def test_nothing_to_change_writes_nothing(operator, reported):
    event = event_triage(
        user=operator, event_id=reported.pk, subclass_id=reported.subclass_id, version=0
    )
    assert event.version == reported.version
    assert not event.timeline.filter(action="triage").exists()


@pytest.mark.django_db
def test_refused_outside_the_area_for_a_worker_and_after_filing(
    operator, far_operator, grid_worker, reported
):
    before = (reported.subclass_id, reported.version)
    with pytest.raises(NotFound):
        event_triage(user=far_operator, event_id=reported.pk, subclass_id=sub("0504").pk)
    with pytest.raises(PermissionDenied):
        event_triage(user=grid_worker, event_id=reported.pk, subclass_id=sub("0504").pk)
    event_act(user=operator, event_id=reported.pk, action="accept")
    with pytest.raises(Conflict) as refused:
        event_triage(user=operator, event_id=reported.pk, subclass_id=sub("0504").pk)
    assert refused.value.code == "not_allowed_now"
    reported.refresh_from_db()
    assert reported.subclass_id == before[0]
    assert not reported.timeline.filter(action="triage").exists()


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict(operator, reported):
    with pytest.raises(Conflict) as refused:
        event_triage(
            user=operator,
            event_id=reported.pk,
            subclass_id=sub("0504").pk,
            version=reported.version + 1,
        )
    assert refused.value.code == "stale"
    reported.refresh_from_db()
    assert reported.subclass.code == "0102"


@pytest.mark.django_db
def test_an_inactive_or_unknown_subclass_is_refused(operator, reported):
    with pytest.raises(NotFound):
        event_triage(user=operator, event_id=reported.pk, subclass_id=999_999)


# Urgent subclasses ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_catalog_marks_the_dangerous_matters_urgent(db):
    urgent = set(Subclass.objects.filter(urgent=True).values_list("code", flat=True))
    assert {"0401", "0403", "1401"} <= urgent
    assert "0102" not in urgent


@pytest.mark.django_db
def test_urgent_subclass_runs_on_calendar_hours_and_top_urgency(operator, reporter, wenhui_point):
    gas = event_report(
        user=reporter,
        data=report_data(wenhui_point, subclass=GAS, description="燃气泄漏"),
        source="resident",
    )
    assert gas.urgency == "critical"  # intake: whatever was asked
    hours = sub(GAS).limit_hours("critical", "accept")
    assert gas.stage_due_at == gas.stage_started_at + dt.timedelta(hours=hours)
    # Re-classified into gas at the desk: the same.
    normal = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    event = event_triage(
        user=operator, event_id=normal.pk, subclass_id=sub(GAS).pk, urgency="normal"
    )
    assert event.urgency == "critical"
    assert event.stage_due_at == normal.stage_started_at + dt.timedelta(hours=hours)
    # Filing and dispatching keep counting clock time.
    event = event_act(user=operator, event_id=event.pk, action="accept")
    dispatch_hours = sub(GAS).limit_hours("critical", "dispatch")
    assert event.stage_due_at == event.stage_started_at + dt.timedelta(hours=dispatch_hours)


def test_add_calendar_hours_counts_nights_and_holidays():
    calendar = WorkingCalendar(holidays=[dt.date(2026, 10, 1)])
    start = dt.datetime(2026, 9, 30, 23, 0, tzinfo=timezone.get_current_timezone())
    assert calendar.add_calendar_hours(start, 2) == start + dt.timedelta(hours=2)
    assert calendar.add_hours(start, 2, urgent=True) == start + dt.timedelta(hours=2)
    assert calendar.add_hours(start, 2, urgent=False) > start + dt.timedelta(days=1)


@pytest.mark.django_db
def test_urgent_alarm_in_the_queue_row_and_on_the_screen(operator, reporter, wenhui_point):
    gas = event_report(
        user=reporter,
        data=report_data(wenhui_point, subclass=GAS, description="燃气泄漏"),
        source="resident",
    )
    plain = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    client = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    items = {e["id"]: e for e in client.get("/api/v1/events/").json()["items"]}
    assert items[gas.pk]["urgent"] is True
    assert items[plain.pk]["urgent"] is False
    screen = client.get("/api/v1/events/screen").json()
    assert [a["id"] for a in screen["alarms"]] == [gas.pk]
    assert screen["alarms"][0]["kind"] == "燃气泄漏"
    # Closed or voided: no more alarm.
    event_act(user=operator, event_id=gas.pk, action="void", comment="误报")
    from django.core.cache import cache

    cache.clear()
    assert client.get("/api/v1/events/screen").json()["alarms"] == []


# The reporter never sees internal notes or staff names -------------------------------------
@pytest.mark.django_db
def test_reporter_sees_the_public_reply_only(
    operator, reporter, reported, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event_triage(
            user=operator,
            event_id=reported.pk,
            subclass_id=sub("0504").pk,
            public_reply="已立案，执法人员将到现场处理。",
            internal_note="先电话联系车主",
        )
    event_act(user=operator, event_id=reported.pk, action="accept", comment="内部备注勿外传")
    api = Client(headers={"Authorization": f"Bearer {token_for(reporter)}"})
    body = api.get(f"/api/v1/events/{reported.pk}").json()
    text = str(body)
    assert "已立案，执法人员将到现场处理。" in text
    for secret in ("先电话联系车主", "内部备注勿外传", operator.username):
        assert secret not in text
    assert all(step["by"] is None and step["comment"] == "" for step in body["timeline"])
    # The staff page sends the reporter to their own view of it, which tells the reply only.
    staff_page = signed_in(reporter).get(f"/events/{reported.pk}/")
    assert staff_page["Location"] == f"/r/reports/{reported.number}/"
    reporter.is_staff = False  # the test persona can open the back office; a resident cannot
    reporter.save(update_fields=["is_staff"])
    mine = signed_in(reporter).get(f"/api/v1/resident/reports/{reported.number}")
    text = str(mine.json())
    assert "已立案，执法人员将到现场处理。" in text
    for secret in ("先电话联系车主", "内部备注勿外传", operator.username):
        assert secret not in text
    # Staff see both, and who.
    staff = signed_in(operator).get(f"/events/{reported.pk}/").content.decode()
    assert "先电话联系车主" in staff
    assert operator.username in staff
    # The reporter was told.
    from gridgov.notifications.models import Notification

    assert Notification.objects.filter(user=reporter, text__contains="已立案").exists()


# The classifier ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_explain_gives_three_subclasses_with_the_deciding_words(db):
    answer = classifier.explain("小区门口燃气泄漏，很浓的煤气味", k=3)
    assert len(answer) == 3
    top, score, words = answer[0]
    assert top.code == GAS
    assert 0 < score <= 1
    assert set(words) & {"燃气", "煤气", "泄漏"}
    assert [s for _, s, _ in answer] == sorted((s for _, s, _ in answer), reverse=True)
    assert classifier.explain("", k=3) == []


# The API and the page -------------------------------------------------------------------------
@pytest.mark.django_db
def test_api_triage(operator, grid_worker, reported):
    url = f"/api/v1/events/{reported.pk}/triage"
    worker = Client(headers={"Authorization": f"Bearer {token_for(grid_worker)}"})
    assert worker.post(url, {"subclass_id": sub("0504").pk}, "application/json").status_code == 403
    center = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    stale = center.post(
        url, {"subclass_id": sub("0504").pk, "version": 7}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"
    response = center.post(
        url,
        {"subclass_id": sub(GAS).pk, "version": reported.version, "public_reply": "已派抢修"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["subclass"], body["urgency"], body["urgent"]) == (GAS, "critical", True)
    assert body["timeline"][-1]["reply"] == "已派抢修"
    bad = center.post(url, {"urgency": "panic"}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["field"] == "urgency"


@pytest.mark.django_db
def test_page_offers_suggestions_templates_and_files_with_the_new_subclass(
    operator, grid_worker, reported
):
    ResponseTemplate.objects.create(
        subclass=sub(GAS),
        title="燃气 · 抢修",
        public_reply="抢修已出发",
        internal_note="通知燃气公司",
    )
    page = signed_in(operator).get(f"/events/{reported.pk}/").content.decode()
    assert 'id="triage"' in page
    assert f'class="suggestion" data-subclass="{sub(GAS).pk}"' in page  # the top suggestion
    assert "燃气 · 抢修" in page
    assert 'name="triage_subclass"' in page
    assert (
        'id="triage"' not in signed_in(grid_worker).get(f"/events/{reported.pk}/").content.decode()
    )
    response = signed_in(operator).post(
        f"/events/{reported.pk}/",
        {
            "action": "accept",
            "version": str(reported.version),
            "triage_subclass": str(sub(GAS).pk),
            "triage_urgency": "normal",
            "public_reply": "抢修已出发",
            "comment": "通知燃气公司",
        },
    )
    assert response.status_code == 302
    reported.refresh_from_db()
    assert (reported.state, reported.subclass.code, reported.urgency) == (
        State.FILED,
        GAS,
        "critical",
    )
    assert list(reported.timeline.values_list("action", flat=True)) == [
        "report",
        "triage",
        "accept",
    ]


@pytest.mark.django_db
def test_page_refuses_a_stale_form_and_files_nothing(operator, reported):
    event_triage(user=operator, event_id=reported.pk, urgency="urgent")
    response = signed_in(operator).post(
        f"/events/{reported.pk}/",
        {
            "action": "accept",
            "version": "0",
            "triage_subclass": str(sub("0504").pk),
            "triage_urgency": "normal",
        },
        follow=True,
    )
    assert response.status_code == 200
    reported.refresh_from_db()
    assert (reported.state, reported.subclass.code) == (State.REPORTED, "0102")


# The enforcement list -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_enforcement_list_routes_to_the_unified_squad(reporter, wenhui_point, street_squad):
    enforced = Subclass.objects.filter(enforcement=True, active=True)
    assert enforced.count() >= 10
    for subclass in enforced:
        event = Event(subclass=subclass, area=Area.objects.get(code="530702001002001"))
        assert street_squad in routing_candidates(event), subclass.code
        assert routing_candidates(event)[0] == street_squad, subclass.code
    # Not on the list, not the squad's: a neighbour dispute goes to the police station.
    dispute = Event(subclass=sub("1501"), area=Area.objects.get(code="530702001002001"))
    assert street_squad not in routing_candidates(dispute)


def test_an_urgent_stage_turns_yellow_by_clock_time():
    from gridgov.events.calendar import deadline_colour

    calendar = WorkingCalendar()
    start = dt.datetime(2026, 10, 3, 22, 0, tzinfo=timezone.get_current_timezone())  # a Saturday
    due = start + dt.timedelta(hours=1)
    at = start + dt.timedelta(minutes=50)
    assert deadline_colour(start, due, at, calendar, urgent=True) == "yellow"
    assert deadline_colour(start, due, start + dt.timedelta(minutes=10), calendar, urgent=True) == (
        "green"
    )
    assert deadline_colour(start, due, due, calendar, urgent=True) == "red"


@pytest.mark.django_db
def test_the_daily_rollups_follow_a_reclassified_event(operator, reported):
    from gridgov.analytics.services import rollups_verify

    event_triage(user=operator, event_id=reported.pk, subclass_id=sub(GAS).pk)
    event_act(user=operator, event_id=reported.pk, action="accept")
    assert rollups_verify(engine="python") == []


def test_the_sweep_warns_an_urgent_stage_by_clock_time(reporter, wenhui_point):
    """A gas leak reported on a Saturday night: working hours have not started, but 85% of
    its clock time is gone, so the sweep warns (yellow) now, not on Monday."""
    from gridgov.events.services import deadlines_sweep

    gas = event_report(
        user=reporter,
        data=report_data(wenhui_point, subclass=GAS, description="燃气泄漏"),
        source="resident",
    )
    saturday_night = dt.datetime(2026, 11, 28, 22, 0, tzinfo=timezone.get_current_timezone())
    Event.objects.filter(pk=gas.pk).update(
        stage_started_at=saturday_night, stage_due_at=saturday_night + dt.timedelta(hours=1)
    )
    warned = deadlines_sweep(now=saturday_night + dt.timedelta(minutes=51))
    assert (gas.pk, "yellow") in warned
    assert deadlines_sweep(now=saturday_night + dt.timedelta(minutes=52)) == []
