"""Acting on someone else's case (issue 8, item 4): only the assignee, a live offer, the
dispatched or a summoned department may handle; who handled may not verify; a rating is
the reporter's or a callback recorded as such. Every refusal leaves the event as it was."""

import pytest

from gridgov.accounts.models import User
from gridgov.areas.models import Area, Department
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.events.models import Event
from gridgov.events.services import event_act, event_report, whistle_blow
from gridgov.events.workflow import TRANSITIONS, State, allowed_actions
from tests.conftest import WENHUI_GRID, _persona
from tests.events.conftest import report_data
from tests.events.factories import photo_ref


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def housing_bureau(db) -> Department:
    return Department.objects.get(name="区住房和城乡建设局")


@pytest.fixture
def colleague(db) -> User:
    """Another grid worker of the same grid: a colleague, not the assignee."""
    return _persona("colleague", "grid_worker", WENHUI_GRID)


# A department handler does not even see another department's case (404); staff who see
# it by their area are refused the action (403).
NOT_THEIRS = (PermissionDenied, NotFound)


def snapshot(event: Event) -> tuple:
    event.refresh_from_db()
    return event.state, event.version, event.timeline.count(), event.assignee_id


def refused(user: User, event: Event, action: str, **kwargs) -> DomainError:
    """Act, expect a refusal, and check that nothing changed."""
    before = snapshot(event)
    with pytest.raises(DomainError) as error:
        event_act(user=user, event_id=event.pk, action=action, **kwargs)
    assert snapshot(event) == before
    if error.value.status != 400:  # who and when, not a bad input: the button is not offered
        assert action not in allowed_actions(Event.objects.get(pk=event.pk), user)
    return error.value


def dispatched(operator, reporter, point, **target) -> Event:
    event = event_report(user=reporter, data=report_data(point), source="resident")
    event_act(user=operator, event_id=event.pk, action="accept")
    return event_act(user=operator, event_id=event.pk, action="dispatch", data=target)


@pytest.mark.django_db
def test_a_district_handler_does_not_handle_what_went_to_another_bureau(
    operator, reporter, wenhui_point, bureau_handler, housing_bureau
):
    event = dispatched(operator, reporter, wenhui_point, department_id=housing_bureau.pk)
    for action, comment in (("take", ""), ("return", "不归我们"), ("request_deferral", "以后")):
        error = refused(bureau_handler, event, action, comment=comment)
        assert isinstance(error, NOT_THEIRS)
    housing_handler = _persona("housing_handler", "department_handler", "530702")
    housing_handler.department = housing_bureau
    housing_handler.save(update_fields=["department"])
    assert "take" in allowed_actions(event, housing_handler)
    assert event_act(user=housing_handler, event_id=event.pk, action="take").state == (
        State.IN_PROGRESS
    )
    refused(bureau_handler, event, "feedback", data={"photos": [photo_ref(bureau_handler)]})


@pytest.mark.django_db
def test_a_grid_worker_does_not_handle_a_colleagues_task(
    operator, reporter, wenhui_point, grid_worker, colleague
):
    event = dispatched(operator, reporter, wenhui_point, assignee_id=grid_worker.pk)
    for action in ("take", "accept_task"):
        assert isinstance(refused(colleague, event, action), PermissionDenied)
    refused(colleague, event, "decline_task", comment="不是我的")
    event = event_act(user=grid_worker, event_id=event.pk, action="accept_task")
    for action, kwargs in (
        ("feedback", {"data": {"photos": [photo_ref(colleague)]}}),
        ("return", {"comment": "x"}),
        ("request_extension", {"comment": "x", "data": {"extra_hours": 4}}),
        ("request_suspension", {"comment": "x"}),
    ):
        assert isinstance(refused(colleague, event, action, **kwargs), PermissionDenied)
    assert "feedback" in allowed_actions(event, grid_worker)


