"""The dispatch API: workers' positions and tracks. The nearest workers, an event's panel,
the name search and a worker's tasks count events: events/api_dispatching.py serves them
under the same /dispatch/ paths (decision 0022)."""

from ninja import Router

from gridgov.common.schemas import Day, Id, errors
from gridgov.dispatch import selectors, services
from gridgov.dispatch.schemas import PositionIn, PositionOut, TrackPointOut

router = Router(tags=["dispatch"])


@router.post(
    "/positions",
    response={200: PositionOut, **errors(400, 403)},
    summary="Send your own position (worker app)",
)
def position_send(request, payload: PositionIn):
    position = services.position_record(user=request.user, **payload.dict())
    return {
        "lon": position.lon,
        "lat": position.lat,
        "at": position.at.isoformat(),
        "on_duty": position.on_duty,
    }


@router.get(
    "/tracks/{worker_id}",
    response={200: list[TrackPointOut], **errors(403, 404)},
    summary="A worker's patrol track for a day (positions in order)",
)
def track(request, worker_id: Id, date: Day | None = None):
    return selectors.worker_track(user=request.user, worker_id=worker_id, day=date)
