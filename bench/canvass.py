"""Canvass task generation for 120,000 households: `campaign_launch` (batched, one pass over
the households) beside a row-by-row baseline (one INSERT per task, as a naive loop would do)
on a sample in the same run."""

import datetime as dt
import random
import time

from _setup import django_setup

HOUSEHOLDS = 120_000
BASELINE_SAMPLE = 3_000


def main() -> None:
    django_setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from gridgov.accounts.models import User
    from gridgov.areas.models import Area
    from gridgov.canvass.models import Task
    from gridgov.canvass.services import campaign_create, campaign_launch
    from gridgov.registry.models import Household

    call_command("demo", "--areas-only", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    rng = random.Random(7)
    grids = list(Area.objects.filter(kind="grid").values_list("pk", flat=True))
    t = time.perf_counter()
    Household.objects.bulk_create(
        [
            Household(area_id=rng.choice(grids), lon=100.23, lat=26.87, number=f"B{i:07d}")
            for i in range(HOUSEHOLDS)
        ],
        batch_size=5000,
    )
    print(
        f"database: {connection.vendor}; {HOUSEHOLDS:,} households made in {time.perf_counter() - t:.1f} s"
    )
    staff = (
        User.objects.get(username="admin")
        if User.objects.filter(username="admin").exists()
        else (User.objects.create_superuser("bench_admin", password="x"))
    )
    form = [{"key": "people", "label": "常住人数", "kind": "number"}]
    campaign = campaign_create(
        user=staff, name="bench", area_code="530702", due_date=dt.date(2026, 12, 31), fields=form
    )
    t = time.perf_counter()
    created = campaign_launch(user=staff, campaign_id=campaign.pk)
    launch_s = time.perf_counter() - t
    assert created == HOUSEHOLDS, created
    with_worker = Task.objects.filter(campaign=campaign, worker__isnull=False).count()
    print(
        f"  campaign_launch: {created:,} tasks in {launch_s:.2f} s "
        f"({created / launch_s:,.0f} tasks/s); {with_worker:,} handed to a grid worker"
    )
    t = time.perf_counter()
    created = campaign_launch(user=staff, campaign_id=campaign.pk)
    print(f"  launch again (nothing new): {created} tasks in {time.perf_counter() - t:.2f} s")

    baseline = campaign_create(
        user=staff, name="baseline", area_code="530702", due_date=dt.date(2026, 12, 31), fields=form
    )
    sample = list(Household.objects.values_list("pk", "area_id")[:BASELINE_SAMPLE])
    t = time.perf_counter()
    with transaction.atomic():
        for household_id, area_id in sample:
            Task.objects.create(campaign=baseline, household_id=household_id, area_id=area_id)
    naive_rate = BASELINE_SAMPLE / (time.perf_counter() - t)
    print(
        f"  baseline row by row: {naive_rate:,.0f} tasks/s on {BASELINE_SAMPLE:,} "
        f"(would take {HOUSEHOLDS / naive_rate:.1f} s for all); "
        f"ratio {HOUSEHOLDS / launch_s / naive_rate:.1f}x"
    )


if __name__ == "__main__":
    main()
