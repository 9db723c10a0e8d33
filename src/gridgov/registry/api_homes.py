"""Households and their people, read as the registry's pages read them (issue 12):
GET /households/{id}, /people/{id}, /compounds/{id}, /buildings/{id}, and
POST /people/{id}/reveal (PII_VIEW: the person in full, recorded before it is answered).
Searches and changes are in `api_changes`, on the same /api/v1/homes prefix."""

from ninja import Router

from gridgov.common.client import client_address
from gridgov.common.schemas import Id, Out, errors
from gridgov.registry import selectors_homes

router = Router(tags=["homes"])


class HomesBuildingRowOut(Out):
    id: int
    name: str
    floors: int | None
    households: int
    people: int
    lon: float
    lat: float


class HomesCompoundOut(Out):
    id: int
    name: str
    address: str
    grid_code: str
    grid_name: str
    property_status: str
    property_company: str
    lon: float
    lat: float
    buildings: list[HomesBuildingRowOut]


class HomesHouseholdRowOut(Out):
    id: int
    title: str
    room: str
    occupancy: str
    occupancy_label: str
    people: int
    lon: float
    lat: float


class HomesBuildingOut(Out):
    id: int
    name: str
    address: str
    floors: int | None
    grid_code: str
    grid_name: str
    compound_id: int | None
    compound_name: str
    lon: float
    lat: float
    households: list[HomesHouseholdRowOut]


class HomesMemberOut(Out):
    id: int
    name: str
    relation: str
    is_head: bool
    gender: str
    age: int | None
    status: str
    status_label: str
    residence_label: str
    phone: str


class HomesHouseholdOut(Out):
    id: int
    title: str
    address: str
    address_masked: bool
    occupancy: str
    occupancy_label: str
    grid_code: str
    grid_name: str
    building_id: int | None
    building_name: str
    compound_id: int | None
    compound_name: str
    head_id: int | None
    lon: float
    lat: float
    members: list[HomesMemberOut]
    living: int
    around: list[HomesHouseholdRowOut]


class HomesPersonOut(Out):
    id: int
    name: str
    revealed: bool
    may_reveal: bool
    id_number: str
    phone: str
    address: str
    birth_date: str | None
    age: int | None
    gender: str
    relation: str
    residence_label: str
    status: str
    status_label: str
    grid_code: str
    grid_name: str
    household_id: int | None
    household_title: str
    is_head: bool
    lon: float
    lat: float


@router.get(
    "/compounds/{compound_id}",
    response={200: HomesCompoundOut, **errors(403, 404)},
    summary="A residential compound and its buildings",
)
def compound_read(request, compound_id: Id):
    compound = selectors_homes.compound_get(user=request.user, compound_id=compound_id)
    return selectors_homes.compound_as_dict(user=request.user, compound=compound)


@router.get(
    "/buildings/{building_id}",
    response={200: HomesBuildingOut, **errors(403, 404)},
    summary="A building and its households (titled by address and head)",
)
def building_read(request, building_id: Id):
    building = selectors_homes.building_get(user=request.user, building_id=building_id)
    return selectors_homes.building_as_dict(
        user=request.user, building=building, channel="api", ip=client_address(request)
    )


@router.get(
    "/households/{household_id}",
    response={200: HomesHouseholdOut, **errors(403, 404)},
    summary="A household: its people, occupancy and the households around it",
)
def household_read(request, household_id: Id):
    household = selectors_homes.household_get(user=request.user, household_id=household_id)
    ip = client_address(request)
    data = selectors_homes.household_as_dict(
        user=request.user, household=household, channel="api", ip=ip
    )
    data["around"] = selectors_homes.household_neighbours(
        user=request.user, household=household, channel="api", ip=ip
    )
    return data


@router.get(
    "/people/{resident_id}",
    response={200: HomesPersonOut, **errors(403, 404)},
    summary="A person, with ID number, phone and address masked",
)
def person_read(request, resident_id: Id):
    resident = selectors_homes.resident_get(user=request.user, resident_id=resident_id)
    return selectors_homes.resident_as_dict(user=request.user, resident=resident, channel="api")


@router.post(
    "/people/{resident_id}/reveal",
    response={200: HomesPersonOut, **errors(403, 404)},
    summary="A person in full (roles reading personal data; the read is recorded)",
)
def person_reveal(request, resident_id: Id):
    resident = selectors_homes.resident_get(user=request.user, resident_id=resident_id)
    return selectors_homes.resident_as_dict(
        user=request.user,
        resident=resident,
        reveal=True,
        channel="api",
        ip=client_address(request),
    )
