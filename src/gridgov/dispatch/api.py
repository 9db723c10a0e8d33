"""The dispatch API: workers' positions, the nearest workers, an event's panel, tasks, tracks."""

from ninja import Router

from gridgov.common.schemas import Day, Id, Lat, Limit, Lon, Metres, errors
from gridgov.dispatch import selectors, services
from gridgov.dispatch.schemas import (
    NearWorkerOut,
    PanelOut,
    PositionIn,
    PositionOut,
    TaskOut,
    TrackPointOut,
)
from gridgov.events.services import event_for_user

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
    "/nearest",
    response={200: list[NearWorkerOut], **errors(400, 403)},
    summary="On-duty grid workers near a point, nearest first",
)
def nearest(
    request,
    lon: Lon,
    lat: Lat,
    radius_m: Metres = services.DEFAULT_RADIUS_M,
    crs: str = "wgs84",
    limit: Limit = 50,
):
    return selectors.workers_nearest(
        user=request.user, lon=lon, lat=lat, radius_m=radius_m, crs=crs, limit=limit
    )


@router.get(
    "/events/{event_id}",
    response={200: PanelOut, **errors(400, 403, 404)},
    summary="The dispatch panel of an event: nearest workers, grid departments, offers",
)
def event_panel(request, event_id: Id, radius_m: Metres = services.DEFAULT_RADIUS_M):
    event = event_for_user(user=request.user, event_id=event_id)
    return selectors.dispatch_panel(user=request.user, event=event, radius_m=radius_m)


@router.get("/tasks", response={200: list[TaskOut], **errors()}, summary="My tasks (worker app)")
def my_tasks(request):
    return selectors.tasks_for(user=request.user)


@router.get(
    "/tracks/{worker_id}",
    response={200: list[TrackPointOut], **errors(403, 404)},
    summary="A worker's patrol track for a day (positions in order)",
)
def track(request, worker_id: Id, date: Day | None = None):
    return selectors.worker_track(user=request.user, worker_id=worker_id, day=date)
