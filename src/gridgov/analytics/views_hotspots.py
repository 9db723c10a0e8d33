"""The hotspots page (/leaders/hotspots/): a hexagon map drawn by web/static/web/hotspots.js
from GET /api/v1/analytics/hotspots, and the recurring problems listed here, server-side,
each with a form that marks it treated at the root. Thin: reads analytics.hotspots and
analytics.recurring, writes through recurring.recurring_treat."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.analytics import hotspots, recurring
from gridgov.common.errors import DomainError
from gridgov.events.models import Subclass

# The filters the page keeps in its address, and how long each may be.
FILTERS = {"since": 40, "until": 40, "subclass": 5, "area": 18, "days": 3, "min_count": 6}


def _refuse(request: HttpRequest, message: str = "", status: int = 403) -> HttpResponse:
    # Bad input (400) and a state conflict (409) say what is wrong; the forbidden page
    # is for denials (403) and what the reader may not know exists (404).
    if status in (400, 409):
        context = {"message": message, "status": status}
        return render(request, "analytics/bad_input.html", context, status=status)
    return render(request, "web/forbidden.html", {"message": message}, status=status)


def _filters(request: HttpRequest) -> dict[str, str]:
    return {
        key: request.GET.get(key, "").strip()[:limit]
        for key, limit in FILTERS.items()
        if request.GET.get(key, "").strip()
    }


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw else default
    except ValueError:
        raise DomainError(_("Not a whole number."), field="days") from None


@login_required
@require_GET
def hotspots_page(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.ANALYTICS_VIEW):
        return _refuse(request)
    filters = _filters(request)
    try:
        runs = recurring.recurring_problems(
            user=request.user,
            since=filters.get("since"),
            until=filters.get("until"),
            days=_int(filters.get("days"), recurring.DEFAULT_DAYS),
            subclass=filters.get("subclass"),
            area=filters.get("area"),
        )
    except DomainError as error:
        return _refuse(request, error.message, error.status)
    root = request.user.area if request.user.area_id else None
    context = {
        "filters": filters,
        "runs": runs,
        "days": runs["days"],
        "subclasses": Subclass.objects.filter(active=True)
        .order_by("code")
        .values("code", "name_zh", "name_en"),
        "config": {
            "root": filters.get("area") or (root.code if root else ""),
            "default_min_count": hotspots.DEFAULT_MIN_COUNT,
            "default_days": hotspots.DEFAULT_DAYS,
        },
        "tile_url": settings.GRIDGOV_TILE_URL,
        "tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
        "back": request.get_full_path(),
    }
    return render(request, "analytics/hotspots.html", context)


@login_required
@require_POST
def hotspots_treat(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.ANALYTICS_VIEW):
        return _refuse(request)
    try:
        recurring.recurring_treat(
            user=request.user,
            place=request.POST.get("place", "")[:40],
            subclass=request.POST.get("subclass", "")[:5],
            note=request.POST.get("note", "")[: recurring.MAX_NOTE + 1],
        )
    except DomainError as error:
        if error.status in (403, 404):
            return _refuse(request, error.message, error.status)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked treated at the root."))
    back = request.POST.get("back", "")
    if not back.startswith(reverse("analytics:hotspots")):
        back = reverse("analytics:hotspots")
    return redirect(back)
