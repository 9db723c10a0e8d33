"""The command center's figures: today, this month and this year for the reader's area, and
the areas one level below (streets, for a district) and the departments ranked for one of
those periods. Read from the daily rollups through `analytics.selectors.rates_report`
(decision 0016): never every event of a year."""

import datetime as dt
from typing import Any

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.analytics.selectors import rates_report
from gridgov.areas.models import Area
from gridgov.events.rates import COUNT_KEYS, rates_from_counts
from gridgov.events.screen import open_counts, screen_events
from gridgov.events.workflow import OPEN_OR_NEW

PERIODS = ("today", "month", "year")
MAX_RANKED = 15  # a wall shows this many rows per ranking; the explorer has the rest


def period_start(period: str, now: dt.datetime) -> dt.datetime:
    """The local midnight the period starts at (a whole day: the rollups answer alone)."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "today":
        return today
    if period == "month":
        return today.replace(day=1)
    if period == "year":
        return today.replace(month=1, day=1)
    raise ValueError(period)


def figure(rates: dict[str, Any]) -> dict[str, Any]:
    """A rates block as the wall shows it: the rates with the counts they divide."""
    counts = rates["counts"]
    return {
        **{key: counts[key] for key in COUNT_KEYS if key in FIGURE_COUNTS},
        "not_due": max(counts["reported"] - counts["voided"] - counts["due_to_close"], 0),
        "closure_rate": rates["closure_rate"],
        "on_time_closure_rate": rates["on_time_closure_rate"],
        "timely_acceptance_rate": rates["timely_acceptance_rate"],
        "satisfaction_rate": rates["satisfaction_rate"],
        "score": rates["hotline"]["score"],
    }


FIGURE_COUNTS = frozenset(
    (
        "reported",
        "voided",
        "due_to_close",
        "closed",
        "closed_on_time",
        "answered_in_time",
        "rated",
        "satisfied",
        "basically",
    )
)


def _ranked(groups: dict[str, dict], names: dict[str, str]) -> list[dict[str, Any]]:
    """Best first: closure rate, then on-time closure, then more events handled; groups
    with nothing due yet last (no rate is not a good rate)."""

    def order(item):
        f = item[1]
        missing = f["closure_rate"] is None
        return (
            missing,
            -(f["closure_rate"] or 0),
            -(f["on_time_closure_rate"] or 0),
            -f["due_to_close"],
            item[0],
        )

    figures = [(key, figure(rates)) for key, rates in groups.items() if key != "-"]
    figures.sort(key=order)
    return [
        {"key": key, "name": names.get(key, key), "rank": rank, **f}
        for rank, (key, f) in enumerate(figures[:MAX_RANKED], start=1)
    ]


def open_below(user: User, visible) -> list[dict[str, Any]]:
    """Open events now per area one level below the reader's (streets for a district,
    communities for a street), the most first: the wall's "open by area" chart. Per grid it
    would rank a few hundred grids of one or two events each, which says nothing. One GROUP
    BY over the open events' index per grid, then the grids' paths and the names: 3 queries."""
    now = timezone.now()
    counts = open_counts(visible.filter(state__in=OPEN_OR_NEW), now)
    paths = dict(Area.objects.filter(pk__in=[row[0] for row in counts]).values_list("pk", "path"))
    root_depth = user.area.depth if user.area_id else -1
    below: dict[str, dict[str, int]] = {}
    for area_id, n_open, yellow, red in counts:
        codes = [c for c in paths.get(area_id, "/?/").strip("/").split("/") if c]
        key = codes[min(len(codes) - 1, root_depth + 1)]
        group = below.setdefault(key, {"open": 0, "yellow": 0, "red": 0})
        group["open"] += n_open
        group["yellow"] += yellow
        group["red"] += red
    names = dict(Area.objects.filter(code__in=list(below)).values_list("code", "name"))
    ordered = sorted(below.items(), key=lambda item: (-item[1]["open"], item[0]))
    return [{"key": key, "name": names.get(key, key), **n} for key, n in ordered[:MAX_RANKED]]


def command_rates(*, user: User, period: str = "month") -> dict[str, Any]:
    """Today, this month and this year; areas and departments ranked for `period`."""
    visible, _prefix = screen_events(user)  # the screen's capability and an area, or refused
    now = timezone.now()
    if period not in PERIODS:
        raise ValueError(period)
    if not can(user, Capability.EVENTS_VIEW):
        empty = figure(rates_from_counts(dict.fromkeys(COUNT_KEYS, 0)))
        return {
            "generated_at": now.isoformat(),
            "period": period,
            "since": period_start(period, now).isoformat(),
            "periods": dict.fromkeys(PERIODS, empty),
            "areas": [],
            "departments": [],
            "open_by_area": [],
        }
    periods = {
        name: figure(rates_report(user=user, since=period_start(name, now), now=now)["all"])
        for name in PERIODS
    }
    since = period_start(period, now)
    by_area = rates_report(user=user, group="area", since=since, now=now)["groups"]
    by_department = rates_report(user=user, group="department", since=since, now=now)["groups"]
    names = dict(Area.objects.filter(code__in=list(by_area)).values_list("code", "name"))
    return {
        "generated_at": now.isoformat(),
        "period": period,
        "since": since.isoformat(),
        "periods": periods,
        "areas": _ranked(by_area, names),
        "departments": _ranked(by_department, {}),
        "open_by_area": open_below(user, visible),
    }
