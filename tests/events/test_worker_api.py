"""The worker app's API (decision 0023): tasks and verification lists, the pulse, one event,
and actions sent exactly once by their client UUID."""

import json
import uuid

import pytest
from django.test import Client

from gridgov.accounts.roles import Role
from gridgov.events.models import ActionReceipt, Event, TimelineEntry
from gridgov.events.services import event_act, event_report
from tests.conftest import WENHUI_GRID, _persona
from tests.events.conftest import report_data
from tests.events.factories import photo_ref

pytestmark = pytest.mark.django_db
API = "/api/v1/worker"


@pytest.fixture
def colleague(db):
    return _persona("colleague", Role.GRID_WORKER, WENHUI_GRID)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _dispatched(operator, reporter, point, *workers) -> Event:
    event = event_report(user=reporter, data=report_data(point), source="resident")
    event_act(user=operator, event_id=event.pk, action="accept")
    return event_act(
        user=operator,
        event_id=event.pk,
        action="dispatch",
        data={"assignee_ids": [w.pk for w in workers]},
    )


def test_tasks_pulse_and_detail_show_my_offer_not_the_reporter(
    operator, reporter, grid_worker, colleague, wenhui_point
):
    reporter.last_name, reporter.first_name, reporter.phone = "郭", "霞霞", "13912345678"
    reporter.save()
    mine = _dispatched(operator, reporter, wenhui_point, grid_worker)
    theirs = _dispatched(operator, reporter, wenhui_point, colleague)
    client = _client(grid_worker)

    lists = client.get(f"{API}/tasks").json()
    assert [t["id"] for t in lists["tasks"]] == [mine.pk]  # a colleague's task is not mine
    assert lists["tasks"][0]["offer"] == "offered"
    assert lists["tasks"][0]["deadline"] in ("green", "yellow", "red")
    assert "accept_task" in lists["tasks"][0]["actions"]
    pulse = client.get(f"{API}/pulse").json()
    assert pulse["offers"] == 1
    assert pulse["newest"] > 0

    detail = client.get(f"{API}/events/{mine.pk}")
    assert detail.status_code == 200
    assert detail.json()["description"] == mine.description
    assert "13912345678" not in detail.content.decode()
    assert "霞霞" not in detail.content.decode()
    # The report's own timeline row names "the reporter", not who they are.
    first_step = detail.json()["timeline"][0]
    assert first_step["by"] is None
    assert reporter.username not in detail.content.decode()
    assert client.get(f"{API}/events/{theirs.pk}").status_code == 200  # same grid: readable
    # …but acting on a colleague's offer is refused.
    answer = _post(
        client,
        f"{API}/events/{theirs.pk}/actions/accept_task",
        {"client_uuid": str(uuid.uuid4()), "version": theirs.version},
    )
    assert answer.status_code in (403, 409)


def test_events_outside_my_grid_are_not_found(operator, reporter, grid_worker, jinjia_point):
    other = event_report(user=reporter, data=report_data(jinjia_point), source="resident")
    assert _client(grid_worker).get(f"{API}/events/{other.pk}").status_code == 404


def test_resending_the_same_client_uuid_stores_the_action_once(
    operator, reporter, grid_worker, wenhui_point
):
    event = _dispatched(operator, reporter, wenhui_point, grid_worker)
    client = _client(grid_worker)
    accept = {"client_uuid": str(uuid.uuid4()), "version": event.version}
    first = _post(client, f"{API}/events/{event.pk}/actions/accept_task", accept)
    assert first.status_code == 200, first.content
    again = _post(client, f"{API}/events/{event.pk}/actions/accept_task", accept)
    assert again.status_code == 200  # the answer was lost; the app sent it again
    assert again.json()["version"] == first.json()["version"]
    assert ActionReceipt.objects.filter(client_uuid=accept["client_uuid"]).count() == 1
    assert TimelineEntry.objects.filter(event=event, action="accept_task").count() == 1

    feedback = {
        "client_uuid": str(uuid.uuid4()),
        "version": first.json()["version"],
        "comment": "已清运",
        "photos": [photo_ref(grid_worker), photo_ref(grid_worker)],
    }
    done = _post(client, f"{API}/events/{event.pk}/actions/feedback", feedback)
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "handled"
    assert len(done.json()["photos"]) == 2
    assert _post(client, f"{API}/events/{event.pk}/actions/feedback", feedback).status_code == 200
    assert TimelineEntry.objects.filter(event=event, action="feedback").count() == 1


