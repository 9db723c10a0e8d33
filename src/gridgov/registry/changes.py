"""Changes to a household and its people (一标三实的变动): moves, births, deaths, occupancy,
a new head, corrections. Each is one call of `household_change_record`, which applies the
change and writes its `HouseholdChange` row in the same transaction (issue 12).

Phones send changes offline with a client_uuid: the same change sent twice is stored once
(the second answer is the first change, `created` False); a uuid already used for another
change (another user, household or kind) is a 409 that shows nothing of that change.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import require_capability, scope_queryset
from gridgov.common.errors import Conflict, DomainError, NotFound
from gridgov.common.idempotency import client_uuid_clean
from gridgov.registry.changes_input import (
    day_clean,
    id_clean,
    inputs_check,
    kind_clean,
    person_clean,
    text_clean,
)
from gridgov.registry.models import Household, HouseholdChange, Resident
from gridgov.registry.naming import household_address
from gridgov.registry.pii import id_birth_date, id_number_clean

Kind = HouseholdChange.Kind
Status = Resident.Status
OCCUPANCY = {
    Kind.RENTED: Household.Occupancy.RENTED,
    Kind.VACANT: Household.Occupancy.VACANT,
    Kind.OWNER: Household.Occupancy.OWNER,
}
CORRECTABLE = ("name", "phone", "relation", "residence")
CHILD = "子女"
HEAD_RELATIONS = ("户主", "本人")


@dataclass
class _Input:
    """What one change is about, cleaned: the household (locked), the dates and words."""

    user: User
    household: Household
    kind: str
    happened_on: dt.date | None
    note: str
    resident_id: int | None
    person: dict[str, Any] | None
    other_place: str
    other_household_id: int | None
    client_uuid: uuid.UUID | None


def household_change_record(
    *,
    user: User,
    household_id: int,
    kind: str,
    happened_on: dt.date | None = None,
    note: str = "",
    resident_id: int | None = None,
    person: dict | None = None,
    other_place: str = "",
    other_household_id: int | None = None,
    client_uuid=None,
) -> tuple[HouseholdChange, bool]:
    """Record one change of a household in the user's area and apply it to the household
    and its people. Needs REGISTRY_EDIT; the household (and any other household or
    resident named) in the user's scope. Returns (the change, created?)."""
    require_capability(user, Capability.REGISTRY_EDIT)
    kind = kind_clean(kind)
    household_id = id_clean(household_id, "household_id")
    client_uuid = client_uuid_clean(client_uuid)
    resent = _resent(user=user, household_id=household_id, kind=kind, client_uuid=client_uuid)
    if resent is not None:
        return resent, False
    note = text_clean(note, 300, "note")
    other_place = text_clean(other_place, 200, "other_place")
    resident_id = id_clean(resident_id, "resident_id")
    other_household_id = id_clean(other_household_id, "other_household_id")
    inputs_check(kind, resident_id, person, other_household_id)
    try:
        with transaction.atomic():
            household = _household_for_update(user, household_id)
            change = APPLY[kind](
                _Input(
                    user=user,
                    household=household,
                    kind=kind,
                    happened_on=day_clean(happened_on),
                    note=note,
                    resident_id=resident_id,
                    person=person,
                    other_place=other_place,
                    other_household_id=other_household_id,
                    client_uuid=client_uuid,
                )
            )
    except IntegrityError:
        # The same submission raced in through another request, or an ID number did.
        resent = _resent(user=user, household_id=household_id, kind=kind, client_uuid=client_uuid)
        if resent is not None:
            return resent, False
        raise Conflict(
            _("A resident with this ID number is already registered."),
            code="duplicate",
            field="person.id_number",
        ) from None
    return change, True


def _resent(
    *, user: User, household_id: int, kind: str, client_uuid: uuid.UUID | None
) -> HouseholdChange | None:
    if client_uuid is None:
        return None
    existing = HouseholdChange.objects.filter(client_uuid=client_uuid).first()
    if existing is None:
        return None
    if (existing.recorded_by_id, existing.household_id, existing.kind) != (
        user.pk,
        household_id,
        kind,
    ):
        raise Conflict(
            _("This submission id was already used for another change."),
            code="client_uuid_taken",
            field="client_uuid",
        )
    return existing


