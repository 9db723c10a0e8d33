"""The leaders' dashboard (/leaders/, issue 13): the landing page for leaders. Every rate for
a period beside the previous one, a grouping of the user's choice ranked, a trend, and the
drill-down from the district to the events behind a number. Figures from the rollups
(analytics.explorer); this module only reads the request and lays the answer out."""

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov.analytics import explorer
from gridgov.analytics.explorer_display import (
    GROUPING_LABELS,
    PERIOD_LABELS,
    RATE_FORMULAS,
    RATE_LABELS,
    cells,
    queue_link,
    row_links,
)
from gridgov.analytics.explorer_periods import Period, period_from
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError
from gridgov.events.catalog_cache import catalog
from gridgov.events.models import Source

PARAMS = ("period", "date", "since", "until", "group", "area", "subclass", "source", "category")
PARAMS += ("rate",)


def _day(request: HttpRequest, name: str) -> dt.date | None:
    text = (request.GET.get(name) or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            _("%(field)s takes a date such as 2026-03-01.") % {"field": name}, field=name
        ) from None


def _trend_grouping(period: Period) -> str:
    if period.days <= 62:
        return "day"
    if period.days <= 190:
        return "week"
    return "month"


def _crumbs(user, area: Area | None) -> list[dict]:
    """The areas from the user's own down to the one looked at: the way back up."""
    root = explorer.root_area(user)
    if area is None or root is None:
        return []
    codes = [c for c in area.path.strip("/").split("/") if c][root.depth + 1 :]
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    return [{"code": code, "name": names.get(code, code)} for code in codes]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        explorer.require_reader(request.user)
    except DomainError:
        return render(request, "web/forbidden.html", status=403)
    params = {k: (request.GET.get(k) or "").strip()[:64] for k in PARAMS}
    rate = params["rate"] if params["rate"] in RATE_LABELS else "closure_rate"
    context = {
        "params": params,
        "rate": rate,
        "rate_labels": RATE_LABELS,
        "period_labels": PERIOD_LABELS,
        "grouping_labels": GROUPING_LABELS,
        "sources": Source.choices,
        "subclasses": sorted(catalog().subclasses.values(), key=lambda s: s.code),
    }
    try:
        period = period_from(
            params["period"] or None, _day(request, "date"), _day(request, "since"),
            _day(request, "until"),
        )  # fmt: skip
        query = explorer.checked_query(
            request.user,
            grouping=params["group"] or "area",
            period=period,
            area=params["area"] or None,
            subclass=params["subclass"] or None,
            source=params["source"] or None,
            category=params["category"] or None,
        )
        if query.grouping == "area" and query.area and query.area.kind in ("grid", "micro_grid"):
            query = replace(query, grouping="subclass")  # a grid has no area below: its types
        result = explorer.explore(request.user, query)
        trend_query = explorer.Query(_trend_grouping(period), period, query.area, query.subclass,
                                     query.source, None)  # fmt: skip
        trend = explorer.explore(request.user, trend_query, compare=False)
    except DomainError as error:
        context["error"] = error
        return render(request, "analytics/dashboard.html", context, status=error.status)
    context |= _laid_out(request, params, query, result, trend, rate)
    return render(request, "analytics/dashboard.html", context)


def _laid_out(request, params, query, result, trend, rate) -> dict:
    def link(**changes) -> str:
        merged = {k: v for k, v in params.items() if v} | changes
        return "?" + urlencode({k: v for k, v in merged.items() if v})

    area_code = query.area.code if query.area else None
    state = {
        "period": query.period,
        "area": area_code,
        "subclass": query.subclass,
        "source": query.source,
        "link": link,
    }
    kinds = {}
    if query.grouping in (*explorer.AREA_GROUPINGS, "area"):
        codes = [row["key"] for row in result["rows"]]
        kinds = dict(Area.objects.filter(code__in=codes).values_list("code", "kind"))
    rows = [
        {
            "key": row["key"],
            "label": row["label"],
            "cells": cells(row["values"], row["previous"], row["ranks"]),
            "links": row_links(query.grouping, row, state, kinds),
            "rank": row["ranks"].get(rate),
        }
        for row in result["rows"]
    ]
    if query.grouping not in explorer.TIME_GROUPINGS:
        rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["key"]))
    previous = query.period.previous()
    by_key = {row["key"]: row["values"] for row in trend["rows"]}
    chart = {
        "rate": rate,
        "rate_label": str(RATE_LABELS[rate]),
        "percent": rate not in ("reported", "average_handling_hours"),
        "labels": {k: str(v) for k, v in RATE_LABELS.items()},
        "current_label": query.period.label,
        "previous_label": previous.label,
        "rows": [
            {
                "label": row["label"],
                "value": row["values"][rate],
                "previous": row["previous"][rate] if row["previous"] else None,
            }
            for row in result["rows"]
        ],
        "time_grouping": query.grouping in explorer.TIME_GROUPINGS,
        "trend": {
            "grouping": trend["grouping"],
            "buckets": trend["buckets"],
            "series": {
                key: [by_key.get(b, {}).get(key) for b in trend["buckets"]]
                for key in ("reported", rate)
            },
        },
    }
    headline = cells(result["total"], result["previous_total"])
    for cell in headline:
        cell |= {
            "label": RATE_LABELS[cell["key"]],
            "formula": RATE_FORMULAS[cell["key"]],
            "link": link(rate=cell["key"]),
        }
    return {
        "query": query,
        "grouping_label": GROUPING_LABELS[query.grouping],
        "rate_label": RATE_LABELS[rate],
        "result": result,
        "previous": previous,
        "headline": headline,
        "rows": rows,
        "chart": chart,
        "crumbs": _crumbs(request.user, query.area),
        "root": explorer.root_area(request.user),
        "link_up": link(area=None, group="area", category=None),
        "events_link": queue_link(query.period, area_code, query.subclass, query.source),
    }
