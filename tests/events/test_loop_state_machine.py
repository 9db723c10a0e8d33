"""Random sequences of actions by random people: the table is the only way states move.

Invariants after every step: each event is in a state of the table, its timeline has one
row per successful step (none lost, none extra), a refused step changed nothing, and
nobody acted on an event outside their area.
"""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from gridgov.common.errors import DomainError
from gridgov.events.models import Event
from gridgov.events.services import event_act, event_report, may_see
from gridgov.events.workflow import TRANSITIONS, Action, State
from tests.events.conftest import report_data
from tests.events.factories import photo_ref

ACTIONS = list(Action.values)
# Steps that move an event on, drawn more often so that sequences reach the end of the loop.
FORWARD = {
    "accept",
    "dispatch",
    "take",
    "feedback",
    "verify_pass",
    "verify_fail",
    "close",
    "evaluate",
    "reopen",
    "request_deferral",
    "approve",
    "resume",
}


@pytest.mark.django_db
def test_random_sequences_keep_the_loop_sound(
    operator,
    shift_leader,
    leader,
    grid_worker,
    squad_handler,
    other_community_staff,
    community_staff,
    reporter,
    wenhui_point,
    street_squad,
):
    people = [
        operator,
        shift_leader,
        leader,
        grid_worker,
        squad_handler,
        other_community_staff,
        community_staff,
        reporter,
    ]

    class Loop(RuleBasedStateMachine):
        events = Bundle("events")

        def __init__(self):
            super().__init__()
            self.steps: dict[int, int] = {}

        @precondition(lambda self: len(self.steps) < 3)  # few events, long lives
        @rule(target=events, urgent=st.booleans())
        def report(self, urgent):
            event = event_report(
                user=reporter,
                data=report_data(wenhui_point, urgency="urgent" if urgent else "normal"),
                source="resident",
            )
            self.steps[event.pk] = 1
            return event.pk

        @rule(
            event_id=events,
            draw=st.data(),
            comment=st.sampled_from(["", "处理说明", "处理说明"]),
            satisfaction=st.sampled_from(["satisfied", "dissatisfied", "meh"]),
        )
        def act(self, event_id, draw, comment, satisfaction):
            before = Event.objects.get(pk=event_id)
            # Mostly steps the table has for this state, by people of a role it names; sometimes anything.
            possible = sorted(a for (state, a) in TRANSITIONS if state == before.state) or ACTIONS
            forward = [a for a in possible if a in FORWARD] or possible
            action = draw.draw(
                st.one_of(
                    st.sampled_from(forward),
                    st.sampled_from(forward),
                    st.sampled_from(possible),
                    st.sampled_from(ACTIONS),
                )
            )
            step = TRANSITIONS.get((before.state, action))
            fitting = [p for p in people if step and p.role in step.roles] or people
            person = draw.draw(
                st.one_of(
                    st.sampled_from(fitting), st.sampled_from(fitting), st.sampled_from(people)
                )
            )
            rows_before = before.timeline.count()
            data = {
                "department_id": street_squad.pk,
                "photos": [photo_ref(person)] if action in ("feedback", "solve_on_spot") else [],
                "satisfaction": satisfaction,
                "extra_hours": 4,
            }
            try:
                after = event_act(
                    user=person, event_id=event_id, action=action, comment=comment, data=data
                )
            except DomainError:
                now = Event.objects.get(pk=event_id)
                assert (now.state, now.version, now.timeline.count()) == (
                    before.state,
                    before.version,
                    rows_before,
                )
                return
            step = TRANSITIONS[(before.state, action)]
            assert person.is_superuser or person.role in step.roles
            assert may_see(person, before)
            assert after.version == before.version + 1
            if step.to is not None:
                assert after.state == step.to
            self.steps[event_id] += 1

        @invariant()
        def states_and_timelines(self):
            for event_id, steps in self.steps.items():
                event = Event.objects.get(pk=event_id)
                assert event.state in State.values
                assert event.timeline.count() == steps
                assert event.version == steps - 1

    run_state_machine_as_test(
        Loop,
        settings=settings(
            max_examples=30,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
