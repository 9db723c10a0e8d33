"""The demo's grid cases: reports of residents and grid workers taken round the loop by the
people who do it, each step at its own moment of the last two months (lifecycle.py), so that
the leaders' KPIs (docs/kpis.md) and the dashboard's handling times have real figures.

- the center (the operator, or the shift leader on some shifts) files and dispatches to the
  grid's worker by name: an offer (派单) the worker answers with accept_task (核实), most
  within verify_hours, some later, a few declined and sent on to a colleague or the grid head;
- the worker reports the handling (反馈), with a photo;
- a colleague of the grid, the community's grid head or the center checks it (核查), most
  within check_hours, some later, now and then sent back for rework;
- the center closes; the reporter rates, or the center records a callback's rating (回访).

A quarter of the cases lie in 文汇社区 (many in its first grid), where the demo's grid
worker and grid head logins work, so their own pages have something to show. Every description says it is demo data."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area
from gridgov.demo.lifecycle import demo_clock, gap, month_start, schedule
from gridgov.events.services import event_act, event_report

WENHUI = "530702001002"  # 文汇社区: the community of the demo's grid worker and grid head
DEMO_GRID = "530702001002001"  # the demo grid worker login's grid
FULL = ["accept", "dispatch", "accept_task", "feedback", "verify_pass", "close", "evaluate"]
# How far along the loop cases of this month go (every state of the queue has some); cases
# of last month are mostly done.
DEPTHS = [0, 1, 2, 3, 4, 6, 7, 7, 7]
OLDER_DEPTHS = [4, 6, 7, 7, 7, 7]
THIS_MONTH_SHARE = 0.6
# Cases still open were reported lately: how far back each open depth reaches (an offer
# nobody answered for a week is no demo of a working grid).
OPEN_FOR = {
    0: dt.timedelta(hours=12),
    1: dt.timedelta(hours=8),
    2: dt.timedelta(hours=5),
    3: dt.timedelta(days=2),
    4: dt.timedelta(days=2),
}
DECLINE_SHARE = 0.08
REWORK_SHARE = 0.1
WORKER_FOUND_SHARE = 0.7
FIELD_CHECK_SHARE = 0.7  # checks by the grid's own people; the rest by the center


@dataclass
class Cast:
    """Who works the cases: the center, a resident, each grid's workers and its grid head."""

    operator: User
    shift_leader: User
    resident: User
    workers: dict[int, list[User]] = field(default_factory=dict)
    heads: dict[int, User] = field(default_factory=dict)

    @classmethod
    def load(cls, grids: list[Area]) -> Cast:
        named = {u.username: u for u in User.objects.filter(username__in=_LOGINS)}
        cast = cls(named["operator"], named["shift_leader"], named["resident"])
        for worker in User.objects.filter(role=Role.GRID_WORKER, area__kind="grid").order_by(
            "username"
        ):
            # "gw…" first: the grid's own worker leads; the demo login is the second.
            cast.workers.setdefault(worker.area_id, []).append(worker)
        for workers in cast.workers.values():
            workers.sort(key=lambda u: (not u.username.startswith("gw"), u.username))
        heads = {u.pk: u for u in User.objects.filter(role=Role.GRID_HEAD)}
        cast.heads = {g.pk: heads[g.grid_head_id] for g in grids if g.grid_head_id in heads}
        return cast


_LOGINS = ("operator", "shift_leader", "resident")


