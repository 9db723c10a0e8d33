"""What the care app adds to the registry's pages and search (registered in
CareConfig.ready() through registry.extensions): the groups of a person and of a household's
people, with their fields, next visit and overdue warning, and the forms to add or end a
group and record a visit for those who edit the registry. The sensitive rule holds in each:
they are built from care.selectors, and the tag filter answers 404 for a hidden group."""

import uuid

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.care.access import (
    memberships_visible,
    sees_sensitive,
    sensitive_reads_record,
    tag_visible,
    tags_visible,
)
from gridgov.care.models import ResidentTag, Visit
from gridgov.care.selectors import person_memberships
from gridgov.common.client import client_address

RECENT_VISITS = 5


def _visits(user, resident_ids: list[int]) -> list[dict]:
    rows = Visit.objects.filter(resident_id__in=resident_ids)
    if not sees_sensitive(user):  # a visit made for a sensitive group is absent
        rows = rows.exclude(resident_tag__tag__sensitive=True)
    rows = rows.select_related("worker").order_by("-visited_at")[:RECENT_VISITS]
    return [
        {
            "id": v.pk,
            "resident_id": v.resident_id,
            "visited_at": v.visited_at,
            "outcome": v.get_outcome_display(),
            "needs_help": v.outcome == Visit.Outcome.NEEDS_HELP,
            "event_id": v.event_id,
            "note": v.note,
            "worker": (v.worker.get_full_name() or v.worker.username) if v.worker else "",
        }
        for v in rows
    ]


def _context(request, people: list[dict]) -> dict:
    user = request.user
    ids = [p["id"] for p in people]
    memberships = person_memberships(user, ids, channel="page", ip=client_address(request))
    for person in people:
        person["tags"] = [m for m in memberships if m["resident_id"] == person["id"]]
        live = {m["key"] for m in person["tags"]}
        person["client_uuid"] = str(uuid.uuid4())  # a resent form stores one visit
        person["addable"] = [t for t in request_tags(request) if t.key not in live]
    return {
        "people": people,
        "edits": can(user, Capability.REGISTRY_EDIT),
        "visits": _visits(user, ids) if memberships else [],
        "outcomes": Visit.Outcome.choices,
        "next": request.get_full_path(),
        "today": timezone.localdate().isoformat(),
    }


def request_tags(request) -> list:
    if not hasattr(request, "_care_tags"):
        request._care_tags = list(tags_visible(request.user))
    return request._care_tags


def person_panel(request, resident) -> str:
    if not can(request.user, Capability.REGISTRY_VIEW):
        return ""
    people = [{"id": resident.pk, "name": resident.name, "living": resident.status == "living"}]
    return render_to_string("care/panel.html", _context(request, people), request=request)


def household_panel(request, household) -> str:
    if not can(request.user, Capability.REGISTRY_VIEW):
        return ""
    people = [
        {"id": r.pk, "name": r.name, "living": True}
        for r in household.residents.filter(status="living").order_by("id")
    ]
    if not people:
        return ""
    context = _context(request, people)
    # Only the people in a group: adding someone to one is done on their own page.
    context["people"] = [p for p in context["people"] if p["tags"]]
    if not context["people"]:
        return ""
    context["household"] = True
    return render_to_string("care/panel.html", context, request=request)


def tag_options(user) -> list[tuple[str, str]]:
    return [(t.key, t.name) for t in tags_visible(user)]


def residents_with_tag(user, residents: QuerySet, key: str) -> QuerySet:
    """The registry's filter by group: NotFound for a hidden or unknown group; the members
    found of a sensitive group are recorded as read (channel "page": the registry's search)."""
    group = tag_visible(user, key)
    members = memberships_visible(user).filter(tag=group, ended_on__isnull=True)
    narrowed = residents.filter(pk__in=members.values("resident_id"))
    if group.sensitive:
        shown = [
            ResidentTag(resident_id=pk, tag=group)
            for pk in narrowed.values_list("pk", flat=True)[:1000]
        ]
        sensitive_reads_record(user, shown, channel="page")
    return narrowed
