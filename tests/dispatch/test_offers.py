"""Dispatch to one or several grid workers, who accept or decline; reassignment; the panel."""

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.common.errors import Conflict, DomainError, PermissionDenied
from gridgov.dispatch.models import WorkerPosition
from gridgov.events.models import Assignment, Event
from gridgov.events.services import event_act, event_report
from gridgov.notifications.models import Notification
from tests.api.test_api import token_for
from tests.conftest import WENHUI_GRID, _persona


@pytest.fixture
def shift_leader(db) -> User:
    return _persona("shift_leader", "shift_leader", "530702")


def _workers(*names: str) -> list[User]:
    grid = Area.objects.get(code=WENHUI_GRID)
    return [
        User.objects.create(username=n, first_name=n, role="grid_worker", area=grid, phone="")
        for n in names
    ]


def _filed(operator, resident, point) -> Event:
    event = event_report(
        user=resident,
        data={"subclass": "0102", "description": "垃圾堆放", "lon": point[0], "lat": point[1]},
        source="resident",
    )
    return event_act(user=operator, event_id=event.pk, action="accept")


@pytest.mark.django_db
def test_offer_to_several_first_acceptance_starts_work(
    operator, resident, wenhui_point, django_capture_on_commit_callbacks
):
    lead, helper = _workers("lead", "helper")
    event = _filed(operator, resident, wenhui_point)
    with django_capture_on_commit_callbacks(execute=True):
        event = event_act(
            user=operator,
            event_id=event.pk,
            action="dispatch",
            data={"assignee_ids": [lead.pk, helper.pk]},
        )
    assert event.state == "dispatched"
    assert event.assignee == lead
    offers = dict(event.assignments.values_list("worker__username", "status"))
    assert offers == {"lead": "offered", "helper": "offered"}
    assert Notification.objects.filter(user=helper, event=event, kind="dispatched").exists()

    # The helper accepts first: the work starts, the lead still leads.
    event = event_act(user=helper, event_id=event.pk, action="accept_task")
    assert event.state == "in_progress"
    assert event.assignee == lead
    with pytest.raises(Conflict):
        event_act(user=helper, event_id=event.pk, action="accept_task")
    # The lead declines with a reason: the accepted helper leads now.
    with pytest.raises(DomainError):
        event_act(user=lead, event_id=event.pk, action="decline_task")
    event = event_act(user=lead, event_id=event.pk, action="decline_task", comment="在区里开会")
    assert event.assignee == helper
    assert event.state == "in_progress"
    declined = event.assignments.get(worker=lead)
    assert declined.status == "declined"
    assert declined.reason == "在区里开会"
    actions = list(event.timeline.values_list("action", flat=True))
    assert actions[-3:] == ["dispatch", "accept_task", "decline_task"]


