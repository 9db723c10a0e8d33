"""Plate jobs: asked for from the back office or the API, run in a thread of the asking process
(the embedded default) or by `gridgov run_jobs` (production, GRIDGOV_JOBS_IN_PROCESS=false).
A job is claimed by compare-and-swap, so it runs once; one that stopped mid-way (a restart)
is queued again when its progress has not moved for ten minutes."""

import datetime as dt
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import get_in_scope, require_area_in_scope, require_capability
from gridgov.areas.models import Area
from gridgov.common.errors import NotFound
from gridgov.smartcodes.models import PlateJob, SmartCode
from gridgov.smartcodes.plates import plates_pdf
from gridgov.smartcodes.selectors import plate_rows
from gridgov.smartcodes.services import codes_issue

STALE_AFTER = dt.timedelta(minutes=10)


def plates_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "plates"
    path.mkdir(parents=True, exist_ok=True)
    return path


def plate_file(job: PlateJob) -> Path:
    return plates_dir() / f"plates-{job.pk}.pdf"


def plate_job_request(*, user: User, root_code: str, single: bool = False) -> PlateJob:
    require_capability(user, Capability.REGISTRY_EDIT)
    area = Area.objects.filter(code=str(root_code)).first()
    if area is None:
        raise NotFound(
            _("There is no area with code %(code)s.") % {"code": root_code}, field="root"
        )
    require_area_in_scope(user, area, field="root")
    job = PlateJob.objects.create(area=area, single=single, requested_by=user)
    if getattr(settings, "GRIDGOV_JOBS_IN_PROCESS", True):
        # After the commit: the thread's own connection must see the job row.
        transaction.on_commit(
            lambda: threading.Thread(
                target=_run_in_thread, args=(job.pk,), name=f"plate-job-{job.pk}", daemon=True
            ).start()
        )
    return job


def _run_in_thread(job_id: int) -> None:
    try:
        plate_job_run(job_id)
    finally:
        close_old_connections()


def plate_job_run(job_id: int) -> bool:
    """Run one queued job; False if someone else has it."""
    if not PlateJob.objects.filter(pk=job_id, status=PlateJob.Status.QUEUED).update(
        status=PlateJob.Status.RUNNING, progress=0.0
    ):
        return False
    job = PlateJob.objects.select_related("area", "requested_by").get(pk=job_id)
    try:
        codes_issue(user=job.requested_by, root_code=job.area.code)
        codes = SmartCode.objects.filter(
            area__path__startswith=job.area.path, revoked_at__isnull=True
        ).order_by("serial")
        total = codes.count()
        PlateJob.objects.filter(pk=job.pk).update(total=total)
        issuer = f"{job.area.name}网格化服务管理中心"

        def progress(share: float) -> None:
            PlateJob.objects.filter(pk=job.pk).update(
                progress=round(share, 3), updated_at=timezone.now()
            )

        content = plates_pdf(plate_rows(codes, issuer), sheet=not job.single, progress=progress)
        target = plate_file(job)
        partial = target.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(target)  # the download never sees half a file
        PlateJob.objects.filter(pk=job.pk).update(
            status=PlateJob.Status.DONE,
            progress=1.0,
            size_bytes=len(content),
            finished_at=timezone.now(),
        )
    except Exception as error:  # noqa: BLE001 (the job records any failure for the user)
        PlateJob.objects.filter(pk=job.pk).update(
            status=PlateJob.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    return True


def plate_jobs_run_queued() -> int:
    """For run_jobs: requeue stale running jobs, then run what is queued."""
    PlateJob.objects.filter(
        status=PlateJob.Status.RUNNING, updated_at__lt=timezone.now() - STALE_AFTER
    ).update(status=PlateJob.Status.QUEUED)
    ran = 0
    for job_id in PlateJob.objects.filter(status=PlateJob.Status.QUEUED).values_list(
        "pk", flat=True
    )[:5]:
        try:
            ran += plate_job_run(job_id)
        except Exception:  # noqa: BLE001,S112 (recorded on the job; go on with the next)
            continue
    return ran


def plate_job_for(*, user: User, job_id: int) -> PlateJob:
    """A plate job and its PDF, for those who keep the area's codes (codes.view) and only
    inside their area; to anyone else it does not exist."""
    job = (
        get_in_scope(user, PlateJob.objects.all(), Capability.CODES_VIEW)
        .select_related("area")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise NotFound(_("No such plate job."))
    return job
