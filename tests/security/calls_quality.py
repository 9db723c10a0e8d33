"""The authorization matrix's calls for one part of issue 12 (rows in
authorization_matrix_quality.csv). Same shape as calls.CALLS."""

import datetime as dt

from django.utils import timezone

from gridgov.care.models import CareTag, ResidentTag
from gridgov.registry.models import Household, Resident
from tests.conftest import WENHUI_GRID
from tests.registry.factories import id_number
from tests.security.calls import Builder, Call
from tests.security.world import World

API = "/api/v1/quality"
PAGE = "/registry/quality/"
SENSITIVE_NAME = "矩阵矫正对象"


def _empty_household(world: World, number: str = "MATRIXQ1") -> Household:
    """A household in the world's grid where nobody lives: on the grid's worklist."""
    household, _ = Household.objects.get_or_create(
        number=number,
        defaults={
            "area": world["grid"],
            "lon": world["point"][0],
            "lat": world["point"][1],
            "address": f"矩阵质量路{number}",
            "room": "101",
        },
    )
    return household


def _sensitive_overdue(world: World) -> str:
    """A person under community correction (sensitive) whose review is overdue."""
    if not Resident.objects.filter(name=SENSITIVE_NAME).exists():
        number = id_number()
        person = Resident.objects.create(
            area=world["grid"],
            household=_empty_household(world, "MATRIXQ2"),
            name=SENSITIVE_NAME,
            id_number=number,
            birth_date=dt.date(1980, 1, 1),
            gender="M",
            residence="registered",
            phone="13908885555",
            lon=world["point"][0],
            lat=world["point"][1],
        )
        ResidentTag.objects.create(
            resident=person,
            tag=CareTag.objects.get(key="community_correction"),
            area=world["grid"],
            since=timezone.localdate() - dt.timedelta(days=400),
            review_due=timezone.localdate() - dt.timedelta(days=30),
        )
    return SENSITIVE_NAME


def _household_link(world: World) -> str:
    return f"/registry/households/{_empty_household(world).pk}/"


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", PAGE, ""): lambda w: Call("GET", PAGE, marker='id="quality-figures"'),
    ("GET", PAGE, "the world's grid"): lambda w: Call(
        "GET", f"{PAGE}?area={WENHUI_GRID}", marker=_household_link(w)
    ),
    ("GET", PAGE, "sensitive overdue"): lambda w: Call(
        "GET", f"{PAGE}?area={WENHUI_GRID}", marker=_sensitive_overdue(w)
    ),
    ("GET", f"{API}/figures", ""): lambda w: Call(
        "GET", f"{API}/figures?area={WENHUI_GRID}", marker=lambda a: "households_empty" in str(a)
    ),
    ("GET", f"{API}/worklist", ""): lambda w: Call(
        "GET", f"{API}/worklist?area={WENHUI_GRID}", marker=_household_link(w)
    ),
    ("GET", f"{API}/worklist", "sensitive overdue"): lambda w: Call(
        "GET", f"{API}/worklist?area={WENHUI_GRID}", marker=_sensitive_overdue(w)
    ),
}
