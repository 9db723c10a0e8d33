"""Random events and random writes through the rollup's real hooks: the incrementally kept
rollup equals its recomputation, a rebuild equals the incremental rollup, and the rates
read from it equal `rates_for` over the rows for any period and grouping."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.analytics.models import AREA_KEY_FIELDS, KEY_FIELDS, AreaDayRollup, DailyRollup
from gridgov.analytics.selectors import rates_report
from gridgov.analytics.services import (
    rollup_event_changed,
    rollup_event_created,
    rollups_rebuild,
    rollups_verify,
)
from gridgov.areas.models import Area, Department
from gridgov.events import calendar as event_calendar
from gridgov.events.models import CalendarDay, Event, Satisfaction, Subclass
from gridgov.events.rates import FIELDS, STORED_KEYS, rates_grouped
from gridgov.events.selectors import events_for_rates
from gridgov.events.workflow import State
from tests.conftest import WENHUI_GRID

# Processes keep the calendar (events/calendar.py): tell this one the days changed.
calendar_changed = getattr(event_calendar, "calendar_changed", lambda: None)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Friday 2026-03-06 00:00 local: the events spread over ten days with a weekend, a holiday
# and a swapped working day, so working hours cross every rule of the calendar.
BASE = dt.datetime(2026, 3, 6, tzinfo=SHANGHAI)
NOW = BASE + dt.timedelta(days=5, hours=10, minutes=7)
ENGINES = ["python", "sql"] if connection.vendor == "postgresql" else ["python"]
GROUPS = [None, "area", "department", "subclass", "source", "month", "day"]
# No filter; a street (the area rollup); a grid (the daily rollup); a subclass; a source;
# both (the daily rollup again).
FILTERS = [
    (None, None, None),
    ("530702001", None, None),
    ("530702001002001", None, None),
    (None, "0102", None),
    (None, None, "hotline"),
    ("530702001002", "0102", "worker"),
]
numbers = itertools.count()

moment = st.builds(
    lambda minutes, micros: BASE + dt.timedelta(minutes=minutes, microseconds=micros),
    st.integers(-60, 10 * 24 * 60),
    st.sampled_from([0, 0, 0, 1, 999_999]),
)
maybe_moment = st.none() | moment
# Every level of the five-level scale, and unrated twice as often as each.
satisfaction = st.sampled_from(["", "", *Satisfaction.values])
rate_fields = st.fixed_dictionaries(
    {},
    optional={
        "state": st.sampled_from(State.values),
        "accepted_at": maybe_moment,
        "accept_due_at": maybe_moment,
        "dispatched_at": maybe_moment,
        "dispatch_due_at": maybe_moment,
        "handled_at": maybe_moment,
        "handle_due_at": maybe_moment,
        "closed_at": maybe_moment,
        "rework_count": st.integers(0, 2),
        "satisfaction": satisfaction,
        "department": st.integers(0, 2),
        "assignee": st.integers(0, 1),
    },
)
new_event = st.fixed_dictionaries(
    {
        "reported_at": moment,
        "area": st.integers(0, 2),
        "subclass": st.integers(0, 1),
        "source": st.sampled_from(["worker", "hotline", "resident"]),
        "reporter": st.integers(0, 2),
        "fields": rate_fields,
    }
)
window_edge = st.none() | moment | st.integers(-1, 10).map(lambda d: BASE + dt.timedelta(days=d))


@pytest.fixture
def world(db, grid_worker, squad_handler, reporter):
    CalendarDay.objects.update_or_create(
        date=dt.date(2026, 3, 9), defaults={"is_workday": False, "name": "holiday"}
    )
    CalendarDay.objects.update_or_create(
        date=dt.date(2026, 3, 7), defaults={"is_workday": True, "name": "swapped"}
    )
    calendar_changed()
    grids = [
        Area.objects.get(code=WENHUI_GRID),
        Area.objects.filter(kind="grid").order_by("code").first(),
        Area.objects.filter(kind="grid").order_by("-code").first(),
    ]
    yield {
        "grids": grids,
        "subclasses": list(Subclass.objects.order_by("code")[:2]),
        # The squad of squad_handler among them: a department's scope is read too.
        "departments": [None, squad_handler.department, Department.objects.order_by("pk")[0]],
        # Relations outside the rollup's part: reporter, assignee (by name).
        "people": [None, grid_worker, reporter],
    }
    calendar_changed()  # the days above roll back: no later test may keep them


def _resolved(world, fields: dict) -> dict:
    out = {k: v for k, v in fields.items() if k not in ("department", "assignee")}
    if "department" in fields:
        out["department"] = world["departments"][fields["department"]]
    if "assignee" in fields:
        out["assignee"] = world["people"][fields["assignee"]]
    return out


def _create(world, spec) -> Event:
    grid = world["grids"][spec["area"]]
    event = Event.objects.create(
        number=f"P{next(numbers)}",
        subclass=world["subclasses"][spec["subclass"]],
        description="x",
        source=spec["source"],
        reporter=world["people"][spec["reporter"]],
        area=grid,
        lon=0,
        lat=0,
        **_resolved(world, spec["fields"]),
    )
    Event.objects.filter(pk=event.pk).update(reported_at=spec["reported_at"])
    event.refresh_from_db()
    rollup_event_created(event=event)  # the hook intake calls
    return event


def _write(world, event_id: int, fields: dict) -> None:
    before = Event.objects.get(pk=event_id)
    changes = _resolved(world, fields)
    Event.objects.filter(pk=event_id).update(**changes)
    rollup_event_changed(before=before, changes=changes)  # the hook event_act calls


def _stored() -> dict:
    return {
        (model.__name__, *row[: len(keys)]): row[len(keys) :]
        for model, keys in ((DailyRollup, KEY_FIELDS), (AreaDayRollup, AREA_KEY_FIELDS))
        for row in model.objects.values_list(*keys, *STORED_KEYS)
        if any(row[len(keys) :])
    }


def _reference(user, group, since, until, area=None, subclass=None, source=None) -> dict:
    filters = {"area": area, "subclass": subclass, "source": source}
    events = events_for_rates(user=user, filters=filters)
    if since:
        events = events.filter(reported_at__gte=since)
    if until:
        events = events.filter(reported_at__lt=until)
    depth = user.area.depth if user.area_id else 0
    return rates_grouped(list(events.values(*FIELDS)), group, depth, now=NOW)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=st.lists(new_event, min_size=1, max_size=12),
    writes=st.lists(st.tuples(st.integers(0, 11), rate_fields), max_size=15),
    windows=st.lists(st.tuples(window_edge, window_edge), min_size=1, max_size=3),
    exclude_deferred=st.booleans(),
)
def test_rollup_equals_rows(
    world,
    admin_user,
    operator,
    community_staff,
    street_staff,
    grid_worker,
    squad_handler,
    events,
    writes,
    windows,
    exclude_deferred,
):
    Event.objects.all().delete()
    DailyRollup.objects.all().delete()
    AreaDayRollup.objects.all().delete()
    ids = [_create(world, spec).pk for spec in events]
    for index, fields in writes:
        _write(world, ids[index % len(ids)], fields)

    for engine in ENGINES:
        assert rollups_verify(engine=engine) == []
    incremental = _stored()
    for engine in ENGINES:
        rollups_rebuild(engine=engine)
        assert _stored() == incremental
    rollups_rebuild(since=(BASE + dt.timedelta(days=3)).date())
    assert _stored() == incremental

    with settings_override(exclude_deferred):
        users = (admin_user, operator, community_staff, street_staff, grid_worker, squad_handler)
        combos = list(itertools.product(GROUPS, FILTERS))
        for n, user in enumerate(users):
            # Each user a third of the combinations, every combination for two users.
            for i, (group, (area, subclass, source)) in enumerate(combos):
                if (i + n) % 3:
                    continue
                since, until = windows[i % len(windows)]
                got = rates_report(
                    user=user,
                    group=group,
                    area=area,
                    subclass=subclass,
                    source=source,
                    since=since,
                    until=until,
                    now=NOW,
                )
                want = _reference(user, group, since, until, area, subclass, source)
                assert got == want, (user, group, since, until, area, subclass, source)


class settings_override:
    def __init__(self, exclude_deferred: bool):
        from django.test import override_settings

        self.override = override_settings(GRIDGOV_RATES={"exclude_deferred": exclude_deferred})

    def __enter__(self):
        self.override.enable()

    def __exit__(self, *exc):
        self.override.disable()
