"""Random walks of the loop through the real services (intake and `event_act`, their hooks
where they are): after every walk the rollups equal their recomputation from the events and
the rates read from them equal `rates_for` over the rows."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.analytics.models import AreaDayRollup, DailyRollup
from gridgov.analytics.selectors import rates_report
from gridgov.analytics.services import rollups_verify
from gridgov.common.errors import DomainError
from gridgov.events.models import Event, Satisfaction
from gridgov.events.rates import FIELDS, rates_grouped
from gridgov.events.services import event_act, event_report
from tests.events.conftest import report_data
from tests.events.factories import photo_ref

# Who takes each action in the walk (the center, the handler, the verifier, the reporter,
# the approver): refused or impossible steps are skipped, as a person would be refused.
ACTORS = {
    "accept": "operator",
    "reject": "operator",
    "void": "operator",
    "dispatch": "operator",
    "close": "operator",
    "reopen": "operator",
    "resume": "operator",
    "take": "squad_handler",
    "feedback": "squad_handler",
    "return": "squad_handler",
    "request_extension": "squad_handler",
    "request_deferral": "squad_handler",
    "request_suspension": "squad_handler",
    "verify_pass": "grid_worker",
    "verify_fail": "grid_worker",
    "evaluate": "reporter",
    "approve": "shift_leader",
    "deny": "shift_leader",
}


HAPPY_PATH = ["accept", "dispatch", "take", "feedback", "verify_pass", "close", "evaluate"]


@pytest.fixture
def people(operator, squad_handler, grid_worker, reporter, shift_leader, street_squad):
    return {
        "operator": operator,
        "squad_handler": squad_handler,
        "grid_worker": grid_worker,
        "reporter": reporter,
        "shift_leader": shift_leader,
        "street_squad": street_squad,
    }


def _data(action: str, user, people, rating: str) -> dict:
    if action == "dispatch":
        return {"department_id": people["street_squad"].pk}
    if action == "feedback":
        return {"photos": [photo_ref(user)]}
    if action == "request_extension":
        return {"extra_hours": 3}
    if action == "evaluate":
        return {"satisfaction": rating}
    return {}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    depths=st.lists(st.integers(0, len(HAPPY_PATH)), min_size=1, max_size=3),
    steps=st.lists(
        st.tuples(
            st.integers(0, 2),
            st.sampled_from(sorted(ACTORS)),
            st.sampled_from(Satisfaction.values),
            st.booleans(),
        ),
        max_size=25,
    ),
)
def test_walks_of_the_loop_keep_the_rollups_exact(people, wenhui_point, depths, steps):
    Event.objects.all().delete()
    DailyRollup.objects.all().delete()
    AreaDayRollup.objects.all().delete()
    ids = [
        event_report(user=people["reporter"], data=report_data(wenhui_point), source="resident").pk
        for _ in depths
    ]
    # Each event some way along the loop first, then random steps from wherever it is.
    walk = [(i, a, "satisfied", False) for i, d in enumerate(depths) for a in HAPPY_PATH[:d]]
    for index, action, rating, overdue in walk + steps:
        event_id = ids[index % len(ids)]
        user = people[ACTORS[action]]
        try:
            event_act(
                user=user,
                event_id=event_id,
                action=action,
                comment="说明",
                data=_data(action, user, people, rating),
            )
        except DomainError:
            continue  # refused (not allowed now, not theirs, a guard): nothing changed
        if overdue:  # as if its deadline passed: moves the live count, not the stored one
            Event.objects.filter(pk=event_id, closed_at__isnull=True).update(
                handle_due_at=timezone.now() - dt.timedelta(hours=1)
            )
    assert rollups_verify() == []
    now = timezone.now()
    for group in (None, "department", "area", "day"):
        events = Event.objects.all()
        want = rates_grouped(list(events.values(*FIELDS)), group, 0, now=now)
        assert rates_report(user=people["operator"], group=group, now=now)["all"] == want["all"]
