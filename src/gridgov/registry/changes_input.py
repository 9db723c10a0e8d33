"""The input of a household's change, cleaned: each field checked with a message that
names it (registry.changes applies the change)."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError
from gridgov.registry.models import HouseholdChange, Resident
from gridgov.registry.pii import id_birth_date, id_gender, id_number_clean, phone_clean

Kind = HouseholdChange.Kind
PERSON_FIELDS = ("name", "id_number", "phone", "relation", "residence")
OLDEST_DATE = dt.date(1900, 1, 1)
MAX_ID = 2**63 - 1  # the largest key the databases hold

# kind -> (resident_id, person): "required", "optional" or "" (not taken).
INPUTS: dict[str, tuple[str, str]] = {
    Kind.REGISTERED: ("", "required"),
    Kind.MOVED_IN: ("optional", "optional"),  # exactly one of the two
    Kind.MOVED_OUT: ("required", ""),
    Kind.BORN: ("", "required"),
    Kind.DIED: ("required", ""),
    Kind.RENTED: ("", ""),
    Kind.VACANT: ("", ""),
    Kind.OWNER: ("", ""),
    Kind.HEAD: ("required", ""),
    Kind.CORRECTED: ("required", "required"),
}


def kind_clean(kind: Any) -> str:
    value = str(kind or "").strip()
    if value not in Kind.values:
        raise DomainError(
            _("Unknown change %(kind)r; one of: %(kinds)s.")
            % {"kind": value, "kinds": ", ".join(Kind.values)},
            field="kind",
        )
    return value


def text_clean(value: Any, max_length: int, field: str) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        raise DomainError(
            _("At most %(max)s characters.") % {"max": max_length}, code="too_long", field=field
        )
    return text


def id_clean(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if isinstance(value, bool) or not 1 <= number <= MAX_ID:
        raise DomainError(_("Not a valid id."), field=field)
    return number


def day_clean(value: Any) -> dt.date:
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, dt.datetime):
        value = value.date()
    elif not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError(_("The date must be YYYY-MM-DD."), field="happened_on") from None
    if value > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), field="happened_on")
    if value < OLDEST_DATE:
        raise DomainError(_("The date is too far in the past."), field="happened_on")
    return value


def inputs_check(kind: str, resident_id: Any, person: Any, other_household_id: Any) -> None:
    wants_resident, wants_person = INPUTS[kind]
    for name, value, wanted in (
        ("resident_id", resident_id, wants_resident),
        ("person", person, wants_person),
    ):
        if wanted == "required" and value in (None, {}):
            raise DomainError(_("This change needs %(name)s.") % {"name": name}, field=name)
        if not wanted and value not in (None, {}):
            raise DomainError(_("This change does not take %(name)s.") % {"name": name}, field=name)
    if kind == Kind.MOVED_IN and (resident_id is None) == (person in (None, {})):
        raise DomainError(
            _("A move-in names either a resident of another household or a new person."),
            field="resident_id",
        )
    if other_household_id is not None and kind not in (Kind.MOVED_IN, Kind.MOVED_OUT):
        raise DomainError(_("Only moves take another household."), field="other_household_id")
    if person is not None and not isinstance(person, dict):
        raise DomainError(_("person must be an object."), field="person")
    unknown = sorted(set(person or {}) - set(PERSON_FIELDS))
    if unknown:
        raise DomainError(
            _("Unknown fields of a person: %(names)s.") % {"names": ", ".join(unknown)},
            field=f"person.{unknown[0]}",
        )


def choice_clean(value: Any, choices: list[str], field: str) -> str:
    text = str(value or "").strip()
    if text not in choices:
        raise DomainError(
            _("%(value)r is not one of: %(allowed)s.")
            % {"value": text, "allowed": ", ".join(choices)},
            field=field,
        )
    return text


def person_clean(person: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """The person's fields, cleaned; all of name and id_number unless `partial`."""
    values: dict[str, Any] = {}
    if "name" in person or not partial:
        values["name"] = text_clean(person.get("name"), 50, "person.name")
        if not values["name"]:
            raise DomainError(_("The name is required."), code="required", field="person.name")
    if "id_number" in person or not partial:
        values["id_number"] = id_number_clean(person.get("id_number"), field="person.id_number")
        values["birth_date"] = id_birth_date(values["id_number"])
        values["gender"] = id_gender(values["id_number"])
    if "phone" in person:
        values["phone"] = phone_clean(person.get("phone"), field="person.phone")
    if "relation" in person:
        values["relation"] = text_clean(person.get("relation"), 20, "person.relation")
    if "residence" in person:
        values["residence"] = choice_clean(
            person.get("residence"), Resident.Residence.values, "person.residence"
        )
    return values
