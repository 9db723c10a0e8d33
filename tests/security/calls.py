"""How each row of the authorization matrix is called: the concrete request for a
(method, path, case), built from the world. A row of the CSV without a call here, or a call
without a row, fails the matrix test."""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook

from gridgov.registry.excel import column_header
from gridgov.registry.kinds import KINDS
from tests.conftest import WENHUI, WENHUI_GRID
from tests.events.factories import jpeg_bytes
from tests.security.world import World


@dataclass
class Call:
    method: str
    url: str
    body: dict[str, Any] | None = None  # JSON for the API, form fields for pages
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # A write is judged by its effect: allowed means something changed, denied nothing did.
    write: bool = False
    # For reads that answer 200 to everyone with what they may see: the text that shows the
    # world's object (or a test of the JSON answer). Allowed: it is in the answer; denied: it
    # is not (or a 401/403/404).
    marker: str | Callable[[Any], bool] | None = None


def _subclass_pk(code: str) -> int:
    from gridgov.events.models import Subclass

    return Subclass.objects.get(code=code).pk


def _markets_workbook(world: World) -> bytes:
    kind = KINDS["markets"]
    values = {
        "name": "矩阵导入市场",
        "stalls": 3,
        "lon": world["point"][0],
        "lat": world["point"][1],
        "address": "文汇路2号",
    }
    book = Workbook()
    book.active.append([column_header(kind, column) for column in kind.columns])
    book.active.append([values.get(column, "") for column in kind.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import_geojson(world: World) -> bytes:
    from tests.areas.factories import micro_square

    feature = {
        "type": "Feature",
        "properties": {"code": WENHUI_GRID + "008", "name": "矩阵导入微网格"},
        "geometry": micro_square(WENHUI_GRID),
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def _report(world: World) -> dict[str, Any]:
    return {
        "subclass": "0102",
        "description": "矩阵新报: 路灯不亮",
        "lon": world["point"][0],
        "lat": world["point"][1],
    }


def _unit_resident(world: World) -> dict[str, Any]:
    from tests.registry.factories import resident_data

    return resident_data(world["point"], name="矩阵新居民")


API = "/api/v1"
Builder = Callable[[World], Call]

CALLS: dict[tuple[str, str, str], Builder] = {
    # -- areas --------------------------------------------------------------------------
    ("GET", f"{API}/areas/", ""): lambda w: Call("GET", f"{API}/areas/?parent={WENHUI_GRID}"),
    ("POST", f"{API}/areas/", ""): lambda w: Call(
        "POST",
        f"{API}/areas/",
        {"code": WENHUI_GRID + "007", "name": "矩阵新微网格", "parent_code": WENHUI_GRID},
        write=True,
    ),
    ("GET", f"{API}/areas/tree", ""): lambda w: Call("GET", f"{API}/areas/tree?root={WENHUI_GRID}"),
    ("GET", f"{API}/areas/lookup", ""): lambda w: Call(
        "GET", f"{API}/areas/lookup?lon={w['point'][0]}&lat={w['point'][1]}"
    ),
    ("GET", f"{API}/areas/geojson", ""): lambda w: Call(
        "GET", f"{API}/areas/geojson?root={WENHUI_GRID}"
    ),
    ("POST", f"{API}/areas/import", ""): lambda w: Call(
        "POST",
        f"{API}/areas/import",
        files={"file": ("micro.geojson", _import_geojson(w))},
        write=True,
    ),
    ("GET", f"{API}/areas/{{code}}", ""): lambda w: Call("GET", f"{API}/areas/{WENHUI_GRID}"),
    ("PATCH", f"{API}/areas/{{code}}", ""): lambda w: Call(
        "PATCH", f"{API}/areas/{w['micro'].code}", {"name": "矩阵改名"}, write=True
    ),
    ("DELETE", f"{API}/areas/{{code}}", ""): lambda w: Call(
        "DELETE", f"{API}/areas/{w['micro'].code}", write=True
    ),
    ("GET", f"{API}/areas/{{code}}/validation", ""): lambda w: Call(
        "GET", f"{API}/areas/{WENHUI_GRID}/validation"
    ),
    # -- registry ---------------------------------------------------------------------------
    ("GET", f"{API}/registry/{{kind}}", ""): lambda w: Call(
        "GET",
        f"{API}/registry/residents?area={WENHUI_GRID}",
        marker=lambda body: any(item["id"] == w["resident"].pk for item in body["items"]),
    ),
    ("POST", f"{API}/registry/{{kind}}", ""): lambda w: Call(
        "POST", f"{API}/registry/residents", _unit_resident(w), write=True
    ),
    ("GET", f"{API}/registry/{{kind}}/template.xlsx", ""): lambda w: Call(
        "GET", f"{API}/registry/residents/template.xlsx"
    ),
    ("GET", f"{API}/registry/{{kind}}/export.xlsx", ""): lambda w: Call(
        "GET", f"{API}/registry/residents/export.xlsx?area={WENHUI_GRID}"
    ),
    ("POST", f"{API}/registry/{{kind}}/import", ""): lambda w: Call(
        "POST",
        f"{API}/registry/markets/import",
        files={"file": ("markets.xlsx", _markets_workbook(w))},
        write=True,
    ),
    ("PUT", f"{API}/registry/units/{{pk}}/linked-grids", ""): lambda w: Call(
        "PUT",
        f"{API}/registry/units/{w['unit'].pk}/linked-grids",
        {"grid_codes": [WENHUI_GRID]},
        write=True,
    ),
    ("GET", f"{API}/registry/{{kind}}/{{pk}}", ""): lambda w: Call(
        "GET", f"{API}/registry/residents/{w['resident'].pk}"
    ),
    ("PATCH", f"{API}/registry/{{kind}}/{{pk}}", ""): lambda w: Call(
        "PATCH", f"{API}/registry/residents/{w['resident'].pk}", {"name": "矩阵改名"}, write=True
    ),
    ("DELETE", f"{API}/registry/{{kind}}/{{pk}}", ""): lambda w: Call(
        "DELETE", f"{API}/registry/residents/{w['resident'].pk}", write=True
    ),
    # -- events ---------------------------------------------------------------------------
    ("POST", f"{API}/events/", ""): lambda w: Call(
        "POST", f"{API}/events/", _report(w), write=True
    ),
    ("GET", f"{API}/events/", "reported"): lambda w: Call(
        "GET", f"{API}/events/", marker=w["reported"].number
    ),
    ("GET", f"{API}/events/", "dispatched"): lambda w: Call(
        "GET", f"{API}/events/", marker=w["dispatched"].number
    ),
    ("POST", f"{API}/events/public", ""): lambda w: Call(
        "POST", f"{API}/events/public", _report(w), write=True
    ),
    ("POST", f"{API}/events/alerts/{{source}}", "unsigned"): lambda w: Call(
        "POST", f"{API}/events/alerts/matrix-camera", {"lon": 100.2, "lat": 26.8}, write=True
    ),
    ("GET", f"{API}/events/suggest", ""): lambda w: Call(
        "GET", f"{API}/events/suggest?text=垃圾没人清运"
    ),
    ("POST", f"{API}/events/photos", ""): lambda w: Call(
        "POST", f"{API}/events/photos", files={"file": ("p.jpg", jpeg_bytes())}, write=True
    ),
    ("POST", f"{API}/events/photos/public", ""): lambda w: Call(
        "POST", f"{API}/events/photos/public", files={"file": ("p.jpg", jpeg_bytes())}, write=True
    ),
    ("GET", f"{API}/events/rates", ""): lambda w: Call("GET", f"{API}/events/rates"),
    ("GET", f"{API}/events/screen", "events"): lambda w: Call(
        "GET", f"{API}/events/screen", marker=w["reported"].number
    ),
    ("GET", f"{API}/events/screen", "workers"): lambda w: Call(
        "GET", f"{API}/events/screen", marker=w.users["grid_worker"].first_name
    ),
    ("GET", f"{API}/events/{{event_id}}", "reported"): lambda w: Call(
        "GET", f"{API}/events/{w['reported'].pk}"
    ),
    ("GET", f"{API}/events/{{event_id}}", "dispatched"): lambda w: Call(
        "GET", f"{API}/events/{w['dispatched'].pk}"
    ),
    ("POST", f"{API}/events/{{event_id}}/actions/{{action}}", "accept reported"): lambda w: Call(
        "POST", f"{API}/events/{w['reported'].pk}/actions/accept", {"comment": "矩阵"}, write=True
    ),
    ("POST", f"{API}/events/{{event_id}}/triage", "reclassify reported"): lambda w: Call(
        "POST",
        f"{API}/events/{w['reported'].pk}/triage",
        {"subclass_id": _subclass_pk("0504"), "urgency": "urgent", "public_reply": "矩阵"},
        write=True,
    ),
    ("POST", f"{API}/events/{{event_id}}/actions/{{action}}", "take dispatched"): lambda w: Call(
        "POST", f"{API}/events/{w['dispatched'].pk}/actions/take", {"comment": "矩阵"}, write=True
    ),
    ("POST", f"{API}/events/{{event_id}}/actions/{{action}}", "feedback in progress"): (
        lambda w: Call(
            "POST",
            f"{API}/events/{w['in_progress'].pk}/actions/feedback",
            {"comment": "矩阵: 已处理"},
            write=True,
        )
    ),
    ("POST", f"{API}/events/{{event_id}}/actions/{{action}}", "evaluate closed"): lambda w: Call(
        "POST",
        f"{API}/events/{w['closed'].pk}/actions/evaluate",
        {"satisfaction": "satisfied"},
        write=True,
    ),
    ("POST", f"{API}/events/{{event_id}}/whistles", "community level"): lambda w: Call(
        "POST",
        f"{API}/events/{w['in_progress'].pk}/whistles",
        {"level": "community", "department_ids": [w["squad"].pk], "reason": "矩阵吹哨"},
        write=True,
    ),
    ("POST", f"{API}/events/summonses/{{summons_id}}/check-in", ""): lambda w: Call(
        "POST", f"{API}/events/summonses/{w['summons'].pk}/check-in", write=True
    ),
    ("POST", f"{API}/events/summonses/{{summons_id}}/report", ""): lambda w: Call(
        "POST",
        f"{API}/events/summonses/{w['summons_checked_in'].pk}/report",
        {"report": "矩阵: 已到场处理"},
        write=True,
    ),
    # -- whistles (decision 0025) -----------------------------------------------------------
    ("POST", f"{API}/whistles/summonses/{{summons_id}}/action", ""): lambda w: Call(
        "POST",
        f"{API}/whistles/summonses/{w['summons_checked_in'].pk}/action",
        {"note": "矩阵: 已到场"},
        write=True,
    ),
    ("POST", f"{API}/whistles/summonses/{{summons_id}}/rating", ""): lambda w: Call(
        "POST",
        f"{API}/whistles/summonses/{w['summons_reported'].pk}/rating",
        {"rating": "good", "note": "矩阵"},
        write=True,
    ),
    ("GET", f"{API}/whistles/ratings", ""): lambda w: Call(
        "GET",
        f"{API}/whistles/ratings",
        marker=lambda answer, pk=w["squad"].pk: (
            bool(answer) and any(d["department_id"] == pk for d in answer.get("departments", []))
        ),
    ),
    # -- dispatch ---------------------------------------------------------------------------
    ("POST", f"{API}/dispatch/positions", ""): lambda w: Call(
        "POST",
        f"{API}/dispatch/positions",
        {"lon": w["point"][0], "lat": w["point"][1]},
        write=True,
    ),
    ("GET", f"{API}/dispatch/nearest", ""): lambda w: Call(
        "GET",
        f"{API}/dispatch/nearest?lon={w['point'][0]}&lat={w['point'][1]}",
        marker=w.users["grid_worker"].first_name,
    ),
    ("GET", f"{API}/dispatch/events/{{event_id}}", ""): lambda w: Call(
        "GET", f"{API}/dispatch/events/{w['in_progress'].pk}"
    ),
    ("GET", f"{API}/dispatch/events/{{event_id}}/workers", ""): lambda w: Call(
        "GET",
        f"{API}/dispatch/events/{w['in_progress'].pk}/workers?q=矩阵grid",
        marker=w.users["grid_worker"].first_name,
    ),
    ("GET", f"{API}/dispatch/tasks", ""): lambda w: Call(
        "GET", f"{API}/dispatch/tasks", marker=w["in_progress"].number
    ),
    ("GET", f"{API}/dispatch/tracks/{{worker_id}}", ""): lambda w: Call(
        "GET", f"{API}/dispatch/tracks/{w.users['grid_worker'].pk}"
    ),
    # -- worker app -------------------------------------------------------------------------
    ("GET", f"{API}/worker/tasks", ""): lambda w: Call(
        "GET", f"{API}/worker/tasks", marker=w["in_progress"].number
    ),
    ("GET", f"{API}/worker/pulse", ""): lambda w: Call("GET", f"{API}/worker/pulse"),
    ("GET", f"{API}/worker/events/{{event_id}}", ""): lambda w: Call(
        "GET", f"{API}/worker/events/{w['in_progress'].pk}"
    ),
    ("POST", f"{API}/worker/events/{{event_id}}/actions/{{action}}", "feedback in progress"): (
        lambda w: Call(
            "POST",
            f"{API}/worker/events/{w['in_progress'].pk}/actions/feedback",
            {"client_uuid": "0b7a3c1e-1f7e-4c51-9d51-7d5b2a6f0c01", "comment": "矩阵"},
            write=True,
        )
    ),
    ("POST", f"{API}/worker/solve", ""): lambda w: Call(
        "POST",
        f"{API}/worker/solve",
        {
            "client_uuid": "0b7a3c1e-1f7e-4c51-9d51-7d5b2a6f0c02",
            "report": {
                "subclass": w["in_progress"].subclass.code,
                "description": "矩阵: 当场解决",
                "lon": w["point"][0],
                "lat": w["point"][1],
            },
        },
        write=True,
    ),
    # -- canvass ----------------------------------------------------------------------------
    ("GET", f"{API}/canvass/campaigns", ""): lambda w: Call(
        "GET", f"{API}/canvass/campaigns", marker=w["campaign"].name
    ),
    ("POST", f"{API}/canvass/campaigns", ""): lambda w: Call(
        "POST",
        f"{API}/canvass/campaigns",
        {
            "name": "矩阵新走访",
            "area": WENHUI,
            "due_date": w["due_date"],
            "fields": [{"key": "q", "label": "问题"}],
        },
        write=True,
    ),
    ("POST", f"{API}/canvass/campaigns/{{campaign_id}}/launch", ""): lambda w: Call(
        "POST", f"{API}/canvass/campaigns/{w['draft_campaign'].pk}/launch", write=True
    ),
    ("GET", f"{API}/canvass/campaigns/{{campaign_id}}/progress", ""): lambda w: Call(
        "GET", f"{API}/canvass/campaigns/{w['campaign'].pk}/progress"
    ),
    ("GET", f"{API}/canvass/tasks", ""): lambda w: Call(
        # Cards are titled by address and head (issue 12): the campaign's name marks the task.
        "GET",
        f"{API}/canvass/tasks",
        marker=w["campaign"].name,
    ),
    ("POST", f"{API}/canvass/tasks/{{task_id}}", ""): lambda w: Call(
        "POST", f"{API}/canvass/tasks/{w['task'].pk}", {"answers": {"note": "矩阵"}}, write=True
    ),
    # -- smart codes ----------------------------------------------------------------------
    ("GET", f"{API}/codes/resolve", ""): lambda w: Call(
        "GET", f"{API}/codes/resolve?token={w['code'].token}"
    ),
    ("POST", f"{API}/codes/checkins", ""): lambda w: Call(
        "POST",
        f"{API}/codes/checkins",
        {"token": w["code"].token, "lon": w["point"][0], "lat": w["point"][1]},
        write=True,
    ),
    ("GET", f"{API}/codes/coverage", ""): lambda w: Call("GET", f"{API}/codes/coverage"),
    ("POST", f"{API}/codes/plate-jobs", ""): lambda w: Call(
        "POST", f"{API}/codes/plate-jobs", {"root": WENHUI_GRID}, write=True
    ),
    ("GET", f"{API}/codes/plate-jobs/{{job_id}}", ""): lambda w: Call(
        "GET", f"{API}/codes/plate-jobs/{w['plate_job'].pk}"
    ),
    # -- pages ------------------------------------------------------------------------------
    ("GET", "/", ""): lambda w: Call("GET", "/"),
    ("GET", "/map/", ""): lambda w: Call("GET", "/map/"),
    ("GET", "/screen/", ""): lambda w: Call("GET", "/screen/"),
    ("GET", "/healthz", ""): lambda w: Call("GET", "/healthz"),
    ("GET", "/metrics", ""): lambda w: Call("GET", "/metrics"),
    ("GET", "/app/", ""): lambda w: Call("GET", "/app/"),
    ("GET", "/app/manifest.webmanifest", ""): lambda w: Call("GET", "/app/manifest.webmanifest"),
    ("GET", "/app/sw.js", ""): lambda w: Call("GET", "/app/sw.js"),
    ("GET", "/events/", ""): lambda w: Call("GET", "/events/", marker=w["reported"].number),
    ("GET", "/events/<event_id>/", "reported"): lambda w: Call(
        "GET", f"/events/{w['reported'].pk}/"
    ),
    ("GET", "/events/<event_id>/", "dispatch panel"): lambda w: Call(
        # The list of offers (who was sent, and their state) is part of the panel only.
        "GET",
        f"/events/{w['in_progress'].pk}/",
        marker='id="offers"',
    ),
    ("POST", "/events/<event_id>/", "accept reported"): lambda w: Call(
        "POST",
        f"/events/{w['reported'].pk}/",
        {"action": "accept", "comment": "矩阵", "version": str(w["reported"].version)},
        write=True,
    ),
    ("GET", "/report/", ""): lambda w: Call("GET", "/report/"),
    ("POST", "/report/", ""): lambda w: Call("POST", "/report/", _report(w), write=True),
    ("GET", "/inbox/", ""): lambda w: Call("GET", "/inbox/", marker=w["notification"].text),
    ("POST", "/inbox/", ""): lambda w: Call("POST", "/inbox/", {}, write=True),
    ("GET", "/party/", ""): lambda w: Call("GET", "/party/", marker=w["organization"].name),
    ("GET", "/party/org/<org_id>/", ""): lambda w: Call(
        "GET", f"/party/org/{w['organization'].pk}/"
    ),
    ("GET", "/party/org/<org_id>/", "year=abc"): lambda w: Call(
        "GET", f"/party/org/{w['organization'].pk}/?year=abc"
    ),
    ("GET", "/party/org/<org_id>/", "quarter=7"): lambda w: Call(
        "GET", f"/party/org/{w['organization'].pk}/?quarter=7"
    ),
    ("POST", "/party/org/<org_id>/", "publish"): lambda w: Call(
        "POST",
        f"/party/org/{w['organization'].pk}/?year={w['year']}&quarter=2",
        {"op": "publish"},
        write=True,
    ),
    ("GET", "/party/member/<member_id>/", ""): lambda w: Call(
        "GET", f"/party/member/{w['member'].pk}/"
    ),
    ("GET", "/party/publications/<pub_id>/", ""): lambda w: Call(
        "GET", f"/party/publications/{w['publication'].pk}/"
    ),
    ("GET", "/party/proposal/", ""): lambda w: Call("GET", f"/party/proposal/?root={WENHUI}"),
    ("GET", "/party/map/", ""): lambda w: Call("GET", "/party/map/"),
    ("GET", "/party/report-back/<unit_id>/", ""): lambda w: Call(
        "GET", f"/party/report-back/{w['unit'].pk}/"
    ),
    ("GET", "/party/map.json", ""): lambda w: Call(
        "GET", "/party/map.json", marker=w["organization"].name
    ),
    ("GET", "/c/<token>/", ""): lambda w: Call("GET", f"/c/{w['code'].token}/"),
    ("POST", "/c/<token>/", "check in"): lambda w: Call(
        "POST",
        f"/c/{w['code'].token}/",
        {"lon": str(w["point"][0]), "lat": str(w["point"][1])},
        write=True,
    ),
    ("GET", "/codes/plates/<job_id>.pdf", ""): lambda w: Call(
        "GET", f"/codes/plates/{w['plate_job'].pk}.pdf"
    ),
    ("GET", "/canvass/<campaign_id>/results.xlsx", ""): lambda w: Call(
        "GET", f"/canvass/{w['campaign'].pk}/results.xlsx"
    ),
    ("GET", "/media/photos/<key>.jpg", ""): lambda w: Call(
        "GET", f"/media/photos/{w['photo'].key}.jpg"
    ),
    ("GET", "/media/photos/<key>.jpg", "file missing"): lambda w: Call(
        "GET", f"/media/photos/{w['photo_missing'].key}.jpg"
    ),
    ("POST", "/i18n/setlang/", ""): lambda w: Call("POST", "/i18n/setlang/", {"language": "en"}),
    ("GET", "/accounts/login/", ""): lambda w: Call("GET", "/accounts/login/"),
    ("POST", "/accounts/logout/", ""): lambda w: Call("POST", "/accounts/logout/", {}),
    ("GET", "/accounts/2fa/", ""): lambda w: Call("GET", "/accounts/2fa/"),
    ("GET", "/api/openapi.json", ""): lambda w: Call("GET", "/api/openapi.json"),
    ("GET", "/api/docs", ""): lambda w: Call("GET", "/api/docs"),
    ("GET", "/api/", ""): lambda w: Call("GET", "/api/"),
    ("GET", "/open311/discovery.<fmt>", ""): lambda w: Call("GET", "/open311/discovery.json"),
    ("GET", "/open311/v2/services.<fmt>", ""): lambda w: Call("GET", "/open311/v2/services.json"),
    ("GET", "/open311/v2/services/<code>.<fmt>", ""): lambda w: Call(
        "GET", f"/open311/v2/services/{w['subclass'].code}.json"
    ),
    ("GET", "/open311/v2/requests.<fmt>", ""): lambda w: Call("GET", "/open311/v2/requests.json"),
    ("POST", "/open311/v2/requests.<fmt>", "without api_key"): lambda w: Call(
        "POST",
        "/open311/v2/requests.json",
        {"service_code": "0102", "lat": str(w["point"][1]), "long": str(w["point"][0])},
        write=True,
    ),
    ("GET", "/open311/v2/requests/<request_id>.<fmt>", ""): lambda w: Call(
        "GET", f"/open311/v2/requests/{w['reported'].number}.json"
    ),
    ("GET", "/open311/v2/tokens/<token_id>.<fmt>", "unknown token"): lambda w: Call(
        "GET", f"/open311/v2/tokens/{w['reported'].client_uuid}.json"
    ),
}

# The parts kept apart (issue 11), each with its own CSV of rows.
from tests.security import (  # noqa: E402 - they import Builder from here
    calls_actions,
    calls_assessment,
    calls_care,
    calls_command,
    calls_dashboard,
    calls_frontend,
    calls_homes,
    calls_hotspots,
    calls_kpis,
    calls_open311w,
    calls_public,
    calls_quality,
    calls_registrypages,
    calls_reports,
    calls_telling,
    calls_workerregistry,
)

for _part in (calls_open311w, calls_telling, calls_actions, calls_public, calls_frontend):
    CALLS.update(_part.CALLS_PART)
# Issue 12's parts.
for _part in (calls_homes, calls_care, calls_workerregistry, calls_quality, calls_registrypages):
    CALLS.update(_part.CALLS_PART)
# Issue 13's parts.
for _part in (calls_dashboard, calls_assessment, calls_kpis, calls_hotspots, calls_reports):
    CALLS.update(_part.CALLS_PART)
CALLS.update(calls_command.CALLS_PART)
