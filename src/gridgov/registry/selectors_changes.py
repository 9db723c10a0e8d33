"""The history of a household and of a person (moved in/out, born, died, rented, vacant),
newest first, with who recorded each change — read in the user's area (issue 12).

Another household is named by its title (address · head's household) with the address
masked, and a place in words (`other_place`, where someone came from or went to) is
masked too, unless a role with PII_VIEW asked (`reveal`): that read is recorded.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import get_in_scope, require_capability
from gridgov.accounts.services import pii_access_record
from gridgov.common.errors import NotFound, PermissionDenied
from gridgov.registry.models import Household, HouseholdChange, Resident
from gridgov.registry.naming import household_title
from gridgov.registry.pii import mask_text

# The most changes one history shows: a household's life fits many times over.
MAX_HISTORY = 500


def _changes(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("resident", "other_household__head", "recorded_by").order_by(
        "-happened_on", "-id"
    )[:MAX_HISTORY]


def _recorder(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def change_as_dict(change: HouseholdChange, *, reveal: bool = False) -> dict[str, Any]:
    """One change as the API and the pages show it (`reveal` only after the check and the
    audit of `household_history`/`resident_history`)."""
    other = change.other_household
    return {
        "id": change.pk,
        "kind": change.kind,
        "kind_label": str(change.get_kind_display()),
        "happened_on": change.happened_on.isoformat(),
        "note": change.note,
        "resident_id": change.resident_id,
        "resident_name": change.resident.name if change.resident else "",
        "other_place": change.other_place if reveal else mask_text(change.other_place),
        "other_household_id": change.other_household_id,
        "other_household_title": household_title(other, masked=not reveal) if other else "",
        "recorded_by": _recorder(change.recorded_by),
        "recorded_at": change.recorded_at.isoformat(),
    }


def _as_dicts(
    *, user: User, changes: list[HouseholdChange], reveal: bool, channel: str, ip: str | None
) -> list[dict[str, Any]]:
    if reveal:
        if not user.has_capability(Capability.PII_VIEW):
            raise PermissionDenied(_("Your role may not see personal data unmasked."))
        shown = [c for c in changes if c.other_place or c.other_household_id]
        pii_access_record(
            user=user,
            model="registry.householdchange",
            object_ids=[c.pk for c in shown],
            fields=["other_place", "other_household.address"],
            channel=channel,
            ip=ip,
        )
    return [change_as_dict(change, reveal=reveal) for change in changes]


def household_history(
    *,
    user: User,
    household_id: int,
    reveal: bool = False,
    channel: str = "api",
    ip: str | None = None,
) -> list[dict]:
    """The changes of a household in the user's area (REGISTRY_VIEW), newest first."""
    require_capability(user, Capability.REGISTRY_VIEW)
    household = (
        get_in_scope(user, Household.objects.all(), Capability.REGISTRY_VIEW)
        .filter(pk=household_id)
        .first()
    )
    if household is None:
        raise NotFound(_("No such household in your area."))
    changes = list(_changes(HouseholdChange.objects.filter(household=household)))
    return _as_dicts(user=user, changes=changes, reveal=reveal, channel=channel, ip=ip)


def resident_history(
    *,
    user: User,
    resident_id: int,
    reveal: bool = False,
    channel: str = "api",
    ip: str | None = None,
) -> list[dict]:
    """The changes of one person (in every household they lived in) in the user's area."""
    require_capability(user, Capability.REGISTRY_VIEW)
    resident = (
        get_in_scope(user, Resident.objects.all(), Capability.REGISTRY_VIEW)
        .filter(pk=resident_id)
        .first()
    )
    if resident is None:
        raise NotFound(_("No such resident in your area."))
    changes = HouseholdChange.objects.filter(resident=resident)
    # A change recorded in a household outside the user's area stays out of their view.
    changes = list(_changes(get_in_scope(user, changes, Capability.REGISTRY_VIEW)))
    return _as_dicts(user=user, changes=changes, reveal=reveal, channel=channel, ip=ip)
