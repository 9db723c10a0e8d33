"""The classified assessment (分类考核) over the API: its rules, its runs, their results."""

from __future__ import annotations

from typing import Annotated

from ninja import Query, Router, Status

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import require_capability
from gridgov.assessment import runs, selectors, services
from gridgov.assessment.schemas import (
    ComputeIn,
    IndicatorIn,
    IndicatorKindOut,
    IndicatorPatchIn,
    RunDetailOut,
    RunOut,
    RunsOut,
    SchemeIn,
    ZoneIn,
    ZonePatchIn,
    ZonesOut,
)
from gridgov.common.schemas import Id, errors

router = Router(tags=["assessment"])
RootCode = Annotated[
    str | None,
    Query(None, max_length=18, pattern=r"^[0-9]+$", description="a district's code (yours)"),
]
YearQuery = Annotated[int | None, Query(None, ge=2000, le=2100)]


@router.get(
    "/indicators",
    response={200: list[IndicatorKindOut], **errors(403)},
    summary="The registered indicators a zone may weigh, with their formulas",
)
def indicators(request):
    require_capability(request.user, Capability.ANALYTICS_VIEW)
    return selectors.indicator_catalog()


@router.get(
    "/zones",
    response={200: ZonesOut, **errors(403, 404)},
    summary="The district's zones, their streets and indicators, and the grade bands",
)
def zones(request, root: RootCode = None):
    return selectors.zones_read(user=request.user, root_code=root)


@router.post(
    "/zones",
    response={201: ZonesOut, **errors(403, 404, 409)},
    summary="Add a zone of streets (district editors)",
)
def zone_create(request, payload: ZoneIn):
    zone = services.zone_save(
        user=request.user,
        root_code=payload.root,
        name=payload.name,
        focus=payload.focus,
        street_codes=payload.streets,
        position=payload.position,
    )
    return Status(201, selectors.zones_read(user=request.user, root_code=zone.root.code))


@router.patch(
    "/zones/{zone_id}",
    response={200: ZonesOut, **errors(403, 404, 409)},
    summary="Rename a zone, change its focus or its streets",
)
def zone_update(request, zone_id: Id, payload: ZonePatchIn):
    zone = services.zone_save(
        user=request.user,
        zone_id=zone_id,
        name=payload.name,
        focus=payload.focus,
        street_codes=payload.streets,
        position=payload.position,
    )
    return selectors.zones_read(user=request.user, root_code=zone.root.code)


@router.delete(
    "/zones/{zone_id}",
    response={204: None, **errors(403, 404)},
    summary="Remove a zone (published results keep their copy of it)",
)
def zone_delete(request, zone_id: Id):
    services.zone_delete(user=request.user, zone_id=zone_id)
    return Status(204, None)


@router.post(
    "/zones/{zone_id}/indicators",
    response={201: ZonesOut, **errors(403, 404, 409)},
    summary="Add a registered indicator to a zone with its weight (target and baseline optional)",
)
def indicator_add(request, zone_id: Id, payload: IndicatorIn):
    indicator = services.indicator_save(user=request.user, zone_id=zone_id, **payload.dict())
    return Status(201, selectors.zones_read(user=request.user, root_code=indicator.zone.root.code))


@router.patch(
    "/indicators/{indicator_id}",
    response={200: ZonesOut, **errors(403, 404)},
    summary="Change an indicator's weight, target or baseline",
)
def indicator_update(request, indicator_id: Id, payload: IndicatorPatchIn):
    indicator = services.indicator_save(
        user=request.user, indicator_id=indicator_id, **payload.dict()
    )
    return selectors.zones_read(user=request.user, root_code=indicator.zone.root.code)


@router.delete(
    "/indicators/{indicator_id}",
    response={204: None, **errors(403, 404)},
    summary="Remove an indicator from its zone",
)
def indicator_delete(request, indicator_id: Id):
    services.indicator_delete(user=request.user, indicator_id=indicator_id)
    return Status(204, None)


@router.patch(
    "/scheme",
    response={200: ZonesOut, **errors(403, 404)},
    summary="Change the grade bands ([[grade, lowest score], …]) or the departments' weights",
)
def scheme_update(request, payload: SchemeIn):
    scheme = services.scheme_save(
        user=request.user,
        root_code=payload.root,
        street_grades=payload.street_grades,
        community_grades=payload.community_grades,
        department_weights=payload.department_weights,
    )
    return selectors.zones_read(user=request.user, root_code=scheme.root.code)


@router.get(
    "/assessments",
    response={200: RunsOut, **errors(403, 404)},
    summary="The district's assessments you may open (drafts for district editors only)",
)
def assessments(request, root: RootCode = None, year: YearQuery = None):
    return selectors.assessments_list(user=request.user, root_code=root, year=year)


@router.post(
    "/assessments",
    response={202: RunOut, **errors(400, 403, 404, 409)},
    summary="Queue a year's combined assessment as a new draft version (follow its `state`)",
)
def assessment_compute(request, payload: ComputeIn):
    """The run is computed by the queue: 202 with its `state` (queued, running, done, failed)
    and `progress`; GET /assessments/{id} follows it. While a run of the year is queued or
    running, this answers that run."""
    run = runs.assessment_request(user=request.user, root_code=payload.root, year=payload.year)
    return Status(202, selectors.assessment_read(user=request.user, assessment_id=run.pk))


@router.get(
    "/assessments/{assessment_id}",
    response={200: RunDetailOut, **errors(403, 404)},
    summary="One assessment: the streets and communities of your area, and the departments",
)
def assessment_detail(request, assessment_id: Id):
    return selectors.assessment_read(user=request.user, assessment_id=assessment_id)


@router.post(
    "/assessments/{assessment_id}/publish",
    response={200: RunOut, **errors(403, 404, 409)},
    summary="Publish (公示) the latest draft of a year: from then on it never changes",
)
def assessment_publish(request, assessment_id: Id):
    run = runs.assessment_publish(user=request.user, assessment_id=assessment_id)
    return selectors.assessment_read(user=request.user, assessment_id=run.pk)
