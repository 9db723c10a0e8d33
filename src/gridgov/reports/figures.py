"""The figures of one area's report for one period, read from the rollups through
`analytics.selectors.rates_report` (never every event): the rates of the period and of the
one before, by the level below the area (streets of a district, communities of a street),
by department, by category (event class, from the subclasses' summed counts), by source, and
a trend by day or month.

A report is the area's, whoever asked for it: the figures are read as a reader of that whole
area (`area_reader`), and who may ask for a report and read it is checked on the request and
on the listing (reports/services.py, selectors.py).
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.analytics.selectors import rates_counts, rates_report
from gridgov.areas.codes import AreaKind
from gridgov.areas.models import Area, Department
from gridgov.events.models import Source, Subclass
from gridgov.events.rates import rates_from_counts
from gridgov.reports.periods import Period

# The rates a report shows, in its order: (key in rates_from_counts, how it is read).
RATE_KEYS = (
    "closure_rate",
    "on_time_closure_rate",
    "timely_acceptance_rate",
    "timely_dispatch_rate",
    "rework_rate",
    "satisfaction_rate",
)


def rate_labels() -> dict[str, str]:
    return {
        "closure_rate": _("Closure rate"),
        "on_time_closure_rate": _("On-time closure rate"),
        "timely_acceptance_rate": _("Timely acceptance rate"),
        "timely_dispatch_rate": _("Timely dispatch rate"),
        "rework_rate": _("Rework rate"),
        "satisfaction_rate": _("Satisfaction rate"),
        "score": _("12345 score"),
        "average_handling_hours": _("Average handling time (working hours)"),
    }


def area_reader(area: Area) -> User:
    """A reader of the whole area, never saved: what `rates_report` reads for it is the
    area's subtree, grouped from the level below it."""
    return User(username="report-reader", is_superuser=True, is_active=True, area=area)


def district_of(area: Area) -> Area:
    """The district (county level) the area lies in, or the root of its tree: its name heads
    every report."""
    codes = [code for code in area.path.strip("/").split("/") if code]
    found = {a.code: a for a in Area.objects.filter(code__in=codes)}
    for code in codes:
        if code in found and found[code].kind == AreaKind.COUNTY:
            return found[code]
    return found.get(codes[0], area)


def report_title(area: Area) -> str:
    """The issuing body as the plates name it, e.g. 古城区网格化服务管理中心."""
    return f"{district_of(area).name}网格化服务管理中心"


def _row(rates: dict[str, Any]) -> dict[str, Any]:
    return {
        "reported": rates["counts"]["reported"],
        "closed": rates["counts"]["closed"],
        "due_to_close": rates["counts"]["due_to_close"],
        **{key: rates[key] for key in RATE_KEYS},
        "score": rates["hotline"]["score"],
        "average_handling_hours": rates.get("average_handling_hours"),
    }


def _empty() -> dict[str, Any]:
    return _row(rates_from_counts(defaultdict(int)))


def _grouped(reader: User, area: Area, period: Period, group: str, now) -> dict[str, Any]:
    answer = rates_report(
        user=reader, group=group, area=area.code, since=period.since, until=period.until, now=now
    )
    return answer.get("groups", {})


