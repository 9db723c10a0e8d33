"""The smart codes API: resolve a scanned code, check in (码上巡), coverage, plate jobs."""

from typing import Annotated

from ninja import Query, Router, Status

from gridgov.common.schemas import Id, errors
from gridgov.common.when import to_utc
from gridgov.smartcodes import jobs, patrol, selectors, services
from gridgov.smartcodes.schemas import (
    CheckedInOut,
    CheckInIn,
    CoverageOut,
    PlateJobIn,
    PlateJobOut,
    ResolvedOut,
)

router = Router(tags=["smart codes and patrol"])


def _token(text: str) -> str:
    # The phone may hand over the whole scanned URL or just the token.
    text = text.strip().rstrip("/")
    return text.rsplit("/c/", 1)[-1] if "/c/" in text else text


@router.get(
    "/resolve",
    response={200: ResolvedOut, **errors(400, 404)},
    summary="What a scanned code names (worker app)",
)
def resolve(request, token: Annotated[str, Query(max_length=300)]):
    code, place = services.code_resolve(_token(token))
    worker = services.may_patrol(request.user, code)
    return {
        "token": code.token,
        "serial": code.serial,
        "kind": code.kind,
        "revoked": code.revoked_at is not None,
        "grid": code.area.code,
        # Where the place is (and so who may live there) only for the grid's own staff.
        "lon": place.lon if worker else None,
        "lat": place.lat if worker else None,
        "address": place.address if worker else None,
        "facts": selectors.public_facts(code, place),
        "may_check_in": worker,
    }


@router.post(
    "/checkins",
    response={200: CheckedInOut, 201: CheckedInOut, **errors(400, 403, 404, 409)},
    summary="Check in at a place (码上巡); idempotent by client_uuid",
)
def check_in(request, payload: CheckInIn):
    row, stored = services.check_in(
        user=request.user,
        token=_token(payload.token),
        lon=payload.lon,
        lat=payload.lat,
        crs=payload.crs,
        client_uuid=payload.client_uuid,
        at=to_utc(payload.at, field="at") if payload.at else None,
    )
    body = {
        "id": row.pk,
        "at": row.at.isoformat(),
        "distance_m": row.distance_m,
        "far": row.far,
        "without_position": row.lon is None,
        "stored": stored,
    }
    return Status(201 if stored else 200, body)


@router.get(
    "/coverage",
    response={200: CoverageOut, **errors(403)},
    summary="Patrol coverage by grid and worker",
)
def coverage(request):
    return patrol.coverage(user=request.user)


def _job_dict(job) -> dict:
    return {
        "id": job.pk,
        "root": job.area.code,
        "status": job.status,
        "total": job.total,
        "progress": job.progress,
        "error": job.error or None,
        "download": f"/codes/plates/{job.pk}.pdf" if job.status == "done" else None,
    }


@router.post(
    "/plate-jobs",
    response={202: PlateJobOut, **errors(400, 403, 404, 409)},
    summary="Plates for an area, as a job",
)
def plate_job_create(request, payload: PlateJobIn):
    job = jobs.plate_job_request(user=request.user, root_code=payload.root, single=payload.single)
    return Status(202, _job_dict(job))


@router.get(
    "/plate-jobs/{job_id}",
    response={200: PlateJobOut, **errors(403, 404)},
    summary="A plate job's progress",
)
def plate_job_get(request, job_id: Id):
    return _job_dict(jobs.plate_job_for(user=request.user, job_id=job_id))
