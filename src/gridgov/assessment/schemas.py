"""Typed edges of the assessment API: what comes in, what goes out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from gridgov.common.schemas import Out

Code = Annotated[str, Field(min_length=1, max_length=18, pattern=r"^[0-9]+$")]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Number = Annotated[float, Field(ge=-1e9, le=1e9, allow_inf_nan=False)]
Weight = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=2000, le=2100)]
Position = Annotated[int, Field(ge=0, le=1000)]
Band = Annotated[list[Any], Field(min_length=2, max_length=2)]


class IndicatorKindOut(Out):
    key: str
    label: str
    unit: str
    formula: str
    target: float
    baseline: float


class ZoneStreetOut(Out):
    code: str
    name: str


class ZoneIndicatorOut(Out):
    id: int
    key: str
    label: str
    unit: str
    formula: str
    registered: bool
    weight: float
    target: float
    baseline: float


class ZoneOut(Out):
    id: int
    name: str
    focus: str
    position: int
    streets: list[ZoneStreetOut]
    indicators: list[ZoneIndicatorOut]


class RootOut(Out):
    code: str
    name: str


class ZonesOut(Out):
    root: RootOut
    editable: bool
    zones: list[ZoneOut]
    street_grades: list[list[Any]]
    community_grades: list[list[Any]]
    department_weights: dict[str, float]


class ZoneIn(Schema):
    root: Code | None = None
    name: Name
    focus: Annotated[str, Field(max_length=2000)] = ""
    streets: Annotated[list[Code], Field(max_length=100)] = []
    position: Position | None = None


class ZonePatchIn(Schema):
    name: Name | None = None
    focus: Annotated[str, Field(max_length=2000)] | None = None
    streets: Annotated[list[Code], Field(max_length=100)] | None = None
    position: Position | None = None


class IndicatorIn(Schema):
    key: Annotated[str, Field(min_length=1, max_length=40)]
    weight: Weight
    target: Number | None = None
    baseline: Number | None = None


class IndicatorPatchIn(Schema):
    weight: Weight | None = None
    target: Number | None = None
    baseline: Number | None = None
    position: Position | None = None


class SchemeIn(Schema):
    root: Code | None = None
    street_grades: Annotated[list[Band], Field(max_length=6)] | None = None
    community_grades: Annotated[list[Band], Field(max_length=6)] | None = None
    department_weights: dict[str, Number] | None = None


class ComputeIn(Schema):
    root: Code | None = None
    year: Year


class RunOut(Out):
    id: int
    year: int
    version: int
    status: str
    since: dt.datetime
    until: dt.datetime
    computed_at: dt.datetime
    published_at: dt.datetime | None
    # The computation (a queue job): queued, running, done or failed (with its message).
    state: str
    progress: float
    error: str
    finished_at: dt.datetime | None


class RunsOut(Out):
    root: RootOut
    assessments: list[RunOut]


class LineOut(Out):
    key: str
    label: str
    unit: str
    weight: str
    target: float
    baseline: float
    value: float | None
    score: float | None
    lost: float | None


class AreaResultOut(Out):
    code: str
    name: str
    kind: str
    parent: str | None
    zone: str
    score: float | None
    grade: str
    rank: int | None
    lines: list[LineOut]
    pulling_down: list[str]


class DepartmentResultOut(Out):
    id: int
    name: str
    summonses: int
    score: float | None
    grade: str
    rank: int | None
    figures: dict[str, Any]


class RunZoneOut(Out):
    name: str
    focus: str
    streets: list[ZoneStreetOut]
    indicators: list[dict[str, Any]]


class RunDetailOut(RunOut):
    root: RootOut
    zones: list[RunZoneOut]
    street_grades: list[list[Any]]
    community_grades: list[list[Any]]
    department_weights: dict[str, float]
    areas: list[AreaResultOut]
    departments: list[DepartmentResultOut]
    editable: bool
    note: str
