"""Hotspots and recurring problems (issue 13, decision 0037), mounted at
/api/v1/analytics/hotspots. The hotspot answer is the contract the command-center screen
codes against: a GeoJSON FeatureCollection of hexagons."""

from typing import Literal

from ninja import Field, Query, Router, Schema

from gridgov.analytics import hotspots, recurring
from gridgov.common.schemas import Id, Out, errors

router = Router(tags=["analytics"])

PeriodBound = Query(
    None,
    max_length=40,
    description="ISO date (a local day; `until` includes it) or date and time",
)
AreaCode = Query(None, max_length=18, description="an area code in your area")
SubclassCode = Query(None, max_length=5, description="a subclass code")
Category = Query(None, description="an event class id (the dashboard's category)")


class SubclassCountOut(Out):
    code: str
    name: str
    count: int


class HotspotPropertiesOut(Out):
    cell: str = Field(description="the H3 cell, hexadecimal")
    count: int = Field(description="events reported in the cell in the period")
    share: float = Field(description="count ÷ meta.total")
    top_subclasses: list[SubclassCountOut]


class PolygonOut(Out):
    type: Literal["Polygon"]
    coordinates: list[list[list[float]]] = Field(description="one closed ring of [lon, lat]")


class HotspotFeatureOut(Out):
    type: Literal["Feature"]
    id: str
    geometry: PolygonOut
    properties: HotspotPropertiesOut


class HotspotsMetaOut(Out):
    since: str
    until: str
    resolution: int
    min_count: int
    total: int = Field(description="events in your area and the period, in every cell")
    cells: int = Field(description="hotspot cells found, before the cap of 500")
    truncated: bool


class HotspotsOut(Out):
    type: Literal["FeatureCollection"]
    meta: HotspotsMetaOut
    features: list[HotspotFeatureOut]


@router.get(
    "",
    response={200: HotspotsOut, **errors(400, 403, 404)},
    summary="Hotspots: the H3 cells with at least min_count events in a period (GeoJSON)",
)
def hotspots_list(
    request,
    since: str | None = PeriodBound,
    until: str | None = PeriodBound,
    subclass: str | None = SubclassCode,
    category: Id | None = Category,
    area: str | None = AreaCode,
    resolution: int = Query(9, ge=7, le=9, description="7, 8 or 9"),
    min_count: int = Query(hotspots.DEFAULT_MIN_COUNT, ge=1, le=100_000),
):
    """Default: the last 30 days, resolution 9 (~0.1 km²; 7 and 8 group the parents), a
    hotspot from 3 events; voided and unfiled events do not count; at most 500 cells, the
    busiest first."""
    return hotspots.hotspots_geojson(
        user=request.user,
        since=since,
        until=until,
        subclass=subclass,
        category=category,
        area=hotspots.area_for(request.user, area),
        resolution=resolution,
        min_count=min_count,
    )


class RunEventOut(Out):
    id: int
    number: str
    reported_at: str
    state: str


class RecurringRunOut(Out):
    place: str = Field(description='"h3:<cell>" or "component:<id>"')
    cell: str | None
    component_id: int | None
    lon: float | None
    lat: float | None
    subclass: str
    subclass_name: str
    count: int = Field(description="events in the run")
    first_at: str
    last_at: str
    areas: list[str] = Field(description="grids of the run's events")
    status: Literal["open", "treated", "returned"]
    treated_at: str | None
    events: list[RunEventOut] = Field(description="the latest 20 events of the run")


class RecurringOut(Out):
    since: str
    until: str
    days: int
    total: int = Field(description="recurring problems found, before the cap of 100")
    truncated: bool
    runs: list[RecurringRunOut]


@router.get(
    "/recurring",
    response={200: RecurringOut, **errors(400, 403, 404)},
    summary="Recurring problems: the same place and subclass again within N days",
)
def recurring_list(
    request,
    since: str | None = PeriodBound,
    until: str | None = PeriodBound,
    days: int = Query(recurring.DEFAULT_DAYS, ge=1, le=recurring.MAX_GAP_DAYS),
    min_events: int = Query(2, ge=2, le=1000),
    subclass: str | None = SubclassCode,
    category: Id | None = Category,
    area: str | None = AreaCode,
):
    """Default period: the last 90 days. A run is a chain of events of one place (a
    registered component, else the H3 cell) and subclass, each within `days` of the one
    before; the largest 100 runs, latest first among equals."""
    return recurring.recurring_problems(
        user=request.user,
        since=since,
        until=until,
        days=days,
        min_events=min_events,
        subclass=subclass,
        category=category,
        area=area,
    )


class TreatIn(Schema):
    place: str = Field(max_length=40, description='"h3:<cell>" or "component:<id>"')
    subclass: str = Field(max_length=5)
    note: str = Field(max_length=recurring.MAX_NOTE, description="what was done at the root")


class TreatedOut(Out):
    id: int
    place: str
    subclass: str
    treated_at: str


@router.post(
    "/recurring/treat",
    response={200: TreatedOut, **errors(400, 403, 404, 409)},
    summary="Mark a recurring problem treated at the root (治本)",
)
def recurring_treat(request, payload: TreatIn):
    treatment = recurring.recurring_treat(
        user=request.user, place=payload.place, subclass=payload.subclass, note=payload.note
    )
    return {
        "id": treatment.pk,
        "place": recurring.place_text(treatment.place),
        "subclass": payload.subclass,
        "treated_at": treatment.treated_at.isoformat(),
    }
