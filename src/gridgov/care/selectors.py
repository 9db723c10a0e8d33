"""Reads of the care app, each through the sensitive rule (care.access) and the user's area.

The lists are few queries whatever their length: memberships come with their group, person
and household in one select, and are grouped per person in Python."""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, get_in_scope
from gridgov.accounts.services import pii_access_record
from gridgov.areas.models import Area
from gridgov.care.access import memberships_visible, sensitive_reads_record, tags_visible
from gridgov.care.fields import details_display
from gridgov.care.models import ResidentTag
from gridgov.common.errors import NotFound
from gridgov.registry.models import Resident
from gridgov.registry.naming import household_title

DUE_LIMIT = 500


def area_of(user, code: str | None) -> Area | None:
    """The area `code` inside the user's scope (None: the whole scope), or NotFound."""
    if not code:
        return None
    area = get_in_scope(user, Area.objects.all(), Capability.REGISTRY_VIEW, area_field="")
    found = area.filter(code=str(code)[:18]).first()
    if found is None:
        raise NotFound(field="grid")
    return found


def _live(user, area: Area | None):
    rows = memberships_visible(user).filter(
        ended_on__isnull=True, resident__status=Resident.Status.LIVING
    )
    if area is not None:
        rows = rows.filter(area__path__startswith=area.path)
    return rows


def _tag_dict(membership: ResidentTag, today: dt.date) -> dict:
    due = membership.visit_due
    return {
        "key": membership.tag.key,
        "name": membership.tag.name,
        "sensitive": membership.tag.sensitive,
        "visit_due": due,
        "overdue": bool(due and due < today),
    }


def _addresses_read(user, households: set[int], masked: bool, channel: str, ip) -> None:
    if not masked and households:
        pii_access_record(
            user=user,
            model="registry.household",
            object_ids=households,
            fields=["address"],
            channel=channel,
            ip=ip,
        )


def due_list(
    user,
    *,
    grid: str | None = None,
    tag: str | None = None,
    limit: int = DUE_LIMIT,
    channel: str = "api",
    ip: str | None = None,
) -> list[dict]:
    """Who needs a visit in `grid` (an area code in scope; default the user's whole area):
    people with a live group that has a plan, the most overdue first. Each person once, with
    their planned groups."""
    area = area_of(user, grid)
    rows = _live(user, area).filter(visit_due__isnull=False)
    if tag:
        rows = rows.filter(tag__key=str(tag)[:40])
    rows = rows.select_related(
        "tag", "resident__household__head", "resident__household__building"
    ).order_by("visit_due", "resident_id", "tag__position")
    today = timezone.localdate()
    masked = not can(user, Capability.PII_VIEW)
    people: dict[int, dict] = {}
    shown: list[ResidentTag] = []
    for membership in rows[: limit * 4]:
        resident = membership.resident
        person = people.get(resident.pk)
        if person is None:
            if len(people) >= limit:
                continue
            household = resident.household
            person = people[resident.pk] = {
                "resident_id": resident.pk,
                "name": resident.name,
                "household_id": household.pk if household else None,
                "household_title": household_title(household, masked=masked) if household else "",
                "tags": [],
            }
        person["tags"].append(_tag_dict(membership, today))
        shown.append(membership)
    sensitive_reads_record(user, shown, channel=channel, ip=ip)
    households = {p["household_id"] for p in people.values() if p["household_id"]}
    _addresses_read(user, households, masked, channel, ip)
    return list(people.values())


def overview(user, *, area: str | None = None) -> list[dict]:
    """Per group the user may see: live members and overdue visits in the area."""
    scope = area_of(user, area)
    today = timezone.localdate()
    counts = {
        row["tag_id"]: row
        for row in _live(user, scope)
        .values("tag_id")
        .annotate(members=Count("id"), overdue=Count("id", filter=Q(visit_due__lt=today)))
    }
    return [
        {
            "key": tag.key,
            "name": tag.name,
            "sensitive": tag.sensitive,
            "visit_every_days": tag.visit_every_days,
            "members": counts.get(tag.pk, {}).get("members", 0),
            "overdue": counts.get(tag.pk, {}).get("overdue", 0),
        }
        for tag in tags_visible(user)
    ]


def group_members(
    user,
    *,
    tag,
    grid: str | None = None,
    limit: int = DUE_LIMIT,
    offset: int = 0,
    channel: str = "page",
    ip: str | None = None,
) -> list[dict]:
    """The live members of one group (a CareTag the user may see), overdue first, a page at
    a time (the pk keeps the order stable between pages)."""
    area = area_of(user, grid)
    rows = list(
        _live(user, area)
        .filter(tag=tag)
        .select_related("tag", "area", "resident__household__head", "resident__household__building")
        .order_by("visit_due", "resident__name", "pk")[offset : offset + limit]
    )
    today = timezone.localdate()
    masked = not can(user, Capability.PII_VIEW)
    out = []
    for membership in rows:
        household = membership.resident.household
        out.append(
            {
                **_tag_dict(membership, today),
                "id": membership.pk,
                "resident_id": membership.resident_id,
                "name": membership.resident.name,
                "household_id": household.pk if household else None,
                "household_title": household_title(household, masked=masked) if household else "",
                "grid_code": membership.area.code,
                "grid_name": membership.area.name,
                "since": membership.since,
                "last_visit_at": membership.last_visit_at,
                "review_due": membership.review_due,
                "details": details_display(tag.fields, membership.details, masked=masked),
            }
        )
    sensitive_reads_record(user, rows, channel=channel, ip=ip)
    _addresses_read(
        user, {o["household_id"] for o in out if o["household_id"]}, masked, channel, ip
    )
    return out


def person_memberships(
    user,
    resident_ids: list[int],
    *,
    live_only: bool = True,
    channel: str = "page",
    ip: str | None = None,
) -> list[dict]:
    """The groups of these people the user may see, with their details and plans."""
    rows = memberships_visible(user).filter(resident_id__in=resident_ids)
    if live_only:
        rows = rows.filter(ended_on__isnull=True)
    rows = list(rows.select_related("tag").order_by("resident_id", "tag__position"))
    today = timezone.localdate()
    masked = not can(user, Capability.PII_VIEW)
    sensitive_reads_record(user, rows, channel=channel, ip=ip)
    return [
        {
            "id": m.pk,
            "resident_id": m.resident_id,
            "since": m.since,
            "review_due": m.review_due,
            "review_overdue": m.review_due < today,
            "last_visit_at": m.last_visit_at,
            "ended_on": m.ended_on,
            "end_reason": m.end_reason,
            "details": details_display(m.tag.fields, m.details, masked=masked),
            "raw_details": {} if masked else m.details,
            **_tag_dict(m, today),
        }
        for m in rows
    ]


def resident_visible(user, resident_id: int) -> bool:
    rows = get_in_scope(user, Resident.objects.all(), Capability.REGISTRY_VIEW)
    return rows.filter(pk=resident_id).exists()
