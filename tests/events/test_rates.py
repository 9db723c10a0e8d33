import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.events.models import Event
from gridgov.events.rates import FIELDS, rates_for
from gridgov.events.services import event_act, event_report
from tests.api.test_api import token_for
from tests.events.conftest import report_data
from tests.events.factories import photo_ref


def run(event, steps):
    for user, action, extra in steps:
        event = event_act(
            user=user,
            event_id=event.pk,
            action=action,
            comment="说明",
            data={"photos": [photo_ref(user)] if action == "feedback" else [], **extra},
        )
    return event


@pytest.fixture
def five_events(operator, squad_handler, grid_worker, reporter, wenhui_point, street_squad):
    def new(dx):
        return event_report(
            user=reporter,
            data=report_data((wenhui_point[0] + dx, wenhui_point[1])),
            source="resident",
        )

    to_handling = [
        (operator, "accept", {}),
        (operator, "dispatch", {"department_id": street_squad.pk}),
        (squad_handler, "take", {}),
    ]
    run(
        new(0.0),
        [
            *to_handling,
            (squad_handler, "feedback", {}),
            (grid_worker, "verify_pass", {}),
            (operator, "close", {}),
            (reporter, "evaluate", {"satisfaction": "satisfied"}),
        ],
    )
    e2 = run(new(0.0), to_handling)
    Event.objects.filter(pk=e2.pk).update(
        handle_due_at=timezone.now() - dt.timedelta(minutes=1)
    )  # handled late
    e2 = run(
        e2,
        [
            (squad_handler, "feedback", {}),
            (grid_worker, "verify_fail", {}),
            (squad_handler, "feedback", {}),
            (grid_worker, "verify_pass", {}),
            (operator, "close", {}),
            (reporter, "evaluate", {"satisfaction": "basically"}),
        ],
    )
    e3 = run(new(0.0), to_handling)
    Event.objects.filter(pk=e3.pk).update(
        handle_due_at=timezone.now() - dt.timedelta(hours=1)
    )  # overdue, open
    run(new(0.0), [(operator, "void", {})])
    new(0.0)  # reported, not yet answered
    return Event.objects.all()


@pytest.mark.django_db
def test_rates_have_the_documented_numerators_and_denominators(five_events):
    rates = rates_for(list(five_events.values(*FIELDS)))
    assert rates["counts"]["reported"] == 5
    assert rates["counts"]["due_to_close"] == 3
    assert rates["closure_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert rates["on_time_closure_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert rates["timely_acceptance_rate"] == pytest.approx(3 / 4)
    assert rates["timely_dispatch_rate"] == 1.0
    assert rates["rework_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert rates["satisfaction_rate"] == pytest.approx((1 + 0.9) / 2)
    assert rates["hotline"]["solved_rate"] == 0.5
    assert rates["hotline"]["score"] == pytest.approx(0.1 * 0.75 + 0.5 * 0.5 + 0.4 * 0.95, abs=1e-4)
    assert rates["average_handling_hours"] is not None


@pytest.mark.django_db
def test_weights_are_configurable(five_events, settings):
    settings.GRIDGOV_RATES = {"basically_satisfied_weight": 1.0}
    assert rates_for(list(five_events.values(*FIELDS)))["satisfaction_rate"] == 1.0


@pytest.mark.django_db
def test_rates_over_the_api_grouped_and_scoped(five_events, operator, other_community_staff):
    client = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    body = client.get("/api/v1/events/rates?group=area").json()
    assert body["all"]["counts"]["reported"] == 5
    assert set(body["groups"]) == {"530702001"}  # all in 西安街道, the level below the district
    assert client.get("/api/v1/events/rates?group=nonsense").status_code == 422
    other = Client(headers={"Authorization": f"Bearer {token_for(other_community_staff)}"})
    nothing = other.get("/api/v1/events/rates").json()["all"]
    assert nothing["counts"]["reported"] == 0
    assert nothing["closure_rate"] is None


@pytest.mark.django_db
def test_rates_window_accepts_any_offset_and_refuses_impossible_dates(five_events, operator):
    """Offsets PostgreSQL cannot store are converted to UTC; unconvertible ones are a 400."""
    client = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    # +16:13 is a legal ISO offset that PostgreSQL rejects as a literal.
    wide = client.get("/api/v1/events/rates", {"since": "2000-01-01T00:00:00+16:13"})
    assert wide.status_code == 200
    assert wide.json()["all"]["counts"]["reported"] == 5
    future = client.get("/api/v1/events/rates", {"since": "2999-12-27T03:13:02+16:13"})
    assert future.status_code == 200
    assert future.json()["all"]["counts"]["reported"] == 0
    # Past the years the platform computes with (1900-2999): a clear 400.
    assert client.get("/api/v1/events/rates", {"since": "8818-12-27T03:13:02"}).status_code == 400
    # Year 1 minus an offset falls before datetime.min: a clear error, not a 500.
    broken = client.get("/api/v1/events/rates", {"since": "0001-01-01T00:00:00+10:00"})
    assert broken.status_code == 400
    assert broken.json()["field"] == "since"
