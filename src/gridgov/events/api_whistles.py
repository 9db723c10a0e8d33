"""The whistle API (吹哨报到) beyond blowing, checking in and reporting back (events/api.py):
a summoned department records its action on the spot, the whistling level rates the response,
and street and district staff read the ratings summed per department (decision 0025)."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, Router, Schema

from gridgov.common.schemas import Day, Id, Out, errors
from gridgov.events import whistle_chain
from gridgov.events.schemas import LONG_TEXT
from gridgov.events.services import whistles

router = Router(tags=["whistles"])


class SummonsActionIn(Schema):
    note: str = Field(max_length=LONG_TEXT, description="what was done on the spot")


class ActedOut(Out):
    id: int
    action_at: str
    late: bool = Field(description="after the action deadline")


class RatingIn(Schema):
    rating: Literal["good", "adequate", "poor"]
    note: str = Field("", max_length=LONG_TEXT, description="required when poor")


class RatedOut(Out):
    id: int
    rating: str
    rated_at: str


class DepartmentRatingOut(Out):
    department_id: int
    department: str
    good: int
    adequate: int
    poor: int
    total: int
    score: float = Field(description="good 100, adequate 60, poor 0, averaged")


class RatingsOut(Out):
    date_from: str
    date_to: str
    departments: list[DepartmentRatingOut]


@router.post(
    "/summonses/{summons_id}/action",
    response={200: ActedOut, **errors(400, 403, 404, 409)},
    summary="Record the action on the spot (到场处置) of a summons",
)
def summons_act(request, summons_id: Id, payload: SummonsActionIn):
    summons = whistles.summons_act(user=request.user, summons_id=summons_id, note=payload.note)
    return {
        "id": summons.pk,
        "action_at": summons.action_at.isoformat(),
        "late": bool(summons.action_due_at and summons.action_at > summons.action_due_at),
    }


@router.post(
    "/summonses/{summons_id}/rating",
    response={200: RatedOut, **errors(400, 403, 404, 409)},
    summary="Rate a department's response (the whistling level, after the report-back)",
)
def summons_rate(request, summons_id: Id, payload: RatingIn):
    summons = whistles.summons_rate(
        user=request.user, summons_id=summons_id, rating=payload.rating, note=payload.note
    )
    return {"id": summons.pk, "rating": summons.rating, "rated_at": summons.rated_at.isoformat()}


@router.get(
    "/ratings",
    response={200: RatingsOut, **errors(400, 403)},
    summary="Ratings of the summoned departments' responses, per department, in a period",
)
def ratings(request, date_from: Day | None = None, date_to: Day | None = None):
    """Rated in [date_from, date_to] (default: the last 30 days), on events in your area."""
    today = timezone.localdate()
    date_to = date_to or today
    date_from = date_from or date_to - dt.timedelta(days=29)
    return whistle_chain.ratings_summary(user=request.user, date_from=date_from, date_to=date_to)