def test_a_client_uuid_is_not_reusable_by_someone_else(
    operator, reporter, grid_worker, colleague, wenhui_point
):
    event = _dispatched(operator, reporter, wenhui_point, grid_worker, colleague)
    body = {"client_uuid": str(uuid.uuid4()), "version": event.version}
    assert (
        _post(
            _client(grid_worker), f"{API}/events/{event.pk}/actions/accept_task", body
        ).status_code
        == 200
    )
    taken = _post(_client(colleague), f"{API}/events/{event.pk}/actions/accept_task", body)
    assert taken.status_code == 409
    assert taken.json()["code"] == "client_uuid_taken"


def test_a_colleagues_action_first_is_a_conflict(
    operator, reporter, grid_worker, colleague, community_staff, wenhui_point
):
    event = _dispatched(operator, reporter, wenhui_point, grid_worker)
    client = _client(grid_worker)
    accepted = _post(
        client,
        f"{API}/events/{event.pk}/actions/accept_task",
        {"client_uuid": str(uuid.uuid4()), "version": event.version},
    ).json()
    _post(
        client,
        f"{API}/events/{event.pk}/actions/feedback",
        {
            "client_uuid": str(uuid.uuid4()),
            "version": accepted["version"],
            "photos": [photo_ref(grid_worker)],
        },
    )
    handled = Event.objects.get(pk=event.pk)
    # The colleague verifies it (from the list of the grid's handled events)…
    lists = _client(colleague).get(f"{API}/tasks").json()
    assert [e["id"] for e in lists["verify"]] == [event.pk]
    assert _client(grid_worker).get(f"{API}/tasks").json()["verify"] == []  # not who handled it
    passed = _post(
        _client(colleague),
        f"{API}/events/{event.pk}/actions/verify_pass",
        {
            "client_uuid": str(uuid.uuid4()),
            "version": handled.version,
            "photos": [photo_ref(colleague)],
        },
    )
    assert passed.status_code == 200, passed.content
    assert len(passed.json()["photos"]) == 2  # the handling's and the verifier's
    # The verification's timeline row names its photo, as a handling's does.
    step = TimelineEntry.objects.get(event=event, action="verify_pass")
    assert len(step.data["photos"]) == 1
    # …while a grid head, offline with the same version, sends a failed verification.
    head = _persona("grid_head", Role.GRID_HEAD, WENHUI_GRID)
    late = _post(
        _client(head),
        f"{API}/events/{event.pk}/actions/verify_fail",
        {"client_uuid": str(uuid.uuid4()), "version": handled.version, "comment": "未清理干净"},
    )
    assert late.status_code == 409
    assert late.json()["code"] in ("stale", "not_allowed_now")
    assert Event.objects.get(pk=event.pk).state == "verified"
    assert ActionReceipt.objects.filter(user=head).count() == 0


def test_solve_on_the_spot_reports_and_solves_once(grid_worker, wenhui_point):
    client = _client(grid_worker)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "report": {**report_data(wenhui_point), "photos": [photo_ref(grid_worker)]},
        "comment": "当场清理",
        "photos": [photo_ref(grid_worker)],
    }
    first = _post(client, f"{API}/solve", body)
    assert first.status_code == 201, first.content
    assert first.json()["state"] == "handled"
    assert first.json()["source"] == "worker"
    again = _post(client, f"{API}/solve", body)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Event.objects.count() == 1
    assert TimelineEntry.objects.filter(action="solve_on_spot").count() == 1


