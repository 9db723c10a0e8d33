"""The worker app's API (decision 0023): my tasks and what I may verify, a cheap pulse to
poll for new offers, one event with its photos, and actions sent exactly once by their
client UUID (a resend answers 200 with the event as it is)."""

from ninja import Router, Status

from gridgov.common.schemas import Id, errors
from gridgov.events import worker_actions, worker_app
from gridgov.events.api import Code
from gridgov.events.worker_schemas import (
    PulseOut,
    WorkerActionIn,
    WorkerEventOut,
    WorkerListsOut,
    WorkerSolveIn,
)

router = Router(tags=["worker app"])


@router.get(
    "/tasks",
    response={200: WorkerListsOut, **errors(403)},
    summary="My tasks (offers first) and the handled events of my grid to verify",
)
def worker_lists(request):
    return {
        "tasks": worker_app.worker_tasks(user=request.user),
        "verify": worker_app.worker_to_verify(user=request.user),
    }


@router.get(
    "/pulse",
    response={200: PulseOut, **errors(403)},
    summary="How many offers wait for me and the newest one's id (polled by the app)",
)
def worker_pulse(request):
    return worker_app.worker_pulse(user=request.user)


@router.get(
    "/events/{event_id}",
    response={200: WorkerEventOut, **errors(403, 404)},
    by_alias=True,
    summary="One event for the app: timeline and photos, never the reporter's identity",
)
def worker_event(request, event_id: Id):
    return worker_app.worker_event(user=request.user, event_id=event_id)


@router.post(
    "/events/{event_id}/actions/{action}",
    response={200: WorkerEventOut, **errors(400, 403, 404, 409)},
    by_alias=True,
    summary="Accept, decline, hand back (处置反馈) or verify (核查); once per client_uuid",
)
def worker_action(request, event_id: Id, action: Code, payload: WorkerActionIn):
    event, _replayed = worker_actions.worker_act(
        user=request.user,
        event_id=event_id,
        action=action,
        client_uuid=payload.client_uuid,
        comment=payload.comment,
        version=payload.version,
        photos=payload.photos,
    )
    return worker_app.event_payload(event, request.user)


@router.post(
    "/solve",
    response={200: WorkerEventOut, 201: WorkerEventOut, **errors(400, 403, 404, 409)},
    by_alias=True,
    summary="Report a problem solved on the spot (小事不出格); once per client_uuid",
)
def worker_solve(request, payload: WorkerSolveIn):
    event, replayed = worker_actions.worker_solve(
        user=request.user,
        report=payload.report.dict(),
        client_uuid=payload.client_uuid,
        comment=payload.comment,
        photos=payload.photos,
    )
    return Status(200 if replayed else 201, worker_app.event_payload(event, request.user))
