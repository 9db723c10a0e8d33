"""Input and output schemas of the care API (care/api.py). Names start with Care: schema
names are unique across the whole API."""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from gridgov.common.schemas import Day, Id, Out, When


class CareVisitIn(Schema):
    client_uuid: str | None = Field(None, max_length=64, description="the phone's id of this visit")
    resident_id: Id
    tag: str | None = Field(None, max_length=40, description="the group visited for; empty: all")
    outcome: str = Field(max_length=12, description="well, needs_help, not_home")
    note: str = Field("", max_length=2000)
    photo: str | None = Field(None, max_length=64, description='"photo:<uuid>" of an upload')
    code: str | None = Field(None, max_length=32, description="the door plate's token, scanned")
    visited_at: When | None = Field(None, description="offline: when it happened (≤ 7 days ago)")


class CareVisitOut(Out):
    id: int
    resident_id: int
    visited_at: dt.datetime
    outcome: str
    visit_due: dt.date | None = Field(description="next visit of the person's earliest plan")
    event_id: int | None = None


class CareDueTagOut(Out):
    key: str
    name: str
    visit_due: dt.date | None
    overdue: bool


class CareDueOut(Out):
    resident_id: int
    name: str
    household_id: int | None
    household_title: str
    tags: list[CareDueTagOut]


class CareFieldOut(Out):
    key: str
    label: str
    kind: str
    choices: list[str] = []
    required: bool = False


class CareTagOut(Out):
    key: str
    name: str
    sensitive: bool
    visit_every_days: int | None
    review_every_days: int
    fields: list[CareFieldOut]


class CareOverviewOut(Out):
    key: str
    name: str
    sensitive: bool
    visit_every_days: int | None
    members: int
    overdue: int


class CareDetailOut(Out):
    key: str
    label: str
    value: str


class CareMembershipOut(Out):
    id: int
    resident_id: int
    key: str
    name: str
    sensitive: bool
    since: dt.date
    review_due: dt.date
    review_overdue: bool
    visit_due: dt.date | None
    overdue: bool
    last_visit_at: dt.datetime | None
    ended_on: dt.date | None
    end_reason: str
    details: list[CareDetailOut]


class CareMemberOut(Out):
    id: int
    resident_id: int
    name: str
    household_id: int | None
    household_title: str
    grid_code: str
    grid_name: str
    since: dt.date
    last_visit_at: dt.datetime | None
    review_due: dt.date
    visit_due: dt.date | None
    overdue: bool
    details: list[CareDetailOut]


class CareTagAddIn(Schema):
    tag: str = Field(max_length=40)
    details: dict[str, Any] = Field(default_factory=dict)
    since: Day | None = None


class CareTagEditIn(Schema):
    details: dict[str, Any]


class CareTagEndIn(Schema):
    reason: str = Field(max_length=200)
    ended_on: Day | None = None


class CareEventIn(Schema):
    description: str = Field("", max_length=2000)


class CareEventOut(Out):
    visit_id: int
    event_id: int
    number: str
