"""Random sequences of actions by random people (issue 8): nobody acts on an event that is
not theirs, nobody verifies their own work, a rating is the reporter's or a marked
callback, and a refused action leaves the event as it was.

The test judges with its own reading of the rule (below), not with the workflow's code:
a case is the assignee's, a live offer's, the dispatched department's or a summoned
department's; the center and verifiers act inside their area.
"""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, precondition, rule

from gridgov.accounts.models import User
from gridgov.areas.models import Department
from gridgov.common.errors import DomainError
from gridgov.events.models import Assignment, Event, Satisfaction, Summons
from gridgov.events.services import event_act, event_report, whistle_blow
from gridgov.events.workflow import TRANSITIONS, Action, allowed_actions
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID, _persona
from tests.events.conftest import report_data
from tests.events.factories import photo_ref

CASE_ACTIONS = {
    "take",
    "return",
    "feedback",
    "accept_task",
    "decline_task",
    "request_extension",
    "request_deferral",
    "request_suspension",
}
AREA_ACTIONS = {
    "accept",
    "reject",
    "void",
    "merge",
    "not_duplicate",
    "dispatch",
    "close",
    "reopen",
    "approve",
    "deny",
    "supervise",
    "solve_on_spot",
    "verify_pass",
    "verify_fail",
    "evaluate_callback",
}
HANDLED_BY = ("take", "accept_task", "feedback", "solve_on_spot")
FORWARD = [
    "accept",
    "dispatch",
    "take",
    "accept_task",
    "feedback",
    "verify_pass",
    "verify_fail",
    "close",
    "evaluate",
    "evaluate_callback",
    "request_deferral",
    "approve",
    "resume",
    "return",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _department(name: str) -> Department:
    return Department.objects.get(name=name)


def _handler(username: str, department: Department, area_code: str) -> User:
    user = _persona(username, "department_handler", area_code)
    user.department = department
    user.save(update_fields=["department"])
    return user


def snapshot(event_id: int) -> tuple:
    event = Event.objects.get(pk=event_id)
    return (
        event.state,
        event.version,
        event.timeline.count(),
        event.assignee_id,
        event.department_id,
        event.satisfaction,
        event.pending_request,
        list(event.assignments.order_by("pk").values_list("worker_id", "status")),
    )


def in_area(person: User, event: Event) -> bool:
    return bool(person.area_id) and event.area.path.startswith(person.area.path)


def on_the_case(person: User, event: Event) -> bool:
    live_offer = Assignment.objects.filter(
        event=event, worker=person, status__in=("offered", "accepted")
    ).exists()
    summoned = bool(person.department_id) and (
        Summons.objects.filter(whistle__event=event, department_id=person.department_id).exists()
    )
    return (
        event.assignee_id == person.pk
        or live_offer
        or (bool(person.department_id) and person.department_id == event.department_id)
        or summoned
    )


def handled(person: User, event: Event) -> bool:
    return event.assignee_id == person.pk or (
        event.timeline.filter(actor=person, action__in=HANDLED_BY).exists()
    )


def assert_theirs(person: User, before: Event, action: str) -> None:
    """What the rule says about a successful action, read independently of the workflow."""
    if action in CASE_ACTIONS:
        assert on_the_case(person, before), (person.username, action)
    if action in AREA_ACTIONS:
        assert person.role != "department_handler", (person.username, action)
        assert in_area(person, before), (person.username, action)
    if action == "resume":
        assert on_the_case(person, before) or (
            person.role in ("operator", "shift_leader") and in_area(person, before)
        )
    if action in ("verify_pass", "verify_fail"):
        assert not handled(person, before), (person.username, "verified own work")
    if action == "evaluate":
        assert before.reporter_id == person.pk
        assert person.role == "resident"
    if action == "evaluate_callback":
        assert person.role in ("operator", "shift_leader")


@pytest.mark.django_db
def test_nobody_acts_on_a_case_not_theirs_nor_verifies_their_own_work(
    operator, shift_leader, leader, grid_worker, community_staff, reporter, resident, wenhui_point
):
    squad = _department("西安街道综合执法中队")
    housing = _department("区住房和城乡建设局")
    bureau = _department("区城市管理综合行政执法局")
    colleague = _persona("colleague", "grid_worker", WENHUI_GRID)
    outside_worker = _persona("outside_worker", "grid_worker", JINJIA)
    people = [
        operator,
        shift_leader,
        leader,
        grid_worker,
        colleague,
        outside_worker,
        _handler("squad_handler", squad, "530702001"),
        _handler("housing_handler", housing, "530702"),
        _handler("bureau_handler", bureau, "530702"),
        community_staff,
        _persona("jinjia_staff", "area_staff", JINJIA),
        _persona("community_head", "grid_head", WENHUI),
        reporter,
        resident,
    ]
    targets = [
        {"department_id": squad.pk},
        {"department_id": housing.pk},
        {"assignee_id": grid_worker.pk},
        {"assignee_ids": [grid_worker.pk, colleague.pk]},
        {"assignee_id": colleague.pk},
        {"assignee_ids": [colleague.pk, grid_worker.pk, outside_worker.pk]},
        {"assignee_ids": [colleague.pk, grid_worker.pk]},
    ]
    actions = list(Action.values)

    class Loop(RuleBasedStateMachine):
        events = Bundle("events")

        def __init__(self):
            super().__init__()
            self.count = 0

        @precondition(lambda self: self.count < 2)
        @rule(target=events, by_worker=st.booleans())
        def report(self, by_worker):
            self.count += 1
            author = grid_worker if by_worker else reporter
            return event_report(user=author, data=report_data(wenhui_point)).pk

        @rule(event_id=events, draw=st.data())
        def whistle(self, event_id, draw):
            # Anyone may try; only the whistling level's staff succeed.
            person = draw.draw(st.sampled_from([community_staff, *people]))
            try:
                whistle_blow(
                    user=person,
                    event_id=event_id,
                    level="community",
                    department_ids=[squad.pk],
                    reason="需要执法中队",
                )
            except DomainError:
                pass

        @rule(event_id=events, draw=st.data())
        def act(self, event_id, draw):
            before = Event.objects.select_related("area").get(pk=event_id)
            here = sorted(a for (state, a) in TRANSITIONS if state == before.state)
            forward = [a for a in FORWARD if a in here] or here or actions
            action = draw.draw(
                st.one_of(
                    st.sampled_from(forward), st.sampled_from(forward), st.sampled_from(actions)
                )
            )
            person = draw.draw(st.sampled_from(people))
            data = draw.draw(st.sampled_from(targets)) | {
                "satisfaction": draw.draw(st.sampled_from(Satisfaction.values)),
                "extra_hours": 4,
                "photos": [photo_ref(person)] if action in ("feedback", "solve_on_spot") else [],
            }
            offered = action in allowed_actions(before, person)
            frozen = snapshot(event_id)
            refused: DomainError | None = None
            try:
                event_act(user=person, event_id=event_id, action=action, comment="说明", data=data)
            except DomainError as error:
                refused = error
            if refused is not None:
                assert snapshot(event_id) == frozen, (person.username, action, refused.code)
                if refused.status != 400:  # who or when, not the input: never offered
                    assert not offered, (person.username, action, refused.code)
                return
            assert offered, (person.username, action)
            assert_theirs(person, before, action)

    Loop.TestCase.settings = settings(
        max_examples=10,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    Loop.TestCase().runTest()