def test_residents_and_the_desk_are_refused(
    resident, operator, reporter, grid_worker, wenhui_point
):
    event = _dispatched(operator, reporter, wenhui_point, grid_worker)
    for user in (resident, operator):
        client = _client(user)
        assert client.get(f"{API}/tasks").status_code == 403
        assert client.get(f"{API}/pulse").status_code == 403
        assert client.get(f"{API}/events/{event.pk}").status_code == 403
        answer = _post(
            client,
            f"{API}/events/{event.pk}/actions/accept_task",
            {"client_uuid": str(uuid.uuid4()), "version": event.version},
        )
        assert answer.status_code == 403
    assert Client().get(f"{API}/tasks").status_code == 401


def test_the_app_sends_only_field_actions(operator, reporter, grid_worker, wenhui_point):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    answer = _post(
        _client(grid_worker),
        f"{API}/events/{event.pk}/actions/accept",
        {"client_uuid": str(uuid.uuid4())},
    )
    assert answer.status_code == 400
    missing = _post(_client(grid_worker), f"{API}/events/{event.pk}/actions/solve_on_spot", {})
    assert missing.status_code == 422


def test_declining_needs_a_reason_and_hands_the_event_back(
    operator, reporter, grid_worker, wenhui_point
):
    event = _dispatched(operator, reporter, wenhui_point, grid_worker)
    client = _client(grid_worker)
    url = f"{API}/events/{event.pk}/actions/decline_task"
    bare = _post(client, url, {"client_uuid": str(uuid.uuid4()), "version": event.version})
    assert bare.status_code == 400
    declined = _post(
        client,
        url,
        {"client_uuid": str(uuid.uuid4()), "version": event.version, "comment": "不在辖区内"},
    )
    assert declined.status_code == 200, declined.content
    assert client.get(f"{API}/tasks").json()["tasks"] == []
    assert event.assignments.get(worker=grid_worker).reason == "不在辖区内"


def test_grid_workers_land_on_the_app_after_signing_in(grid_worker, operator):
    assert _client(grid_worker).get("/").url == "/app/"
    head = _persona("grid_head", Role.GRID_HEAD, WENHUI_GRID)
    assert _client(head).get("/").url == "/app/"
    assert _client(operator).get("/").url != "/app/"


def test_a_client_uuid_is_not_reusable_for_another_action(
    operator, reporter, grid_worker, wenhui_point
):
    """An outbox that reused an accept's UUID for the handling must hear that the handling
    was not applied, not a 200 that it was."""
    event = _dispatched(operator, reporter, wenhui_point, grid_worker)
    client = _client(grid_worker)
    body = {"client_uuid": str(uuid.uuid4()), "version": event.version}
    accepted = _post(client, f"{API}/events/{event.pk}/actions/accept_task", body)
    assert accepted.status_code == 200
    reused = {**body, "version": accepted.json()["version"], "comment": "已处理"}
    reused["photos"] = [photo_ref(grid_worker)]
    answer = _post(client, f"{API}/events/{event.pk}/actions/feedback", reused)
    assert answer.status_code == 409
    assert answer.json()["code"] == "client_uuid_taken"
    assert Event.objects.get(pk=event.pk).state == "in_progress"


def test_a_matter_off_the_grid_admission_list_is_not_solved_on_the_spot(grid_worker, wenhui_point):
    """A gas leak goes to its department however close the worker stands; the refused
    solution leaves no report behind."""
    client = _client(grid_worker)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "report": {**report_data(wenhui_point), "subclass": "0403", "description": "燃气泄漏"},
        "comment": "关阀",
        "photos": [photo_ref(grid_worker)],
    }
    answer = _post(client, f"{API}/solve", body)
    assert answer.status_code == 409, answer.content
    assert answer.json()["code"] == "not_in_grid_list"
    assert not Event.objects.exists()


def test_residents_land_on_their_reports_after_signing_in(reporter):
    assert _client(reporter).get("/").url == "/r/"
