"""Output schemas of the dispatch endpoints that read events (events/api_dispatching.py)."""

from ninja import Field, Schema

from gridgov.common.schemas import Out
from gridgov.dispatch.schemas import NearWorkerOut


class Offerable(Schema):
    allowed: bool = Field(description="the event may be offered to this worker")
    reason: str | None = Field(description="why not, when not allowed")


class PanelWorkerOut(NearWorkerOut, Offerable):
    tel: str | None = Field(description="a tel: link to call the worker")
    meeting_url: str | None = Field(description="video hand-off, when configured")


class FoundWorkerOut(Offerable):
    id: int
    name: str = Field(description="family name first (张三)")
    grid_code: str | None
    grid_name: str | None
    distance_m: float | None = Field(description="to the event, when the position is fresh")
    on_duty: bool = Field(description="on duty with a fresh position")
    open_tasks: int
    at: str | None = Field(description="when the last position was sent")
    phone: str | None


class StaffOut(Out):
    id: int
    name: str
    phone: str | None


class PanelDepartmentOut(Out):
    id: int
    name: str
    phone: str | None
    staff: list[StaffOut]


class UnitOut(Out):
    id: int
    name: str
    phone: str | None = Field(description="the unit's duty phone")


class OfferOut(Out):
    worker_id: int
    worker: str
    status: str
    status_name: str
    reason: str
    lead: bool


class PanelOut(Out):
    radius_m: float
    grid_name: str
    grid_code: str
    workers: list[PanelWorkerOut]
    departments: list[PanelDepartmentOut]
    units: list[UnitOut]
    offers: list[OfferOut]


class DispatchedTaskOut(Out):
    event_id: int
    number: str
    kind: str
    description: str
    address: str
    grid: str
    lon: float | None
    lat: float | None
    state: str
    version: int
    offer: str = Field(description="offered or accepted")
    due_at: str | None
