"""Input and output schemas of the registry API (registry/api.py).

Records stay a mapping beyond their common keys: each kind of kinds.KINDS has its own
columns (a resident's ID number and phone, a market's stalls, a camera's channel), and one
set of routes serves them all, so a record's other keys are the kind's columns, masked as
`kinds.Kind.pii` says; the service validates them column by column.
"""

from typing import Any

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

from gridgov.common.schemas import Out


class RecordOut(BaseModel):
    """The keys every kind has; the kind's own columns follow as further keys.

    A plain pydantic model, not a ninja Schema: ninja's Schema reads declared fields only,
    and would drop the kind's columns."""

    model_config = ConfigDict(extra="allow")

    id: int
    area: str = Field(description="the grid's code")
    area_name: str
    is_generated: bool


class RecordPage(Out):
    count: int
    items: list[RecordOut]


class LinkedGrids(Schema):
    grid_codes: list[str] = Field(max_length=200)


# Create and update take the kind's columns: a free mapping (see the module's docstring).
RecordIn = dict[str, Any]
