"""The closed loop: every step on record, wrong steps refused with nothing changed."""

import uuid

import pytest
from django.utils import timezone

from gridgov.common.errors import Conflict, DomainError, NotFound, OutOfScope, PermissionDenied
from gridgov.events.models import Event, TimelineEntry
from gridgov.events.services import event_act, event_report
from gridgov.events.workflow import State
from tests.conftest import WENHUI_GRID
from tests.events.conftest import report_data
from tests.events.factories import photo_ref


def snapshot(event: Event) -> tuple:
    event.refresh_from_db()
    return event.state, event.version, event.timeline.count()


@pytest.mark.django_db
def test_the_whole_loop(
    grid_worker, operator, squad_handler, shift_leader, reporter, wenhui_point, street_squad
):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    assert (event.state, event.area.code) == (State.REPORTED, WENHUI_GRID)
    assert event.number.startswith(timezone.localdate().strftime("%Y%m%d"))
    assert event.stage_due_at > event.reported_at
    event = event_act(user=operator, event_id=event.pk, action="accept")
    event = event_act(
        user=operator, event_id=event.pk, action="dispatch", data={"department_id": street_squad.pk}
    )
    assert event.department == street_squad
    assert event.handle_due_at is not None
    event = event_act(user=squad_handler, event_id=event.pk, action="take")
    event = event_act(
        user=squad_handler,
        event_id=event.pk,
        action="feedback",
        comment="已清运",
        data={"photos": [photo_ref(squad_handler)]},
    )
    event = event_act(user=grid_worker, event_id=event.pk, action="verify_pass")
    event = event_act(user=shift_leader, event_id=event.pk, action="close")
    assert event.closed_at is not None
    event = event_act(
        user=reporter, event_id=event.pk, action="evaluate", data={"satisfaction": "satisfied"}
    )
    assert event.state == State.EVALUATED
    steps = list(event.timeline.values_list("action", "from_state", "to_state"))
    assert [s[0] for s in steps] == [
        "report",
        "accept",
        "dispatch",
        "take",
        "feedback",
        "verify_pass",
        "close",
        "evaluate",
    ]
    assert all(steps[i][2] == steps[i + 1][1] for i in range(1, len(steps) - 1))


@pytest.mark.django_db
def test_an_action_not_allowed_now_is_a_conflict_and_changes_nothing(
    operator, reporter, wenhui_point
):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    before = snapshot(event)
    with pytest.raises(Conflict) as error:
        event_act(user=operator, event_id=event.pk, action="close")
    assert error.value.code == "not_allowed_now"
    with pytest.raises(Conflict):
        event_act(user=operator, event_id=event.pk, action="fly_to_the_moon")
    assert snapshot(event) == before


@pytest.mark.django_db
def test_roles_and_areas_are_checked(
    operator, grid_worker, other_community_staff, reporter, wenhui_point
):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    before = snapshot(event)
    with pytest.raises(PermissionDenied):
        event_act(user=grid_worker, event_id=event.pk, action="accept")  # filing is the center's
    with pytest.raises(NotFound):
        event_act(
            user=other_community_staff, event_id=event.pk, action="accept"
        )  # not in their area
    assert snapshot(event) == before


@pytest.mark.django_db
def test_reject_and_void_need_a_reason(operator, reporter, wenhui_point):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    with pytest.raises(DomainError) as error:
        event_act(user=operator, event_id=event.pk, action="reject")
    assert error.value.field == "comment"
    event = event_act(user=operator, event_id=event.pk, action="reject", comment="不属于网格事项")
    assert event.state == State.REJECTED
    assert event.timeline.last().comment == "不属于网格事项"


@pytest.mark.django_db
def test_two_people_at_once_one_wins(operator, shift_leader, reporter, wenhui_point):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    loaded_version = event.version
    event_act(user=operator, event_id=event.pk, action="accept", version=loaded_version)
    with pytest.raises(Conflict) as error:
        event_act(
            user=shift_leader,
            event_id=event.pk,
            action="reject",
            comment="重复",
            version=loaded_version,
        )
    assert error.value.code == "stale"
    event.refresh_from_db()
    assert event.state == State.FILED
    assert event.timeline.count() == 2


