"""The demo's care: a few people of each community in the sensitive groups (community
correction, drug rehabilitation, serious mental illness) and past visits, so that some
visits are due soon and some overdue on the grid workers' lists. Deterministic: the same
seed gives the same people and the same visits. The open groups themselves (elderly living
alone, disabled, low income) are tagged by demo.city."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area
from gridgov.care.models import CareTag, ResidentTag, Visit
from gridgov.demo.bulk import columns_update, rows_insert
from gridgov.registry.models import Resident

NOTES = [
    "身体状况良好",
    "按时服药, 情绪稳定",
    "家中整洁, 无异常",
    "反映腿脚不便, 需要关注",
    "已提醒注意用电安全",
]
# Per community: how many people of each sensitive group, and their own fields.
SENSITIVE = [
    ("community_correction", 2, lambda rng: {"term_ends": f"2027-{rng.randint(1, 12):02d}-15"}),
    ("drug_rehab", 1, lambda rng: {"term_ends": f"2028-{rng.randint(1, 12):02d}-01"}),
    (
        "mental_illness",
        2,
        lambda rng: {"risk_level": f"{rng.randint(0, 3)}级", "guardian": "家属"},
    ),
]


def _sensitive_members(rng: random.Random, tags: dict[str, CareTag], today: dt.date) -> int:
    rows = []
    for community in Area.objects.filter(kind="community").order_by("code"):
        adults = list(
            Resident.objects.filter(
                area__path__startswith=community.path,
                status=Resident.Status.LIVING,
                birth_date__lte=dt.date(2006, 1, 1),
                birth_date__gte=dt.date(1960, 1, 1),
            )
            .order_by("id")
            .values_list("id", "area_id")[:400]
        )
        if not adults:
            continue
        picked = rng.sample(adults, min(len(adults), sum(n for _k, n, _f in SENSITIVE)))
        for key, count, details in SENSITIVE:
            for resident_id, area_id in picked[:count]:
                tag = tags[key]
                rows.append(
                    ResidentTag(
                        resident_id=resident_id,
                        tag=tag,
                        area_id=area_id,
                        details=details(rng),
                        since=today - dt.timedelta(days=rng.randint(30, 700)),
                        review_due=today
                        + dt.timedelta(days=rng.randint(-10, tag.review_every_days)),
                        visit_due=today,
                    )
                )
            picked = picked[count:]
    ResidentTag.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _past_visits(rng: random.Random, today: dt.date) -> int:
    """Each planned membership was last visited between 0 and twice its period ago: about
    half are overdue. The grid's first worker made the visit."""
    workers = dict(
        User.objects.filter(role=Role.GRID_WORKER, area__isnull=False)
        .order_by("-username")  # the demo login "grid_worker" comes last and keeps its grid
        .values_list("area_id", "id")
    )
    now = timezone.now()
    visits, changed = [], []
    memberships = (
        ResidentTag.objects.filter(ended_on__isnull=True, tag__visit_every_days__isnull=False)
        .select_related("tag")
        .order_by("id")
    )
    for membership in memberships.iterator(chunk_size=2000):
        every = membership.tag.visit_every_days
        ago = rng.randint(0, every * 2)
        visited_at = now - dt.timedelta(days=ago, hours=rng.randint(1, 8))
        membership.last_visit_at = visited_at
        membership.visit_due = timezone.localdate(visited_at) + dt.timedelta(days=every)
        changed.append(membership)
        visits.append(
            Visit(
                resident_id=membership.resident_id,
                resident_tag=membership,
                area_id=membership.area_id,
                worker_id=workers.get(membership.area_id),
                visited_at=visited_at,
                outcome=rng.choices(["well", "needs_help", "not_home"], weights=[8, 1, 1])[0],
                note=rng.choice(NOTES),
            )
        )
    columns_update(
        ResidentTag,
        ["last_visit_at", "visit_due"],
        [(m.pk, m.last_visit_at, m.visit_due) for m in changed],
    )
    rows_insert(visits)
    return len(visits)


def build_care(*, seed: int) -> dict[str, int]:
    rng = random.Random(seed + 12)
    today = timezone.localdate()
    tags = {tag.key: tag for tag in CareTag.objects.all()}
    with transaction.atomic():
        sensitive = _sensitive_members(rng, tags, today)
        visits = _past_visits(rng, today)
    return {"sensitive group members": sensitive, "care visits": visits}