@pytest.mark.django_db
def test_everyone_declines_goes_back_to_the_dispatcher(
    operator, shift_leader, resident, wenhui_point, django_capture_on_commit_callbacks
):
    (only,) = _workers("only")
    event = _filed(operator, resident, wenhui_point)
    event = event_act(
        user=operator, event_id=event.pk, action="dispatch", data={"assignee_id": only.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = event_act(user=only, event_id=event.pk, action="decline_task", comment="不在附近")
    assert event.state == "filed"
    assert event.assignee is None
    assert Notification.objects.filter(user=shift_leader, event=event, kind="declined").exists()


@pytest.mark.django_db
def test_only_those_offered_may_answer_and_reassign_withdraws(
    operator, resident, grid_worker, wenhui_point
):
    first, second = _workers("first", "second")
    event = _filed(operator, resident, wenhui_point)
    event_act(user=operator, event_id=event.pk, action="dispatch", data={"assignee_id": first.pk})
    with pytest.raises(PermissionDenied):
        event_act(user=grid_worker, event_id=event.pk, action="accept_task")
    before = Event.objects.get(pk=event.pk)
    # Reassign to the second worker: the first offer is withdrawn and may not be accepted.
    event = event_act(
        user=operator, event_id=event.pk, action="dispatch", data={"assignee_ids": [second.pk]}
    )
    assert event.version == before.version + 1
    assert event.assignee == second
    assert Assignment.objects.get(event=event, worker=first).status == "withdrawn"
    with pytest.raises(PermissionDenied):
        event_act(user=first, event_id=event.pk, action="accept_task")
    # Unknown people are refused and nothing changes.
    with pytest.raises(DomainError):
        event_act(
            user=operator, event_id=event.pk, action="dispatch", data={"assignee_ids": [999999]}
        )
    assert Event.objects.get(pk=event.pk).version == event.version
    # An accepted task is returned, not declined.
    event_act(user=second, event_id=event.pk, action="accept_task")
    with pytest.raises(Conflict):
        event_act(user=second, event_id=event.pk, action="decline_task", comment="不想做")


@pytest.mark.django_db
def test_panel_and_tasks_over_the_api(operator, resident, wenhui_point, settings):
    settings.GRIDGOV_MEETING_URL = "https://meet.example.org/gridgov-{event}-{worker}"
    near, far = _workers("near", "far")
    near.phone = "13800138000"
    near.save()
    WorkerPosition.objects.create(
        user=near, lon=wenhui_point[0], lat=wenhui_point[1], at=timezone.now()
    )
    WorkerPosition.objects.create(
        user=far, lon=wenhui_point[0] + 0.1, lat=wenhui_point[1], at=timezone.now()
    )
    event = _filed(operator, resident, wenhui_point)
    center = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    panel = center.get(f"/api/v1/dispatch/events/{event.pk}").json()
    assert [w["id"] for w in panel["workers"]] == [near.pk]  # ~10 km away is outside 2 km
    assert panel["workers"][0]["tel"] == "tel:13800138000"
    assert panel["workers"][0]["meeting_url"] == (
        f"https://meet.example.org/gridgov-{event.number}-{near.pk}"
    )
    answer = center.post(
        f"/api/v1/events/{event.pk}/actions/dispatch",
        {"assignee_ids": [near.pk]},
        content_type="application/json",
    )
    assert answer.status_code == 200
    worker = Client(headers={"Authorization": f"Bearer {token_for(near)}"})
    tasks = worker.get("/api/v1/dispatch/tasks").json()
    assert [(t["number"], t["offer"]) for t in tasks] == [(event.number, "offered")]
    refused = worker.post(
        f"/api/v1/events/{event.pk}/actions/decline_task", {}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "comment"


@pytest.mark.django_db
def test_the_panel_reads_a_fixed_number_of_queries(operator, resident, wenhui_point):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridgov.areas.models import Department
    from gridgov.dispatch.position_index import positions
    from gridgov.events.dispatching import dispatch_panel

    event = _filed(operator, resident, wenhui_point)
    grid = event.area

    def add(n: int) -> None:
        department = Department.objects.create(name=f"d{n}", area=grid.parent)
        department.sunk_into.add(grid)
        User.objects.create(username=f"staff{n}", role="department_staff", department=department)
        (worker,) = _workers(f"w{n}")
        WorkerPosition.objects.create(
            user=worker, lon=wenhui_point[0], lat=wenhui_point[1], at=timezone.now()
        )

    def panel_queries() -> tuple[int, int, int]:
        positions.invalidate()
        dispatch_panel(user=operator, event=event)  # the position index loads
        with CaptureQueriesContext(connection) as captured:
            panel = dispatch_panel(user=operator, event=event)
        return len(captured), len(panel["departments"]), len(panel["workers"])

    add(0)
    one = panel_queries()
    for n in range(1, 5):
        add(n)
    five = panel_queries()
    assert (five[1] - one[1], five[2] - one[2]) == (4, 4)
    assert one[0] == five[0] <= 5
