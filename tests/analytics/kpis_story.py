"""A small known October (2026) in 文汇社区第1网格 for the KPI tests: events, offers, timeline
steps and patrol check-ins written directly with their times, and the values each KPI must
give, worked out by hand in the comments of `build_story`."""

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area, Department
from gridgov.events.models import Assignment, Event, Subclass, TimelineEntry
from gridgov.smartcodes.models import CheckIn, PatrolPlan, SmartCode
from tests.conftest import JINJIA, WENHUI_GRID, _persona

TZ = timezone.get_default_timezone()
SINCE, UNTIL = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
_serial = itertools.count(1)


def at(day: int, hour: float, month: int = 10) -> dt.datetime:
    """A local time in 2026."""
    base = dt.datetime(2026, month, day, tzinfo=TZ)
    return base + dt.timedelta(hours=hour)


@dataclass
class Story:
    people: dict[str, User]
    events: dict[str, Event]
    squad: Department
    bureau: Department


def _event(grid: Area, key: str, reported: dt.datetime, **fields: Any) -> Event:
    fields.setdefault("subclass", Subclass.objects.get(code="0102"))
    event = Event.objects.create(
        number=f"KPI{next(_serial):06d}",
        description=f"KPI story {key}",
        area=grid,
        lon=100.23,
        lat=26.87,
        **fields,
    )
    Event.objects.filter(pk=event.pk).update(reported_at=reported)
    event.refresh_from_db()
    return event


def _step(event: Event, actor: User | None, action: str, when: dt.datetime, **data: Any) -> None:
    entry = TimelineEntry.objects.create(
        event=event, actor=actor, action=action, to_state="", data=data
    )
    TimelineEntry.objects.filter(pk=entry.pk).update(at=when)


def _offer(event: Event, worker: User, offered: dt.datetime, status: str, decided=None):
    offer = Assignment.objects.create(event=event, worker=worker, status=status)
    Assignment.objects.filter(pk=offer.pk).update(offered_at=offered, decided_at=decided)


