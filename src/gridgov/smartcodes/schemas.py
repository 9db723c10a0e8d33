"""Input and output schemas of the smart codes API (smartcodes/api.py)."""

from ninja import Field, Schema

from gridgov.common.schemas import Lat, Lon, Out, When


class CheckInIn(Schema):
    token: str = Field(max_length=300, description="the code's token or the whole scanned URL")
    lon: Lon | None = None
    lat: Lat | None = None
    crs: str = Field("wgs84", max_length=16)
    client_uuid: str | None = Field(None, max_length=64)
    at: When | None = Field(None, description="when scanned, for check-ins sent late")


class PlateJobIn(Schema):
    root: str = Field(max_length=24)
    single: bool = False


class ResolvedOut(Out):
    token: str
    serial: str
    kind: str
    revoked: bool
    grid: str
    # Where the place is only for the grid's own staff (null for everyone else).
    lon: float | None
    lat: float | None
    address: str | None
    facts: list[tuple[str, str]] = Field(description="[label, value] pairs anyone may see")
    may_check_in: bool


class CheckedInOut(Out):
    id: int
    at: str
    distance_m: float | None
    far: bool = Field(description="more than 200 m from the place")
    without_position: bool = Field(description="sent without a position: not verifiable")
    stored: bool = Field(description="false when this client_uuid was stored before")


class GridCoverageOut(Out):
    grid: str
    name: str
    places: int
    visited: int
    share: float | None


class WorkerCoverageOut(Out):
    id: int
    name: str
    grids: list[str]
    overdue: int
    visits: int
    flagged: int = Field(description="check-ins without a position or far from the place")


class OverduePlaceOut(Out):
    kind: str
    id: int
    name: str
    grid: str
    every_days: int
    last_visit: str | None
    workers: list[int]


class CoverageOut(Out):
    grids: list[GridCoverageOut]
    workers: list[WorkerCoverageOut]
    overdue: list[OverduePlaceOut]


class PlateJobOut(Out):
    id: int
    root: str
    status: str
    total: int
    progress: float = Field(description="0 to 1")
    error: str | None
    download: str | None = Field(description="the PDF, once done")
