"""`allowed_actions` and `event_act` read the same table: for events in every state and
people of every role and relation, each action offered succeeds (given the data it needs),
and each action not offered is refused with nothing changed."""

import random

import pytest
from django.db import transaction

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Department
from gridgov.common.errors import DomainError
from gridgov.events.models import Event, Satisfaction
from gridgov.events.services import event_act, event_report, whistle_blow
from gridgov.events.workflow import TRANSITIONS, Action, State, allowed_actions
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID, _persona
from tests.events.conftest import report_data
from tests.events.factories import photo_ref


class Undo(Exception):
    """Raised to roll back a tried action, so each try starts from the same event."""


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _handler(username: str, department: Department, area_code: str) -> User:
    user = _persona(username, Role.DEPARTMENT_HANDLER, area_code)
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
        event.supervised,
        list(event.assignments.order_by("pk").values_list("worker_id", "status")),
    )


@pytest.mark.django_db
def test_every_offered_action_succeeds_and_every_other_is_refused(
    operator, shift_leader, leader, grid_worker, community_staff, reporter, resident, wenhui_point
):
    rng = random.Random(20261127)
    squad = Department.objects.get(name="西安街道综合执法中队")
    housing = Department.objects.get(name="区住房和城乡建设局")
    colleague = _persona("colleague", Role.GRID_WORKER, WENHUI_GRID)
    squad_handler = _handler("squad_handler", squad, "530702001")
    people = [
        operator,
        shift_leader,
        leader,
        grid_worker,
        colleague,
        _persona("outside_worker", Role.GRID_WORKER, JINJIA),
        _persona("grid_head", Role.GRID_HEAD, WENHUI_GRID),
        squad_handler,
        _handler("housing_handler", housing, "530702"),
        community_staff,
        _persona("jinjia_staff", Role.AREA_STAFF, JINJIA),
        _persona("outside_operator", Role.OPERATOR, JINJIA),
        _persona("party_secretary", Role.PARTY_SECRETARY, WENHUI),
        _persona("provider", Role.SERVICE_PROVIDER, WENHUI),
        reporter,
        resident,
    ]

    def act(user, event, action, **data):
        return event_act(user=user, event_id=event.pk, action=action, comment="说明", data=data)

    def reported():
        return event_report(user=reporter, data=report_data(wenhui_point), source="resident")

    def filed():
        return act(operator, reported(), "accept")

    def to_workers():
        workers = rng.choice([[grid_worker], [grid_worker, colleague], [colleague, grid_worker]])
        return act(operator, filed(), "dispatch", assignee_ids=[w.pk for w in workers])

    def to_squad():
        return act(operator, filed(), "dispatch", department_id=squad.pk)

    def working():
        event = to_workers()
        return act(event.assignee, event, "accept_task")

    def squad_working():
        return act(squad_handler, to_squad(), "take")

    def handled():
        event = rng.choice([working, squad_working])()
        return act(event.assignee, event, "feedback", photos=[photo_ref(event.assignee)])

    def verified():
        return act(shift_leader, handled(), "verify_pass")

    def closed():
        return act(operator, verified(), "close")

    def rated():
        return act(reporter, closed(), "evaluate", satisfaction=rng.choice(Satisfaction.values))

    def pending(request, **data):
        def make():
            event = rng.choice([working, squad_working, to_squad])()
            holder = event.assignee or squad_handler
            return act(holder, event, request, **data)

        return make

    def approved(request):
        return lambda: act(shift_leader, pending(request)(), "approve")

    def linked():
        event = reported()
        earlier = reported()
        Event.objects.filter(pk=event.pk).update(duplicate_of=earlier)
        return Event.objects.get(pk=event.pk)

    def whistled():
        event = rng.choice([to_workers, working])()
        whistle_blow(
            user=community_staff,
            event_id=event.pk,
            level="community",
            department_ids=[squad.pk],
            reason="需要执法中队",
        )
        return event

    makers = [
        reported,
        linked,
        filed,
        to_workers,
        to_squad,
        working,
        squad_working,
        whistled,
        handled,
        verified,
        closed,
        rated,
        lambda: act(operator, reported(), "reject"),
        lambda: act(operator, reported(), "void"),
        pending("request_extension", extra_hours=4),
        pending("request_deferral"),
        approved("request_deferral"),
        approved("request_suspension"),
    ]
    events = [make() for make in makers for _ in range(2)]
    assert {e.state for e in events} == set(State.values)

    def needs(action: str, user: User) -> dict:
        if action == Action.DISPATCH:
            return rng.choice(
                [
                    {"department_id": squad.pk},
                    {"assignee_ids": [grid_worker.pk, colleague.pk]},
                    {"assignee_id": colleague.pk},
                ]
            )
        if action in (Action.FEEDBACK, Action.SOLVE_ON_SPOT):
            return {"photos": [photo_ref(user)]}
        if action in (Action.EVALUATE, Action.EVALUATE_CALLBACK):
            return {"satisfaction": rng.choice(Satisfaction.values)}
        if action == Action.REQUEST_EXTENSION:
            return {"extra_hours": rng.choice([1, 4, 16])}
        return {}

    wrong: list[tuple] = []
    tried = 0
    for event in events:
        rows = [a for (state, a) in TRANSITIONS if state == event.state]
        for user in people:
            offered = set(allowed_actions(Event.objects.get(pk=event.pk), user))
            others = [a for a in Action.values if a not in offered]
            # Every row of this state not offered, and a few actions of other states.
            refused = [a for a in others if a in rows] + rng.sample(others, min(3, len(others)))
            for action in [*sorted(offered), *dict.fromkeys(refused)]:
                tried += 1
                before = snapshot(event.pk)
                error = None
                try:
                    with transaction.atomic():
                        act(user, event, action, **needs(action, user))
                        raise Undo
                except Undo:
                    pass
                except DomainError as refusal:
                    error = refusal
                case = (event.number, event.state, user.username, action)
                if action in offered and error is not None:
                    wrong.append((*case, "offered but refused", error.code))
                if action not in offered and error is None:
                    wrong.append((*case, "not offered but done"))
                if action not in offered and error is not None and snapshot(event.pk) != before:
                    wrong.append((*case, "refused but changed"))
    assert not wrong, wrong[:20]
    assert tried > 500
