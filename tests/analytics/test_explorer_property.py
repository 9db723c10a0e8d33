"""Every figure of the rates explorer, by every grouping, for every reader and filter, equals
its recomputation from the events themselves: the events of the reader's area in the
period, grouped in Python by the ancestor area, the department's name, the subclass's
event class, the local day's week, month, quarter or year… and `rates_for` over each group
row by row. The previous period's figures the same way."""

import datetime as dt
import itertools
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.analytics.explorer import (
    GROUPINGS,
    TIME_GROUPINGS,
    Query,
    area_level,
    explore,
    figures,
)
from gridgov.analytics.explorer_periods import Period, period_containing
from gridgov.analytics.models import AreaDayRollup, DailyRollup
from gridgov.areas.models import Area
from gridgov.events.models import Event
from gridgov.events.rates import rates_for
from tests.analytics.test_rollups_property import (
    BASE,
    NOW,
    _create,
    _write,
    new_event,
    rate_fields,
    world,
)
from tests.conftest import WENHUI

__all__ = ["world"]

REFERENCE_FIELDS = (
    "state",
    "accepted_at",
    "accept_due_at",
    "dispatched_at",
    "dispatch_due_at",
    "handled_at",
    "handle_due_at",
    "closed_at",
    "rework_count",
    "satisfaction",
    "area__path",
    "department__name",
    "subclass__code",
    "subclass__event_class__code",
    "source",
    "reported_at",
)
FILTERS = [
    {},
    {"area": "530702001"},
    {"area": WENHUI},
    {"subclass": "0102"},
    {"source": "hotline"},
]
# Events fall in 2026-03-05 .. 2026-03-16: the week of the 9th has the week of the 2nd
# before it (some events), March has February (none), a range straddles both.
PERIODS = [
    period_containing("week", dt.date(2026, 3, 9)),
    period_containing("month", dt.date(2026, 3, 9)),
    Period("range", dt.date(2026, 3, 7), dt.date(2026, 3, 12)),
]


def _key(row: dict, grouping: str, level: int | None) -> str:
    day = row["reported_at"].astimezone(BASE.tzinfo).date()
    if level is not None:
        codes = [c for c in row["area__path"].strip("/").split("/") if c]
        return codes[min(level, len(codes) - 1)]  # an event filed above the level: its area
    if grouping == "department":
        return row["department__name"] or "-"
    if grouping == "category":
        return row["subclass__event_class__code"]
    if grouping == "subclass":
        return row["subclass__code"]
    if grouping == "source":
        return row["source"]
    return period_containing(grouping, day).label


def _recomputed(user: User, query: Query, period: Period, level: int | None):
    events = Event.objects.filter(reported_at__gte=period.since, reported_at__lt=period.until)
    if not user.is_superuser:
        events = events.filter(area__path__startswith=user.area.path)
    if query.area:
        events = events.filter(area__path__startswith=query.area.path)
    if query.subclass:
        events = events.filter(subclass__code=query.subclass)
    if query.source:
        events = events.filter(source=query.source)
    rows = list(events.values(*REFERENCE_FIELDS))
    total = figures(rates_for(rows, now=NOW))
    grouped = defaultdict(list)
    for row in rows:
        grouped[_key(row, query.grouping, level)].append(row)
    return total, {key: figures(rates_for(group, now=NOW)) for key, group in grouped.items()}


@pytest.fixture
def leader(db) -> User:
    user, _created = User.objects.update_or_create(
        username="t_leader",
        defaults={"role": Role.LEADER, "area": Area.objects.get(code="530702")},
    )
    return user


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=st.lists(new_event, min_size=1, max_size=14),
    writes=st.lists(st.tuples(st.integers(0, 13), rate_fields), max_size=10),
)
def test_every_grouping_equals_events(
    world, admin_user, leader, street_staff, community_staff, events, writes
):
    Event.objects.all().delete()
    DailyRollup.objects.all().delete()
    AreaDayRollup.objects.all().delete()
    ids = [_create(world, spec).pk for spec in events]
    for index, fields in writes:
        _write(world, ids[index % len(ids)], fields)

    users = (admin_user, leader, street_staff, community_staff)
    combos = itertools.product(GROUPINGS, FILTERS, PERIODS)
    for n, (grouping, filters, period) in enumerate(combos):
        user = users[n % len(users)]
        area = Area.objects.filter(code=filters.get("area")).first()
        if area is not None and not area.path.startswith(user.area.path if user.area else ""):
            continue
        query = Query(grouping, period, area, filters.get("subclass"), filters.get("source"), None)
        try:
            level = area_level(user, query)
        except Exception:  # no such level below the area (a street's staff by street)
            continue
        got = explore(user, query, now=NOW)
        total, groups = _recomputed(user, query, period, level)
        assert got["total"] == total, (user, grouping, filters, period)
        assert {r["key"]: r["values"] for r in got["rows"]} == groups, (user, grouping, filters)
        before_total, before = _recomputed(user, query, period.previous(), level)
        assert got["previous_total"] == before_total
        if grouping in TIME_GROUPINGS:
            before = {}  # a trend's buckets compare as a whole, by the total
        for row in got["rows"]:
            assert row["previous"] == before.get(row["key"]), (user, grouping, row["key"])
