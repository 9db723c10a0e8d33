"""Triage at the desk over the API (decision 0024): set a reported event's subclass and
urgency before filing, optionally with a public reply to the reporter."""

from ninja import Field, Router, Schema

from gridgov.common.schemas import Id, errors
from gridgov.events import selectors, triage
from gridgov.events.schemas import EventDetailOut

router = Router(tags=["events"])


class TriageIn(Schema):
    subclass_id: Id | None = Field(None, description="an active subclass; omitted: unchanged")
    urgency: str | None = Field(None, max_length=16, description="normal, urgent or critical")
    version: int | None = Field(None, ge=0, le=2**31 - 1, description="the version you read")
    public_reply: str = Field("", max_length=triage.REPLY_LIMIT, description="the reporter sees it")
    internal_note: str = Field("", max_length=triage.REPLY_LIMIT, description="staff only")


@router.post(
    "/{event_id}/triage",
    response={200: EventDetailOut, **errors(403, 404, 409)},
    by_alias=True,
    summary="Set a reported event's subclass and urgency before filing (立案)",
)
def event_triage(request, event_id: Id, payload: TriageIn):
    event = triage.event_triage(user=request.user, event_id=event_id, **payload.dict())
    return selectors.event_as_dict(event, request.user, with_timeline=True)
