"""Reads for the registry's pages and their JSON twin (/registry/…, /api/v1/homes/…): a
compound with its buildings, a building with its households, a household with its people
and its neighbours, a person — each scoped to the acting user's area and masked per role.

What is masked (decision 0004, 0031): ID numbers and phones always, unless a role with
PII_VIEW asks for one person's (`resident_as_dict(reveal=True)`, audited); addresses (a
household's, a person's) for roles without PII_VIEW — a role with it reads the address in
the household's title, and that read is recorded (channel "page" or "api"). The birth date
is part of the ID number: a role that reads IDs masked gets no age either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import get_in_scope, require_capability
from gridgov.accounts.services import pii_access_record
from gridgov.common.errors import NotFound, PermissionDenied
from gridgov.registry.models import Building, Compound, Household, Resident
from gridgov.registry.naming import household_address, household_title
from gridgov.registry.pii import mask_id_number, mask_phone, mask_text

# Coordinates beside a masked address are rounded to about 100 m (as records_as_dicts).
MASKED_DECIMALS = 3
# The neighbours drawn around a household: its building, or the nearest around it.
NEIGHBOURS = 40
HOUSEHOLDS_PER_BUILDING = 300


def reads_pii(user: User) -> bool:
    return user.has_capability(Capability.PII_VIEW)


def _scoped(user: User, queryset: QuerySet) -> QuerySet:
    require_capability(user, Capability.REGISTRY_VIEW)  # a 403 rather than "not found"
    return get_in_scope(user, queryset, Capability.REGISTRY_VIEW)


def _one(user: User, queryset: QuerySet, pk: int, missing: str):
    """The record `pk` of `queryset` if the user may read it; NotFound (`missing`) otherwise."""
    found = _scoped(user, queryset).filter(pk=pk).first()
    if found is None:
        raise NotFound(missing)
    return found


def _audit_addresses(user: User, model: str, ids: list[int], channel: str, ip: str | None):
    if reads_pii(user) and ids:
        pii_access_record(
            user=user, model=model, object_ids=ids, fields=["address"], channel=channel, ip=ip
        )


def _point(lon: float, lat: float, masked: bool) -> tuple[float, float]:
    if masked:
        return round(lon, MASKED_DECIMALS), round(lat, MASKED_DECIMALS)
    return lon, lat


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# Compounds and buildings -----------------------------------------------------------------
def compound_get(*, user: User, compound_id: int) -> Compound:
    queryset = Compound.objects.select_related("area")
    return _one(user, queryset, compound_id, _("No such compound in your area."))


def compound_as_dict(*, user: User, compound: Compound) -> dict[str, Any]:
    buildings = (
        Building.objects.filter(compound=compound)
        .annotate(
            households_count=Count("households", distinct=True),
            people_count=Count(
                "households__residents",
                filter=Q(households__residents__status=Resident.Status.LIVING),
                distinct=True,
            ),
        )
        .order_by("name", "pk")
    )
    return {
        "id": compound.pk,
        "name": compound.name,
        "address": compound.address,
        "grid_code": compound.area.code,
        "grid_name": compound.area.name,
        "property_status": compound.get_property_status_display(),
        "property_company": compound.property_company,
        "lon": compound.lon,
        "lat": compound.lat,
        "buildings": [
            {
                "id": b.pk,
                "name": b.name,
                "floors": b.floors,
                "households": b.households_count,
                "people": b.people_count,
                "lon": b.lon,
                "lat": b.lat,
            }
            for b in buildings
        ],
    }


def building_get(*, user: User, building_id: int) -> Building:
    queryset = Building.objects.select_related("area", "compound")
    return _one(user, queryset, building_id, _("No such building in your area."))


def _household_rows(
    user: User, households: QuerySet, *, channel: str, ip: str | None
) -> list[dict[str, Any]]:
    masked = not reads_pii(user)
    rows = list(
        households.select_related("head").annotate(
            people_count=Count("residents", filter=Q(residents__status=Resident.Status.LIVING))
        )
    )
    _audit_addresses(user, "households", [h.pk for h in rows], channel, ip)
    result = []
    for household in rows:
        lon, lat = _point(household.lon, household.lat, masked)
        result.append(
            {
                "id": household.pk,
                "title": household_title(household, masked=masked),
                "room": mask_text(household.room) if masked else household.room,
                "occupancy": household.occupancy,
                "occupancy_label": household.get_occupancy_display(),
                "people": household.people_count,
                "lon": lon,
                "lat": lat,
            }
        )
    return result


def building_as_dict(
    *, user: User, building: Building, channel: str = "page", ip: str | None = None
) -> dict[str, Any]:
    households = Household.objects.filter(building=building).order_by("room", "pk")
    households = households[:HOUSEHOLDS_PER_BUILDING]
    compound = building.compound
    return {
        "id": building.pk,
        "name": building.name,
        "address": building.address,
        "floors": building.floors,
        "grid_code": building.area.code,
        "grid_name": building.area.name,
        "compound_id": compound.pk if compound else None,
        "compound_name": compound.name if compound else "",
        "lon": building.lon,
        "lat": building.lat,
        "households": _household_rows(user, households, channel=channel, ip=ip),
    }


# Households -----------------------------------------------------------------------------
def household_get(*, user: User, household_id: int) -> Household:
    queryset = Household.objects.select_related("area", "head", "building__compound")
    return _one(user, queryset, household_id, _("No such household in your area."))


def _member(resident: Resident, head_id: int | None, user: User, today: dt.date) -> dict:
    pii = reads_pii(user)
    return {
        "id": resident.pk,
        "name": resident.name,
        "relation": resident.relation,
        "is_head": resident.pk == head_id,
        "gender": resident.get_gender_display(),
        "age": age_on(resident.birth_date, today) if pii else None,
        "status": resident.status,
        "status_label": resident.get_status_display(),
        "residence_label": resident.get_residence_display(),
        "phone": mask_phone(resident.phone) if resident.phone else "",
    }


def household_neighbours(
    *, user: User, household: Household, channel: str = "page", ip: str | None = None
) -> list[dict[str, Any]]:
    """What is around a household on its map: the other households of its building, or of
    its compound's buildings, or (a house in a village) the nearest ones of its grid."""
    others = _scoped(user, Household.objects.exclude(pk=household.pk))
    building = household.building
    if building is not None:
        if building.compound_id:
            others = others.filter(building__compound_id=building.compound_id)
        else:
            others = others.filter(building=building)
        others = others.order_by("building__name", "room", "pk")
    else:
        # ~1 km box around it in its grid, nearest first by a cheap square distance.
        box = 0.01
        others = others.filter(
            area_id=household.area_id,
            lon__range=(household.lon - box, household.lon + box),
            lat__range=(household.lat - box, household.lat + box),
        ).order_by("pk")
    return _household_rows(user, others[:NEIGHBOURS], channel=channel, ip=ip)


