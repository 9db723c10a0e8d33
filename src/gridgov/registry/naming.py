"""How households and people are named on every page, card and export: by their address and
the head of household (户主), never by the 21-digit household number (issue 12).

The address of a household is personal data: a role without PII_VIEW reads it masked, so
the title is built from the masked address for them (`masked=True`)."""

from django.utils.translation import gettext as _

from gridgov.registry.models import Household
from gridgov.registry.pii import mask_text


def household_address(household: Household, *, masked: bool = False) -> str:
    address = household.address or (
        f"{household.building} {household.room}".strip() if household.building_id else ""
    )
    return mask_text(address) if masked else address


def household_title(household: Household, *, masked: bool = False) -> str:
    """ "丽江市古城区…3栋201室 · 张三户" — needs `head` loaded (select_related) to avoid a query."""
    address = household_address(household, masked=masked) or _("Household without an address")
    head = household.head
    if head is None:
        return address
    return _("%(address)s · %(head)s's household") % {"address": address, "head": head.name}
