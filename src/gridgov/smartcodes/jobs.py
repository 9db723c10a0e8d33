"""Plate jobs: asked for from the back office or the API, run by a queue consumer
(`gridgov run_huey`; smartcodes/tasks.py, plate_runs.py), with the progress kept on the job row."""

from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import get_in_scope, require_area_in_scope, require_capability
from gridgov.areas.models import Area
from gridgov.common.errors import NotFound
from gridgov.smartcodes.models import PlateJob
from gridgov.smartcodes.plate_runs import plate_file as plate_file  # the download's path
from gridgov.smartcodes.tasks import plate_job_run


def plate_job_request(*, user: User, root_code: str, single: bool = False) -> PlateJob:
    require_capability(user, Capability.REGISTRY_EDIT)
    area = Area.objects.filter(code=str(root_code)).first()
    if area is None:
        raise NotFound(
            _("There is no area with code %(code)s.") % {"code": root_code}, field="root"
        )
    require_area_in_scope(user, area, field="root")
    job = PlateJob.objects.create(area=area, single=single, requested_by=user)
    # After the commit, so the consumer finds the row; robust: with the queue down the request
    # still succeeds and the periodic task (tasks.plate_jobs_requeue) starts the job later.
    transaction.on_commit(partial(plate_job_run, job.pk), robust=True)
    return job


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
