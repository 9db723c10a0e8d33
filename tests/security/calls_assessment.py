"""The authorization matrix's calls for the classified assessment (rows in
authorization_matrix_assessment.csv). Same shape as calls.CALLS.

The world gets a zone "矩阵分区" with 西安街道 and one indicator, last year's assessment
published (西安 scored, its community 文汇 graded, the street's squad assessed; made
directly, as the world makes its objects) and this year's computed as a draft."""

from decimal import Decimal

from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.assessment.models import AreaResult, Assessment, DepartmentResult, Indicator, Zone
from gridgov.assessment.services import indicator_save, zone_save
from tests.conftest import WENHUI
from tests.security.calls import Builder, Call
from tests.security.world import DISTRICT, STREET, World

API = "/api/v1/assessment"
ZONE = "矩阵分区"


def _zone(world: World) -> Zone:
    zone = Zone.objects.filter(root__code=DISTRICT, name=ZONE).first()
    if zone is None:
        admin = world.users["superuser"]
        zone = zone_save(user=admin, root_code=DISTRICT, name=ZONE, street_codes=[STREET])
        indicator_save(user=admin, zone_id=zone.pk, key="closure_rate", weight=10)
    return zone


def _line() -> list[dict]:
    return [
        {
            "key": "closure_rate",
            "label": "closure",
            "unit": "%",
            "weight": "10.00",
            "target": 95.0,
            "baseline": 70.0,
            "value": 90.0,
            "score": 80.0,
            "lost": 20.0,
        }
    ]


def _published(world: World) -> Assessment:
    _zone(world)
    year = timezone.localdate().year - 1
    run = Assessment.objects.filter(root__code=DISTRICT, year=year, status="published").first()
    if run is not None:
        return run
    now = timezone.now()
    run = Assessment.objects.create(
        root=Area.objects.get(code=DISTRICT),
        year=year,
        version=1,
        status="published",
        since=now.replace(year=year, month=1, day=1),
        until=now.replace(year=year, month=12, day=31),
        rules={
            "zones": [{"name": ZONE, "focus": "", "streets": [], "indicators": []}],
            "street_grades": [["A", 90], ["B", 0]],
            "community_grades": [["A", 85], ["C", 0]],
            "department_weights": {"check_in": 0.3, "report_back": 0.3, "rating": 0.4},
        },
        computed_at=now,
        published_at=now,
    )
    for code, kind in ((STREET, "street"), (WENHUI, "community")):
        AreaResult.objects.create(
            assessment=run,
            area=Area.objects.get(code=code),
            kind=kind,
            zone_name=ZONE,
            score=Decimal("80.0"),
            grade="B",
            rank=1,
            lines=_line(),
            pulling_down=["closure_rate"],
        )
    DepartmentResult.objects.create(
        assessment=run,
        department=world.users["squad_handler"].department,
        summonses=3,
        figures={"check_in": 100.0, "report_back": 50.0, "rating": 60.0, "marker": "矩阵中队"},
        score=Decimal("70.0"),
        grade="C",
        rank=1,
    )
    return run


def _draft(world: World) -> Assessment:
    _published(world)
    year = timezone.localdate().year
    run = Assessment.objects.filter(root__code=DISTRICT, year=year).first()
    if run is None:
        now = timezone.now()
        run = Assessment.objects.create(
            root=Area.objects.get(code=DISTRICT),
            year=year,
            version=1,
            since=now.replace(month=1, day=1),
            until=now,
            rules={
                "zones": [],
                "street_grades": [["A", 0]],
                "community_grades": [["A", 0]],
                "department_weights": {},
            },
            computed_at=now,
        )
    return run


def _has(predicate):
    return lambda answer: bool(answer) and predicate(answer)


def _area_in(code: str):
    return _has(lambda a: any(r["code"] == code for r in a.get("areas", [])))


def _run_listed(make):
    def build(world: World) -> Call:
        run = make(world)
        return Call(
            "GET",
            f"{API}/assessments?root={DISTRICT}",
            marker=_has(lambda a: any(r["id"] == run.pk for r in a["assessments"])),
        )

    return build


def _detail(marker_of, make=_published):
    def build(world: World) -> Call:
        run = make(world)
        return Call("GET", f"{API}/assessments/{run.pk}", marker=marker_of(world))

    return build


def _zone_ids(world: World) -> dict:
    zone = _zone(world)
    return {"zone": zone.pk, "indicator": Indicator.objects.filter(zone=zone).first().pk}


def _write(method: str, url: str, body: dict | None = None) -> Builder:
    def build(world: World) -> Call:
        ids = _zone_ids(world) | {"draft": _draft(world).pk}
        data = {k: (v.format(**ids) if isinstance(v, str) else v) for k, v in (body or {}).items()}
        return Call(method, url.format(**ids), body=data, write=True)

    return build