def household_as_dict(
    *, user: User, household: Household, channel: str = "page", ip: str | None = None
) -> dict[str, Any]:
    masked = not reads_pii(user)
    today = timezone.localdate()
    residents = list(
        Resident.objects.filter(household=household).order_by(
            # The living first, the head first among them.
            "status",
            "pk",
        )
    )
    members = [_member(r, household.head_id, user, today) for r in residents]
    members.sort(key=lambda m: (m["status"] != Resident.Status.LIVING, not m["is_head"]))
    _audit_addresses(user, "households", [household.pk], channel, ip)
    building = household.building
    compound = building.compound if building else None
    lon, lat = _point(household.lon, household.lat, masked)
    return {
        "id": household.pk,
        "title": household_title(household, masked=masked),
        "address": household_address(household, masked=masked),
        "address_masked": masked,
        "occupancy": household.occupancy,
        "occupancy_label": household.get_occupancy_display(),
        "grid_code": household.area.code,
        "grid_name": household.area.name,
        "building_id": building.pk if building else None,
        "building_name": building.name if building else "",
        "compound_id": compound.pk if compound else None,
        "compound_name": compound.name if compound else "",
        "head_id": household.head_id,
        "lon": lon,
        "lat": lat,
        "members": members,
        "living": sum(1 for m in members if m["status"] == Resident.Status.LIVING),
    }


# People ---------------------------------------------------------------------------------
def resident_get(*, user: User, resident_id: int) -> Resident:
    queryset = Resident.objects.select_related("area", "household__head")
    return _one(user, queryset, resident_id, _("No such person in your area."))


def resident_as_dict(
    *,
    user: User,
    resident: Resident,
    reveal: bool = False,
    channel: str = "page",
    ip: str | None = None,
) -> dict[str, Any]:
    """A person, masked; `reveal` (PII_VIEW only) shows the ID number, phone, address and
    birth date in full and records that read before anything is returned."""
    pii = reads_pii(user)
    if reveal and not pii:
        raise PermissionDenied(_("Your role may not see personal data unmasked."))
    if reveal:
        pii_access_record(
            user=user,
            model="residents",
            object_ids=[resident.pk],
            fields=["id_number", "phone", "address"],
            channel=channel,
            ip=ip,
        )
    household = resident.household
    today = timezone.localdate()
    lon, lat = _point(resident.lon, resident.lat, not reveal)
    return {
        "id": resident.pk,
        "name": resident.name,
        "revealed": reveal,
        "may_reveal": pii,
        "id_number": resident.id_number if reveal else mask_id_number(resident.id_number),
        "phone": resident.phone if reveal else mask_phone(resident.phone),
        "address": resident.address if reveal else mask_text(resident.address),
        "birth_date": resident.birth_date.isoformat() if reveal else None,
        "age": age_on(resident.birth_date, today) if pii else None,
        "gender": resident.get_gender_display(),
        "relation": resident.relation,
        "residence_label": resident.get_residence_display(),
        "status": resident.status,
        "status_label": resident.get_status_display(),
        "grid_code": resident.area.code,
        "grid_name": resident.area.name,
        "household_id": household.pk if household else None,
        # The title by a masked address unless revealed: the person page reads no address
        # in full without the reveal step.
        "household_title": household_title(household, masked=not reveal) if household else "",
        "is_head": bool(household and household.head_id == resident.pk),
        "lon": lon,
        "lat": lat,
    }
