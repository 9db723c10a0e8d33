"""The daily rollup of events: the counts every rate needs, per grid, subclass, department,
source and local day of report (docs/decisions/0016-daily-rollups.md).

Keys are plain integers, not foreign keys: a rollup row outlives nothing and blocks nothing,
and `department_key` is 0 for "no department" so the unique key has no NULL in it (NULLs
never conflict, which would break the upsert).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_FIELDS = ("day", "area_id", "subclass_id", "department_key", "source", "held")
AREA_KEY_FIELDS = ("area_code", "dimension", "day", "value", "held")


class Counts(models.Model):
    """The counts of `rates.STORED_KEYS`, summed over the events of a key."""

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
        abstract = True


class DailyRollup(Counts):
    day = models.DateField(_("day"))
    area_id = models.IntegerField(_("grid"))
    subclass_id = models.IntegerField(_("subclass"))
    department_key = models.IntegerField(_("department"), default=0)
    source = models.CharField(_("source"), max_length=16)
    # Deferred or suspended: left out of part of the counts when RATES["exclude_deferred"].
    held = models.BooleanField(_("deferred or suspended"), default=False)

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [models.UniqueConstraint(fields=list(KEY_FIELDS), name="rollup_key")]
        indexes = [
            models.Index(fields=["area_id", "day"], name="rollup_area_day"),
            models.Index(fields=["department_key", "day"], name="rollup_department_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_id}/{self.subclass_id}/{self.department_key}/{self.source}"


class AreaDayRollup(Counts):
    """The daily rollup summed up the area tree, one dimension at a time: per area of the
    upper levels (county, street, community: the first AREA_LEVELS codes of a grid's path),
    day and one of none / subclass / source / department. A grid's events number in the
    millions over years but an area's days in the hundreds, so a rate over any period of
    any of these areas sums at most days × values rows (decision 0016)."""

    class Dimension(models.IntegerChoices):
        NONE = 0, _("none")
        SUBCLASS = 1, _("subclass")
        SOURCE = 2, _("source")
        DEPARTMENT = 3, _("department")

    area_code = models.CharField(_("area"), max_length=20)
    dimension = models.SmallIntegerField(_("dimension"), choices=Dimension.choices)
    day = models.DateField(_("day"))
    # The subclass or department id as text, the source, or "" (department 0: none).
    value = models.CharField(_("value"), max_length=20, blank=True)
    held = models.BooleanField(_("deferred or suspended"), default=False)

    class Meta:
        verbose_name = _("area rollup")
        verbose_name_plural = _("area rollups")
        constraints = [
            models.UniqueConstraint(fields=list(AREA_KEY_FIELDS), name="area_rollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_code} {self.dimension}={self.value}"


class RootTreatment(models.Model):
    """A recurring problem marked "treated at the root" (治本) by the center: the place and
    kind of event it was, when and by whom, and what was done (issue 13, decision 0037).

    `place` is the key recurring problems are matched on: the H3 cell of the events, or the
    negated id of the registered city component they were reported on (a cell is always
    positive, so the two never collide). A place may be treated again after it came back:
    rows are added, never changed."""

    place = models.BigIntegerField(_("place (H3 cell, or −component id)"))
    subclass = models.ForeignKey(
        "events.Subclass", verbose_name=_("subclass"), on_delete=models.PROTECT, related_name="+"
    )
    # The grid of the latest event of the run when it was marked: who may read the mark.
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    treated_at = models.DateTimeField(_("treated at"))
    treated_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("treated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    events = models.PositiveIntegerField(_("events in the run when treated"))
    note = models.TextField(_("what was done"), max_length=1000)

    class Meta:
        verbose_name = _("root treatment")
        verbose_name_plural = _("root treatments")
        indexes = [models.Index(fields=["place", "subclass", "treated_at"], name="treatment_key")]

    def __str__(self) -> str:
        return f"{self.place}/{self.subclass_id} {self.treated_at:%Y-%m-%d}"