def _ranked(current: dict, previous: dict, names: dict[str, str]) -> list[dict[str, Any]]:
    """Rows of every group seen in either period, best closure rate first, each with its
    figures, the previous period's and the change of the closure rate (a difference of two
    rates: percentage points, as a fraction: -0.25 is 25 points down)."""
    rows = []
    for key in sorted(set(current) | set(previous)):
        now_row = _row(current[key]) if key in current else _empty()
        before = _row(previous[key]) if key in previous else _empty()
        change = None
        if now_row["closure_rate"] is not None and before["closure_rate"] is not None:
            change = round(now_row["closure_rate"] - before["closure_rate"], 4)
        rows.append(
            {
                "key": key,
                "name": names.get(key, key),
                **now_row,
                "previous": before,
                "closure_change": change,
            }
        )
    rows.sort(key=lambda r: (r["closure_rate"] is None, -(r["closure_rate"] or 0), -r["reported"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def _categories(reader: User, area: Area, period: Period, now) -> dict[str, dict]:
    """Rates by category (event class): the subclasses' summed counts added up by class
    before any rate is computed (a class's rate is the rate of its counts, never an average
    of its subclasses' rates)."""
    _total, by_subclass = rates_counts(
        user=reader,
        group="subclass",
        area=area.code,
        since=period.since,
        until=period.until,
        now=now,
    )
    classes = dict(
        Subclass.objects.filter(code__in=list(by_subclass)).values_list(
            "code", "event_class__name_zh"
        )
    )
    summed: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, counts in by_subclass.items():
        into = summed[classes.get(code) or "-"]
        for key, value in counts.items():
            into[key] += value
    return {
        name: rates_from_counts(counts) for name, counts in summed.items() if counts["reported"]
    }


def _trend_labels(period: Period) -> list[str]:
    """Every day (or month) the trend covers, so that a quiet one shows as a zero."""
    if period.kind in ("quarter", "year"):
        months = (
            period.end.year * 12 + period.end.month - (period.start.year * 12 + period.start.month)
        )
        return [
            f"{(period.start.year * 12 + period.start.month - 1 + i) // 12}-"
            f"{(period.start.month - 1 + i) % 12 + 1:02d}"
            for i in range(months)
        ]
    first = period.end - dt.timedelta(days=7) if period.kind == "day" else period.start
    return [(first + dt.timedelta(days=i)).isoformat() for i in range((period.end - first).days)]


def _trend(reader: User, area: Area, period: Period, now) -> list[dict[str, Any]]:
    """Reports and closures over the period: by month for a quarter or a year, by day
    otherwise (a day's report shows the week that ends with it). Days (months) after today
    are left out: in a period still running they have no figures yet, not zero."""
    group = "month" if period.kind in ("quarter", "year") else "day"
    today = timezone.localdate(now)
    last = f"{today:%Y-%m}" if group == "month" else today.isoformat()
    labels = [label for label in _trend_labels(period) if label <= last]
    since = period.until - dt.timedelta(days=7) if period.kind == "day" else period.since
    answer = rates_report(
        user=reader, group=group, area=area.code, since=since, until=period.until, now=now
    )
    groups = answer.get("groups", {})
    trend = []
    for label in labels:
        counts = groups[label]["counts"] if label in groups else {"reported": 0, "closed": 0}
        rate = groups[label]["closure_rate"] if label in groups else None
        trend.append(
            {
                "label": label,
                "reported": counts["reported"],
                "closed": counts["closed"],
                "closure_rate": rate,
            }
        )
    return trend


def report_figures(*, area: Area, period: Period, now: dt.datetime | None = None) -> dict:
    """Everything a report shows, as plain values (the builders only lay them out)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    reader = area_reader(area)
    previous = period.previous()
    summary = rates_report(
        user=reader, area=area.code, since=period.since, until=period.until, now=now
    )["all"]
    summary_before = rates_report(
        user=reader, area=area.code, since=previous.since, until=previous.until, now=now
    )["all"]
    by = {}
    for group in ("area", "department", "source"):
        by[group] = (
            _grouped(reader, area, period, group, now),
            _grouped(reader, area, previous, group, now),
        )
    children = dict(
        Area.objects.filter(code__in=set(by["area"][0]) | set(by["area"][1])).values_list(
            "code", "name"
        )
    )
    sources = {value: str(label) for value, label in Source.choices}
    departments = set(Department.objects.values_list("name", flat=True))
    return {
        "title": report_title(area),
        "area": {"code": area.code, "name": area.name, "kind": area.kind},
        "period": {
            "kind": period.kind,
            "key": period.key,
            "start": period.start.isoformat(),
            "last_day": period.last_day.isoformat(),
            # A period still running is reported to date: its figures stop at today.
            "as_of": None if period.has_ended(today) else today.isoformat(),
        },
        "previous_period": {
            "key": previous.key,
            "start": previous.start.isoformat(),
            "last_day": previous.last_day.isoformat(),
        },
        "generated_at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        "summary": _row(summary),
        "summary_previous": _row(summary_before),
        "areas": _ranked(*by["area"], children),
        "departments": _ranked(
            *by["department"], {name: name for name in departments} | {"-": _("No department")}
        ),
        "categories": _ranked(
            _categories(reader, area, period, now), _categories(reader, area, previous, now), {}
        ),
        "sources": _ranked(*by["source"], sources),
        "trend": _trend(reader, area, period, now),
    }
