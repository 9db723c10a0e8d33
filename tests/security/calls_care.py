"""The authorization matrix's calls for one part of issue 12 (rows in
authorization_matrix_care.csv): special groups, visits, who needs a visit, a care need as an
event, and the care pages. Same shape as calls.CALLS.

The world's resident 木强 lives alone (独居老人); 矩阵矫正 in another household of the same
grid is under community correction (sensitive): only roles with CARE_SENSITIVE_VIEW may
learn it. Objects are made by the builders, inside each row's savepoint."""

import datetime as dt
import uuid

from django.utils import timezone

from gridgov.care.models import CareTag, ResidentTag, Visit
from gridgov.registry.models import Household, Resident
from tests.conftest import WENHUI_GRID
from tests.registry.factories import id_number
from tests.security.calls import Builder, Call
from tests.security.world import World

API = "/api/v1/care"
SENSITIVE_NAME = "矩阵矫正"
SENT = uuid.UUID("00000000-0000-4000-8000-00000000c0a1")


def _member(world: World, resident: Resident, key: str, details: dict) -> ResidentTag:
    today = timezone.localdate()
    membership, _created = ResidentTag.objects.get_or_create(
        resident=resident,
        tag=CareTag.objects.get(key=key),
        ended_on=None,
        defaults={
            "area": resident.area,
            "details": details,
            "since": today,
            "review_due": today + dt.timedelta(days=90),
            "visit_due": today - dt.timedelta(days=1),
        },
    )
    return membership


def _alone(world: World) -> ResidentTag:
    return _member(world, world["resident"], "elderly_alone", {"health": "一般"})


def _sensitive(world: World) -> ResidentTag:
    point = world["point"]
    household, _created = Household.objects.get_or_create(
        number="MX-CARE", defaults={"area": world["grid"], "lon": point[0], "lat": point[1]}
    )
    person = Resident.objects.filter(name=SENSITIVE_NAME).first() or Resident.objects.create(
        area=world["grid"],
        lon=point[0],
        lat=point[1],
        household=household,
        name=SENSITIVE_NAME,
        id_number=id_number(),
        phone="13908885678",
        birth_date=dt.date(1980, 1, 1),
        gender="M",
        residence="registered",
    )
    return _member(world, person, "community_correction", {"term_ends": "2027-06-30"})


def _visit(world: World) -> Visit:
    """A visit of the grid worker's that found a need."""
    membership = _alone(world)
    visit, _created = Visit.objects.get_or_create(
        client_uuid=SENT,
        defaults={
            "resident": world["resident"],
            "resident_tag": membership,
            "area": world["grid"],
            "worker": world.users["grid_worker"],
            "visited_at": timezone.now() - dt.timedelta(hours=1),
            "outcome": Visit.Outcome.NEEDS_HELP,
            "note": "矩阵走访: 需要帮扶",
        },
    )
    return visit


def _read(url: str, marker, *objects) -> Builder:
    def build(world: World) -> Call:
        for make in objects:
            make(world)
        return Call("GET", url.format(**_ids(world)), marker=marker)

    return build


def _ids(world: World) -> dict:
    return {
        "resident": world["resident"].pk,
        "sensitive": _sensitive(world).resident_id,
        "membership": _alone(world).pk,
        "visit": _visit(world).pk,
    }


def _write(method: str, url: str, body: dict | None = None) -> Builder:
    def build(world: World) -> Call:
        ids = _ids(world)
        data = {k: (v.format(**ids) if isinstance(v, str) else v) for k, v in (body or {}).items()}
        return Call(method, url.format(**ids), body=data, write=True)

    return build


def _names(*names: str):
    return lambda answer: bool(answer) and all(n in str(answer) for n in names)


def _group_has_members(key: str):
    return lambda answer: any(g["key"] == key and g["members"] > 0 for g in answer or [])


def _visit_new(world: World) -> Call:
    _alone(world)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "resident_id": world["resident"].pk,
        "outcome": "well",
        "note": "矩阵: 一切都好",
    }
    return Call("POST", f"{API}/visits", body=body, write=True)