def build_worker_cases(rng: random.Random, count: int = 240) -> int:
    """`count` cases over the grids (see the module); returns the number made."""
    from gridgov.demo.events import TEXTS, _photo, _point_in

    grids = list(Area.objects.filter(kind="grid", path__startswith="/530702/").order_by("code"))
    cast = Cast.load(grids)
    grids = [g for g in grids if g.pk in cast.workers]
    wenhui = [g for g in grids if g.code.startswith(WENHUI)]
    own = [g for g in grids if g.code == DEMO_GRID] or wenhui
    now = timezone.now()
    this_month = month_start(now)
    cases = []
    for _ in range(count):
        grid = rng.choice(grids)
        if wenhui and rng.random() < 0.25:
            grid = rng.choice(own if rng.random() < 0.4 else wenhui)
        recent = rng.random() < THIS_MONTH_SHARE
        depth = rng.choice(DEPTHS if recent else OLDER_DEPTHS)
        code = rng.choice(list(TEXTS))
        workers = cast.workers[grid.pk]
        lead = workers[0]
        if grid.code == DEMO_GRID and len(workers) > 1:
            lead = workers[1]  # the demo's own grid worker login: its tasks
        # Workers find most of their grid's cases; the public reports the rest (漏报).
        reporter = lead if rng.random() < WORKER_FOUND_SHARE else cast.resident
        steps = _steps(rng, cast, grid, lead, reporter, depth)
        earliest = this_month if recent else this_month - dt.timedelta(days=30)
        if recent and depth in OPEN_FOR:
            earliest = max(earliest, now - OPEN_FOR[depth])  # what is still open is recent
        moments = schedule(
            rng,
            [gap(rng, action) for action, *_rest in steps],
            now=now,
            earliest=earliest,
            latest=None if recent else this_month,
        )
        cases.append((moments, grid, code, reporter, steps, _point_in(rng, grid)))
    # Reported in the order of their moments: PostgreSQL numbers each day's reports from a
    # sequence kept for a week (events/numbers.py), which a day reported after a later one
    # would find dropped and start again.
    cases.sort(key=lambda case: case[0][0])
    for moments, grid, code, reporter, steps, point in cases:
        with demo_clock(moments[0]):
            event = event_report(
                user=reporter,
                data={
                    "subclass": code,
                    "description": f"{TEXTS[code]}（演示数据）",
                    "lon": point.x,
                    "lat": point.y,
                    "address": grid.name,
                },
                source="resident" if reporter == cast.resident else "worker",
            )
        for (action, actor, data, comment), at in zip(steps, moments[1:], strict=True):
            if action == "feedback":
                data = {**data, "photos": [_photo(rng, actor)]}
            with demo_clock(at):
                event_act(user=actor, event_id=event.pk, action=action, comment=comment, data=data)
    return count


Step = tuple[str, User, dict, str]


def _steps(
    rng: random.Random, cast: Cast, grid: Area, lead: User, reporter: User, depth: int
) -> list[Step]:
    """The case's steps along FULL to `depth`, `lead` offered the task (see the module)."""
    center = cast.shift_leader if rng.random() < 0.3 else cast.operator
    if depth and rng.random() < 0.05:
        return [("reject", center, {}, "不属于网格事项（演示）")]
    workers = cast.workers[grid.pk]
    head = cast.heads.get(grid.pk)
    colleagues = [w for w in workers if w != lead] + ([head] if head else [])
    steps: list[Step] = []
    handler = lead
    for action in FULL[:depth]:
        if action == "dispatch":
            steps.append(("dispatch", center, {"assignee_id": lead.pk}, "演示派遣"))
            if depth >= 3 and colleagues and rng.random() < DECLINE_SHARE:
                # Declined (not theirs to do today): the center sends it to a colleague.
                handler = rng.choice(colleagues)
                steps.append(("decline_task", lead, {}, "本人休假，无法处理（演示）"))
                steps.append(("dispatch", center, {"assignee_id": handler.pk}, "改派（演示）"))
        elif action in ("accept_task", "feedback"):
            steps.append((action, handler, {}, "演示处理"))
        elif action == "verify_pass":
            checkers = [p for p in [*workers, *([head] if head else [])] if p != handler]
            checker = center
            if checkers and rng.random() < FIELD_CHECK_SHARE:
                checker = rng.choice(checkers)
            if rng.random() < REWORK_SHARE:
                steps.append(("verify_fail", checker, {}, "现场核查仍未整改到位（演示）"))
                steps.append(("feedback", handler, {}, "已返工整改（演示）"))
            steps.append(("verify_pass", checker, {}, "现场核查已解决（演示）"))
        elif action == "evaluate":
            satisfaction = rng.choices(
                ["satisfied", "basically", "dissatisfied"], weights=[8, 2, 1]
            )[0]
            if reporter == cast.resident:
                steps.append(("evaluate", reporter, {"satisfaction": satisfaction}, ""))
            else:
                steps.append(("evaluate_callback", center, {"satisfaction": satisfaction}, "回访"))
        else:
            steps.append((action, center, {}, "演示处理"))
    return steps
