from typing import Any

from ninja import Router, Schema

from gridgov.dispatch import selectors, services

router = Router(tags=["dispatch"])


class PositionIn(Schema):
    lon: float
    lat: float
    crs: str = "wgs84"
    accuracy_m: float | None = None
    on_duty: bool = True


@router.post("/positions", response=dict[str, Any], summary="Send your own position (worker app)")
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
    response=list[dict[str, Any]],
    summary="On-duty grid workers near a point, nearest first",
)
def nearest(
    request, lon: float, lat: float, radius_m: float = services.DEFAULT_RADIUS_M, crs: str = "wgs84"
):
    return services.nearest_workers(user=request.user, lon=lon, lat=lat, radius_m=radius_m, crs=crs)


@router.get(
    "/events/{event_id}",
    response=dict[str, Any],
    summary="The dispatch panel of an event: nearest workers, grid departments, offers",
)
def event_panel(request, event_id: int, radius_m: float = services.DEFAULT_RADIUS_M):
    from gridgov.events.services import event_for_user

    event = event_for_user(user=request.user, event_id=event_id)
    return selectors.dispatch_panel(user=request.user, event=event, radius_m=radius_m)


@router.get("/tasks", response=list[dict[str, Any]], summary="My tasks (worker app)")
def my_tasks(request):
    return selectors.tasks_for(user=request.user)


@router.get(
    "/tracks/{worker_id}",
    response=list[dict[str, Any]],
    summary="A worker's patrol track for a day (positions in order)",
)
def track(request, worker_id: int, date: str | None = None):
    return services.track_for(user=request.user, worker_id=worker_id, day=date)
