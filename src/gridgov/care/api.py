"""Special groups and their care: tags, visits, overdue visits, a care need as an event — issue 12.

POST /visits and GET /due are the worker phone's contract (CONTEXT12, engineer C)."""

from typing import Annotated

from ninja import Query, Router, Status

from gridgov.care import selectors, services, visits
from gridgov.care.access import tag_visible, tags_visible
from gridgov.care.schemas import (
    CareDueOut,
    CareEventIn,
    CareEventOut,
    CareMemberOut,
    CareMembershipOut,
    CareOverviewOut,
    CareTagAddIn,
    CareTagEditIn,
    CareTagEndIn,
    CareTagOut,
    CareVisitIn,
    CareVisitOut,
)
from gridgov.common.client import client_address
from gridgov.common.errors import NotFound
from gridgov.common.schemas import Id, Limit, errors

router = Router(tags=["care"])
AreaCode = Annotated[str | None, Query(None, max_length=18, description="an area code in scope")]


def _visit_dict(user, visit) -> dict:
    return {
        "id": visit.pk,
        "resident_id": visit.resident_id,
        "visited_at": visit.visited_at,
        "outcome": visit.outcome,
        "visit_due": visits.next_visit_due(user, visit.resident_id),
        "event_id": visit.event_id,
    }


@router.post(
    "/visits",
    response={200: CareVisitOut, 201: CareVisitOut, **errors(400, 403, 404, 409)},
    summary="Record a visit (idempotent by client_uuid: 201 new, 200 resend)",
)
def visit_record(request, payload: CareVisitIn):
    visit, created = visits.visit_record(user=request.user, **payload.dict())
    return Status(201 if created else 200, _visit_dict(request.user, visit))


@router.get(
    "/due",
    response={200: list[CareDueOut], **errors(403, 404)},
    summary="Who needs a visit, the most overdue first",
)
def due(
    request,
    grid: AreaCode = None,
    tag: Annotated[str | None, Query(None, max_length=40)] = None,
    limit: Limit = selectors.DUE_LIMIT,
):
    if tag:
        tag_visible(request.user, tag)
    return selectors.due_list(
        request.user, grid=grid, tag=tag, limit=limit, channel="api", ip=client_address(request)
    )


@router.post(
    "/visits/{visit_id}/event",
    response={200: CareEventOut, 201: CareEventOut, **errors(400, 403, 404, 409)},
    summary="A need found at a visit becomes an event (once per visit)",
)
def visit_event(request, visit_id: Id, payload: CareEventIn):
    before = visits.Visit.objects.filter(pk=visit_id).values_list("event_id", flat=True).first()
    event = visits.visit_event_create(
        user=request.user, visit_id=visit_id, description=payload.description
    )
    body = {"visit_id": visit_id, "event_id": event.pk, "number": event.number}
    return Status(200 if before else 201, body)


@router.get("/tags", response={200: list[CareTagOut], **errors(403)}, summary="Special groups")
def tags(request):
    return [
        {
            "key": t.key,
            "name": t.name,
            "sensitive": t.sensitive,
            "visit_every_days": t.visit_every_days,
            "review_every_days": t.review_every_days,
            "fields": t.fields,
        }
        for t in tags_visible(request.user)
    ]


@router.get(
    "/overview",
    response={200: list[CareOverviewOut], **errors(403, 404)},
    summary="Per group: members and overdue visits in an area",
)
def overview(request, area: AreaCode = None):
    return selectors.overview(request.user, area=area)


@router.get(
    "/groups/{key}/members",
    response={200: list[CareMemberOut], **errors(403, 404)},
    summary="The members of a group, overdue first",
)
def group_members(request, key: str, grid: AreaCode = None):
    group = tag_visible(request.user, key)
    return selectors.group_members(
        request.user, tag=group, grid=grid, channel="api", ip=client_address(request)
    )


@router.get(
    "/residents/{resident_id}/tags",
    response={200: list[CareMembershipOut], **errors(403, 404)},
    summary="A person's groups (ended ones too)",
)
def resident_tags(request, resident_id: Id):
    if not selectors.resident_visible(request.user, resident_id):
        raise NotFound()
    return selectors.person_memberships(
        request.user, [resident_id], live_only=False, channel="api", ip=client_address(request)
    )


def _membership(request, membership) -> dict:
    rows = selectors.person_memberships(
        request.user,
        [membership.resident_id],
        live_only=False,
        channel="api",
        ip=client_address(request),
    )
    return next(row for row in rows if row["id"] == membership.pk)


@router.post(
    "/residents/{resident_id}/tags",
    response={201: CareMembershipOut, **errors(400, 403, 404, 409)},
    summary="Put a person in a group, with its fields",
)
def resident_tag_add(request, resident_id: Id, payload: CareTagAddIn):
    membership = services.resident_tag_add(
        user=request.user, resident_id=resident_id, **payload.dict()
    )
    return Status(201, _membership(request, membership))


@router.patch(
    "/memberships/{membership_id}",
    response={200: CareMembershipOut, **errors(400, 403, 404, 409)},
    summary="Change a membership's details",
)
def resident_tag_edit(request, membership_id: Id, payload: CareTagEditIn):
    membership = services.resident_tag_edit(
        user=request.user, membership_id=membership_id, details=payload.details
    )
    return _membership(request, membership)


@router.post(
    "/memberships/{membership_id}/review",
    response={200: CareMembershipOut, **errors(400, 403, 404, 409)},
    summary="Checked: the person is still in the group",
)
def resident_tag_review(request, membership_id: Id):
    membership = services.resident_tag_review(user=request.user, membership_id=membership_id)
    return _membership(request, membership)


@router.post(
    "/memberships/{membership_id}/end",
    response={200: CareMembershipOut, **errors(400, 403, 404, 409)},
    summary="The person left the group",
)
def resident_tag_end(request, membership_id: Id, payload: CareTagEndIn):
    membership = services.resident_tag_end(
        user=request.user, membership_id=membership_id, **payload.dict()
    )
    return _membership(request, membership)
