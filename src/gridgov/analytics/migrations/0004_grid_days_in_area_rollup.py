"""The area rollup gains the grid level, by day only (decision 0040): its rows are summed
from the daily rollup's, as the rollups' own arithmetic sums them from then on."""

from collections import defaultdict

from django.db import migrations
from django.db.models import Sum

GRID_LEVEL = 3  # analytics.rollups.GRID_LEVEL when this was written
COUNTS = (
    "reported", "voided", "answered_in_time", "dispatched", "dispatched_in_time", "closed",
    "due_to_close", "closed_on_time", "reworked", "rated", "satisfied", "basically",
    "dissatisfied", "handling_count", "handling_us",
)  # fmt: skip


def grid_days(apps, schema_editor):
    Area = apps.get_model("areas", "Area")
    DailyRollup = apps.get_model("analytics", "DailyRollup")
    AreaDayRollup = apps.get_model("analytics", "AreaDayRollup")
    grid_of = {}
    for pk, path in Area.objects.values_list("pk", "path"):
        codes = [c for c in path.strip("/").split("/") if c]
        if len(codes) > GRID_LEVEL:
            grid_of[pk] = codes[GRID_LEVEL]
    sums = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    rows = (
        DailyRollup.objects.values("area_id", "day", "held")
        .annotate(**{f"sum_{c}": Sum(c) for c in COUNTS})
        .order_by()
    )
    for row in rows.iterator(chunk_size=5000):
        code = grid_of.get(row["area_id"])
        if code is None:
            continue
        bucket = sums[(code, row["day"], row["held"])]
        for c in COUNTS:
            bucket[c] += row[f"sum_{c}"] or 0
    AreaDayRollup.objects.bulk_create(
        [
            AreaDayRollup(area_code=code, dimension=0, day=day, value="", held=held, **counts)
            for (code, day, held), counts in sums.items()
        ],
        batch_size=2000,
    )


def drop_grid_days(apps, schema_editor):
    AreaDayRollup = apps.get_model("analytics", "AreaDayRollup")
    Area = apps.get_model("areas", "Area")
    grids = Area.objects.filter(depth__gte=GRID_LEVEL).values_list("code", flat=True)
    AreaDayRollup.objects.filter(area_code__in=list(grids)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_root_treatment"),
        ("areas", "0002_department_phone_validated"),
    ]

    operations = [migrations.RunPython(grid_days, drop_grid_days)]
