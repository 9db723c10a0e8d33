from typing import Any

from ninja import Router, Schema, Status

from gridgov.canvass import selectors, services
from gridgov.common.errors import NotFound

router = Router(tags=["canvass"])


class FieldIn(Schema):
    key: str
    label: str = ""
    kind: str = "text"
    choices: list[str] = []
    required: bool = True


class CampaignIn(Schema):
    name: str
    area: str
    due_date: str
    instructions: str = ""
    fields: list[FieldIn]


class SubmitIn(Schema):
    answers: dict[str, Any]
    client_uuid: str | None = None


def _campaign_dict(campaign, user) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "area": campaign.area.code,
        "due_date": campaign.due_date.isoformat(),
        "status": campaign.status,
        "instructions": campaign.instructions,
        "form": selectors.form_of(campaign),
    }


@router.get("/campaigns", response=list[dict[str, Any]], summary="Campaigns that reach my area")
def campaigns(request):
    return [_campaign_dict(c, request.user) for c in selectors.campaigns_for(request.user)[:200]]


@router.post("/campaigns", response={201: dict[str, Any]}, summary="Define a campaign and its form")
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
    return Status(201, _campaign_dict(campaign, request.user))


@router.post(
    "/campaigns/{campaign_id}/launch",
    response=dict[str, Any],
    summary="Open the campaign: a task per household, handed to the grid's workers",
)
def campaign_launch(request, campaign_id: int):
    created = services.campaign_launch(user=request.user, campaign_id=campaign_id)
    return {"created": created}


@router.get(
    "/campaigns/{campaign_id}/progress",
    response=list[dict[str, Any]],
    summary="Done and total by grid",
)
def campaign_progress(request, campaign_id: int):
    campaign = selectors.campaigns_for(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound()
    return selectors.progress_by_grid(campaign, request.user)


@router.get("/tasks", response=list[dict[str, Any]], summary="My households to visit")
def tasks(request, campaign: int | None = None, status: str = "todo"):
    return selectors.my_tasks(request.user, campaign_id=campaign, status=status)


@router.post(
    "/tasks/{task_id}",
    response={200: dict[str, Any], 201: dict[str, Any]},
    summary="Fill a household's form (idempotent by client_uuid)",
)
def task_submit(request, task_id: int, payload: SubmitIn):
    task, created = services.task_submit(
        user=request.user,
        task_id=task_id,
        answers=payload.answers,
        client_uuid=payload.client_uuid,
    )
    body = {"id": task.pk, "status": task.status, "answers": task.answers, "stored": created}
    return Status(201 if created else 200, body)
