"""Computing the assessment is a queue job: asking queues a run (202 over the API), the
consumer claims it by compare-and-swap and writes every result with `done`; twice changes
nothing; two asks of the same year make one run; a failure is kept with its message; a run
whose consumer died is queued again. tests/tasks lists both tasks as covered here."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from gridgov.assessment import indicators
from gridgov.assessment.models import AreaResult, Assessment, DepartmentResult
from gridgov.assessment.runs import assessment_publish, assessment_request, assessment_run
from gridgov.assessment.tasks import assessment_run_task, assessments_requeue_task
from gridgov.common.errors import Conflict
from tests.assessment.conftest import DAYAN, DISTRICT

pytestmark = pytest.mark.django_db
API = "/api/v1/assessment"
YEAR = timezone.localdate().year


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _results(run) -> int:
    return AreaResult.objects.filter(assessment=run).count()


def test_asking_queues_and_the_task_computes(
    leader, known_rules, django_capture_on_commit_callbacks
):
    client = _client(leader)
    with django_capture_on_commit_callbacks() as queued:
        made = client.post(f"{API}/assessments", {"year": YEAR}, content_type="application/json")
    assert made.status_code == 202
    body = made.json()
    assert (body["status"], body["state"], body["progress"]) == ("draft", "queued", 0.0)
    assert len(queued) == 1  # the task, enqueued once the row is committed
    # Not computed yet: nothing to publish.
    refused = client.post(f"{API}/assessments/{body['id']}/publish")
    assert (refused.status_code, refused.json()["code"]) == (409, "not_computed")

    queued[0]()  # the consumer (the tests' queue runs it inline)
    answer = client.get(f"{API}/assessments/{body['id']}").json()
    assert (answer["state"], answer["progress"], answer["error"]) == ("done", 1.0, "")
    assert answer["finished_at"] is not None
    dayan = next(a for a in answer["areas"] if a["code"] == DAYAN)
    assert (dayan["score"], dayan["grade"]) == (65.0, "C")
    published = client.post(f"{API}/assessments/{body['id']}/publish")
    assert (published.status_code, published.json()["status"]) == (200, "published")
    again = client.post(f"{API}/assessments", {"year": YEAR}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "published")
    assert Assessment.objects.count() == 1


def test_two_asks_of_the_same_year_make_one_run(admin_user, leader, known_rules):
    first = assessment_request(user=admin_user, root_code=DISTRICT, year=YEAR)
    second = assessment_request(user=leader, root_code=DISTRICT, year=YEAR)
    assert second.pk == first.pk
    Assessment.objects.filter(pk=first.pk).update(state="running")
    assert assessment_request(user=leader, root_code=DISTRICT, year=YEAR).pk == first.pk
    assert Assessment.objects.count() == 1
    # The database holds it too: a second run of the year in flight is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            root=first.root,
            year=YEAR,
            version=2,
            since=first.since,
            until=first.until,
            rules=first.rules,
            computed_at=first.computed_at,
            state="queued",
        )
    # Once it is computed, asking again is a new version.
    Assessment.objects.filter(pk=first.pk).update(state="queued")
    assert assessment_run(assessment_id=first.pk) is True
    assert assessment_request(user=leader, root_code=DISTRICT, year=YEAR).version == 2


def test_the_task_twice_computes_once(admin_user, known_rules):
    run = assessment_request(user=admin_user, root_code=DISTRICT, year=YEAR)
    assert assessment_run_task.call_local(run.pk) is True
    run.refresh_from_db()
    done = (run.state, run.finished_at, run.attempt, _results(run))
    assert done[0] == "done"
    assert done[3] > 0
    departments = DepartmentResult.objects.filter(assessment=run).count()
    assert assessment_run_task.call_local(run.pk) is False
    run.refresh_from_db()
    assert (run.state, run.finished_at, run.attempt, _results(run)) == done
    assert DepartmentResult.objects.filter(assessment=run).count() == departments


@pytest.fixture
def broken_indicator(known_rules):
    def fail(area, since, until):
        raise ValueError("the rollups are missing")

    indicators.indicator_register("t_a", "test t_a", "%", fail, formula="fails")
    return known_rules


def test_a_failure_is_kept_with_its_message_and_a_new_version_may_follow(
    admin_user, broken_indicator, known_indicators
):
    run = assessment_request(user=admin_user, root_code=DISTRICT, year=YEAR)
    with pytest.raises(ValueError, match="rollups"):
        assessment_run(assessment_id=run.pk)
    run.refresh_from_db()
    assert (run.state, run.error, _results(run)) == ("failed", "the rollups are missing", 0)
    assert run.finished_at is not None
    with pytest.raises(Conflict) as refused:
        assessment_publish(user=admin_user, assessment_id=run.pk)
    assert refused.value.code == "not_computed"
    assert assessment_run(assessment_id=run.pk) is False  # a failed run stays failed

    # Fixed, computed again: a new version, which the failed one does not block.
    indicators.indicator_register(
        "t_a", "test t_a", "%", lambda area, since, until: known_indicators["t_a"].get(area.code)
    )
    again = assessment_request(user=admin_user, root_code=DISTRICT, year=YEAR)
    assert (again.pk != run.pk, again.version) == (True, 2)
    assert assessment_run(assessment_id=again.pk) is True
    assert assessment_publish(user=admin_user, assessment_id=again.pk).status == "published"


def test_a_run_taken_over_is_not_written_twice(admin_user, known_rules, known_indicators):
    run = assessment_request(user=admin_user, root_code=DISTRICT, year=YEAR)

    def taken_over(area, since, until):
        # Another consumer claims the run while this one computes (after a requeue).
        Assessment.objects.filter(pk=run.pk).update(attempt=99)
        return known_indicators["t_a"].get(area.code)

    indicators.indicator_register("t_a", "test t_a", "%", taken_over)
    assert assessment_run(assessment_id=run.pk) is False
    run.refresh_from_db()
    assert (run.state, run.attempt, _results(run)) == ("running", 99, 0)


def test_a_dead_consumers_run_is_queued_again_once(admin_user, known_rules):
    run = assessment_request(user=admin_user, root_code=DISTRICT, year=YEAR)
    stale = timezone.now() - dt.timedelta(hours=1)
    Assessment.objects.filter(pk=run.pk).update(state="running", attempt=1, updated_at=stale)
    assert assessments_requeue_task.call_local() == 1  # queued again; the tests' queue runs it
    run.refresh_from_db()
    assert (run.state, run.attempt) == ("done", 2)
    results = _results(run)
    assert results > 0
    assert assessments_requeue_task.call_local() == 0
    assert _results(run) == results


def test_a_fresh_running_run_is_left_alone(admin_user, known_rules):
    run = assessment_request(user=admin_user, root_code=DISTRICT, year=YEAR)
    Assessment.objects.filter(pk=run.pk).update(state="running")
    assert assessments_requeue_task.call_local() == 0
    run.refresh_from_db()
    assert run.state == "running"


def test_the_page_follows_the_run_until_it_is_done(leader, known_rules):
    client = _client(leader)
    answer = client.post("/assessment/compute/", {"year": str(YEAR), "root": DISTRICT})
    run = Assessment.objects.get()
    assert (answer.status_code, answer["Location"]) == (302, f"/assessment/?run={run.pk}")
    text = client.get(f"/assessment/?run={run.pk}").content.decode()
    assert 'id="as-job" data-state="queued"' in text
    assert 'http-equiv="refresh"' in text
    assert 'id="as-publish"' not in text
    assert 'id="as-recompute"' not in text

    assessment_run(assessment_id=run.pk)
    text = client.get(f"/assessment/?run={run.pk}").content.decode()
    assert 'id="as-job"' not in text
    assert 'http-equiv="refresh"' not in text
    assert 'id="as-publish"' in text
    assert f'data-area="{DAYAN}"' in text


def test_a_failed_run_shows_its_message(admin_user, leader, broken_indicator):
    run = assessment_request(user=admin_user, root_code=DISTRICT, year=YEAR)
    with pytest.raises(ValueError, match="rollups"):
        assessment_run(assessment_id=run.pk)
    text = _client(leader).get(f"/assessment/?run={run.pk}").content.decode()
    assert 'data-state="failed"' in text
    assert "the rollups are missing" in text
    assert 'id="as-publish"' not in text
    assert 'id="as-recompute"' in text
