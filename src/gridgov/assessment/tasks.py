"""Queue tasks of the assessment app: they only call services (assessment/runs.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gridgov.assessment import runs


@db_task()
def assessment_run_task(assessment_id: int) -> bool:
    """Compute one queued run of the assessment; a run already taken or computed is left
    alone."""
    return runs.assessment_run(assessment_id=assessment_id)


@db_periodic_task(crontab(minute="*/5"))
def assessments_requeue_task() -> int:
    """Every five minutes: start again the runs whose consumer died or whose task was lost.
    Safe on several consumers at once: each run is claimed by compare-and-swap."""
    run_ids = runs.assessments_orphaned()
    for run_id in run_ids:
        assessment_run_task(run_id)
    return len(run_ids)
