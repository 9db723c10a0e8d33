"""The registry's pages for community staff and grid workers (issue 12): search, compound,
building, household, person. Thin: the reads are `selectors_homes` and A1's search and
history, the writes `registry.changes`; each page answers 404 outside the reader's area and
403 to a role without REGISTRY_VIEW (a department, a service company, a resident)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from shapely.geometry import mapping, shape

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, get_in_scope
from gridgov.areas.models import Area
from gridgov.common.client import client_address
from gridgov.common.errors import DomainError
from gridgov.registry import extensions, selectors_homes
from gridgov.registry.search import homes_search
from gridgov.registry.selectors_changes import resident_history

SEARCH_PAGE = 20
STATUSES = ("living", "moved_out", "deceased", "all")
BUILDING_URL = "/registry/buildings/{id}/"
HOUSEHOLD_URL = "/registry/households/{id}/"


def refuse(request: HttpRequest, message: str = "", status: int = 403) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": message}, status=status)


def may_read(request: HttpRequest) -> bool:
    return can(request.user, Capability.REGISTRY_VIEW)


def map_settings() -> dict:
    return {
        "tile_url": settings.GRIDGOV_TILE_URL,
        "tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
    }


def map_places(here: dict, title: str, around: list[dict], url: str) -> dict:
    """The map's data: the place itself and what is around it, each linked by `url` (with
    {id})."""
    return {
        "outline": grid_outline(here.get("grid_code")),
        "self": {"lon": here["lon"], "lat": here["lat"], "title": title},
        "around": [
            {
                "lon": p["lon"],
                "lat": p["lat"],
                "title": p.get("title") or p.get("name", ""),
                "url": url.format(id=p["id"]),
            }
            for p in around
        ],
    }


OUTLINE_TOLERANCE_DEGREES = 0.00005  # about 5 m: the outline as drawn, a fraction of its size
OUTLINE_CACHE_SECONDS = 3600


def grid_outline(code: str | None) -> dict | None:
    """The grid's outline (GeoJSON, simplified) under the place: where it lies in its grid,
    even where no tile server is configured. The page's reader reads that grid already."""
    if not code:
        return None
    key = f"registry:outline:{code}"
    outline = cache.get(key)
    if outline is None:
        geometry = Area.objects.filter(code=code).values_list("geometry", flat=True).first()
        outline = {}
        if geometry:
            simple = shape(geometry).simplify(OUTLINE_TOLERANCE_DEGREES, preserve_topology=True)
            outline = mapping(simple)
        cache.set(key, outline, OUTLINE_CACHE_SECONDS)
    return outline or None


def grid_options(request: HttpRequest) -> list[Area]:
    """The grids a reader may filter by: those in their area, by code."""
    grids = get_in_scope(
        request.user, Area.objects.filter(kind="grid"), Capability.REGISTRY_VIEW, area_field=""
    )
    return list(grids.select_related("parent").order_by("code")[:500])


def _offset(raw: str | None) -> int:
    try:
        return max(0, min(int(raw or 0), 100_000))
    except ValueError:
        return 0


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    if not may_read(request):
        return refuse(request)
    q = request.GET.get("q", "").strip()[:100]
    grid = request.GET.get("grid", "").strip()[:24] or None
    tag = request.GET.get("tag", "").strip()[:40] or None
    status = request.GET.get("status", "living")
    if status not in STATUSES:
        status = "living"
    offset = _offset(request.GET.get("offset"))
    context = {
        "q": q,
        "grid": grid or "",
        "tag": tag or "",
        "status": status,
        "grids": grid_options(request),
        "tags": extensions.tag_options(request.user),
        "reads_pii": selectors_homes.reads_pii(request.user),
        "asked": bool(q or grid or tag),
    }
    http_status = 200
    if context["asked"]:
        try:
            found = homes_search(
                user=request.user,
                q=q,
                grid=grid,
                tag=tag,
                status=status,
                limit=SEARCH_PAGE,
                offset=offset,
                ip=client_address(request),
            )
        except DomainError as error:
            context["error"] = error.message
            http_status = error.status
        else:
            context["count"] = found["count"]
            context["items"] = found["items"]
            context["offset"] = offset
            context["previous"] = max(0, offset - SEARCH_PAGE) if offset else None
            more = offset + SEARCH_PAGE < found["count"]
            context["next"] = offset + SEARCH_PAGE if more else None
    return render(request, "registry/search.html", context, status=http_status)


@login_required
@require_GET
def compound(request: HttpRequest, compound_id: int) -> HttpResponse:
    if not may_read(request):
        return refuse(request)
    try:
        found = selectors_homes.compound_get(user=request.user, compound_id=compound_id)
    except DomainError as error:
        return refuse(request, error.message, error.status)
    data = selectors_homes.compound_as_dict(user=request.user, compound=found)
    places = map_places(data, data["name"], data["buildings"], BUILDING_URL)
    return render(
        request,
        "registry/compound.html",
        {"compound": data, "places": places, **map_settings()},
    )


@login_required
@require_GET
def building(request: HttpRequest, building_id: int) -> HttpResponse:
    if not may_read(request):
        return refuse(request)
    try:
        found = selectors_homes.building_get(user=request.user, building_id=building_id)
    except DomainError as error:
        return refuse(request, error.message, error.status)
    data = selectors_homes.building_as_dict(
        user=request.user, building=found, ip=client_address(request)
    )
    around = []
    if found.compound_id:
        siblings = selectors_homes.compound_as_dict(user=request.user, compound=found.compound)
        around = [b for b in siblings["buildings"] if b["id"] != found.pk]
    places = map_places(data, data["name"], around, BUILDING_URL)
    return render(
        request,
        "registry/building.html",
        {"building": data, "places": places, **map_settings()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, resident_id: int) -> HttpResponse:
    """A person, masked; POST op=reveal (PII_VIEW) shows their data in full for this one
    answer and records the read — the button says so before it is pressed."""
    if not may_read(request):
        return refuse(request)
    try:
        found = selectors_homes.resident_get(user=request.user, resident_id=resident_id)
    except DomainError as error:
        return refuse(request, error.message, error.status)
    reveal = request.method == "POST" and request.POST.get("op") == "reveal"
    if request.method == "POST" and not reveal:
        return refuse(request, _("Unknown action."), 400)
    if reveal and not selectors_homes.reads_pii(request.user):
        return refuse(request, _("Your role may not see personal data unmasked."))
    data = selectors_homes.resident_as_dict(
        user=request.user,
        resident=found,
        reveal=reveal,
        channel="page",
        ip=client_address(request),
    )
    history = resident_history(
        user=request.user,
        resident_id=found.pk,
        reveal=reveal,
        channel="page",
        ip=client_address(request),
    )
    return render(
        request,
        "registry/person.html",
        {
            "person": data,
            "history": history,
            "panels": extensions.panels_render("person", request, found),
        },
    )
