"""People's KPIs (issue 13, decision 0036): grid workers, departments and dispatchers, per
person and period, ranked; docs/kpis.md has the formulas. Each reader sees their reach
(analytics/kpis.py): the center and leaders their area, a grid head their workers, a worker
and a department handler their own row."""

import datetime as dt
from typing import Annotated

from ninja import Field, Router

from gridgov.analytics.kpis import MAX_ROWS, kpis_report
from gridgov.common.schemas import Day, Out, errors

router = Router(tags=["analytics"])

AreaCode = Annotated[str, Field(max_length=24)]
SortKey = Annotated[str, Field(max_length=40)]
Rows = Annotated[int, Field(ge=1, le=MAX_ROWS)]


class KpiArea(Out):
    code: str | None = None
    name: str | None = None


class KpiDefinition(Out):
    key: str
    numerator: str = Field(description="the key of `counts` above the line")
    denominator: str = Field(description="the key of `counts` below it")
    higher_is_better: bool


class KpiRow(Out):
    id: int = Field(description="the person's (user) or the department's id")
    name: str
    role: str | None = None
    area: KpiArea
    counts: dict[str, int]
    rates: dict[str, float | None] = Field(description="None where the denominator is 0")
    rank: int | None = Field(description="on `sort`; ties share a rank; None without a value")


class KpisOut(Out):
    family: str
    since: dt.date = Field(description="first local day of the period")
    until: dt.date = Field(description="last local day of the period (included)")
    area: KpiArea | None
    sort: str
    kpis: list[KpiDefinition]
    total: int = Field(description="rows in all; `rows` holds the first `limit`")
    ranked: bool = Field(description="False when the reader sees only their own row")
    rows: list[KpiRow]


def _report(request, family: str, since, until, area, sort, limit) -> dict:
    return kpis_report(
        user=request.user,
        family=family,
        since=since,
        until=until,
        area=area,
        sort=sort,
        limit=limit,
    )


DOC = (
    "Events reported from `since` to `until` (local dates, both included; by default this "
    "month), at most 366 days, under the reader's area or `area` inside it."
)


@router.get(
    "/workers",
    response={200: KpisOut, **errors(403, 404)},
    summary="Grid workers' KPIs: valid reports, on-time verification and checks, missed "
    "cases, patrol coverage",
    description=DOC,
)
def kpis_workers(
    request,
    since: Day | None = None,
    until: Day | None = None,
    area: AreaCode | None = None,
    sort: SortKey | None = None,
    limit: Rows = 200,
):
    return _report(request, "workers", since, until, area, sort, limit)


@router.get(
    "/departments",
    response={200: KpisOut, **errors(403, 404)},
    summary="Departments' KPIs: on-time handling, rework, returns and buck-passing",
    description=DOC,
)
def kpis_departments(
    request,
    since: Day | None = None,
    until: Day | None = None,
    area: AreaCode | None = None,
    sort: SortKey | None = None,
    limit: Rows = 200,
):
    return _report(request, "departments", since, until, area, sort, limit)


@router.get(
    "/dispatchers",
    response={200: KpisOut, **errors(403, 404)},
    summary="Dispatchers' KPIs: timely and accurate dispatch",
    description=DOC,
)
def kpis_dispatchers(
    request,
    since: Day | None = None,
    until: Day | None = None,
    area: AreaCode | None = None,
    sort: SortKey | None = None,
    limit: Rows = 200,
):
    return _report(request, "dispatchers", since, until, area, sort, limit)
