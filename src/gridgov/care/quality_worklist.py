"""The grid worker's worklist of data quality (care.quality has the checks): what to fix in
an area, check by check, each problem linked to the household's or the person's page."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.accounts.services import pii_access_record
from gridgov.care.access import sensitive_reads_record
from gridgov.care.quality import CHECKS, check_querysets, quality_area, subtree_ids
from gridgov.registry.models import Household, Resident
from gridgov.registry.naming import household_title

HOUSEHOLD_CHECKS = ("households_empty", "addresses_nonstandard", "households_same_address")
WORKLIST_LIMIT = 50
# The ids a worklist section sorts to pick its first WORKLIST_LIMIT (see _first_ids).
MAX_IDS_SORTED = 20_000


def _household_item(check: str, household: Household, masked: bool) -> dict:
    return {
        "check": check,
        "type": "household",
        "id": household.pk,
        "title": household_title(household, masked=masked),
        "detail": "",
        "url": f"/registry/households/{household.pk}/",
        "grid": household.area.name,
    }


def _person_item(check: str, person: Resident, masked: bool, detail: str = "") -> dict:
    return {
        "check": check,
        "type": "person",
        "id": person.pk,
        "title": person.name,
        "detail": detail
        or (household_title(person.household, masked=masked) if person.household_id else ""),
        "url": f"/registry/people/{person.pk}/",
        "grid": person.area.name,
        # The household whose title is the detail (its address read), if any.
        "household_id": person.household_id if not detail and person.household_id else None,
    }


def quality_worklist(
    *, user: User, area_code: str | None = None, channel: str = "api", ip: str | None = None
) -> dict:
    """What to fix in an area, check by check (the first WORKLIST_LIMIT of each, with the
    count): the grid worker's own grid by default. Household titles masked as everywhere
    for a role without PII_VIEW; the review of sensitive memberships shown is recorded."""
    area = quality_area(user=user, code=area_code)
    masked = not can(user, Capability.PII_VIEW)
    sections = []
    for check, queryset in check_querysets(
        subtree_ids(area), sensitive=can(user, Capability.CARE_SENSITIVE_VIEW)
    ).items():
        if check in HOUSEHOLD_CHECKS:
            records = Household.objects.filter(pk__in=_first_ids(queryset)).select_related(
                "head", "building__compound", "area"
            )
            items = [_household_item(check, h, masked) for h in records.order_by("pk")]
        elif check == "tags_review_overdue":
            records = queryset.select_related(
                "tag",
                "resident__area",
                "resident__household__head",
                "resident__household__building__compound",
            ).order_by("review_due", "pk")[:WORKLIST_LIMIT]
            items = []
            for membership in records:
                detail = _("%(group)s · review was due %(day)s") % {
                    "group": membership.tag.name,
                    "day": membership.review_due.isoformat(),
                }
                items.append(_person_item(check, membership.resident, masked, detail))
            sensitive_reads_record(user, records, channel=channel, ip=ip)
        else:
            records = Resident.objects.filter(pk__in=_first_ids(queryset)).select_related(
                "area", "household__head", "household__building__compound"
            )
            people = sorted(records, key=lambda p: (p.household_id or 0, p.pk))
            items = [_person_item(check, p, masked) for p in people]
        sections.append(
            {"key": check, "label": str(CHECKS[check]), "count": queryset.count(), "items": items}
        )
    if not masked:
        # Household titles carry the address: shown whole, read like any unmasked address.
        shown = {i["id"] for s in sections for i in s["items"] if i["type"] == "household"}
        shown |= {i["household_id"] for s in sections for i in s["items"] if i.get("household_id")}
        if shown:
            pii_access_record(
                user=user,
                model="registry.household",
                object_ids=sorted(shown),
                fields=["address"],
                channel=channel,
                ip=ip,
            )
    return {"area": {"code": area.code, "name": area.name, "kind": area.kind}, "sections": sections}


def _first_ids(queryset: QuerySet) -> list[int]:
    """The first WORKLIST_LIMIT ids of a check's records, picked in Python from its ids: an
    ORDER BY id LIMIT would have PostgreSQL walk the primary key (or household) index over a
    million rows to find a grid's fifty, where the ids alone come from the grid's index."""
    ids = queryset.order_by().values_list("pk", flat=True)[:MAX_IDS_SORTED]
    return sorted(ids)[:WORKLIST_LIMIT]
