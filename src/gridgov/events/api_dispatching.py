"""The dispatch endpoints that read events: the nearest workers with their open tasks, an
event's dispatch panel, the name search beside it, a worker's tasks. Mounted under
/api/v1/dispatch/ like dispatch/api.py, so the paths did not change (decision 0022)."""

from ninja import Router

from gridgov.common.schemas import Id, Lat, Limit, Lon, Metres, errors
from gridgov.dispatch.schemas import NearWorkerOut
from gridgov.dispatch.services import DEFAULT_RADIUS_M
from gridgov.events import dispatching
from gridgov.events.access import event_for_user
from gridgov.events.schemas_dispatching import DispatchedTaskOut, FoundWorkerOut, PanelOut

router = Router(tags=["dispatch"])


@router.get(
    "/nearest",
    response={200: list[NearWorkerOut], **errors(400, 403)},
    summary="On-duty grid workers near a point, nearest first",
)
def nearest(
    request,
    lon: Lon,
    lat: Lat,
    radius_m: Metres = DEFAULT_RADIUS_M,
    crs: str = "wgs84",
    limit: Limit = 50,
):
    return dispatching.workers_nearest(
        user=request.user, lon=lon, lat=lat, radius_m=radius_m, crs=crs, limit=limit
    )


@router.get(
    "/events/{event_id}",
    response={200: PanelOut, **errors(400, 403, 404)},
    summary="The dispatch panel of an event: nearest workers (may each take it?), grid "
    "departments and linked units, offers",
)
def event_panel(request, event_id: Id, radius_m: Metres = DEFAULT_RADIUS_M):
    event = event_for_user(user=request.user, event_id=event_id)
    return dispatching.dispatch_panel(user=request.user, event=event, radius_m=radius_m)


@router.get(
    "/events/{event_id}/workers",
    response={200: list[FoundWorkerOut], **errors(400, 403, 404)},
    summary="Field workers of your area by name, however far from the event",
    url_name="dispatch_workers_search",
)
def event_workers_search(request, event_id: Id, q: str):
    event = event_for_user(user=request.user, event_id=event_id)
    return dispatching.dispatch_search(user=request.user, event=event, q=q)


@router.get(
    "/tasks", response={200: list[DispatchedTaskOut], **errors()}, summary="My tasks (worker app)"
)
def my_tasks(request):
    return dispatching.tasks_for(user=request.user)
