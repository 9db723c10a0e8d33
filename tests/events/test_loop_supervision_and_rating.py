"""督办 tells the people who handle a case and whoever leads them; a rating is given on the
national five-level scale and counted in three levels by the rates."""

import pytest

from gridgov.accounts.roles import Role
from gridgov.common.errors import DomainError
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.models import Event, Satisfaction
from gridgov.events.rates import RATE_LEVEL, contribution, rates_for
from gridgov.events.services import event_act, event_report
from gridgov.events.workflow import NOT_TERMINAL, OPEN_OR_NEW, PAUSED, TERMINAL, State
from gridgov.notifications.models import Notification
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID, _persona
from tests.events.conftest import report_data
from tests.events.factories import photo_ref


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _filed(operator, reporter, point) -> Event:
    event = event_report(user=reporter, data=report_data(point), source="resident")
    return event_act(user=operator, event_id=event.pk, action="accept")


@pytest.mark.django_db
def test_supervising_a_workers_case_tells_the_worker_and_their_grid_head_and_staff(
    django_capture_on_commit_callbacks,
    operator,
    shift_leader,
    grid_worker,
    community_staff,
    reporter,
    wenhui_point,
):
    grid_head = _persona("grid_head", Role.GRID_HEAD, WENHUI_GRID)
    outside_staff = _persona("outside_staff", Role.AREA_STAFF, JINJIA)
    event = _filed(operator, reporter, wenhui_point)
    event = event_act(
        user=operator, event_id=event.pk, action="dispatch", data={"assignee_id": grid_worker.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = event_act(
            user=shift_leader, event_id=event.pk, action="supervise", comment="三天未处理"
        )
    assert event.supervised
    assert event.state == State.DISPATCHED
    told = set(Notification.objects.filter(kind="supervised").values_list("user_id", flat=True))
    assert {grid_worker.pk, grid_head.pk, community_staff.pk} <= told
    assert outside_staff.pk not in told  # another community's staff do not lead this grid
    text = Notification.objects.filter(kind="supervised", user=grid_worker).get().text
    assert event.number in text
    assert "三天未处理" in text


@pytest.mark.django_db
def test_supervising_a_departments_case_tells_its_staff(
    django_capture_on_commit_callbacks,
    operator,
    leader,
    squad_handler,
    street_squad,
    reporter,
    wenhui_point,
):
    squad_leader = _persona("squad_leader", Role.LEADER, WENHUI)
    squad_leader.department = street_squad
    squad_leader.save(update_fields=["department"])
    event = _filed(operator, reporter, wenhui_point)
    event_act(
        user=operator, event_id=event.pk, action="dispatch", data={"department_id": street_squad.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        event_act(user=leader, event_id=event.pk, action="supervise", comment="尽快")
    told = set(Notification.objects.filter(kind="supervised").values_list("user_id", flat=True))
    assert {squad_handler.pk, squad_leader.pk} <= told


@pytest.mark.django_db
def test_supervising_a_case_nobody_holds_tells_the_center(
    django_capture_on_commit_callbacks, operator, leader, shift_leader, reporter, wenhui_point
):
    event = _filed(operator, reporter, wenhui_point)
    with django_capture_on_commit_callbacks(execute=True):
        event_act(user=leader, event_id=event.pk, action="supervise", comment="请跟进")
    assert Notification.objects.filter(kind="supervised", user=shift_leader).exists()


def _rated(operator, grid_worker, shift_leader, reporter, point, satisfaction) -> Event:
    event = _closed(operator, grid_worker, shift_leader, reporter, point)
    return event_act(
        user=reporter, event_id=event.pk, action="evaluate", data={"satisfaction": satisfaction}
    )


def _closed(operator, grid_worker, shift_leader, reporter, point) -> Event:
    event = _filed(operator, reporter, point)
    event_act(
        user=operator, event_id=event.pk, action="dispatch", data={"assignee_id": grid_worker.pk}
    )
    event_act(user=grid_worker, event_id=event.pk, action="accept_task")
    event_act(
        user=grid_worker,
        event_id=event.pk,
        action="feedback",
        data={"photos": [photo_ref(grid_worker)]},
    )
    event_act(user=shift_leader, event_id=event.pk, action="verify_pass")
    return event_act(user=shift_leader, event_id=event.pk, action="close")


@pytest.mark.django_db
def test_five_levels_are_accepted_and_counted_as_three(
    operator, grid_worker, shift_leader, reporter, wenhui_point
):
    events = [
        _rated(operator, grid_worker, shift_leader, reporter, wenhui_point, level)
        for level in Satisfaction.values
    ]
    assert [e.satisfaction for e in events] == Satisfaction.values
    assert RATE_LEVEL == {
        "very_satisfied": "satisfied",
        "satisfied": "satisfied",
        "basically": "basically",
        "dissatisfied": "dissatisfied",
        "very_dissatisfied": "dissatisfied",
    }
    rows = list(Event.objects.filter(pk__in=[e.pk for e in events]).values(*_fields()))
    calendar = WorkingCalendar.from_database()
    counted = [contribution(row, calendar) for row in rows]
    assert sum(c.get("satisfied", 0) for c in counted) == 2
    assert sum(c.get("basically", 0) for c in counted) == 1
    assert sum(c.get("dissatisfied", 0) for c in counted) == 2
    rates = rates_for(rows)
    assert rates["satisfaction_rate"] == round((2 + 0.9 * 1) / 5, 4)


def _fields():
    from gridgov.events.rates import FIELDS

    return FIELDS


@pytest.mark.django_db
def test_a_very_dissatisfied_rating_may_be_reopened_and_no_other_value_is_taken(
    operator, grid_worker, shift_leader, reporter, wenhui_point
):
    event = _rated(operator, grid_worker, shift_leader, reporter, wenhui_point, "very_dissatisfied")
    event = event_act(user=operator, event_id=event.pk, action="reopen", comment="回访不满意")
    assert (event.state, event.satisfaction) == (State.FILED, "")
    other = _closed(operator, grid_worker, shift_leader, reporter, wenhui_point)
    with pytest.raises(DomainError) as refused:
        event_act(
            user=reporter, event_id=other.pk, action="evaluate", data={"satisfaction": "excellent"}
        )
    assert refused.value.field == "satisfaction"


def test_every_state_is_in_exactly_one_category():
    groups = [set(TERMINAL), set(OPEN_OR_NEW), set(PAUSED)]
    assert set().union(*groups) == set(State.values)
    assert sum(len(g) for g in groups) == len(State.values)
    assert set(NOT_TERMINAL) == set(State.values) - set(TERMINAL)


def test_every_row_of_the_table_names_an_effect_that_exists():
    from gridgov.events.services import effects
    from gridgov.events.workflow import TRANSITIONS

    for key, step in TRANSITIONS.items():
        assert callable(getattr(effects, step.effect, None)), key
