"""Data quality of the registry per grid: the worker's worklist and figures per community — issue 12."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Router

from gridgov.care.quality import quality_figures
from gridgov.care.quality_worklist import quality_worklist
from gridgov.common.client import client_address
from gridgov.common.schemas import Out, errors

router = Router(tags=["quality"])

AreaCode = Annotated[str, Field(max_length=24)]


class QualityArea(Out):
    code: str
    name: str
    kind: str


class QualityCheck(Out):
    key: str
    label: str


class QualityFigureRow(Out):
    code: str
    name: str
    kind: str
    households: int
    residents: int
    counts: dict[str, int]


class QualityTotals(Out):
    households: int
    residents: int
    counts: dict[str, int]


class QualityFiguresOut(Out):
    area: QualityArea
    checks: list[QualityCheck]
    rows: list[QualityFigureRow]
    totals: QualityTotals
    counted_at: datetime


class QualityItem(Out):
    check: str
    type: str
    id: int
    title: str
    detail: str
    url: str
    grid: str
    household_id: int | None = None


class QualitySection(Out):
    key: str
    label: str
    count: int
    items: list[QualityItem]


class QualityWorklistOut(Out):
    area: QualityArea
    sections: list[QualitySection]


@router.get(
    "/figures",
    response={200: QualityFiguresOut, **errors(403, 404)},
    summary="Counts of every data-quality check per community (or grid), with the totals",
)
def figures(request, area: AreaCode | None = None):
    return quality_figures(user=request.user, area_code=area)


@router.get(
    "/worklist",
    response={200: QualityWorklistOut, **errors(403, 404)},
    summary="What to fix in an area (your own by default), check by check",
)
def worklist(request, area: AreaCode | None = None):
    return quality_worklist(
        user=request.user, area_code=area, channel="api", ip=client_address(request)
    )
