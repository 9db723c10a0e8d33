"""The registry on the worker's phone: the grid's bundle for offline use and the key it is encrypted with — issue 12."""

from django.http import HttpResponse
from ninja import Router

from gridgov.care import bundle
from gridgov.common.client import client_address
from gridgov.common.schemas import Out, errors

router = Router(tags=["worker"])


class WorkerRegistryKeyOut(Out):
    id: str
    key: str  # 32 random bytes, base64: an AES-256-GCM key for the phone's copy


class WorkerRegistryGridOut(Out):
    code: str
    name: str


class WorkerRegistryTagOut(Out):
    key: str
    name: str
    sensitive: bool
    visit_every_days: int | None


class WorkerRegistryMembershipOut(Out):
    key: str
    name: str
    sensitive: bool
    visit_due: str | None
    overdue: bool
    last_visit_at: str | None


class WorkerRegistryHouseholdOut(Out):
    id: int
    title: str
    address: str
    grid: str
    grid_name: str
    occupancy: str
    occupancy_name: str
    head_id: int | None
    plate: str | None


class WorkerRegistryPersonOut(Out):
    id: int
    household_id: int
    name: str
    gender: str
    age: int
    relation: str
    residence: str
    phone: str
    id_number: str
    tags: list[WorkerRegistryMembershipOut]


class WorkerRegistryDueOut(Out):
    resident_id: int
    name: str
    household_id: int
    household_title: str
    tags: list[WorkerRegistryMembershipOut]


class WorkerRegistryBundleOut(Out):
    generated_at: str
    today: str
    grids: list[WorkerRegistryGridOut]
    tags: list[WorkerRegistryTagOut]
    households: list[WorkerRegistryHouseholdOut]
    people: list[WorkerRegistryPersonOut]
    due: list[WorkerRegistryDueOut]


@router.get(
    "/key",
    response={200: WorkerRegistryKeyOut, **errors(403)},
    summary="The key the phone encrypts its copy of the registry with (one per session)",
)
def registry_key(request, response: HttpResponse):
    response["Cache-Control"] = "no-store"  # never in a cache beside the data it opens
    return bundle.registry_key(user=request.user, session=request.session)


@router.get(
    "/bundle",
    response={200: WorkerRegistryBundleOut, **errors(403)},
    summary="My grid's households, people, special groups and who needs a visit, for offline use",
)
def registry_bundle(request, response: HttpResponse):
    response["Cache-Control"] = "no-store"
    return bundle.registry_bundle(user=request.user, ip=client_address(request))
