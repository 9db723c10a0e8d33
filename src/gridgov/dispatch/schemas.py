"""Input and output schemas of the dispatch API (dispatch/api.py)."""

from ninja import Field, Schema

from gridgov.common.schemas import Lat, Lon


class PositionIn(Schema):
    lon: Lon
    lat: Lat
    crs: str = Field("wgs84", max_length=16)
    accuracy_m: float | None = Field(None, ge=0, le=100_000)
    on_duty: bool = True


class PositionOut(Schema):
    lon: float
    lat: float
    at: str
    on_duty: bool


class NearWorkerOut(Schema):
    id: int
    name: str
    grid_code: str | None
    distance_m: float
    open_tasks: int
    at: str
    phone: str | None


class PanelWorkerOut(NearWorkerOut):
    tel: str | None = Field(description="a tel: link to call the worker")
    meeting_url: str | None = Field(description="video hand-off, when configured")


class StaffOut(Schema):
    id: int
    name: str
    phone: str | None


class PanelDepartmentOut(Schema):
    id: int
    name: str
    phone: str | None
    staff: list[StaffOut]


class UnitOut(Schema):
    id: int
    name: str


class OfferOut(Schema):
    worker_id: int
    worker: str
    status: str
    status_name: str
    reason: str
    lead: bool


class PanelOut(Schema):
    radius_m: float
    workers: list[PanelWorkerOut]
    departments: list[PanelDepartmentOut]
    units: list[UnitOut]
    offers: list[OfferOut]


class TaskOut(Schema):
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


class TrackPointOut(Schema):
    lon: float
    lat: float
    accuracy_m: float | None
    at: str
