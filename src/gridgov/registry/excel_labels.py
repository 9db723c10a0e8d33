"""The labels people read in a registry workbook, and the way back from them on import.

An export names choices by their label ("户籍人口", not "registered"), grids by name, buildings
as "compound building", households by their address and head (naming.household_title), never
by internal codes; an import takes those labels (or the codes) back to what the services
expect. A cell left as exported — a masked phone, a masked household, coordinates rounded
beside a masked address — keeps the record's value, so a masked export edited and imported
updates what was edited and nothing else.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.scope import scope_queryset
from gridgov.common.errors import DomainError
from gridgov.registry.kinds import Kind
from gridgov.registry.models import Building, Household
from gridgov.registry.naming import household_title
from gridgov.registry.pii import MASKERS
from gridgov.registry.selectors import MASKED_DECIMALS
from gridgov.registry.services import choice_clean

# Related rows an export needs to write the labels of references without a query per row.
LABEL_RELATED = {
    "residents": ("household__head", "household__building__compound"),
    "households": ("building__compound",),
    "buildings": ("compound",),
}


def choice_label(field: models.Field, value: Any) -> Any:
    if not field.choices or value in (None, ""):
        return value
    return str(dict(field.choices).get(value, value))


def choice_value(field: models.Field, raw: Any) -> str | None:
    """The code of a choice from its code or its label in Chinese or English, None if empty."""
    text = "" if raw is None else str(raw).strip()
    return choice_clean(field, text) if text else None


def reference_label(target: models.Model | None, *, masked: bool) -> str:
    if target is None:
        return ""
    if isinstance(target, Household):
        return household_title(target, masked=masked)
    return str(target)


def _household_lookup(user: User, label: str) -> str:
    """The household number for a household cell: its number, its title as exported or its
    address, when exactly one household in the user's area answers to it."""
    households = scope_queryset(Household.objects.select_related("head", "building"), user)
    by_number = households.filter(number=label).first()
    if by_number is not None:
        return by_number.number
    address = label.split(" · ", 1)[0].strip()
    candidates = list(households.filter(address=address)[:50])
    matches = [h for h in candidates if household_title(h) == label] or (
        candidates if len(candidates) == 1 else []
    )
    if len(matches) == 1:
        return matches[0].number
    if not candidates:
        raise DomainError(
            _("No household %(value)r in your area.") % {"value": label}, field="household"
        )
    raise DomainError(
        _("More than one household is at %(value)r: write the household number.")
        % {"value": address},
        field="household",
    )


def _building_lookup(user: User, label: str) -> Any:
    buildings = scope_queryset(Building.objects.select_related("compound"), user)
    if label.isdigit() and buildings.filter(pk=int(label)).exists():
        return int(label)
    name = label.split()[-1] if label.split() else label
    matches = [b.pk for b in buildings.filter(name=name)[:50] if str(b) == label]
    if len(matches) == 1:
        return matches[0]
    raise DomainError(
        _("No single building %(value)r in your area.") % {"value": label}, field="building"
    )


def reference_lookup_value(user: User, kind: Kind, name: str, raw: Any) -> Any:
    """What services.record_clean looks a reference up by, from the label in the cell."""
    if raw in (None, ""):
        return raw
    label = str(raw).strip()
    if kind.key == "residents" and name == "household":
        return _household_lookup(user, label)
    if kind.key == "households" and name == "building":
        return _building_lookup(user, label)
    return raw


def unchanged_as_exported(kind: Kind, record: models.Model, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the cells left as a masked export wrote them replaced by the record's
    values: a masked phone or ID number, a masked address, rounded coordinates, the
    household's masked title."""
    kept = dict(data)
    for name, masker in kind.pii.items():
        current = getattr(record, name)
        if name in kept and current and str(kept[name]).strip() == MASKERS[masker](current):
            kept[name] = current
    if "address" in kind.pii:
        for axis in ("lon", "lat"):
            current = getattr(record, axis)
            try:
                as_exported = float(kept.get(axis)) == round(current, MASKED_DECIMALS)
            except (TypeError, ValueError):
                as_exported = False
            if as_exported:
                kept[axis] = current
    for name in kind.references or {}:
        if name not in kept:
            continue
        target = getattr(record, name)
        if target is not None and str(kept[name]).strip() in (
            reference_label(target, masked=True),
            reference_label(target, masked=False),
        ):
            kept[name] = getattr(target, kind.references[name])
    return kept
