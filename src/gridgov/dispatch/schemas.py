"""Input and output schemas of the dispatch API (dispatch/api.py, and the nearest workers
events/api_dispatching.py serves)."""

from ninja import Field, Schema

from gridgov.common.schemas import Lat, Lon, Out


class PositionIn(Schema):
    lon: Lon
    lat: Lat
    crs: str = Field("wgs84", max_length=16)
    accuracy_m: float | None = Field(None, ge=0, le=100_000)
    on_duty: bool = True


class PositionOut(Out):
    lon: float
    lat: float
    at: str
    on_duty: bool


class NearWorkerOut(Out):
    id: int
    name: str = Field(description="family name first (张三)")
    grid_code: str | None
    grid_name: str | None
    distance_m: float
    open_tasks: int
    at: str
    phone: str | None


class TrackPointOut(Out):
    lon: float
    lat: float
    accuracy_m: float | None
    at: str
