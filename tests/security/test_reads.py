"""Reads checked through one helper (issue 8, item 5) and the page 500s of item 8: each test
names who reads what, and what a role without the right gets instead."""

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import get_in_scope
from gridgov.common.errors import NotFound, PermissionDenied
from gridgov.dispatch.selectors import worker_track, workers_nearest
from gridgov.events.dispatching import dispatch_panel
from gridgov.events.models import Event
from gridgov.events.screen import screen_summary
from gridgov.events.selectors import event_as_dict, events_visible
from gridgov.smartcodes.jobs import plate_job_for


def test_get_in_scope_needs_the_capability_and_an_area(world):
    events = Event.objects.all()
    users = world.users
    assert set(get_in_scope(users["community_staff"], events, Capability.EVENTS_VIEW)) == set(
        events
    )
    assert not get_in_scope(users["other_community_staff"], events, Capability.EVENTS_VIEW)
    # A role without the capability reads nothing, inside its own area.
    assert not get_in_scope(users["service_provider"], events, Capability.EVENTS_VIEW)
    assert not get_in_scope(users["party_secretary"], events, Capability.EVENTS_VIEW)
    # A staff account without an area reads nothing area-wide.
    operator = User.objects.get(pk=users["operator"].pk)
    operator.area = None
    assert not get_in_scope(operator, events, Capability.EVENTS_VIEW)
    assert get_in_scope(users["superuser"], events, Capability.EVENTS_VIEW).count() == 4


def test_events_visible_by_area_department_or_own_report(world):
    users, reported, dispatched = world.users, world["reported"], world["dispatched"]
    assert reported in events_visible(users["reporter"])
    assert not events_visible(users["other_resident"]).exists()
    assert not events_visible(users["service_provider"]).exists()
    assert not events_visible(users["party_secretary"]).exists()
    # The street's squad reads what was dispatched or whistled to it, not the whole street.
    squad_reads = set(events_visible(users["squad_handler"]))
    assert squad_reads == {dispatched, world["in_progress"]}
    assert not events_visible(users["bureau_handler"]).exists()


def test_the_reporter_sees_their_case_without_staff_names_notes_or_whistles(world):
    event = world["in_progress"]
    event.refresh_from_db()
    as_reporter = event_as_dict(event, world.users["reporter"], with_timeline=True)
    as_staff = event_as_dict(event, world.users["community_staff"], with_timeline=True)
    assert as_staff["assignee"] == world.users["grid_worker"].username
    assert as_staff["whistles"]
    assert as_reporter["assignee"] is None
    assert as_reporter["whistles"] == []
    assert all(
        step["by"] is None and step["comment"] == "" and step["data"] == {}
        for step in as_reporter["timeline"]
    )
    assert as_reporter["state"] == as_staff["state"]


@pytest.mark.parametrize(
    "persona", ["reporter", "grid_worker", "squad_handler", "bureau_handler", "service_provider"]
)
def test_dispatch_panel_only_for_those_who_dispatch(world, persona):
    with pytest.raises((PermissionDenied, NotFound)):
        dispatch_panel(user=world.users[persona], event=world["in_progress"])


def test_dispatch_panel_for_the_center_names_the_worker(world):
    panel = dispatch_panel(user=world.users["operator"], event=world["in_progress"])
    assert [o["worker_id"] for o in panel["offers"]] == [world.users["grid_worker"].pk]


@pytest.mark.parametrize(
    "persona", ["reporter", "grid_worker", "grid_head", "bureau_handler", "service_provider"]
)
def test_the_big_screen_is_refused_to_roles_without_it(world, persona):
    with pytest.raises(PermissionDenied):
        screen_summary(user=world.users[persona])


def test_the_big_screen_shows_the_areas_events_and_workers_to_the_center(world):
    summary = screen_summary(user=world.users["operator"])
    assert world["reported"].pk in {e["id"] for e in summary["events"]}
    assert [w["id"] for w in summary["workers"]] == [world.users["grid_worker"].pk]
    assert screen_summary(user=world.users["other_community_staff"])["workers"] == []


def test_a_screen_user_without_an_area_is_refused(world):
    leader = User.objects.get(pk=world.users["leader"].pk)
    leader.area = None
    with pytest.raises(PermissionDenied):
        screen_summary(user=leader)


