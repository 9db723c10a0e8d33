"""The resident front end's pages (/r/, issue 11): thin shells that hand their scripts the
translated words and the map's settings; every read and write of a report goes through the
resident and public APIs (B, C, D), so a page shows a resident exactly what the API lets them
see. The one read of data here is the resident's own inbox and the grid outlines."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie
from shapely.geometry import mapping, shape

from gridgov.accounts.roles import Role
from gridgov.areas.codes import AreaKind
from gridgov.areas.models import Area
from gridgov.events.models import Subclass
from gridgov.notifications.services import inbox, notifications_mark_read
from gridgov.residents.page_strings import strings

# Report numbers are digits (events/numbers.py); anything else names no report.
NUMBER_MAX_LENGTH = 20
OUTLINES_CACHE_KEY = "residents:grid-outlines"
OUTLINES_CACHE_SECONDS = 600
# About 10 m: enough to see which grid a pin is in, a small answer for a phone.
OUTLINES_TOLERANCE_DEGREES = 0.0001


def _is_resident(user) -> bool:
    return bool(user.is_authenticated and user.role == Role.RESIDENT)


def _signed_in_or_login(request: HttpRequest) -> HttpResponse | None:
    """The resident pages' own sign-in (phone and code) instead of the staff login page."""
    if request.user.is_authenticated:
        return None
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('residents:login')}?{query}")


def _config(request: HttpRequest) -> dict:
    """What every resident page script needs besides its words."""
    return {
        "signed_in": request.user.is_authenticated,
        "resident": _is_resident(request.user),
        "tile_url": settings.GRIDGOV_TILE_URL,
        "tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
        # Browsers give WGS-84; some phone shells (and maps with GCJ-02 tiles) want the
        # coordinates read as GCJ-02. The server converts at the edge (areas.coords).
        "phone_crs": getattr(settings, "GRIDGOV_PHONE_CRS", "wgs84"),
        "outlines_url": reverse("residents:outlines"),
        "login_url": reverse("residents:login"),
        "lookup_url": reverse("residents:lookup"),
        "reports_url": reverse("residents:landing") + "reports/",
    }


def _page(request: HttpRequest, template: str, context: dict | None = None, status: int = 200):
    base = {"strings": strings(), "config": _config(request)}
    return render(request, template, base | (context or {}), status=status)


@ensure_csrf_cookie
def landing(request: HttpRequest) -> HttpResponse:
    unread = (
        inbox(user=request.user, unread_only=True).count() if request.user.is_authenticated else 0
    )
    return _page(request, "residents/landing.html", {"unread": unread})


def _subclasses() -> list[dict]:
    english = (get_language() or "").startswith("en")
    rows = (
        Subclass.objects.filter(active=True)
        .select_related("event_class")
        .order_by("event_class__code", "code")
    )
    return [
        {
            "code": row.code,
            "name": (row.name_en if english else row.name_zh) or row.name_zh,
            "group": (row.event_class.name_en if english else row.event_class.name_zh),
        }
        for row in rows
    ]


@ensure_csrf_cookie
def report(request: HttpRequest) -> HttpResponse:
    """随手拍 in three steps: photo, place, words (resident_report.js)."""
    return _page(request, "residents/report.html", {"subclasses": _subclasses()})


@ensure_csrf_cookie
def mine(request: HttpRequest) -> HttpResponse:
    return _signed_in_or_login(request) or _page(request, "residents/mine.html")


@ensure_csrf_cookie
def report_detail(request: HttpRequest, number: str) -> HttpResponse:
    # The page is a shell: the API answers what this visitor may see of the report.
    if not number.isdigit() or len(number) > NUMBER_MAX_LENGTH:
        raise Http404
    return _page(
        request, "residents/report_detail.html", {"number": number, "photo_types": PHOTO_TYPES}
    )


PHOTO_TYPES = "image/jpeg,image/png,image/webp"


def _next_path(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("residents:landing")


@ensure_csrf_cookie
def login(request: HttpRequest) -> HttpResponse:
    return _page(request, "residents/login.html", {"next": _next_path(request)})


@ensure_csrf_cookie
def lookup(request: HttpRequest) -> HttpResponse:
    return _page(request, "residents/lookup.html")


@ensure_csrf_cookie
def around(request: HttpRequest) -> HttpResponse:
    return _page(request, "residents/around.html")


@ensure_csrf_cookie
def inbox_page(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own notifications, with the resident pages' navigation."""
    refused = _signed_in_or_login(request)
    if refused:
        return refused
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("residents:inbox")
    page = Paginator(inbox(user=request.user), 30).get_page(request.GET.get("page"))
    return _page(request, "residents/inbox.html", {"page": page})


@cache_control(public=True, max_age=OUTLINES_CACHE_SECONDS)
def outlines(request: HttpRequest) -> JsonResponse:
    """The grids' outlines, simplified, for the report and around-me maps when no tile server
    is configured: names and shapes only (public knowledge on every community's notice
    board), no codes, people or counts."""
    body = cache.get(OUTLINES_CACHE_KEY)
    if body is None:
        body = {"type": "FeatureCollection", "features": list(_outline_features())}
        cache.set(OUTLINES_CACHE_KEY, body, OUTLINES_CACHE_SECONDS)
    return JsonResponse(body)


def _outline_features():
    rows = Area.objects.filter(kind=AreaKind.GRID, geometry__isnull=False).values_list(
        "name", "geometry"
    )
    for name, geometry in rows.iterator():
        try:
            simple = shape(geometry).simplify(OUTLINES_TOLERANCE_DEGREES, preserve_topology=True)
        except (ValueError, TypeError, AttributeError):
            continue  # a broken polygon is left off the map, not a 500
        if simple.is_empty:
            continue
        yield {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": _rounded(mapping(simple)),
        }


def _rounded(geometry: dict) -> dict:
    def walk(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], (int, float)):
                return [round(float(c), 5) for c in value]
            return [walk(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
