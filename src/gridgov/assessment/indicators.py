"""The indicators a zone may weigh: a registry of plug-ins of one shape.

`indicator_register(key, label, unit, compute, formula=…, target=…, baseline=…)` adds one;
`compute(area, since, until)` returns the area's value for the period [since, until) or None
when there is nothing to measure (no event due, no campaign). Other apps register theirs in
their AppConfig.ready() (the community services will add "service satisfaction"); the
built-in ones read the rollups and small GROUP BYs, never every event.

Values of rates are percentages (0…100), so that targets read as people write them (95).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.models import User
from gridgov.analytics.selectors import rates_report
from gridgov.areas.models import Area
from gridgov.assessment.formulas import percent
from gridgov.canvass.models import Campaign, Task
from gridgov.events.models import Summons
from gridgov.party.models import Grading
from gridgov.registry.kinds import KINDS
from gridgov.smartcodes.models import CheckIn, PatrolPlan

Compute = Callable[[Area, dt.datetime, dt.datetime], float | None]


@dataclass(frozen=True)
class IndicatorKind:
    key: str
    label: Any  # a lazy translation
    unit: str
    compute: Compute
    formula: Any
    target: float
    baseline: float


REGISTRY: dict[str, IndicatorKind] = {}


def indicator_register(
    key: str,
    label: Any,
    unit: str,
    compute: Compute,
    *,
    formula: Any = "",
    target: float = 100.0,
    baseline: float = 0.0,
) -> None:
    """Register (or replace, for a reload) an indicator; `target`/`baseline` are the
    defaults offered when a zone adds it."""
    REGISTRY[key] = IndicatorKind(key, label, unit, compute, formula, target, baseline)


def indicator_kind(key: str) -> IndicatorKind | None:
    return REGISTRY.get(key)


# -- one computation's memo ------------------------------------------------------------------
# A run asks every indicator of every area; the rates of an area come from one read of the
# rollups, shared by all rate indicators of that area within the run.
_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("assessment_memo", default=None)


@contextlib.contextmanager
def computing(district: Area | None = None) -> Iterator[None]:
    """One run's memo; `district` is the run's root, where an indicator looks whether its
    source had any record at all in the period (none: no data, not 0%)."""
    token = _memo.set({"district": district})
    try:
        yield
    finally:
        _memo.reset(token)


def _memoized(key: tuple, make: Callable[[], Any]) -> Any:
    memo = _memo.get()
    if memo is None:
        return make()
    if key not in memo:
        memo[key] = make()
    return memo[key]


# The assessment is the district's, not a reader's: figures are computed over everything
# under the area, as a superuser would read them (never shown to anyone without scope).
_DISTRICT_READER = User(username="assessment", is_superuser=True, is_active=True)


def _rates(area: Area, since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    return _memoized(
        ("rates", area.pk, since, until),
        lambda: rates_report(user=_DISTRICT_READER, area=area.code, since=since, until=until)[
            "all"
        ],
    )


def _rate(name: str, hotline: bool = False) -> Compute:
    def compute(area: Area, since: dt.datetime, until: dt.datetime) -> float | None:
        rates = _rates(area, since, until)
        value = rates["hotline"][name] if hotline else rates[name]
        return None if value is None else round(100.0 * value, 2)

    return compute


# -- whistles, patrols, canvass, Party ------------------------------------------------------


def whistle_report_back(area: Area, since: dt.datetime, until: dt.datetime) -> float | None:
    """The area's own departments (its squads and offices) answering the whistles of the
    levels below: summonses made in the period whose report-back was due, reported back by
    the due time ÷ those due."""
    rows = Summons.objects.filter(
        department__area__path__startswith=area.path,
        whistle__at__gte=since,
        whistle__at__lt=until,
        report_due_at__isnull=False,
    ).filter(Q(reported_at__isnull=False) | Q(report_due_at__lt=until))
    counts = rows.aggregate(
        due=Count("pk"),
        on_time=Count(
            "pk", filter=Q(reported_at__isnull=False, reported_at__lte=F("report_due_at"))
        ),
    )
    return percent(counts["on_time"], counts["due"])


def _district_of(area: Area) -> Area:
    memo = _memo.get()
    return (memo or {}).get("district") or area


def _patrolled(district: Area, since: dt.datetime, until: dt.datetime) -> bool:
    """Any check-in at all in the district in the period. Without one, patrols were not
    recorded there yet (a year before the smart codes): today's plans and places must not
    turn that into 0% coverage."""
    return _memoized(
        ("patrolled", district.pk, since, until),
        lambda: CheckIn.objects.filter(
            code__area__path__startswith=district.path, at__gte=since, at__lt=until
        ).exists(),
    )


def patrol_coverage(area: Area, since: dt.datetime, until: dt.datetime) -> float | None:
    """Visits made ÷ visits due: each place a plan covers needs one visit every N days of the
    period (ceil(days ÷ N)); a place's extra visits do not make up for another's missing.
    No data (None) when the district recorded no check-in at all in the period."""
    if not _patrolled(_district_of(area), since, until):
        return None
    days = max((until - since).total_seconds() / 86400.0, 0.0)
    plans = [
        p
        for p in PatrolPlan.objects.filter(active=True).select_related("area")
        if p.area.path.startswith(area.path) or area.path.startswith(p.area.path)
    ]
    every: dict[str, int] = {}
    for plan in plans:  # the tightest plan wins where plans overlap, as smartcodes/patrol.py
        every[plan.kind] = min(every.get(plan.kind, plan.every_days), plan.every_days)
    due = done = 0
    for kind, every_days in every.items():
        needed = max(math.ceil(days / every_days), 1) if days else 0
        places = list(
            KINDS[kind]
            .model.objects.filter(area__path__startswith=area.path)
            .values_list("pk", flat=True)
        )
        if not places or not needed:
            continue
        visits = dict(
            CheckIn.objects.filter(
                code__kind=kind, code__object_id__in=places, at__gte=since, at__lt=until
            )
            .values_list("code__object_id")
            .annotate(n=Count("pk"))
            .values_list("code__object_id", "n")
            .order_by()
        )
        due += needed * len(places)
        done += sum(min(visits.get(pk, 0), needed) for pk in places)
    return percent(done, due)


def canvass_completion(area: Area, since: dt.datetime, until: dt.datetime) -> float | None:
    """Households visited ÷ households to visit, in the launched campaigns due in the period."""
    tasks = Task.objects.filter(
        area__path__startswith=area.path,
        campaign__due_date__gte=timezone.localdate(since),
        campaign__due_date__lt=timezone.localdate(until),
    ).exclude(campaign__status=Campaign.Status.DRAFT)
    counts = tasks.aggregate(all=Count("pk"), done=Count("pk", filter=Q(status=Task.Status.DONE)))
    return percent(counts["done"], counts["all"])


def party_grading(area: Area, since: dt.datetime, until: dt.datetime) -> float | None:
    """The mean total (0…100) of the year's gradings (分类定级) of the Party organizations
    in the area."""
    found = Grading.objects.filter(
        organization__area__path__startswith=area.path, year=timezone.localdate(since).year
    ).aggregate(mean=Avg("total"))["mean"]
    return None if found is None else round(float(found), 2)


def _register_builtins() -> None:
    rates = [
        ("closure_rate", _("Closure rate (结案率)"), _("closed ÷ due to close"), 95, 70),
        (
            "on_time_closure_rate",
            _("On-time closure rate (按期结案率)"),
            _("closed by the handling deadline ÷ due to close"),
            90,
            50,
        ),
        (
            "timely_acceptance_rate",
            _("Timely acceptance rate (及时受理率)"),
            _("filed or refused by the acceptance deadline ÷ reported (less void)"),
            95,
            60,
        ),
        (
            "timely_dispatch_rate",
            _("Timely dispatch rate (按时派遣率)"),
            _("dispatched by the dispatch deadline ÷ dispatched"),
            95,
            60,
        ),
        (
            "rework_rate",
            _("Rework rate (返工率)"),
            _("events sent back at least once ÷ due to close; lower is better"),
            2,
            20,
        ),
        (
            "satisfaction_rate",
            _("Satisfaction (满意率)"),
            _("(satisfied + 0.9 × basically satisfied) ÷ rated"),
            90,
            60,
        ),
    ]
    for key, label, formula, target, baseline in rates:
        indicator_register(
            key, label, "%", _rate(key), formula=formula, target=target, baseline=baseline
        )
    indicator_register(
        "hotline_score",
        _("12345 combined score (接诉即办)"),
        "%",
        _rate("score", hotline=True),
        formula=_("0.1 × response + 0.5 × solved + 0.4 × satisfied (docs/rates.md)"),
        target=90,
        baseline=60,
    )
    indicator_register(
        "whistle_report_back",
        _("Whistles answered on time (吹哨报到)"),
        "%",
        whistle_report_back,
        formula=_(
            "summonses to the area's own departments reported back by the due time ÷ those due"
        ),
        target=95,
        baseline=60,
    )
    indicator_register(
        "patrol_coverage",
        _("Patrol coverage (巡查覆盖率)"),
        "%",
        patrol_coverage,
        formula=_("visits made ÷ visits due: each planned place once every N days"),
        target=95,
        baseline=50,
    )
    indicator_register(
        "canvass_completion",
        _("Canvass completion (排查完成率)"),
        "%",
        canvass_completion,
        formula=_("households visited ÷ households to visit, campaigns due in the period"),
        target=100,
        baseline=60,
    )
    indicator_register(
        "party_grading",
        _("Party-building grade (党建分类定级)"),
        # A context: the bare "points" is a Party points rule's value (分值); a score reads 分.
        pgettext_lazy("unit of an assessment score", "points"),
        party_grading,
        formula=_("mean total of the year's gradings of the area's Party organizations"),
        target=85,
        baseline=60,
    )


_register_builtins()
