"""How the dashboard shows the explorer's figures: labels, formats, the change against the
previous period (better or worse, whichever way the figure points), and the links of the
drill-down (district → street → community → grid → the events in the queue)."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.analytics.explorer import AREA_GROUPINGS, RATES, TIME_GROUPINGS
from gridgov.analytics.explorer_periods import Period, period_containing
from gridgov.areas.codes import AreaKind

RATE_LABELS = {
    "reported": _("Reported"),
    "closure_rate": _("Closure rate"),
    "on_time_closure_rate": _("On-time closure rate"),
    "timely_acceptance_rate": _("Timely acceptance rate"),
    "timely_dispatch_rate": _("Timely dispatch rate"),
    "rework_rate": _("Rework rate"),
    "satisfaction_rate": _("Satisfaction rate"),
    "hotline_score": _("12345 score"),
    "average_handling_hours": _("Average handling time (h)"),
}
# What each figure divides: said beside it, so no number stands without its denominator.
RATE_FORMULAS = {
    "reported": _("events reported in the period"),
    "closure_rate": _("closed ÷ due to close"),
    "on_time_closure_rate": _("closed by the handling deadline ÷ due to close"),
    "timely_acceptance_rate": _("answered by the acceptance deadline ÷ reported (less void)"),
    "timely_dispatch_rate": _("dispatched by the dispatch deadline ÷ dispatched"),
    "rework_rate": _("sent back at least once ÷ due to close"),
    "satisfaction_rate": _("(satisfied + 0.9 × basically satisfied) ÷ rated"),
    "hotline_score": _("0.1 response + 0.5 solved + 0.4 satisfied"),
    "average_handling_hours": _("working hours from filing to handling done, mean"),
}
GROUPING_LABELS = {
    "area": _("Area below"),
    "street": _("Street"),
    "community": _("Community"),
    "grid": _("Grid"),
    "department": _("Department"),
    "category": _("Event class"),
    "subclass": _("Subclass"),
    "source": _("Source"),
    "day": _("Day"),
    "week": _("Week"),
    "month": _("Month"),
    "quarter": _("Quarter"),
    "year": _("Year"),
}
PERIOD_LABELS = {
    "day": _("Day"),
    "week": _("Week"),
    "month": _("Month"),
    "quarter": _("Quarter"),
    "year": _("Year"),
    "range": _("Range"),
}
LOWER_IS_BETTER = {r.key for r in RATES if r.lower_is_better}


def shown(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if key == "reported":
        return f"{value:,}"
    if key == "average_handling_hours":
        return f"{value:.1f}"
    if key == "hotline_score":
        return f"{value * 100:.2f}"
    return f"{value * 100:.2f}%"


def change(key: str, value: Any, before: Any) -> dict[str, str] | None:
    """The change against the previous period: its text and whether it is better."""
    if value is None or before is None:
        return None
    delta = value - before
    if key in ("reported", "average_handling_hours"):
        text = f"{delta:+,.0f}" if key == "reported" else f"{delta:+.1f}"
    else:
        text = f"{delta * 100:+.2f}"
    if abs(delta) < 1e-9:
        trend = "same"
    elif key == "reported":
        trend = "up" if delta > 0 else "down"  # more reports is neither better nor worse
    else:
        trend = "better" if (delta < 0) == (key in LOWER_IS_BETTER) else "worse"
    return {"text": text, "trend": trend}


def cells(values: dict, previous: dict | None, ranks: dict | None = None) -> list[dict]:
    return [
        {
            "key": rate.key,
            "text": shown(rate.key, values[rate.key]),
            "value": values[rate.key],
            "previous": shown(rate.key, previous[rate.key]) if previous else "–",
            "change": change(rate.key, values[rate.key], previous[rate.key] if previous else None),
            "rank": (ranks or {}).get(rate.key),
        }
        for rate in RATES
    ]


def bucket_period(kind: str, label: str) -> Period:
    """The day, week, month, quarter or year a trend's label names."""
    if kind == "week":
        year, week = label.split("-W")
        return period_containing("week", dt.date.fromisocalendar(int(year), int(week), 1))
    if kind == "quarter":
        year, quarter = label.split("-Q")
        return period_containing("quarter", dt.date(int(year), int(quarter) * 3 - 2, 1))
    if kind == "month":
        return period_containing("month", dt.date.fromisoformat(label + "-01"))
    if kind == "year":
        return period_containing("year", dt.date(int(label), 1, 1))
    return period_containing("day", dt.date.fromisoformat(label))


def queue_link(period: Period, area: str | None, subclass: str | None, source: str | None) -> str:
    """The queue with the events behind a number: reported in the period, in the area…"""
    query = {"since": period.first.isoformat(), "until": period.last.isoformat()}
    query |= {k: v for k, v in (("area", area), ("subclass", subclass), ("source", source)) if v}
    return reverse("event_queue") + "?" + urlencode(query)


def row_links(grouping: str, row: dict, state: dict, kinds: dict[str, str]) -> dict[str, str]:
    """The row's drill-down (`down`: the same page one level deeper or narrower) and the
    events behind it (`events`: the queue with the row's filters)."""
    period: Period = state["period"]
    area, subclass, source = state["area"], state["subclass"], state["source"]
    key = row["key"]
    down = None
    if grouping in AREA_GROUPINGS or grouping == "area":
        area = key
        if kinds.get(key) not in (AreaKind.GRID, AreaKind.MICRO_GRID, None):
            down = state["link"](area=key, group="area")
        else:
            down = state["link"](area=key, group="subclass")
    elif grouping == "subclass":
        subclass = key
    elif grouping == "source":
        source = key
    elif grouping == "category":
        down = state["link"](group="subclass", category=key)
    elif grouping in TIME_GROUPINGS:
        bucket = bucket_period(grouping, key)
        period = bucket
        down = state["link"](
            period="range",
            since=bucket.first.isoformat(),
            until=bucket.last.isoformat(),
            group="area",
        )
    links = {"down": down}
    if grouping != "department":  # the queue has no department filter
        links["events"] = queue_link(period, area, subclass, source)
    return links
