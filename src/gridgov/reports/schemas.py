"""Input and output schemas of the reports API."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

PeriodKindIn = Literal["day", "week", "month", "quarter", "year"]
AreaCode = Annotated[str, Field(min_length=1, max_length=18)]


class ReportRequestIn(Schema):
    area: AreaCode
    period: PeriodKindIn
    # The period's name: 2026-10-05, 2026-W41 (or a date in the week), 2026-10, 2026-Q4, 2026.
    date: Annotated[str, Field(min_length=4, max_length=10)]


class ReportOut(Schema):
    id: int
    area: str
    area_name: str
    period: str
    key: str
    start: dt.date
    last_day: dt.date
    status: str
    progress: float
    error: str
    finished_at: dt.datetime | None
    pdf: str | None  # the download's path, once made
    xlsx: str | None


class SubscriptionIn(Schema):
    area: AreaCode
    period: PeriodKindIn
    subscribed: bool = True


class SubscriptionOut(Schema):
    area: str
    area_name: str
    period: str