def _visit_resent(world: World) -> Call:
    visit = _visit(world)
    body = {"client_uuid": str(SENT), "resident_id": visit.resident_id, "outcome": "needs_help"}
    return Call("POST", f"{API}/visits", body=body, write=True)


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    # -- API ---------------------------------------------------------------------------------
    ("POST", f"{API}/visits", ""): _visit_new,
    ("POST", f"{API}/visits", "resent"): _visit_resent,
    ("GET", f"{API}/due", ""): _read(f"{API}/due?grid={WENHUI_GRID}", _names("木强"), _alone),
    ("GET", f"{API}/due", "sensitive"): _read(f"{API}/due", _names(SENSITIVE_NAME), _sensitive),
    ("POST", f"{API}/visits/{{visit_id}}/event", ""): _write(
        "POST", API + "/visits/{visit}/event", {}
    ),
    ("GET", f"{API}/tags", ""): _read(f"{API}/tags", "elderly_alone"),
    ("GET", f"{API}/tags", "sensitive"): _read(f"{API}/tags", "community_correction"),
    ("GET", f"{API}/overview", ""): _read(
        f"{API}/overview", _group_has_members("elderly_alone"), _alone
    ),
    ("GET", f"{API}/overview", "sensitive"): _read(
        f"{API}/overview", _group_has_members("community_correction"), _sensitive
    ),
    ("GET", f"{API}/groups/{{key}}/members", ""): _read(
        f"{API}/groups/elderly_alone/members", _names("木强"), _alone
    ),
    ("GET", f"{API}/groups/{{key}}/members", "sensitive"): _read(
        f"{API}/groups/community_correction/members", _names(SENSITIVE_NAME), _sensitive
    ),
    ("GET", f"{API}/residents/{{resident_id}}/tags", ""): _read(
        API + "/residents/{resident}/tags", "elderly_alone", _alone
    ),
    ("GET", f"{API}/residents/{{resident_id}}/tags", "sensitive"): _read(
        API + "/residents/{sensitive}/tags", "community_correction", _sensitive
    ),
    ("POST", f"{API}/residents/{{resident_id}}/tags", ""): _write(
        "POST", API + "/residents/{resident}/tags", {"tag": "veteran", "details": {}}
    ),
    ("PATCH", f"{API}/memberships/{{membership_id}}", ""): _write(
        "PATCH", API + "/memberships/{membership}", {"details": {"health": "较差"}}
    ),
    ("POST", f"{API}/memberships/{{membership_id}}/review", ""): _write(
        "POST", API + "/memberships/{membership}/review"
    ),
    ("POST", f"{API}/memberships/{{membership_id}}/end", ""): _write(
        "POST", API + "/memberships/{membership}/end", {"reason": "矩阵: 搬走"}
    ),
    # -- pages -------------------------------------------------------------------------------
    ("GET", "/care/", ""): _read("/care/", "木强", _alone),
    ("GET", "/care/", "sensitive"): _read("/care/", SENSITIVE_NAME, _sensitive),
    ("GET", "/care/groups/<key>/", ""): _read("/care/groups/elderly_alone/", "木强", _alone),
    ("GET", "/care/groups/<key>/", "sensitive"): _read(
        "/care/groups/community_correction/", SENSITIVE_NAME, _sensitive
    ),
    ("POST", "/care/people/<resident_id>/tags/", ""): _write(
        "POST", "/care/people/{resident}/tags/", {"tag": "veteran"}
    ),
    ("POST", "/care/people/<resident_id>/visits/", ""): _write(
        "POST", "/care/people/{resident}/visits/", {"outcome": "well", "note": "矩阵"}
    ),
    ("POST", "/care/memberships/<membership_id>/end/", ""): _write(
        "POST", "/care/memberships/{membership}/end/", {"reason": "矩阵: 搬走"}
    ),
    ("POST", "/care/memberships/<membership_id>/review/", ""): _write(
        "POST", "/care/memberships/{membership}/review/"
    ),
    ("POST", "/care/visits/<visit_id>/event/", ""): _write("POST", "/care/visits/{visit}/event/"),
}
