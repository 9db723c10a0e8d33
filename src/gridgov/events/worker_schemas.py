"""Schemas of the worker app's API (events/api_worker.py)."""

from ninja import Field, Schema

from gridgov.common.schemas import Out
from gridgov.events.schemas import LONG_TEXT, EventDetailOut, EventOut, ReportIn


class WorkerTaskOut(EventOut):
    offer: str = Field(description="offered or accepted")
    offered_at: str


class WorkerListsOut(Out):
    tasks: list[WorkerTaskOut] = Field(description="my offers and accepted tasks, newest first")
    verify: list[EventOut] = Field(description="handled events of my grid I may verify (核查)")


class PulseOut(Out):
    offers: int = Field(description="offers waiting for my answer")
    newest: int = Field(description="the newest live offer's id: a change means a new task")


class WorkerEventOut(EventDetailOut):
    photos: list[str] = Field(description="addresses of the event's photos, oldest first")
    offer: str | None = Field(description="my live offer's status, if any")


class WorkerActionIn(Schema):
    client_uuid: str = Field(max_length=64, description="made on the phone, once per action")
    comment: str = Field("", max_length=LONG_TEXT)
    version: int | None = Field(None, ge=0, le=2**31 - 1)
    photos: list[str] = Field([], max_length=20, description="refs from POST /events/photos")


class WorkerSolveIn(Schema):
    client_uuid: str = Field(max_length=64, description="made on the phone, once per solution")
    report: ReportIn = Field(description="the problem found (its photos: before)")
    comment: str = Field("", max_length=LONG_TEXT)
    photos: list[str] = Field([], max_length=20, description="after: refs from POST /photos")
