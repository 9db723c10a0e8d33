"""Running plate jobs, for the queue's tasks (smartcodes/tasks.py).

A job is claimed by compare-and-swap (queued → running), so however many consumers are handed
it, one runs it. Its progress moves `updated_at`; a running job whose progress has not moved
for GRIDGOV_PLATE_JOB_STALE_SECONDS lost its consumer (killed, host down) and is queued again by
the periodic task. The PDF is written under a temporary name and renamed, so a download never
sees half a file and a run that is repeated writes the same file again.
"""

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from gridgov.smartcodes.models import PlateJob, SmartCode
from gridgov.smartcodes.plates import plates_pdf
from gridgov.smartcodes.selectors import plate_rows
from gridgov.smartcodes.services import codes_issue

logger = logging.getLogger("gridgov.tasks")


def plates_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "plates"
    path.mkdir(parents=True, exist_ok=True)
    return path


def plate_file(job: PlateJob) -> Path:
    return plates_dir() / f"plates-{job.pk}.pdf"


def plate_job_run(*, job_id: int) -> bool:
    """Run one queued job; False if it is not queued (done, failed, or another consumer's)."""
    if not PlateJob.objects.filter(pk=job_id, status=PlateJob.Status.QUEUED).update(
        status=PlateJob.Status.RUNNING, progress=0.0, updated_at=timezone.now()
    ):
        return False
    job = PlateJob.objects.select_related("area", "requested_by").get(pk=job_id)
    running = PlateJob.objects.filter(pk=job.pk, status=PlateJob.Status.RUNNING)
    try:
        codes_issue(user=job.requested_by, root_code=job.area.code)
        codes = SmartCode.objects.filter(
            area__path__startswith=job.area.path, revoked_at__isnull=True
        ).order_by("serial")
        running.update(total=codes.count(), updated_at=timezone.now())
        issuer = f"{job.area.name}网格化服务管理中心"

        def progress(share: float) -> None:
            running.update(progress=round(share, 3), updated_at=timezone.now())

        content = plates_pdf(plate_rows(codes, issuer), sheet=not job.single, progress=progress)
        target = plate_file(job)
        partial = target.with_suffix(f".{job_id}.part")
        partial.write_bytes(content)
        partial.replace(target)  # the download never sees half a file
        finished = running.update(
            status=PlateJob.Status.DONE,
            progress=1.0,
            size_bytes=len(content),
            finished_at=timezone.now(),
        )
    except Exception as error:  # noqa: BLE001 (the job records any failure for the user)
        running.update(
            status=PlateJob.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    if finished:
        logger.info("plate job %s done (%s bytes)", job_id, len(content))
    return bool(finished)


def plate_jobs_orphaned(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again the running jobs whose progress stopped (their consumer died), and return
    every queued job old enough that its own task should have started it."""
    now = now or timezone.now()
    stale = dt.timedelta(seconds=getattr(settings, "GRIDGOV_PLATE_JOB_STALE_SECONDS", 600))
    requeued: list[int] = []
    for job_id, updated_at in PlateJob.objects.filter(
        status=PlateJob.Status.RUNNING, updated_at__lt=now - stale
    ).values_list("pk", "updated_at"):
        # Compare-and-swap on the heartbeat: a job that moved meanwhile keeps running.
        if PlateJob.objects.filter(
            pk=job_id, status=PlateJob.Status.RUNNING, updated_at=updated_at
        ).update(status=PlateJob.Status.QUEUED, updated_at=now):
            logger.warning("plate job %s stopped without finishing: queued again", job_id)
            requeued.append(job_id)
    waiting = PlateJob.objects.filter(
        status=PlateJob.Status.QUEUED, updated_at__lte=now - dt.timedelta(seconds=30)
    )
    return sorted({*requeued, *waiting.order_by("pk").values_list("pk", flat=True)[:50]})