def test_nearest_workers_and_tracks_need_the_positions_capability(world):
    users, point = world.users, world["point"]
    with pytest.raises(PermissionDenied):
        workers_nearest(user=users["bureau_handler"], lon=point[0], lat=point[1])
    near = workers_nearest(user=users["grid_head"], lon=point[0], lat=point[1])
    assert [w["id"] for w in near] == [users["grid_worker"].pk]
    worker = users["grid_worker"]
    for persona in ("bureau_handler", "squad_handler", "colleague", "service_provider"):
        with pytest.raises(NotFound):
            worker_track(user=users[persona], worker_id=worker.pk)
    assert len(worker_track(user=worker, worker_id=worker.pk)) == 1
    assert len(worker_track(user=users["grid_head"], worker_id=worker.pk)) == 1


@pytest.mark.parametrize("persona", ["bureau_handler", "squad_handler", "operator", "reporter"])
def test_plate_jobs_are_not_for_roles_without_codes(world, persona):
    with pytest.raises(NotFound):
        plate_job_for(user=world.users[persona], job_id=world["plate_job"].pk)


def test_plate_job_for_the_grids_workers(world):
    assert plate_job_for(user=world.users["grid_worker"], job_id=world["plate_job"].pk)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["bureau_handler", "service_provider", "operator"])
def test_party_pages_refuse_roles_without_party(world, persona):
    client = _client(world.users[persona])
    assert client.get("/party/").status_code == 403
    assert client.get(f"/party/org/{world['organization'].pk}/").status_code == 404
    assert client.get(f"/party/member/{world['member'].pk}/").status_code == 404
    assert client.get("/party/map.json").status_code == 403


@pytest.mark.parametrize(
    "query", ["year=abc", "quarter=7", "quarter=0", "year=99999999999999999999", "year=-5"]
)
def test_party_organization_page_answers_bad_quarters_with_400(world, query):
    client = _client(world.users["party_secretary"])
    answer = client.get(f"/party/org/{world['organization'].pk}/?{query}")
    assert answer.status_code == 400


def test_party_report_back_refuses_a_year_out_of_range(world):
    client = _client(world.users["community_staff"])
    unit = world["unit"]
    assert client.get(f"/party/report-back/{unit.pk}/?year=9999&half=2").status_code == 400
    assert client.get(f"/party/report-back/{unit.pk}/?year=abc").status_code == 400
    this_year = timezone.localdate().year
    assert client.get(f"/party/report-back/{unit.pk}/?year={this_year}&half=1").status_code == 200


def test_a_photo_whose_file_is_missing_is_a_404(world):
    client = _client(world.users["reporter"])
    assert client.get(f"/media/photos/{world['photo'].key}.jpg").status_code == 200
    assert client.get(f"/media/photos/{world['photo_missing'].key}.jpg").status_code == 404


def test_event_page_shows_the_dispatch_panel_to_the_center_only(world):
    name = world.users["grid_worker"].first_name
    url = f"/events/{world['in_progress'].pk}/"
    # The reporter is sent to their own view of it (the resident front end, issue 11).
    as_reporter = _client(world.users["reporter"]).get(url)
    assert as_reporter.status_code == 302
    assert as_reporter["Location"] == f"/r/reports/{world['in_progress'].number}/"
    assert name in _client(world.users["operator"]).get(url).content.decode()


@pytest.mark.parametrize("persona", ["service_provider", "party_secretary"])
def test_the_queue_is_for_staff_and_departments(world, persona):
    assert _client(world.users[persona]).get("/events/").status_code == 403


def test_a_resident_is_sent_to_their_own_reports_from_the_staff_pages(world):
    client = _client(world.users["reporter"])
    for staff_page, theirs in [
        ("/events/", "/r/mine/"),
        ("/inbox/", "/r/inbox/"),
        ("/app/", "/r/"),
        ("/report/?lon=100.2&lat=26.8", "/r/report/?lon=100.2&lat=26.8"),
    ]:
        answer = client.get(staff_page)
        assert (answer.status_code, answer["Location"]) == (302, theirs), staff_page