def _household_for_update(user: User, household_id: Any, field: str | None = None) -> Household:
    household = (
        scope_queryset(Household.objects.select_for_update(of=("self",)), user)
        .select_related("area", "building__compound")
        .filter(pk=household_id)
        .first()
    )
    if household is None:
        raise NotFound(_("No such household in your area."), field=field)
    return household


def _resident_for_update(user: User, resident_id: Any) -> Resident:
    resident = (
        scope_queryset(Resident.objects.select_for_update(of=("self",)), user)
        .filter(pk=resident_id)
        .first()
    )
    if resident is None:
        raise NotFound(_("No such resident in your area."), field="resident_id")
    return resident


def _member(data: _Input, *, living: bool = True) -> Resident:
    """The resident named, who must belong to this household (and live here if `living`)."""
    resident = _resident_for_update(data.user, data.resident_id)
    if resident.household_id != data.household.pk:
        raise DomainError(_("This person is not a member of this household."), field="resident_id")
    if living and resident.status != Status.LIVING:
        raise DomainError(
            _("This person is no longer living in this household."), field="resident_id"
        )
    return resident


# Writes ----------------------------------------------------------------------------------
def _change(data: _Input, *, resident: Resident | None = None, **fields) -> HouseholdChange:
    values = {
        "household": data.household,
        "area": data.household.area,
        "kind": data.kind,
        "happened_on": data.happened_on,
        "note": data.note,
        "resident": resident,
        "other_place": data.other_place,
        "recorded_by": data.user,
        "client_uuid": data.client_uuid,
    } | fields
    return HouseholdChange.objects.create(**values)


def _place_in(resident: Resident, household: Household) -> list[str]:
    """A person living in a household has its place: grid, point and address."""
    resident.household = household
    resident.area = household.area
    resident.lon, resident.lat = household.lon, household.lat
    resident.address = household_address(household)
    return ["household", "area", "lon", "lat", "address"]


def _head_clear_if(household: Household, resident: Resident) -> None:
    if household.head_id == resident.pk:
        household.head = None
        household.save(update_fields=["head", "updated_at"])


def _new_resident(data: _Input, *, residence: str, relation: str = "") -> Resident:
    values = person_clean(data.person or {}, partial=False)
    if Resident.objects.filter(id_number=values["id_number"]).exists():
        # Anywhere, not only in the user's area: the ID number is unique in the registry.
        raise Conflict(
            _("A resident with this ID number is already registered."),
            code="duplicate",
            field="person.id_number",
        )
    values.setdefault("residence", residence)
    values.setdefault("relation", relation)
    resident = Resident(status=Status.LIVING, **values)
    _place_in(resident, data.household)
    resident.save()
    if resident.relation in HEAD_RELATIONS and data.household.head_id is None:
        data.household.head = resident
        data.household.save(update_fields=["head", "updated_at"])
    return resident


def _registered(data: _Input) -> HouseholdChange:
    resident = _new_resident(data, residence=Resident.Residence.REGISTERED)
    return _change(data, resident=resident)


def _born(data: _Input) -> HouseholdChange:
    birth = id_birth_date(id_number_clean((data.person or {}).get("id_number"), "person.id_number"))
    if data.happened_on != timezone.localdate() and data.happened_on != birth:
        raise DomainError(
            _("The date of birth is not the one in the ID number."), field="happened_on"
        )
    data.happened_on = birth
    resident = _new_resident(data, residence=Resident.Residence.REGISTERED, relation=CHILD)
    return _change(data, resident=resident)


def _other_household(data: _Input) -> Household | None:
    if data.other_household_id is None:
        return None
    other = _household_for_update(data.user, data.other_household_id, field="other_household_id")
    if other.pk == data.household.pk:
        raise DomainError(_("The other household is this one."), field="other_household_id")
    return other


def _move(data: _Input, resident: Resident, source: Household | None, target: Household):
    """`resident` leaves `source` (if they lived there) for `target`: both households'
    histories say so, the heads are kept right. Returns (moved_out row, moved_in row)."""
    was_living = resident.status == Status.LIVING
    resident.status = Status.LIVING
    fields = _place_in(resident, target)
    resident.save(update_fields=[*fields, "status", "updated_at"])
    shared = {
        "happened_on": data.happened_on,
        "note": data.note,
        "resident": resident,
        "recorded_by": data.user,
    }
    moved_out = None
    if source is not None and was_living:
        _head_clear_if(source, resident)
        moved_out = HouseholdChange.objects.create(
            household=source,
            area=source.area,
            kind=Kind.MOVED_OUT,
            other_household=target,
            client_uuid=data.client_uuid if data.household.pk == source.pk else None,
            **shared,
        )
    moved_in = HouseholdChange.objects.create(
        household=target,
        area=target.area,
        kind=Kind.MOVED_IN,
        other_household=source if was_living else None,
        other_place=data.other_place if source is None or not was_living else "",
        client_uuid=data.client_uuid if data.household.pk == target.pk else None,
        **shared,
    )
    return moved_out, moved_in


