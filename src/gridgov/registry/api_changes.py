"""Changes to households and their people (moved in/out, born, died, rented, vacant) and
the search of homes and people — issue 12."""

import datetime as dt
import uuid
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema, Status

from gridgov.common.client import client_address
from gridgov.common.schemas import Day, Id, Out, errors
from gridgov.registry import changes, search, selectors_changes

router = Router(tags=["homes"])


class HomesSearchItemOut(Out):
    type: Literal["household", "person"]
    id: int
    title: str
    subtitle: str
    grid_code: str
    grid_name: str
    household_id: int | None
    status: str = Field(description="a person's status, or a household's occupancy")


class HomesSearchOut(Out):
    count: int
    items: list[HomesSearchItemOut]


class HomesChangeOut(Out):
    id: int
    kind: str
    kind_label: str
    happened_on: dt.date
    note: str
    resident_id: int | None
    resident_name: str
    other_place: str
    other_household_id: int | None
    other_household_title: str
    recorded_by: str
    recorded_at: dt.datetime


class HomesPersonIn(Schema):
    name: Annotated[str, Field(max_length=50)] | None = None
    id_number: Annotated[str, Field(max_length=20)] | None = None
    phone: Annotated[str, Field(max_length=20)] | None = None
    relation: Annotated[str, Field(max_length=20)] | None = None
    residence: Literal["registered", "floating"] | None = None


class HomesChangeIn(Schema):
    kind: Literal[
        "registered",
        "moved_in",
        "moved_out",
        "born",
        "died",
        "rented",
        "vacant",
        "owner",
        "head",
        "corrected",
    ]
    happened_on: Day | None = None
    note: Annotated[str, Field(max_length=300)] = ""
    resident_id: Id | None = None
    person: HomesPersonIn | None = None
    other_place: Annotated[str, Field(max_length=200)] = ""
    other_household_id: Id | None = None
    client_uuid: uuid.UUID | None = None


class HomesSearchQuery(Schema):
    q: Annotated[str, Field(max_length=100)] = ""
    grid: Annotated[str, Field(max_length=24)] | None = None
    tag: Annotated[str, Field(max_length=40)] | None = None
    status: Literal["living", "moved_out", "deceased", "all"] = "living"
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


@router.get(
    "/search",
    response={200: HomesSearchOut, **errors(403, 404)},
    summary="Search homes and people in your area (names, addresses, phone and ID tails)",
)
def homes_search(request, filters: Query[HomesSearchQuery]):
    return search.homes_search(
        user=request.user,
        q=filters.q,
        grid=filters.grid,
        tag=filters.tag,
        status=filters.status,
        limit=filters.limit,
        offset=filters.offset,
        ip=client_address(request),
    )


@router.get(
    "/households/{household_id}/changes",
    response={200: list[HomesChangeOut], **errors(403, 404)},
    summary="The history of a household, newest first",
)
def household_changes(request, household_id: Id, reveal: bool = False):
    return selectors_changes.household_history(
        user=request.user, household_id=household_id, reveal=reveal, ip=client_address(request)
    )


@router.post(
    "/households/{household_id}/changes",
    response={200: HomesChangeOut, 201: HomesChangeOut, **errors(403, 404, 409)},
    summary="Record a change of a household (idempotent by client_uuid)",
)
def household_change_record(request, household_id: Id, payload: HomesChangeIn):
    person = payload.person.model_dump(exclude_none=True) if payload.person else None
    change, created = changes.household_change_record(
        user=request.user,
        household_id=household_id,
        kind=payload.kind,
        happened_on=payload.happened_on,
        note=payload.note,
        resident_id=payload.resident_id,
        person=person,
        other_place=payload.other_place,
        other_household_id=payload.other_household_id,
        client_uuid=payload.client_uuid,
    )
    return Status(201 if created else 200, selectors_changes.change_as_dict(change))
