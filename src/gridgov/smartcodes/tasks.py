"""Queue tasks of the smartcodes app: they only call services (smartcodes/plate_runs.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gridgov.smartcodes import plate_runs


@db_task()
def plate_job_run(job_id: int) -> bool:
    """Make one job's plates; a job already taken or finished is left alone."""
    return plate_runs.plate_job_run(job_id=job_id)


@db_periodic_task(crontab(minute="*"))
def plate_jobs_requeue() -> int:
    """Every minute: start again the jobs whose consumer died and those whose task was lost.
    Safe on several consumers at once: each job is claimed by compare-and-swap."""
    job_ids = plate_runs.plate_jobs_orphaned()
    for job_id in job_ids:
        plate_job_run(job_id)
    return len(job_ids)
