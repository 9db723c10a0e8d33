"""The leaders' rates explorer as an API (issue 13, decision 0034): every rate of
docs/rates.md by area level, department, event class, subclass, source or period, ranked,
beside the previous period — from the daily rollups, never by reading every event."""

from typing import Annotated, Literal

from ninja import Field, Router

from gridgov.analytics import explorer
from gridgov.analytics.explorer_periods import period_from
from gridgov.common.schemas import Day, Out, errors
from gridgov.events.schemas import RatesOut

router = Router(tags=["analytics"])

Code = Annotated[str, Field(max_length=64)]
Grouping = Literal[
    "area",
    "street",
    "community",
    "grid",
    "department",
    "category",
    "subclass",
    "source",
    "day",
    "week",
    "month",
    "quarter",
    "year",
]
PeriodKind = Literal["day", "week", "month", "quarter", "year", "range"]


class FiguresOut(Out):
    reported: int
    closure_rate: float | None
    on_time_closure_rate: float | None
    timely_acceptance_rate: float | None
    timely_dispatch_rate: float | None
    rework_rate: float | None
    satisfaction_rate: float | None
    hotline_score: float | None
    average_handling_hours: float | None


class PeriodOut(Out):
    kind: str
    first: str
    last: str = Field(description="included")
    label: str
    days: int


class RowOut(Out):
    key: str = Field(description="area code, department name, class or subclass code, source…")
    label: str
    values: FiguresOut
    rates: RatesOut = Field(description="with the counts behind each rate")
    previous: FiguresOut | None = Field(description="the previous period; none without events")
    ranks: dict[str, int | None] = Field(description="1 = best; none for periods")


class ExplorerOut(Out):
    grouping: str | None
    period: PeriodOut
    previous_period: PeriodOut | None
    total: FiguresOut
    total_rates: RatesOut
    previous_total: FiguresOut | None
    rows: list[RowOut]
    buckets: list[str] | None = Field(description="every period of a trend, gaps included")


@router.get(
    "/rates",
    response={200: ExplorerOut, **errors(400, 403, 404)},
    summary="Every rate by area, department, event class, subclass, source or period",
)
def analytics_rates(
    request,
    group: Grouping | None = None,
    period: PeriodKind | None = None,
    date: Day | None = None,
    since: Day | None = None,
    until: Day | None = None,
    area: Code | None = None,
    subclass: Code | None = None,
    source: Code | None = None,
    category: Code | None = None,
    compare: bool = True,
):
    """`period` (default month) is the day, week, month, quarter or year holding `date`
    (default today), or `range` from `since` to `until` (local dates, both included). `group`:
    `area` is the level below `area` (or your area); street, community, grid a level of it;
    department, category (event class), subclass, source; or day … year for a trend. Rows
    are ranked per figure (not by period) and carry the previous period's figures (the
    calendar period before; for a range, as many days just before). `category` narrows the
    grouping by subclass to one event class."""
    chosen = period_from(period, date, since, until)
    query = explorer.checked_query(
        request.user,
        grouping=group,
        period=chosen,
        area=area,
        subclass=subclass,
        source=source,
        category=category,
    )
    return explorer.explore(request.user, query, compare=compare)
