"""Schemas every API module shares: the one error shape, bounded ids and pages, points.

Bounds live in the types so that the OpenAPI document states them and the validator
refuses what the database could not store (an id beyond 64 bits raised OverflowError in
the database driver: a 500 instead of a 422).
"""

import datetime as dt
import re
from typing import Annotated, Any

from ninja import Field, File, Schema
from ninja.schema import DjangoGetter
from pydantic import BeforeValidator, WithJsonSchema, model_validator

# The largest primary key SQLite and PostgreSQL (bigint) can hold.
MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Limit = Annotated[int, Field(ge=1, le=500)]
Offset = Annotated[int, Field(ge=0, le=1_000_000)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Lat = Annotated[float, Field(ge=-90, le=90)]
# Distances and areas: finite and not negative (NaN and infinity fail the bounds).
Metres = Annotated[float, Field(gt=0, le=50_000)]
SquareMetres = Annotated[float, Field(ge=0, le=1e12)]


# ISO 8601 only: pydantic alone would also read "0.5" as seconds since 1970 (its lax mode),
# which the document's `date-time` does not allow.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text(pattern: re.Pattern, kind: str):
    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(f"expected an ISO 8601 {kind}")
        if isinstance(value, int | float):
            raise ValueError(f"expected an ISO 8601 {kind}")
        return value

    return check


When = Annotated[
    dt.datetime,
    BeforeValidator(_iso_text(_ISO_DATETIME, "date and time")),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Day = Annotated[
    dt.date,
    BeforeValidator(_iso_text(_ISO_DATE, "date")),
    WithJsonSchema({"type": "string", "format": "date"}),
]


def upload(description: str) -> Any:
    """A required file field. Django leaves an empty file out of the request, so the
    document asks for at least one byte (an empty file is the same 422 as none)."""
    field = File(..., description=description)
    field.json_schema_extra["minLength"] = 1  # ninja fills json_schema_extra itself
    return field


class Out(Schema):
    """The schema of an answer. Answers are built as plain dicts (the selectors' `*_as_dict`)
    and pydantic validates a dict directly; ninja's Schema first wraps every nested object in
    a `DjangoGetter` for ORM attribute access, which was 58% of the big screen's CPU and 20
    times pydantic's own time on a queue page (decision 0029). Anything else (a model
    instance) still goes through the getter, as with Schema. No schema here has resolvers,
    which only the getter runs."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        if isinstance(values, dict):
            return handler(values)
        return handler(DjangoGetter(values, cls, info.context))


class ErrorOut(Out):
    """Every 4xx: a machine code, a message for people, the input field at fault if any
    (`common.errors.DomainError.as_dict` and the handlers in `config/api.py`)."""

    code: str
    message: str
    field: str | None


class InvalidItemOut(Out):
    """One input that does not match the schema (pydantic's type, location and message;
    the input itself is not echoed back)."""

    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(ErrorOut):
    """422: the input does not match the operation's schema."""

    errors: list[InvalidItemOut]


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers of an operation, for `response={200: Out, **errors(404, 409)}`.

    400, 401 and 422 are always declared: `common.middleware` refuses any request with a
    NUL character (400) before it reaches an operation, every operation with `auth` can
    answer 401 (no or a bad token), and ninja validates every input (422)."""
    answers: dict[int, type[ErrorOut]] = {400: ErrorOut, 401: ErrorOut, 422: ValidationErrorOut}
    for status in statuses:
        answers[status] = ValidationErrorOut if status == 422 else ErrorOut
    return dict(sorted(answers.items()))


def public_errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers of an anonymous operation: no 401."""
    answers = errors(*statuses)
    answers.pop(401)
    return answers


# One answer for every spreadsheet import (registry records, area polygons).
class RowErrorOut(Out):
    row: int
    column: str | None
    message: str


class ImportOut(Out):
    created: int
    updated: int
    errors: list[RowErrorOut] = Field(description="rows left out, by row and column")
