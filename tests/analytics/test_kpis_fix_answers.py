"""按时核实率 counts every way a worker answers a task offered to them (take, accept_task,
decline_task, return), and never a task the worker took without an offer."""

import datetime as dt

import pytest

from gridgov.accounts.roles import Role
from gridgov.analytics.kpis import kpis_report
from gridgov.areas.models import Area
from gridgov.events.services import event_act, event_report
from tests.analytics.kpis_story import SINCE, UNTIL, _event, _offer, _step, at
from tests.conftest import WENHUI_GRID, _persona
from tests.events.conftest import report_data

HOUR = dt.timedelta(hours=1)


def worker_counts(reader, worker, **kwargs) -> dict:
    rows = kpis_report(user=reader, family="workers", **kwargs)["rows"]
    return next(row["counts"] for row in rows if row["id"] == worker.pk)


@pytest.mark.django_db
def test_each_answer_on_known_events(community_staff):
    grid = Area.objects.get(code=WENHUI_GRID)
    worker = _persona("kpi_w3", Role.GRID_WORKER, WENHUI_GRID)
    operator = _persona("kpi_op3", Role.OPERATOR, "530702")
    t0 = at(10, 9)
    took, returned, ignored, unoffered = (
        _event(grid, key, t0, source="hotline", state="in_progress", accepted_at=t0)
        for key in ("take", "return", "ignored", "unoffered")
    )
    # Offered at 9:00 (limit 4 h). Taken at 11:00: answered in time.
    _offer(took, worker, t0, "accepted", t0 + 2 * HOUR)
    _step(took, worker, "take", t0 + 2 * HOUR)
    # Returned as not theirs at 12:00, which withdraws the offer: answered in time.
    _offer(returned, worker, t0, "withdrawn", t0 + 3 * HOUR)
    _step(returned, worker, "return", t0 + 3 * HOUR)
    # Never answered; a handling report does not end the offer: due, and late.
    _offer(ignored, worker, t0, "offered")
    _step(ignored, worker, "feedback", t0 + HOUR)
    # Taken at 10:00 without an offer (the take writes its accepted row after its step), then
    # returned at 15:00: no offer, counted nowhere.
    _step(unoffered, operator, "dispatch", t0)
    _step(unoffered, worker, "take", t0 + HOUR)
    _offer(unoffered, worker, t0 + HOUR, "withdrawn", t0 + 6 * HOUR)
    _step(unoffered, worker, "return", t0 + 6 * HOUR)

    counts = worker_counts(community_staff, worker, since=SINCE, until=UNTIL, now=at(30, 12))
    assert (counts["verifications_due"], counts["verified_on_time"]) == (3, 2)


@pytest.mark.django_db
def test_through_the_loop_a_take_answers_and_an_unoffered_take_is_no_offer(
    operator, reporter, wenhui_point, grid_worker, community_staff, street_squad
):
    offered = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    event_act(user=operator, event_id=offered.pk, action="accept")
    event_act(user=operator, event_id=offered.pk, action="dispatch", data={
        "assignee_id": grid_worker.pk
    })  # fmt: skip
    event_act(user=grid_worker, event_id=offered.pk, action="take")
    # The worker also belongs to the squad: they take its case though nobody offered it to
    # them, and give it back.
    grid_worker.department = street_squad
    grid_worker.save(update_fields=["department"])
    data = report_data(wenhui_point, description="文汇路边井盖松动，车过有响声")
    unoffered = event_report(user=reporter, data=data, source="resident")
    event_act(user=operator, event_id=unoffered.pk, action="accept")
    event_act(user=operator, event_id=unoffered.pk, action="dispatch", data={
        "department_id": street_squad.pk
    })  # fmt: skip
    event_act(user=grid_worker, event_id=unoffered.pk, action="take")
    event_act(user=grid_worker, event_id=unoffered.pk, action="return", comment="不归我们")

    counts = worker_counts(community_staff, grid_worker)
    assert (counts["verifications_due"], counts["verified_on_time"]) == (1, 1)
