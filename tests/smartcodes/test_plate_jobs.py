"""Plates for an area as a background job, with progress and a download."""

import threading

import pytest
from django.test import Client

from gridgov.smartcodes.jobs import plate_jobs_run_queued
from gridgov.smartcodes.models import PlateJob
from tests.api.test_api import token_for
from tests.conftest import WENHUI


@pytest.mark.django_db
def test_job_queued_run_and_downloaded(
    community_staff, other_community_staff, places, settings, tmp_path
):
    settings.GRIDGOV_JOBS_IN_PROCESS = False  # production: run_jobs picks it up
    settings.MEDIA_ROOT = tmp_path
    staff = Client(headers={"Authorization": f"Bearer {token_for(community_staff)}"})
    made = staff.post("/api/v1/codes/plate-jobs", {"root": WENHUI}, content_type="application/json")
    assert made.status_code == 202
    job_id = made.json()["id"]
    assert made.json()["status"] == "queued"
    assert made.json()["download"] is None
    assert plate_jobs_run_queued() == 1
    assert plate_jobs_run_queued() == 0  # runs once
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
def test_embedded_default_runs_the_job_in_a_thread(
    demo_city, community_staff, places, settings, tmp_path
):
    settings.GRIDGOV_JOBS_IN_PROCESS = True
    settings.MEDIA_ROOT = tmp_path
    staff = Client(headers={"Authorization": f"Bearer {token_for(community_staff)}"})
    job_id = staff.post(
        "/api/v1/codes/plate-jobs",
        {"root": WENHUI, "single": True},
        content_type="application/json",
    ).json()["id"]
    # Wait for the job's thread rather than poll: an in-memory SQLite test database locks
    # whole tables, so reading while the thread writes would fail the thread, not the app.
    worker = next(t for t in threading.enumerate() if t.name == f"plate-job-{job_id}")
    worker.join(timeout=60)
    assert not worker.is_alive(), "the plate job did not finish"
    job = PlateJob.objects.get(pk=job_id)
    assert job.status == "done"
    assert job.size_bytes > 1000
