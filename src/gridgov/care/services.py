"""Writes of the care app: a person joins a special group (with the group's own fields),
their details change, the membership is reviewed or ends. Visits are in care.visits.

Each write: REGISTRY_EDIT, the person in the user's area, the group visible to the user
(a hidden sensitive group answers 404 like an unknown one), one transaction."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import get_in_scope, require_capability
from gridgov.accounts.services import district_level
from gridgov.care.access import memberships_visible, tag_visible
from gridgov.care.fields import details_clean, fields_clean
from gridgov.care.models import CareTag, ResidentTag
from gridgov.common.errors import Conflict, DomainError, NotFound
from gridgov.registry.models import Resident


def _membership_for_edit(user, membership_id: int) -> ResidentTag:
    require_capability(user, Capability.REGISTRY_EDIT)
    rows = get_in_scope(
        user, memberships_visible(user).select_related("tag"), Capability.REGISTRY_EDIT
    )
    membership = rows.select_for_update(of=("self",)).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound()
    if membership.ended_on is not None:
        raise Conflict(_("This membership has ended."), code="ended")
    return membership


def _day_clean(value: dt.date | None, field: str) -> dt.date:
    today = timezone.localdate()
    day = value or today
    if day > today:
        raise DomainError(_("The date cannot be in the future."), field=field)
    if day.year < 1900:
        raise DomainError(_("The date is too far in the past."), field=field)
    return day


def resident_tag_add(
    *, user, resident_id: int, tag: str, details: dict | None = None, since: dt.date | None = None
) -> ResidentTag:
    """Put a living person of the user's area in group `tag`, its fields checked. The first
    visit of a group with a plan is due at once; the review after `review_every_days`."""
    require_capability(user, Capability.REGISTRY_EDIT)
    group = tag_visible(user, tag)
    rows = get_in_scope(user, Resident.objects.all(), Capability.REGISTRY_EDIT)
    resident = rows.filter(pk=resident_id).first()
    if resident is None:
        raise NotFound(field="resident_id")
    if resident.status != Resident.Status.LIVING:
        raise DomainError(_("This person no longer lives here."), code="not_living")
    clean = details_clean(group.fields, details)
    day = _day_clean(since, "since")
    today = timezone.localdate()
    try:
        with transaction.atomic():
            return ResidentTag.objects.create(
                resident=resident,
                tag=group,
                area_id=resident.area_id,
                details=clean,
                since=day,
                review_due=today + dt.timedelta(days=group.review_every_days),
                visit_due=today if group.visit_every_days else None,
                added_by=user,
            )
    except IntegrityError:
        raise Conflict(
            _("This person is already in this group."), code="already_tagged", field="tag"
        ) from None


def resident_tag_edit(*, user, membership_id: int, details: dict) -> ResidentTag:
    """Replace a live membership's details, checked against the group's fields."""
    with transaction.atomic():
        membership = _membership_for_edit(user, membership_id)
        membership.details = details_clean(membership.tag.fields, details)
        membership.save(update_fields=["details"])
    return membership


def resident_tag_review(*, user, membership_id: int) -> ResidentTag:
    """The membership was checked (the person is still in the group): next review later."""
    with transaction.atomic():
        membership = _membership_for_edit(user, membership_id)
        membership.review_due = timezone.localdate() + dt.timedelta(
            days=membership.tag.review_every_days
        )
        membership.save(update_fields=["review_due"])
    return membership


def resident_tag_end(
    *, user, membership_id: int, reason: str, ended_on: dt.date | None = None
) -> ResidentTag:
    """The person left the group: the membership ends (kept, with why), no visit is due."""
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the membership ends."), code="required", field="reason")
    if len(reason) > 200:
        raise DomainError(_("The reason is longer than 200 characters."), field="reason")
    with transaction.atomic():
        membership = _membership_for_edit(user, membership_id)
        day = _day_clean(ended_on, "ended_on")
        if day < membership.since:
            raise DomainError(_("A membership cannot end before it began."), field="ended_on")
        membership.ended_on = day
        membership.end_reason = reason
        membership.visit_due = None
        membership.save(update_fields=["ended_on", "end_reason", "visit_due"])
    return membership


def care_tag_save(*, user, tag: CareTag, changed: list[str]) -> CareTag:
    """The back office's edit of a group (visit plan, review, fields): district-level staff
    and superusers only, the fields' definitions checked."""
    if not district_level(user):
        raise NotFound()
    tag.fields = fields_clean(tag.fields)
    with transaction.atomic():
        if tag.pk:
            tag.save(update_fields=sorted(set(changed) | {"fields"}))
        else:
            tag.save()
    return tag