def build_story() -> Story:
    grid = Area.objects.get(code=WENHUI_GRID)
    people = {
        "w1": _persona("kpi_w1", Role.GRID_WORKER, WENHUI_GRID),
        "w2": _persona("kpi_w2", Role.GRID_WORKER, WENHUI_GRID),
        "far": _persona(
            "kpi_far", Role.GRID_WORKER, Area.objects.filter(parent__code=JINJIA).first().code
        ),
        "op1": _persona("kpi_op1", Role.OPERATOR, "530702"),
        "op2": _persona("kpi_op2", Role.SHIFT_LEADER, "530702"),
        "resident": _persona("kpi_resident", Role.RESIDENT, None),
    }
    people["w1"].last_name, people["w1"].first_name = "和", "一"
    people["w1"].save(update_fields=["last_name", "first_name"])
    squad = Department.objects.get(name="西安街道综合执法中队")
    bureau = Department.objects.get(name="区城市管理综合行政执法局")
    w1, w2, op1, op2 = people["w1"], people["w2"], people["op1"], people["op2"]
    t0 = at(10, 9)
    e: dict[str, Event] = {}

    # Reports of w1: filed (E1), refused (E2), waiting (E3), merged (E4) → decided 3, filed 1.
    e["E1"] = _event(
        grid, "E1", t0, source="worker", reporter=w1, state="closed", accepted_at=t0,
        department=squad, handle_due_at=at(11, 9), handled_at=at(11, 8), closed_at=at(11, 10),
        dispatch_due_at=at(10, 10),
    )  # fmt: skip
    e["E2"] = _event(grid, "E2", t0, source="worker", reporter=w1, state="rejected")
    e["E3"] = _event(grid, "E3", t0, source="worker", reporter=w1, state="reported")
    e["E4"] = _event(grid, "E4", t0, source="worker", reporter=w1, state="voided")
    # w2 reported E5: filed, returned by the squad, not dispatched again yet.
    e["E5"] = _event(
        grid, "E5", t0, source="worker", reporter=w2, state="filed", accepted_at=t0,
        dispatch_due_at=at(10, 10),
    )  # fmt: skip
    # The public: E6 repeats w1's E1 (seen before), E7 nobody had reported (missed);
    # E8 refused, E9 a camera's, E10 a road collapse (not on the grid admission list).
    e["E6"] = _event(
        grid, "E6", t0, source="resident", state="closed", accepted_at=t0, duplicate_of=e["E1"],
        department=squad, handle_due_at=at(11, 9), handled_at=at(12, 9), closed_at=at(12, 10),
        rework_count=1, dispatch_due_at=at(10, 10),
    )  # fmt: skip
    e["E7"] = _event(
        grid, "E7", t0, source="hotline", state="in_progress", accepted_at=t0,
        department=bureau, handle_due_at=at(12, 9), dispatch_due_at=at(10, 10),
    )  # fmt: skip
    e["E8"] = _event(grid, "E8", t0, source="open311", state="rejected")
    e["E9"] = _event(grid, "E9", t0, source="camera", state="filed", accepted_at=t0)
    e["E10"] = _event(
        grid, "E10", t0, source="hotline", state="filed", accepted_at=t0,
        subclass=Subclass.objects.get(code="0401"),
    )  # fmt: skip
    # Outside the period (September): counts nowhere.
    e["E0"] = _event(
        grid, "E0", at(20, 9, month=9), source="worker", reporter=w1, state="closed",
        accepted_at=at(20, 9, month=9), department=bureau, handle_due_at=at(21, 9, month=9),
    )  # fmt: skip

    # 核实 (offers, limit 4 h): w1 answers one in 1 h (on time) and one in 5 h (late); w2
    # leaves one unanswered (overdue) and one is withdrawn after 1 h (not due).
    _offer(e["E5"], w1, t0, "accepted", t0 + dt.timedelta(hours=1))
    _step(e["E5"], w1, "accept_task", t0 + dt.timedelta(hours=1))
    _offer(e["E7"], w1, t0, "declined", t0 + dt.timedelta(hours=5))
    _step(e["E7"], w1, "decline_task", t0 + dt.timedelta(hours=5))
    _offer(e["E7"], w2, t0, "offered")
    _offer(e["E1"], w2, t0, "withdrawn", t0 + dt.timedelta(hours=1))

    # 核查 (limit 24 h): w2 checks E1 2 h after the handling report (on time) and E6 30 h
    # after (late); w1 checks E6's second handling report 1 h after it (on time).
    _step(e["E1"], w1, "feedback", at(11, 8))
    _step(e["E1"], w2, "verify_pass", at(11, 10))
    _step(e["E6"], w1, "feedback", at(11, 8))
    _step(e["E6"], w2, "verify_fail", at(12, 14))
    _step(e["E6"], w1, "feedback", at(13, 0))
    _step(e["E6"], w1, "verify_pass", at(13, 1))

    # Dispatches (deadline 10:00 on the 10th): op1 sends E1 to the squad at 9:30 (on time, kept);
    # E6 to the bureau at 11:00 (late), returned, op2 sends it to the squad (op1: wrong);
    # E5 to the squad at 9:40 (on time), returned, pending. op2 sends E7 to the bureau at
    # 9:50 (on time), returned, and sends it to the bureau again (the bureau's 推诿).
    _step(e["E1"], op1, "dispatch", at(10, 9.5), department=squad.name, assignee=None)
    _step(e["E6"], op1, "dispatch", at(10, 11), department=bureau.name, assignee=None)
    _step(e["E6"], None, "return", at(10, 12))
    _step(e["E6"], op2, "dispatch", at(10, 13), department=squad.name, assignee=None)
    _step(e["E5"], op1, "dispatch", at(10, 9 + 40 / 60), department=squad.name, assignee=None)
    _step(e["E5"], None, "return", at(10, 12))
    _step(e["E7"], op2, "dispatch", at(10, 9 + 50 / 60), department=bureau.name, assignee=None)
    _step(e["E7"], None, "return", at(10, 12))
    _step(e["E7"], op2, "dispatch", at(10, 14), department=bureau.name, assignee=None)
    # A dispatch of September's event: outside the period.
    _step(e["E0"], op1, "dispatch", at(20, 9.2, month=9), department=bureau.name, assignee=None)

    # Patrol: a plan for the grid's businesses, three coded places; w1 checks in at two of
    # them in October (three times) and at the third in September; w2 at one.
    PatrolPlan.objects.create(area=grid, kind="businesses", every_days=7)
    codes = [
        SmartCode.objects.create(kind="businesses", object_id=900 + i, area=grid, serial=f"KPI{i}")
        for i in range(3)
    ]
    for code, user, when in (
        (codes[0], w1, at(5, 10)),
        (codes[0], w1, at(6, 10)),
        (codes[1], w1, at(7, 10)),
        (codes[2], w1, at(7, 10, month=9)),
        (codes[0], w2, at(8, 10)),
    ):
        CheckIn.objects.create(code=code, user=user, at=when)
    return Story(people=people, events=e, squad=squad, bureau=bureau)
