"""Plates for an area as a queued task, with progress and a download."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.smartcodes.models import PlateJob
from gridgov.smartcodes.tasks import plate_job_run, plate_jobs_requeue
from tests.api.test_api import token_for
from tests.conftest import WENHUI


@pytest.mark.django_db
def test_job_queued_run_and_downloaded(
    community_staff, other_community_staff, places, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    staff = Client(headers={"Authorization": f"Bearer {token_for(community_staff)}"})
    made = staff.post("/api/v1/codes/plate-jobs", {"root": WENHUI}, content_type="application/json")
    assert made.status_code == 202
    job_id = made.json()["id"]
    assert made.json()["status"] == "queued"
    assert made.json()["download"] is None
    # The request's transaction is never committed in this test, so its task was not
    # enqueued (tests/tasks/ check the enqueue after commit): the consumer's task runs it.
    assert plate_job_run.call_local(job_id) is True
    assert plate_job_run.call_local(job_id) is False  # runs once
    state = staff.get(f"/api/v1/codes/plate-jobs/{job_id}").json()
    assert state["status"] == "done"
    assert state["progress"] == 1.0
    assert state["total"] == 2  # the shop and the rental house
    staff.force_login(community_staff)
    pdf = staff.get(state["download"])
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    other = Client(headers={"Authorization": f"Bearer {token_for(other_community_staff)}"})
    assert other.get(f"/api/v1/codes/plate-jobs/{job_id}").status_code == 404
    assert (
        other.post(
            "/api/v1/codes/plate-jobs", {"root": WENHUI}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        staff.post(
            "/api/v1/codes/plate-jobs", {"root": "999"}, content_type="application/json"
        ).status_code
        == 404
    )


@pytest.mark.django_db(transaction=True)
def test_the_job_is_enqueued_after_commit_and_runs(
    demo_city, community_staff, places, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    staff = Client(headers={"Authorization": f"Bearer {token_for(community_staff)}"})
    job_id = staff.post(
        "/api/v1/codes/plate-jobs",
        {"root": WENHUI, "single": True},
        content_type="application/json",
    ).json()["id"]
    # The tests' queue runs a task when it is enqueued: done by the time the API answered.
    job = PlateJob.objects.get(pk=job_id)
    assert job.status == "done"
    assert job.size_bytes > 1000


@pytest.mark.django_db
def test_a_job_whose_consumer_died_is_run_again_once(community_staff, places, settings, tmp_path):
    from gridgov.smartcodes.jobs import plate_job_request

    settings.MEDIA_ROOT = tmp_path
    settings.GRIDGOV_PLATE_JOB_STALE_SECONDS = 60
    job = plate_job_request(user=community_staff, root_code=WENHUI)
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    # A consumer claimed it, then was killed: running, and its progress stopped.
    PlateJob.objects.filter(pk=job.pk).update(status="running", updated_at=long_ago)
    assert plate_jobs_requeue.call_local() == 1  # queued again and run
    job.refresh_from_db()
    assert job.status == "done"
    assert plate_jobs_requeue.call_local() == 0
    assert plate_job_run.call_local(job.pk) is False