def _page(url: str, marker: str, make=_published) -> Builder:
    def build(world: World) -> Call:
        run = make(world)
        return Call("GET", url.format(run=run.pk, street=STREET), marker=marker)

    return build


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    # -- API ---------------------------------------------------------------------------------
    ("GET", f"{API}/indicators", ""): lambda w: Call(
        "GET", f"{API}/indicators", marker="closure_rate"
    ),
    ("GET", f"{API}/zones", ""): lambda w: (
        _zone(w),
        Call("GET", f"{API}/zones?root={DISTRICT}", marker=ZONE),
    )[1],
    ("POST", f"{API}/zones", ""): lambda w: Call(
        "POST", f"{API}/zones", {"root": DISTRICT, "name": "矩阵新分区", "streets": []}, write=True
    ),
    ("PATCH", f"{API}/zones/{{zone_id}}", ""): _write(
        "PATCH", API + "/zones/{zone}", {"focus": "矩阵改重点"}
    ),
    ("DELETE", f"{API}/zones/{{zone_id}}", ""): _write("DELETE", API + "/zones/{zone}"),
    ("POST", f"{API}/zones/{{zone_id}}/indicators", ""): _write(
        "POST", API + "/zones/{zone}/indicators", {"key": "rework_rate", "weight": 5}
    ),
    ("PATCH", f"{API}/indicators/{{indicator_id}}", ""): _write(
        "PATCH", API + "/indicators/{indicator}", {"weight": 7}
    ),
    ("DELETE", f"{API}/indicators/{{indicator_id}}", ""): _write(
        "DELETE", API + "/indicators/{indicator}"
    ),
    ("PATCH", f"{API}/scheme", ""): _write(
        "PATCH",
        API + "/scheme",
        {"root": DISTRICT, "community_grades": [["A", 80], ["B", 50], ["C", 0]]},
    ),
    ("GET", f"{API}/assessments", ""): _run_listed(_published),
    ("GET", f"{API}/assessments", "draft"): _run_listed(_draft),
    ("POST", f"{API}/assessments", ""): lambda w: (
        _draft(w),
        Call(
            "POST",
            f"{API}/assessments",
            {"root": DISTRICT, "year": timezone.localdate().year},
            write=True,
        ),
    )[1],
    ("GET", f"{API}/assessments/{{assessment_id}}", ""): _detail(lambda w: _area_in(STREET)),
    ("GET", f"{API}/assessments/{{assessment_id}}", "community"): _detail(
        lambda w: _area_in(WENHUI)
    ),
    ("GET", f"{API}/assessments/{{assessment_id}}", "department"): _detail(
        lambda w: _has(
            lambda a: any(d["figures"].get("marker") == "矩阵中队" for d in a["departments"])
        )
    ),
    ("GET", f"{API}/assessments/{{assessment_id}}", "draft"): _detail(
        lambda w: _has(lambda a: a.get("status") == "draft"), make=_draft
    ),
    ("POST", f"{API}/assessments/{{assessment_id}}/publish", ""): _write(
        "POST", API + "/assessments/{draft}/publish"
    ),
    # -- pages -------------------------------------------------------------------------------
    ("GET", "/assessment/", ""): _page("/assessment/", 'id="assessment-overview"'),
    ("GET", "/assessment/", "draft"): _page(
        f"/assessment/?year={timezone.localdate().year}", 'data-status="draft"', make=_draft
    ),
    ("GET", "/assessment/setup/", ""): lambda w: (
        _zone(w),
        Call("GET", "/assessment/setup/", marker=ZONE),
    )[1],
    ("POST", "/assessment/setup/change/", ""): _write(
        "POST",
        "/assessment/setup/change/",
        {"action": "zone_update", "zone": "{zone}", "name": "矩阵改名"},
    ),
    ("POST", "/assessment/setup/change/", "scheme"): _write(
        "POST",
        "/assessment/setup/change/",
        {"action": "scheme", "root": DISTRICT, "street_grades": "A 95, B 70, C 0"},
    ),
    ("POST", "/assessment/compute/", ""): lambda w: (
        _draft(w),
        Call(
            "POST",
            "/assessment/compute/",
            {"root": DISTRICT, "year": str(timezone.localdate().year)},
            write=True,
        ),
    )[1],
    ("POST", "/assessment/<assessment_id>/publish/", ""): _write(
        "POST", "/assessment/{draft}/publish/"
    ),
    ("GET", "/assessment/<assessment_id>/areas/<code>/", ""): _page(
        "/assessment/{run}/areas/{street}/", 'id="assessment-area"'
    ),
}
