"""The sensitive rule, in one place (issue 12): a user without
Capability.CARE_SENSITIVE_VIEW never learns that anyone is in a sensitive group — the group
is absent from every list, count, panel and filter, and naming it answers 404 like a group
that does not exist. A user with the right reads them, and every read that shows a
sensitive membership is recorded (`sensitive_reads_record`)."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, get_in_scope
from gridgov.accounts.services import pii_access_record
from gridgov.care.models import CareTag, ResidentTag
from gridgov.common.errors import NotFound


def sees_sensitive(user) -> bool:
    return can(user, Capability.CARE_SENSITIVE_VIEW)


def tags_visible(user) -> QuerySet[CareTag]:
    """The active groups this user may see: none without REGISTRY_VIEW."""
    if not can(user, Capability.REGISTRY_VIEW):
        return CareTag.objects.none()
    tags = CareTag.objects.filter(active=True)
    return tags if sees_sensitive(user) else tags.filter(sensitive=False)


def tag_visible(user, key: str) -> CareTag:
    """The group `key`, or NotFound — the same for one that does not exist and for a
    sensitive one the user may not see."""
    tag = tags_visible(user).filter(key=str(key or "")[:40]).first()
    if tag is None:
        raise NotFound()
    return tag


def memberships_visible(user, queryset: QuerySet | None = None) -> QuerySet[ResidentTag]:
    """Memberships (live or ended) in the user's area, of the groups they may see."""
    queryset = ResidentTag.objects.all() if queryset is None else queryset
    rows = get_in_scope(user, queryset, Capability.REGISTRY_VIEW)
    if not sees_sensitive(user):
        rows = rows.filter(tag__sensitive=False)
    return rows.filter(tag__active=True)


def sensitive_reads_record(
    user, memberships: Iterable[ResidentTag], *, channel: str, ip: str | None = None
) -> None:
    """One audit row per sensitive group shown: which residents were read in it."""
    shown: dict[str, set[int]] = defaultdict(set)
    for membership in memberships:
        if membership.tag.sensitive:
            shown[membership.tag.key].add(membership.resident_id)
    for key, resident_ids in sorted(shown.items()):
        pii_access_record(
            user=user,
            model="care.residenttag",
            object_ids=resident_ids,
            fields=[f"tag:{key}"],
            channel=channel,
            ip=ip,
        )