@pytest.mark.django_db
def test_staff_reports_only_inside_their_area(other_community_staff, wenhui_point):
    with pytest.raises(OutOfScope):
        event_report(user=other_community_staff, data=report_data(wenhui_point), source="worker")
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subclass": "9999"}, "subclass"),
        ({"description": " "}, "description"),
        ({"lon": 116.4, "lat": 39.9}, "lon"),
        ({"lon": 26.8, "lat": 100.2}, "lon"),
        ({"urgency": "whenever"}, "urgency"),
        ({"reporter_phone": "123"}, "reporter_phone"),
    ],
)
@pytest.mark.django_db
def test_bad_reports_are_refused(reporter, wenhui_point, change, field):
    with pytest.raises(DomainError) as error:
        event_report(user=reporter, data=report_data(wenhui_point, **change), source="resident")
    assert error.value.field == field
    assert not Event.objects.exists()
    assert not TimelineEntry.objects.exists()


@pytest.mark.django_db
def test_an_offline_resend_is_the_same_event(grid_worker, wenhui_point):
    key = str(uuid.uuid4())
    first = event_report(
        user=grid_worker, data=report_data(wenhui_point, client_uuid=key), source="worker"
    )
    again = event_report(
        user=grid_worker, data=report_data(wenhui_point, client_uuid=key), source="worker"
    )
    assert first.pk == again.pk
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_a_nearby_report_of_the_same_kind_is_linked_as_a_likely_duplicate(reporter, wenhui_point):
    first = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    near = event_report(
        user=reporter,
        data=report_data((wenhui_point[0] + 0.0003, wenhui_point[1])),
        source="resident",
    )  # ~30 m
    other_kind = event_report(
        user=reporter, data=report_data(wenhui_point, subclass="0504"), source="resident"
    )
    assert near.duplicate_of == first
    assert other_kind.duplicate_of is None


@pytest.mark.django_db
def test_solve_on_the_spot_needs_the_after_photo(grid_worker, wenhui_point):
    event = event_report(user=grid_worker, data=report_data(wenhui_point), source="worker")
    with pytest.raises(DomainError) as error:
        event_act(user=grid_worker, event_id=event.pk, action="solve_on_spot")
    assert error.value.field == "photos"
    event = event_act(
        user=grid_worker,
        event_id=event.pk,
        action="solve_on_spot",
        data={"photos": [photo_ref(grid_worker), photo_ref(grid_worker)]},
    )
    assert event.state == State.HANDLED


@pytest.mark.django_db
def test_rework_extension_deferral_and_reopen(
    operator, shift_leader, squad_handler, grid_worker, reporter, wenhui_point, street_squad
):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    for action, data in (("accept", {}), ("dispatch", {"department_id": street_squad.pk})):
        event = event_act(user=operator, event_id=event.pk, action=action, data=data)
    event = event_act(user=squad_handler, event_id=event.pk, action="take")
    due = event.stage_due_at
    event = event_act(
        user=squad_handler,
        event_id=event.pk,
        action="request_extension",
        comment="等待车辆",
        data={"extra_hours": 8},
    )
    assert event.pending_request == "request_extension"
    with pytest.raises(Conflict):
        event_act(user=squad_handler, event_id=event.pk, action="request_deferral", comment="again")
    with pytest.raises(PermissionDenied):
        event_act(user=squad_handler, event_id=event.pk, action="approve")
    event = event_act(user=shift_leader, event_id=event.pk, action="approve")
    assert event.stage_due_at > due
    assert not event.pending_request
    event = event_act(
        user=squad_handler, event_id=event.pk, action="request_deferral", comment="雨季后处理"
    )
    event = event_act(user=shift_leader, event_id=event.pk, action="approve")
    assert event.state == State.DEFERRED
    event = event_act(user=squad_handler, event_id=event.pk, action="resume")
    event = event_act(
        user=squad_handler,
        event_id=event.pk,
        action="feedback",
        data={"photos": [photo_ref(squad_handler)]},
    )
    event = event_act(user=grid_worker, event_id=event.pk, action="verify_fail", comment="仍有垃圾")
    assert (event.state, event.rework_count) == (State.IN_PROGRESS, 1)
    event = event_act(
        user=squad_handler,
        event_id=event.pk,
        action="feedback",
        data={"photos": [photo_ref(squad_handler)]},
    )
    event = event_act(user=grid_worker, event_id=event.pk, action="verify_pass")
    event = event_act(user=operator, event_id=event.pk, action="close")
    with pytest.raises(Conflict):
        event_act(user=operator, event_id=event.pk, action="reopen", comment="x")  # not rated yet
    event = event_act(
        user=reporter, event_id=event.pk, action="evaluate", data={"satisfaction": "dissatisfied"}
    )
    event = event_act(
        user=operator, event_id=event.pk, action="reopen", comment="居民不满意，重新处理"
    )
    assert event.state == State.FILED