def _moved_in(data: _Input) -> HouseholdChange:
    if data.person:
        resident = _new_resident(data, residence=Resident.Residence.FLOATING)
        return _change(data, resident=resident)
    resident = _resident_for_update(data.user, data.resident_id)
    if resident.status == Status.DECEASED:
        raise DomainError(_("This person has died."), field="resident_id")
    if resident.household_id == data.household.pk and resident.status == Status.LIVING:
        raise DomainError(_("This person already lives in this household."), field="resident_id")
    source = None
    if resident.household_id is not None:
        source = _household_for_update(data.user, resident.household_id, field="resident_id")
    if data.other_household_id is not None and data.other_household_id != resident.household_id:
        raise DomainError(
            _("This person is not a member of the other household."), field="other_household_id"
        )
    return _move(data, resident, source, data.household)[1]


def _moved_out(data: _Input) -> HouseholdChange:
    resident = _member(data)
    target = _other_household(data)
    if target is not None:
        return _move(data, resident, data.household, target)[0]
    resident.status = Status.MOVED_OUT
    resident.save(update_fields=["status", "updated_at"])
    _head_clear_if(data.household, resident)
    return _change(data, resident=resident)


def _died(data: _Input) -> HouseholdChange:
    resident = _member(data)
    resident.status = Status.DECEASED
    resident.save(update_fields=["status", "updated_at"])
    _head_clear_if(data.household, resident)
    return _change(data, resident=resident)


def _occupancy(data: _Input) -> HouseholdChange:
    occupancy = OCCUPANCY[data.kind]
    if data.household.occupancy == occupancy:
        raise DomainError(
            _("The household is already %(state)s.")
            % {"state": Household.Occupancy(occupancy).label},
            code="unchanged",
            field="kind",
        )
    data.household.occupancy = occupancy
    data.household.save(update_fields=["occupancy", "updated_at"])
    return _change(data)


def _head(data: _Input) -> HouseholdChange:
    resident = _member(data)
    if data.household.head_id == resident.pk:
        raise DomainError(
            _("This person is already the head of household."),
            code="unchanged",
            field="resident_id",
        )
    data.household.head = resident
    data.household.save(update_fields=["head", "updated_at"])
    return _change(data, resident=resident)


def _corrected(data: _Input) -> HouseholdChange:
    if "id_number" in (data.person or {}):
        raise DomainError(
            _("An ID number is not corrected here: register the person with the right one."),
            field="person.id_number",
        )
    resident = _member(data, living=False)
    values = person_clean(data.person or {}, partial=True)
    changed = [
        name for name in CORRECTABLE if name in values and values[name] != getattr(resident, name)
    ]
    if not changed:
        raise DomainError(
            _("Nothing differs from what is recorded."), code="unchanged", field="person"
        )
    for name in changed:
        setattr(resident, name, values[name])
    resident.save(update_fields=[*changed, "updated_at"])
    # Which fields, never their values: the history is read by roles that see masks.
    labels = ", ".join(str(Resident._meta.get_field(name).verbose_name) for name in changed)
    what = _("Corrected: %(fields)s") % {"fields": labels}
    data.note = f"{data.note} ({what})"[:300] if data.note else what
    return _change(data, resident=resident)


APPLY: dict[str, Callable[[_Input], HouseholdChange]] = {
    Kind.REGISTERED: _registered,
    Kind.MOVED_IN: _moved_in,
    Kind.MOVED_OUT: _moved_out,
    Kind.BORN: _born,
    Kind.DIED: _died,
    Kind.RENTED: _occupancy,
    Kind.VACANT: _occupancy,
    Kind.OWNER: _occupancy,
    Kind.HEAD: _head,
    Kind.CORRECTED: _corrected,
}
