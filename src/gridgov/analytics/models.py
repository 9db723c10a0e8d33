"""The daily rollup of events: the counts every rate needs, per grid, subclass, department,
source and local day of report (docs/decisions/0016-daily-rollups.md).

Keys are plain integers, not foreign keys: a rollup row outlives nothing and blocks nothing,
and `department_key` is 0 for "no department" so the unique key has no NULL in it (NULLs
never conflict, which would break the upsert).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_FIELDS = ("day", "area_id", "subclass_id", "department_key", "source", "held")


class DailyRollup(models.Model):
    day = models.DateField(_("day"))
    area_id = models.IntegerField(_("grid"))
    subclass_id = models.IntegerField(_("subclass"))
    department_key = models.IntegerField(_("department"), default=0)
    source = models.CharField(_("source"), max_length=16)
    # Deferred or suspended: left out of part of the counts when RATES["exclude_deferred"].
    held = models.BooleanField(_("deferred or suspended"), default=False)

    reported = models.IntegerField(default=0)
    voided = models.IntegerField(default=0)
    answered_in_time = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    dispatched_in_time = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    # Of closed events only: open ones fall due with the clock and are counted live.
    due_to_close = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    reworked = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    basically = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)
    handling_count = models.IntegerField(default=0)
    handling_us = models.BigIntegerField(default=0)  # working time, microseconds

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [models.UniqueConstraint(fields=list(KEY_FIELDS), name="rollup_key")]
        indexes = [models.Index(fields=["area_id", "day"], name="rollup_area_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.area_id}/{self.subclass_id}/{self.department_key}/{self.source}"
