"""The demo's classified assessment (seed 000, Gucheng): three zones of streets, each with
its own indicators and weights, and this year's assessment computed and published.

大研 and 束河: old-town protection and tourism; 西安, 祥和 and 金山: city governance and
service; 开南 and 文化: livelihood and living environment (古城区把街道划分为三个考核分区).
"""

from __future__ import annotations

import random

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.assessment.models import Zone
from gridgov.assessment.runs import assessment_compute, assessment_publish
from gridgov.assessment.services import indicator_save, zone_save
from gridgov.events.models import Event
from gridgov.events.services.whistles import (
    summonable_departments,
    summons_act,
    summons_check_in,
    summons_rate,
    summons_report,
    whistle_blow,
)
from gridgov.events.workflow import TERMINAL, State

DISTRICT = "530702"
# (name, focus, street codes, [(indicator, weight)])
ZONES = [
    (
        "古城保护和旅游管理",
        "大研、束河: 古城保护和旅游管理 (old-town protection and tourism)",
        ["530702002", "530702004"],
        [
            ("patrol_coverage", 25),
            ("closure_rate", 20),
            ("hotline_score", 20),
            ("satisfaction_rate", 20),
            ("whistle_report_back", 15),
        ],
    ),
    (
        "城市治理服务",
        "西安、祥和、金山: 城市治理服务 (city governance and service)",
        ["530702001", "530702003", "530702005"],
        [
            ("on_time_closure_rate", 20),
            ("closure_rate", 15),
            ("rework_rate", 15),
            ("whistle_report_back", 20),
            ("canvass_completion", 15),
            ("party_grading", 15),
        ],
    ),
    (
        "改善民生和提升人居环境",
        "开南、文化: 改善民生和提升人居环境 (livelihood and living environment)",
        ["530702006", "530702007"],
        [
            ("satisfaction_rate", 25),
            ("canvass_completion", 20),
            ("party_grading", 20),
            ("hotline_score", 20),
            ("closure_rate", 15),
        ],
    ),
]


def build_zones(user: User) -> int:
    """The three zones and their indicators, through the services (idempotent)."""
    made = 0
    for position, (name, focus, streets, indicators) in enumerate(ZONES):
        zone = Zone.objects.filter(root__code=DISTRICT, name=name).first()
        if zone is None:
            zone = zone_save(
                user=user,
                root_code=DISTRICT,
                name=name,
                focus=focus,
                street_codes=streets,
                position=position,
            )
            made += 1
        have = set(zone.indicators.values_list("key", flat=True))
        for key, weight in indicators:
            if key not in have:
                indicator_save(user=user, zone_id=zone.pk, key=key, weight=weight)
    return made


def build_whistles(admin: User, rng: random.Random, count: int = 24) -> int:
    """Communities and streets whistle on some open events (吹哨), the summoned departments
    check in, act and report back, and the whistling level rates most responses: the
    departments' assessment by the streets then has something to show."""
    open_events = list(
        Event.objects.exclude(state__in=[*TERMINAL, State.REPORTED])
        .filter(area__path__startswith=f"/{DISTRICT}/")
        .order_by("pk")[:count]
    )
    made = 0
    for i, event in enumerate(open_events):
        level = "community" if i % 3 else "street"
        departments = list(summonable_departments(event, level)[:2])
        if not departments:
            continue
        whistle = whistle_blow(
            user=admin,
            event_id=event.pk,
            level=level,
            department_ids=[rng.choice(departments).pk],
            reason="需要职能部门到场处置（演示）",
        )
        for summons in whistle.summonses.all():
            made += 1
            if rng.random() < 0.15:
                continue  # not yet checked in
            summons_check_in(user=admin, summons_id=summons.pk)
            if rng.random() < 0.2:
                continue  # on site, not yet reported back
            summons_act(user=admin, summons_id=summons.pk, note="已到场处置（演示）")
            summons_report(user=admin, summons_id=summons.pk, report="已处置完毕（演示）")
            rating = rng.choices(["good", "adequate", "poor", ""], weights=[6, 3, 1, 2])[0]
            if rating:
                note = "响应慢（演示）" if rating == "poor" else ""
                summons_rate(user=admin, summons_id=summons.pk, rating=rating, note=note)
    return made


def build_assessment(seed: int = 530702) -> dict[str, int]:
    """Zones, a few whistles, then this year's assessment computed and published (公示) as
    the district."""
    admin = User.objects.get(username="admin")
    zones = build_zones(admin)
    whistles = build_whistles(admin, random.Random(seed))
    run = assessment_compute(user=admin, root_code=DISTRICT, year=timezone.localdate().year)
    assessment_publish(user=admin, assessment_id=run.pk)
    return {
        "assessment zones": zones,
        "summonses": whistles,
        "assessment results": run.areas.count() + run.departments.count(),
    }