@pytest.mark.django_db
def test_community_staff_do_not_take_what_went_to_the_street_squad(
    operator, reporter, wenhui_point, community_staff, street_squad, squad_handler
):
    event = dispatched(operator, reporter, wenhui_point, department_id=street_squad.pk)
    assert isinstance(refused(community_staff, event, "take"), PermissionDenied)
    event = event_act(user=squad_handler, event_id=event.pk, action="take")
    event = event_act(
        user=squad_handler, event_id=event.pk, action="request_deferral", comment="雨季后处理"
    )
    assert event.pending_request == "request_deferral"


@pytest.mark.django_db
def test_resume_after_a_deferral_is_the_cases_or_the_centers(
    operator, shift_leader, reporter, wenhui_point, street_squad, squad_handler, community_staff
):
    event = dispatched(operator, reporter, wenhui_point, department_id=street_squad.pk)
    event_act(user=squad_handler, event_id=event.pk, action="take")
    event_act(user=squad_handler, event_id=event.pk, action="request_deferral", comment="雨季")
    event = event_act(user=shift_leader, event_id=event.pk, action="approve")
    assert event.state == State.DEFERRED
    assert isinstance(refused(community_staff, event, "resume"), PermissionDenied)
    assert event_act(user=squad_handler, event_id=event.pk, action="resume").state == (
        State.IN_PROGRESS
    )


@pytest.mark.django_db
def test_a_summoned_department_may_handle(
    operator, reporter, wenhui_point, community_staff, street_squad, squad_handler, housing_bureau
):
    event = dispatched(operator, reporter, wenhui_point, department_id=housing_bureau.pk)
    assert isinstance(refused(squad_handler, event, "take"), NOT_THEIRS)
    whistle_blow(
        user=community_staff,
        event_id=event.pk,
        level="community",
        department_ids=[street_squad.pk],
        reason="需要执法中队协助",
    )
    event.refresh_from_db()
    assert "take" in allowed_actions(event, squad_handler)
    assert event_act(user=squad_handler, event_id=event.pk, action="take").state == (
        State.IN_PROGRESS
    )


@pytest.mark.django_db
def test_who_solved_on_the_spot_does_not_verify(grid_worker, operator, wenhui_point):
    event = event_report(user=grid_worker, data=report_data(wenhui_point), source="worker")
    event = event_act(
        user=grid_worker,
        event_id=event.pk,
        action="solve_on_spot",
        data={"photos": [photo_ref(grid_worker)]},
    )
    error = refused(grid_worker, event, "verify_pass")
    assert error.code == "separation_of_duties"
    refused(grid_worker, event, "verify_fail", comment="自己核查")
    assert event_act(user=operator, event_id=event.pk, action="verify_pass").state == (
        State.VERIFIED
    )


@pytest.mark.django_db
def test_who_took_and_fed_back_does_not_verify(
    operator, reporter, wenhui_point, grid_worker, colleague
):
    event = dispatched(operator, reporter, wenhui_point, assignee_id=grid_worker.pk)
    event_act(user=grid_worker, event_id=event.pk, action="accept_task")
    event = event_act(
        user=grid_worker,
        event_id=event.pk,
        action="feedback",
        data={"photos": [photo_ref(grid_worker)]},
    )
    assert refused(grid_worker, event, "verify_pass").code == "separation_of_duties"
    assert "verify_pass" in allowed_actions(event, colleague)
    assert event_act(user=colleague, event_id=event.pk, action="verify_pass").state == (
        State.VERIFIED
    )


def _closed(operator, shift_leader, reporter, point, squad_handler, street_squad) -> Event:
    event = dispatched(operator, reporter, point, department_id=street_squad.pk)
    event_act(user=squad_handler, event_id=event.pk, action="take")
    event_act(
        user=squad_handler,
        event_id=event.pk,
        action="feedback",
        data={"photos": [photo_ref(squad_handler)]},
    )
    event_act(user=shift_leader, event_id=event.pk, action="verify_pass")
    return event_act(user=operator, event_id=event.pk, action="close")


