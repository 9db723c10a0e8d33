import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import ensure_csrf_cookie

from gridgov.accounts.roles import Capability, Role
from gridgov.accounts.scope import can, lives_as_resident, scope_path
from gridgov.areas.selectors import area_scope_root, grid_level_under
from gridgov.web.health import health_report


def home(request: HttpRequest) -> HttpResponse:
    """Where sign-in lands (LOGIN_REDIRECT_URL): each role where it works (issue 11, item 6).
    Residents their own front end, field staff the worker app, leaders their dashboard (the
    big screen one click away on it), department handlers and staff who read events the
    queue, the rest the map or the back office as before."""
    user = request.user
    if not user.is_authenticated:
        return redirect("admin:index")
    if user.role == Role.RESIDENT:
        return redirect("residents:landing")
    if user.role in (Role.GRID_WORKER, Role.GRID_HEAD):
        return redirect("worker_app")
    if user.role == Role.LEADER and can(user, Capability.ANALYTICS_VIEW):
        return redirect("analytics:dashboard")
    if user.department_id or can(user, Capability.EVENTS_VIEW):
        return redirect("event_queue")
    if can(user, Capability.AREAS_VIEW):
        return redirect("map")
    return redirect("admin:index")


@login_required
def area_map(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.AREAS_VIEW):
        return render(request, "web/forbidden.html", status=403)
    root = area_scope_root(request.user)
    return render(
        request,
        "web/map.html",
        {
            "root": root,
            "tile_url": settings.GRIDGOV_TILE_URL,
            "tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the cache and the queue storage answer, else 503 naming the parts
    that did not (gridgov.web.health)."""
    parts, failed = health_report()
    body = {"status": "fail" if failed else "ok", **parts, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)


# The worker app (PWA) ------------------------------------------------------------------
APP_STRINGS = {
    "queued": _("Saved on this phone; it will be sent when the network is back."),
    "sent": _("Sent."),
    "waiting": _("Waiting for the network"),
    "failed": _("Refused"),
    "sending": _("Sending…"),
    "offline": _("Offline"),
    "online": _("Online"),
    "nothing_queued": _("Nothing waiting to be sent."),
    "no_tasks": _("No tasks for you now."),
    "accept": _("Accept"),
    "decline": _("Decline"),
    "why_decline": _("Why do you decline?"),
    "check_in": _("Check in here"),
    "report_here": _("Report a problem here"),
    "not_found": _("This code is not one of ours."),
    "revoked": _("This code has been revoked."),
    "sign_in_again": _("Sign in again, then send."),
    "report": _("Report"),
    "checkin": _("Check-in"),
    "canvass": _("Canvass"),
    "locating": _("Finding your position…"),
    "no_position": _("No position; the report will use the address."),
    "delete": _("Delete"),
    "send_now": _("Send now"),
    "save": _("Save"),
    "required": _("Please fill in the required fields."),
    "solve": _("Solved on the spot"),
    "solve_here": _("Solved it here"),
    "action": _("Action"),
    "done": _("Done"),
    "not_applied": _("Not applied: someone else acted"),
    "nothing_sent": _("Nothing sent yet."),
    "nothing_to_verify": _("Nothing to verify in your grid."),
    "new_offer": _("New task"),
    "new_task": _("A new task has arrived."),
    "due": _("Due"),
    "waiting_to_send": _("Waiting to be sent"),
    "loading": _("Loading…"),
    "reported_words": _("What was reported"),
    "timeline": _("Timeline"),
    "photo": _("Photo"),
    "photo_before": _("Photo before"),
    "photo_after": _("Photo after"),
    "note": _("Note"),
    "handle": _("Report handling done"),
    "send_handling": _("Send the handling"),
    "verify": _("Verify (核查)"),
    "verify_pass": _("Solved"),
    "verify_fail": _("Not solved: rework"),
    "say_why": _("Say what is not solved."),
    # The registry tab (issue 12).
    "visit": _("Visit"),
    "change": _("Household change"),
    "r_loading": _("Loading the households of your grid…"),
    "r_no_copy": _("No copy on this phone yet: connect once to load your grid."),
    "r_households": _("households"),
    "r_people": _("people"),
    "r_as_of": _("as of"),
    "r_overdue": _("visit overdue since"),
    "r_visit_by": _("visit by"),
    "r_visit_waiting": _("Visit waiting to be sent"),
    "r_nobody_due": _("Nobody needs a visit now."),
    "r_no_match": _("No household matches."),
    "r_back": _("Back to the households"),
    "r_scanned": _("Door plate scanned"),
    "r_people_here": _("People living here"),
    "r_nobody_here": _("Nobody lives here."),
    "r_new_resident": _("New resident"),
    "r_move_in": _("Moved in"),
    "r_move_out": _("Moved out"),
    "r_female": _("female"),
    "r_male": _("male"),
    "r_years": _(" y"),
    "r_head": _("Head of household"),
    "r_visit": _("Record a visit"),
    "r_well": _("All well"),
    "r_needs_help": _("Needs help"),
    "r_not_home": _("Not at home"),
    "r_group": _("Special group"),
    "r_all_groups": _("All their groups"),
    "r_outcome": _("Outcome"),
    "r_save_visit": _("Save the visit"),
    "r_name": _("Name"),
    "r_id_number": _("ID number"),
    "r_phone": _("Mobile"),
    "r_relation": _("Relation to the head"),
    "r_moved_to": _("Moved to"),
    "r_moved_from": _("Came from"),
    "r_date": _("Date"),
    "r_id_invalid": _("This ID number is not valid: check the 18 characters and the last one."),
    "r_from_grid": _("Someone of my grid (type a name)"),
    "r_or_from_elsewhere": _("Or someone from elsewhere:"),
    "r_pick_from_list": _("Choose the person from the list, or clear the field."),
    "r_sealed_lost": _("Saved before you signed out: enter the person again."),
}
# The loop's actions the app sends, by their names (workflow.Action's labels).
APP_ACTION_NAMES = (
    "accept_task",
    "decline_task",
    "feedback",
    "solve_on_spot",
    "verify_pass",
    "verify_fail",
)


@login_required
@ensure_csrf_cookie
def worker_app(request: HttpRequest) -> HttpResponse:
    from gridgov.events.models import Subclass

    if lives_as_resident(request.user):
        return redirect("residents:landing")  # the worker app is the field staff's

    subclasses = list(
        Subclass.objects.filter(active=True).order_by("code").values_list("code", "name_zh")
    )
    from gridgov.events.workflow import Action

    strings: dict = {key: str(value) for key, value in APP_STRINGS.items()}
    strings["actions"] = {name: str(Action(name).label) for name in APP_ACTION_NAMES}
    config = {
        "tile_url": settings.GRIDGOV_TILE_URL,
        "tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
        "pulse_ms": getattr(settings, "GRIDGOV_APP_PULSE_MS", 15000),
    }
    return render(
        request,
        "web/app.html",
        {
            "subclasses": [{"code": c, "name": n} for c, n in subclasses],
            "strings": strings,
            "config": config,
        },
    )


def worker_manifest(request: HttpRequest) -> JsonResponse:
    manifest = {
        "name": str(_("gridgov worker")),
        "short_name": str(_("Grid worker")),
        "start_url": "/app/",
        "scope": "/app/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": "#b71c1c",
        "icons": [
            {"src": static("web/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("web/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


def worker_service_worker(request: HttpRequest) -> HttpResponse:
    # Served from /app/ so that its scope is the app; its cache name follows the app's assets.
    shell = [
        "/app/",
        static("web/common.js"),
        static("web/app.js"),
        static("web/app_tasks.js"),
        static("web/site.css"),
        static("web/app.css"),
        static("vendor/leaflet/leaflet.js"),
        static("vendor/leaflet/leaflet.css"),
        static("web/icon-192.png"),
        "/app/manifest.webmanifest",
    ]
    body = render(
        request, "web/sw.js", {"shell": json.dumps(shell), "version": _asset_version(shell)}
    )
    body["Content-Type"] = "text/javascript"
    body["Cache-Control"] = "no-cache"
    body["Service-Worker-Allowed"] = "/app/"
    return body


def _asset_version(paths: list[str]) -> str:
    import hashlib

    return hashlib.sha256("|".join(paths).encode()).hexdigest()[:12]


@login_required
def big_screen(request: HttpRequest) -> HttpResponse:
    from gridgov.events.screen_strings import BELOW_LABELS, PERIODS, SCREEN_STRINGS

    # Every open event and on-duty worker of the area: the center, leaders and area staff.
    if not can(request.user, Capability.SCREEN_VIEW) or scope_path(request.user) is None:
        return render(request, "web/forbidden.html", status=403)
    root = area_scope_root(request.user)
    return render(
        request,
        "web/screen.html",
        {
            "root": root,
            "grid_level": grid_level_under(root),
            "tile_url": settings.GRIDGOV_TILE_URL,
            "tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
            "strings": {key: str(value) for key, value in SCREEN_STRINGS.items()},
            "interval_ms": getattr(settings, "GRIDGOV_SCREEN_INTERVAL_MS", 3000),
            "periods": [(key, str(label)) for key, label in PERIODS],
            "below_label": BELOW_LABELS.get(root.kind if root else "", _("Areas")),
        },
    )
