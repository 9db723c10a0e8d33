"""The people's KPIs page (/leaders/kpis/, decision 0036): one family at a time (grid
workers, departments, dispatchers), ranked on the KPI the reader picks, with a bar chart of
the leading rows. Reads `kpis.kpis_report`, as the API does."""

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import EVERYWHERE, can, lives_as_resident
from gridgov.analytics.kpis import FAMILIES, KPIS, kpi_reach, kpis_report
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, PermissionDenied

FAMILY_LABELS = {
    "workers": _("Grid workers"),
    "departments": _("Departments"),
    "dispatchers": _("Dispatchers"),
}
KPI_LABELS = {
    "valid_report_rate": _("Valid reports (有效上报率)"),
    "on_time_verification_rate": _("On-time verification (按时核实率)"),
    "on_time_check_rate": _("On-time checks (按时核查率)"),
    "missed_rate": _("Missed cases (漏报率)"),
    "patrol_coverage": _("Patrol coverage"),
    "on_time_handling_rate": _("On-time handling (按时处置率)"),
    "rework_rate": _("Rework (返工率)"),
    "buck_passing_rate": _("Buck-passing (推诿)"),
    "return_rate": _("Returned as not theirs"),
    "timely_dispatch_rate": _("Timely dispatch (按时派遣率)"),
    "accurate_dispatch_rate": _("Accurate dispatch (准确派遣率)"),
}
# What each KPI counts, shown under the title and as each cell's tooltip (docs/kpis.md).
KPI_FORMULAS = {
    "valid_report_rate": _("their reports filed ÷ their reports decided (filed, refused, voided)"),
    "on_time_verification_rate": _(
        "tasks offered to them answered within the limit ÷ offers answered or overdue"
    ),
    "on_time_check_rate": _("checks made within the limit after the handling report ÷ checks"),
    "missed_rate": _(
        "cases the public reported first in their patch ÷ cases found by workers or the public"
    ),
    "patrol_coverage": _("planned places of their patch they checked in at ÷ planned places"),
    "on_time_handling_rate": _("handled by the deadline ÷ handled or past the deadline"),
    "rework_rate": _("sent back for rework at least once ÷ due to close"),
    "buck_passing_rate": _("returns the center did not uphold ÷ dispatches received"),
    "return_rate": _("returned as not theirs ÷ dispatches received"),
    "timely_dispatch_rate": _("first dispatches made by the deadline ÷ first dispatches"),
    "accurate_dispatch_rate": _("dispatches not returned and sent elsewhere ÷ dispatches settled"),
}
CHART_ROWS = 20
NO_FAMILY = _("No such KPI family.")


def _families(user) -> list[str]:
    reachable = []
    for family in FAMILIES:
        try:
            kpi_reach(user, family)
        except PermissionDenied:
            continue
        reachable.append(family)
    return reachable


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise DomainError(_("Dates are written 2026-10-31."), code="bad_period") from None


def _areas(user) -> list[Area]:
    """The areas to choose from: the reader's own and two levels below (streets and
    communities for a district; grids are opened by their code)."""
    if "workers" not in _families(user):
        return []
    prefix = kpi_reach(user, "workers").prefix
    depth = user.area.depth if prefix != EVERYWHERE else -1
    areas = Area.objects.filter(path__startswith=prefix, depth__lte=depth + 2)
    return list(areas.order_by("path").only("code", "name", "depth")[:300])


def _cells(result: dict[str, Any]) -> list[dict[str, Any]]:
    kpis = result["kpis"]
    return [
        {
            **row,
            "cells": [
                {
                    "key": kpi["key"],
                    "value": row["rates"][kpi["key"]],
                    "percent": None
                    if row["rates"][kpi["key"]] is None
                    else round(row["rates"][kpi["key"]] * 100, 1),
                    "numerator": row["counts"].get(kpi["numerator"], 0),
                    "denominator": row["counts"].get(kpi["denominator"], 0),
                }
                for kpi in kpis
            ],
        }
        for row in result["rows"]
    ]


def _refuse(request: HttpRequest, status: int = 403) -> HttpResponse:
    # The site's own page (with the way back for a resident), not Django's bare one.
    return render(request, "web/forbidden.html", status=status)


@login_required
def kpis_page(request: HttpRequest) -> HttpResponse:
    if lives_as_resident(request.user):  # not a page of theirs: 404, with the way back
        return _refuse(request, 404)
    families = _families(request.user)
    if not families:
        return _refuse(request)
    family = request.GET.get("family") or families[0]
    if family not in FAMILIES:
        # No such family (404, as the API answers), said in words on the site's page.
        context = {"message": NO_FAMILY, "status": 404}
        return render(request, "analytics/bad_input.html", context, status=404)
    if family not in families:
        return _refuse(request)
    params = {
        key: (request.GET.get(key) or "").strip()[:40] for key in ("since", "until", "area", "sort")
    }
    status, error, result = 200, None, None
    try:
        result = kpis_report(
            user=request.user,
            family=family,
            since=_day(params["since"]),
            until=_day(params["until"]),
            area=params["area"] or None,
            sort=params["sort"] or None,
        )
    except PermissionDenied:
        return _refuse(request)
    except DomainError as refused:  # bad dates, an unknown area or sort: said on the page
        status, error = refused.status, refused.message
    context: dict[str, Any] = {
        "family": family,
        "families": [(f, FAMILY_LABELS[f]) for f in families],
        "params": params,
        "error": error,
        "result": result,
        "areas": _areas(request.user),
        "leader_links": can(request.user, Capability.ANALYTICS_VIEW),
        "kpis": [
            {
                "key": kpi.key,
                "label": KPI_LABELS[kpi.key],
                "formula": KPI_FORMULAS[kpi.key],
                "higher_is_better": kpi.higher_is_better,
            }
            for kpi in KPIS[family]
        ],
    }
    if result is not None:
        rows = _cells(result)
        sort = result["sort"]
        leading = [r for r in rows if r["rates"][sort] is not None][:CHART_ROWS]
        context |= {
            "rows": rows,
            "sort_label": KPI_LABELS[sort],
            "chart": {
                "title": str(KPI_LABELS[sort]),
                "names": [r["name"] for r in leading],
                "values": [round(r["rates"][sort] * 100, 1) for r in leading],
                "higher_is_better": next(k for k in KPIS[family] if k.key == sort).higher_is_better,
            },
        }
    return render(request, "analytics/kpis.html", context, status=status)
