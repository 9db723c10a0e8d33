"""The registry's data quality per grid: the worker's worklist, figures per community."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gridgov.accounts.scope import lives_as_resident, scope_queryset
from gridgov.areas.codes import AreaKind
from gridgov.areas.models import Area
from gridgov.care.quality import GRID_KINDS, quality_figures
from gridgov.care.quality_worklist import quality_worklist
from gridgov.common.client import client_address
from gridgov.common.errors import NotFound, PermissionDenied


@login_required
def quality_page(request: HttpRequest) -> HttpResponse:
    """Figures per community (or grid) under the area asked for, and for a grid its worklist."""
    if lives_as_resident(request.user):
        raise Http404
    code = (request.GET.get("area") or "").strip()[:24] or None
    try:
        figures = quality_figures(user=request.user, area_code=code)
        worklist = None
        if figures["area"]["kind"] in GRID_KINDS:
            worklist = quality_worklist(
                user=request.user,
                area_code=figures["area"]["code"],
                channel="page",
                ip=client_address(request),
            )
    except (NotFound, PermissionDenied):
        raise Http404 from None
    area = Area.objects.get(code=figures["area"]["code"])
    parent = None
    if area.parent_id:
        parent = (
            scope_queryset(Area.objects.all(), request.user, area_field="")
            .filter(pk=area.parent_id)
            .first()
        )
    checks = figures["checks"]
    rows = [{**row, "cells": [row["counts"][c["key"]] for c in checks]} for row in figures["rows"]]
    totals = [figures["totals"]["counts"][c["key"]] for c in checks]
    return render(
        request,
        "care/quality.html",
        {
            "figures": figures,
            "parent": parent,
            "rows": rows,
            "totals": totals,
            "worklist": worklist,
            "is_grid": figures["area"]["kind"] in GRID_KINDS,
            "row_is_self": figures["area"]["kind"] in GRID_KINDS,
            "community_kind": AreaKind.COMMUNITY,
        },
    )