@pytest.mark.django_db
def test_a_rating_is_the_reporters_or_a_callback_marked_as_such(
    operator, shift_leader, reporter, resident, wenhui_point, squad_handler, street_squad
):
    event = _closed(operator, shift_leader, reporter, wenhui_point, squad_handler, street_squad)
    assert isinstance(
        refused(operator, event, "evaluate", data={"satisfaction": "satisfied"}), PermissionDenied
    )
    refused(resident, event, "evaluate", data={"satisfaction": "satisfied"})  # not their report
    refused(reporter, event, "evaluate")  # no rating chosen: nothing is preset
    refused(reporter, event, "evaluate", data={"satisfaction": "excellent"})
    assert allowed_actions(event, reporter) == ["evaluate", "resident_reopen"]
    assert "evaluate_callback" in allowed_actions(event, operator)
    event = event_act(
        user=operator,
        event_id=event.pk,
        action="evaluate_callback",
        comment="电话回访",
        data={"satisfaction": "basically"},
    )
    assert (event.state, event.satisfaction) == (State.EVALUATED, "basically")
    row = event.timeline.last()
    assert (row.action, row.actor, row.data) == (
        "evaluate_callback",
        operator,
        {"satisfaction": "basically", "callback": True},
    )


@pytest.mark.django_db
def test_the_reporter_rates_and_the_row_says_so(
    operator, shift_leader, reporter, wenhui_point, squad_handler, street_squad
):
    event = _closed(operator, shift_leader, reporter, wenhui_point, squad_handler, street_squad)
    event = event_act(
        user=reporter, event_id=event.pk, action="evaluate", data={"satisfaction": "satisfied"}
    )
    assert event.timeline.last().data == {"satisfaction": "satisfied", "callback": False}


@pytest.mark.django_db
def test_the_center_acts_only_inside_its_area(reporter, wenhui_point):
    street_operator = _persona("jinshan_operator", "operator", "530702002")
    assert Area.objects.get(code="530702002").kind == "street"
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    assert allowed_actions(event, street_operator) == []
    refused(street_operator, event, "accept")


@pytest.mark.django_db
def test_every_row_names_who_may_by_role_and_relation():
    for (state, action), step in TRANSITIONS.items():
        assert step.grants, (state, action)
        for grant in step.grants:
            assert grant.roles, (state, action)
            assert grant.relations, (state, action)


@pytest.mark.django_db
def test_a_guarded_action_is_not_offered_and_is_a_conflict(
    operator, reporter, wenhui_point, street_squad, squad_handler, shift_leader
):
    event = dispatched(operator, reporter, wenhui_point, department_id=street_squad.pk)
    assert "approve" not in allowed_actions(event, shift_leader)  # nothing requested
    assert isinstance(refused(shift_leader, event, "approve"), Conflict)


@pytest.mark.django_db
def test_a_handler_given_the_case_by_name_finds_it_in_their_list(
    operator, reporter, wenhui_point, bureau_handler
):
    from gridgov.events.selectors import events_visible

    event = dispatched(operator, reporter, wenhui_point, assignee_id=bureau_handler.pk)
    assert event.assignee_id == bureau_handler.pk
    assert event.department_id != bureau_handler.department_id
    assert list(events_visible(bureau_handler).values_list("pk", flat=True)) == [event.pk]
    act = event_act(user=bureau_handler, event_id=event.pk, action="take")
    assert act.state == State.IN_PROGRESS


@pytest.mark.django_db
def test_a_handler_of_a_department_for_another_street_cannot_be_given_the_case(
    operator, reporter, wenhui_point
):
    grid = Area.objects.get(code=WENHUI_GRID)
    department = next(
        d
        for d in Department.objects.select_related("area").order_by("pk")
        if not grid.path.startswith(d.area.path)
    )
    handler = _persona("far_handler", "department_handler", department.area.code)
    handler.department = department
    handler.save(update_fields=["department"])
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    event_act(user=operator, event_id=event.pk, action="accept")
    before = snapshot(event)
    with pytest.raises(DomainError) as error:
        event_act(
            user=operator, event_id=event.pk, action="dispatch", data={"assignee_id": handler.pk}
        )
    assert error.value.field == "assignee_id"
    assert snapshot(event) == before
