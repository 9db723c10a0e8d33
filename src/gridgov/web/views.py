from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.areas.selectors import area_scope_root


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and can(request.user, Capability.AREAS_VIEW):
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
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
