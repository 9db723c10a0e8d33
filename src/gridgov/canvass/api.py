"""The canvass API: campaigns, their launch and progress, a worker's tasks and answers."""

from typing import Annotated

from ninja import Query, Router, Status

from gridgov.canvass import selectors, services
from gridgov.canvass.schemas import (
    CampaignIn,
    CampaignOut,
    GridProgressOut,
    LaunchOut,
    SubmitIn,
    SubmittedOut,
    TaskOut,
)
from gridgov.common.errors import NotFound
from gridgov.common.schemas import Id, errors

router = Router(tags=["canvass"])


def _campaign_dict(campaign) -> dict:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "area": campaign.area.code,
        "due_date": campaign.due_date.isoformat(),
        "status": campaign.status,
        "instructions": campaign.instructions,
        "form": selectors.form_of(campaign),
    }


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], **errors(403)},
    summary="Campaigns that reach my area",
)
def campaigns(request):
    return [_campaign_dict(c) for c in selectors.campaigns_for(request.user)[:200]]


@router.post(
    "/campaigns",
    response={201: CampaignOut, **errors(400, 403, 404)},
    summary="Define a campaign and its form",
)
def campaign_create(request, payload: CampaignIn):
    data = payload.dict()
    campaign = services.campaign_create(
        user=request.user,
        name=data["name"],
        area_code=data["area"],
        due_date=data["due_date"],
        instructions=data["instructions"],
        fields=data["fields"],
    )
    return Status(201, _campaign_dict(campaign))


@router.post(
    "/campaigns/{campaign_id}/launch",
    response={200: LaunchOut, **errors(400, 403, 404, 409)},
    summary="Open the campaign: a task per household, handed to the grid's workers",
)
def campaign_launch(request, campaign_id: Id):
    created = services.campaign_launch(user=request.user, campaign_id=campaign_id)
    return {"created": created}


@router.get(
    "/campaigns/{campaign_id}/progress",
    response={200: list[GridProgressOut], **errors(403, 404)},
    summary="Done and total by grid",
)
def campaign_progress(request, campaign_id: Id):
    campaign = selectors.campaigns_for(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound()
    return selectors.progress_by_grid(campaign, request.user)


@router.get(
    "/tasks",
    response={200: list[TaskOut], **errors(403)},
    summary="My households to visit",
)
def tasks(
    request,
    campaign: Id | None = None,
    status: Annotated[str, Query(max_length=16, description="todo, done; empty: all")] = "todo",
):
    return selectors.my_tasks(request.user, campaign_id=campaign, status=status)


@router.post(
    "/tasks/{task_id}",
    response={200: SubmittedOut, 201: SubmittedOut, **errors(400, 403, 404, 409)},
    summary="Fill a household's form (idempotent by client_uuid)",
)
def task_submit(request, task_id: Id, payload: SubmitIn):
    task, created = services.task_submit(
        user=request.user,
        task_id=task_id,
        answers=payload.answers,
        client_uuid=payload.client_uuid,
    )
    body = {"id": task.pk, "status": task.status, "answers": task.answers, "stored": created}
    return Status(201 if created else 200, body)
