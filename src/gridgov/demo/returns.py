"""Cases a department sent back as "not ours" (退回) this month, so the departments' returns
and buck-passing (推诿) and the dispatchers' accurate dispatch (docs/kpis.md) have figures:
the center upheld some returns (sent the case elsewhere: the first dispatch was wrong), sent
one back to the same department (the return was not upheld: buck-passing), and has not yet
decided on one. Each step at its own moment (lifecycle.py); descriptions say demo data."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gridgov.areas.models import Department
from gridgov.demo.command import DEMO, _grids, _People, _report
from gridgov.demo.events import _photo
from gridgov.demo.lifecycle import demo_clock, gap, month_start, schedule
from gridgov.events.services import event_act

RECENT = dt.timedelta(days=6)
# (street, subclass, what was reported, first department, why it was returned, the
# department the center then chose (None: not decided yet), the steps after that).
RETURNS = [
    (
        "文化",
        "0502",
        "商铺店外经营占用人行道",
        "区市场监督管理局",
        "占道经营属街道综合执法中队职责",
        "文化街道综合执法中队",
        ["take", "feedback", "verify_pass", "close"],
    ),
    (
        "祥和",
        "1402",
        "楼道电动车飞线充电，存在火灾隐患",
        "区城市管理综合行政执法局",
        "楼道消防隐患属住建部门牵头",
        "区住房和城乡建设局",
        ["take", "feedback"],
    ),
    (
        "束河",
        "1501",
        "邻里因噪音发生纠纷，需调解",
        "束河街道派出所",
        "属民间纠纷，建议社区调解",
        "束河街道派出所",  # the center keeps it with the police station: not upheld
        ["take", "feedback", "verify_pass", "close"],
    ),
    (
        "金山",
        "0404",
        "小区下水道堵塞，污水外溢",
        "区住房和城乡建设局",
        "市政管网不属本局职责",
        None,
        [],
    ),
]


def build_returns(rng: random.Random) -> int:
    """The cases of RETURNS; returns how many were made."""
    people = _People()
    now = timezone.now()
    for street, code, text, first, reason, then, after in RETURNS:
        first_department = Department.objects.get(name=first)
        center = people.operator
        steps = [
            ("accept", center, {}, "演示处理"),
            ("dispatch", center, {"department_id": first_department.pk}, "演示派遣"),
            ("return", people.handler(first_department), {}, f"{reason}{DEMO}"),
        ]
        if then is not None:
            department = Department.objects.get(name=then)
            handler = people.handler(department)
            steps.append(("dispatch", center, {"department_id": department.pk}, "改派（演示）"))
            for action in after:
                actor = handler if action in ("take", "feedback") else center
                data = {"photos": [_photo(rng, actor)]} if action == "feedback" else {}
                steps.append((action, actor, data, "演示处理"))
        # Within the last week, after the grid cases' reports (see worker_cases.py: a day
        # before that would find its number sequence dropped on PostgreSQL).
        earliest = max(month_start(now), now - RECENT)
        moments = schedule(rng, [gap(rng, a) for a, *_rest in steps], now=now, earliest=earliest)
        with demo_clock(moments[0]):
            event = _report(rng, people, rng.choice(_grids(street)), code, text)
        for (action, actor, data, comment), at in zip(steps, moments[1:], strict=True):
            with demo_clock(at):
                event_act(user=actor, event_id=event.pk, action=action, comment=comment, data=data)
    return len(RETURNS)
