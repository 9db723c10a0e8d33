"""Input and output schemas of the canvass API (canvass/api.py).

Answers stay a free mapping: each campaign defines its own form (keys and kinds), so the
form, not the OpenAPI document, says which keys an answer has; the service checks them.
"""

from typing import Any

from ninja import Field, Schema

from gridgov.common.schemas import Day, Out


class FieldIn(Schema):
    key: str = Field(min_length=1, max_length=64)
    label: str = Field("", max_length=200)
    kind: str = Field("text", max_length=32)
    choices: list[str] = Field([], max_length=100)
    required: bool = True
    personal: bool = Field(False, description="an ID or phone number: masked and audited")


class CampaignIn(Schema):
    name: str = Field(max_length=200)
    area: str = Field(max_length=24)
    due_date: Day
    instructions: str = Field("", max_length=4000)
    fields: list[FieldIn] = Field(max_length=200)


class SubmitIn(Schema):
    answers: dict[str, Any]
    client_uuid: str | None = Field(None, max_length=64)


class FieldOut(Out):
    key: str
    label: str
    kind: str
    choices: list[str]
    required: bool
    personal: bool = False


class CampaignOut(Out):
    id: int
    name: str
    area: str
    due_date: str
    status: str
    instructions: str
    form: list[FieldOut]


class LaunchOut(Out):
    created: int = Field(description="tasks made by this launch")


class GridProgressOut(Out):
    grid: str
    name: str
    total: int
    done: int
    share: float | None


class TaskOut(Out):
    id: int
    campaign_id: int
    campaign: str
    household: str
    address: str
    status: str
    answers: dict[str, Any]


class SubmittedOut(Out):
    id: int
    status: str
    answers: dict[str, Any]
    stored: bool = Field(description="false when this client_uuid was stored before")