@pytest.mark.django_db
def test_a_department_returns_an_event_that_is_not_its_own(
    operator, squad_handler, reporter, wenhui_point, street_squad
):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    event_act(user=operator, event_id=event.pk, action="accept")
    event_act(
        user=operator, event_id=event.pk, action="dispatch", data={"department_id": street_squad.pk}
    )
    event = event_act(
        user=squad_handler, event_id=event.pk, action="return", comment="应由供排水公司处理"
    )
    assert (event.state, event.department) == (State.FILED, None)


@pytest.mark.django_db
def test_dispatch_without_a_target_follows_the_routing_table(
    operator, reporter, wenhui_point, street_squad
):
    event = event_report(
        user=reporter, data=report_data(wenhui_point), source="resident"
    )  # 0102 暴露垃圾
    event_act(user=operator, event_id=event.pk, action="accept")
    event = event_act(user=operator, event_id=event.pk, action="dispatch")
    assert event.department == street_squad  # the street's squad, nearer than any district bureau


@pytest.mark.django_db
def test_a_likely_duplicate_is_merged_or_dismissed_by_the_center(operator, reporter, wenhui_point):
    first = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    second = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    third = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    assert second.duplicate_of == first
    merged = event_act(user=operator, event_id=second.pk, action="merge")
    assert merged.state == State.VOIDED
    assert merged.timeline.last().data == {"duplicate_of": first.number}
    kept = event_act(user=operator, event_id=third.pk, action="not_duplicate")
    assert (kept.state, kept.duplicate_of) == (State.REPORTED, None)
    with pytest.raises(Conflict):
        event_act(user=operator, event_id=first.pk, action="merge")  # nothing earlier to merge into
    assert first.timeline.count() == 1


@pytest.mark.django_db
def test_an_operator_at_the_report_page_takes_a_hotline_call(operator, wenhui_point):
    from django.test import Client

    client = Client()
    client.force_login(operator)
    client.post(
        "/report/",
        {
            "subclass": "0102",
            "description": "来电反映垃圾",
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
            "reporter_name": "和先生",
            "reporter_phone": "13908880000",
        },
    )
    event = Event.objects.get()
    assert (event.source, event.reporter_name, event.reporter_phone) == (
        "hotline",
        "和先生",
        "13908880000",
    )


@pytest.mark.django_db
def test_location_from_a_component_or_a_registered_address(reporter, community_staff, wenhui_point):
    from gridgov.areas.models import Area
    from gridgov.events.models import Component, ComponentType
    from gridgov.registry.services import record_create

    grid = Area.objects.get(code=WENHUI_GRID)
    lamp = Component.objects.create(
        identifier="5307020118000001",
        component_type=ComponentType.objects.get(code="0118"),
        area=grid,
        lon=wenhui_point[0],
        lat=wenhui_point[1],
    )
    data = report_data(wenhui_point, subclass="1102", description="路灯不亮")
    del data["lon"], data["lat"]
    event = event_report(
        user=reporter, data=data | {"component": lamp.identifier}, source="resident"
    )
    assert (event.component, event.area) == (lamp, grid)
    record_create(
        user=community_staff,
        kind_key="compounds",
        data={
            "name": "玉泉小区",
            "property_status": "managed",
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
            "address": "文汇路18号玉泉小区",
        },
    )
    event = event_report(user=reporter, data=data | {"address": "玉泉小区"}, source="resident")
    assert event.area == grid
    with pytest.raises(DomainError) as error:
        event_report(user=reporter, data=data | {"address": "不存在的地址123"}, source="resident")
    assert error.value.field == "address"
    with pytest.raises(DomainError) as error:
        event_report(
            user=reporter, data=data | {"component": "0000000000000000"}, source="resident"
        )
    assert error.value.field == "component"
    with pytest.raises(DomainError) as error:
        event_report(user=reporter, data=data, source="resident")
    assert error.value.field == "lon"


@pytest.mark.django_db
def test_matters_off_the_grid_admission_list_are_not_given_to_grid_workers(
    operator, grid_worker, reporter, wenhui_point
):
    gas = event_report(
        user=reporter,
        data=report_data(wenhui_point, subclass="0403", description="闻到燃气味"),
        source="resident",
    )
    event_act(user=operator, event_id=gas.pk, action="accept")
    with pytest.raises(DomainError) as error:
        event_act(
            user=operator, event_id=gas.pk, action="dispatch", data={"assignee_id": grid_worker.pk}
        )
    assert error.value.code == "not_in_grid_list"
    garbage = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    event_act(user=operator, event_id=garbage.pk, action="accept")
    assert (
        event_act(
            user=operator,
            event_id=garbage.pk,
            action="dispatch",
            data={"assignee_id": grid_worker.pk},
        ).assignee
        == grid_worker
    )
