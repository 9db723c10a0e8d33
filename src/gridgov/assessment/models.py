"""The classified assessment of streets and communities, and of departments by the streets
that summoned them (issue 13, docs/decisions/0035).

The rules (zones, indicators, weights, targets, grade bands) are data, edited by district
staff. A run (`Assessment`) copies the rules it used into itself and stores every figure it
computed, so that editing the rules later never changes a result; once published (公示) a run
never changes at all. The seed's rule — one combined assessment of each street a year,
decided by the district, and no separate assessment of streets by departments — is held by
the database: one published run per district and year, one result per area and run, and no
department anywhere in the rules.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Zone(models.Model):
    """考核分区: streets assessed on the same focus (old-town protection, city governance …)."""

    root = models.ForeignKey(
        "areas.Area", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    focus = models.TextField(_("focus of the assessment"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("assessment zone")
        verbose_name_plural = _("assessment zones")
        ordering = ["root_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["root", "name"], name="unique_zone_name")]

    def __str__(self) -> str:
        return self.name


class ZoneStreet(models.Model):
    """A street in a zone. A street is in one zone only: it has one combined assessment."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="streets"
    )
    street = models.OneToOneField(
        "areas.Area", verbose_name=_("street"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("street of a zone")
        verbose_name_plural = _("streets of zones")

    def __str__(self) -> str:
        return f"{self.zone} · {self.street_id}"


class Indicator(models.Model):
    """One indicator of a zone: a registered measure (assessment/indicators.py), its weight,
    and the two values that set its score: `target` scores 100, `baseline` scores 0, linear
    between (either may be the larger: a rework rate's target is below its baseline)."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="indicators"
    )
    key = models.CharField(_("indicator"), max_length=40)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    target = models.FloatField(_("target (scores 100)"))
    baseline = models.FloatField(_("baseline (scores 0)"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["zone_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "key"], name="unique_indicator_per_zone"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
            models.CheckConstraint(
                condition=~Q(target=models.F("baseline")), name="indicator_target_not_baseline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone} · {self.key}"


class Scheme(models.Model):
    """The district's grade bands and the weights of the departments' assessment. Missing
    keys fall back to assessment.formulas.DEFAULT_SCHEME."""

    root = models.OneToOneField(
        "areas.Area", verbose_name=_("district"), on_delete=models.CASCADE, related_name="+"
    )
    street_grades = models.JSONField(_("street grade bands"), default=list)
    community_grades = models.JSONField(_("community grade bands"), default=list)
    department_weights = models.JSONField(_("department weights"), default=dict)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")

    def __str__(self) -> str:
        return str(self.root_id)


class Assessment(models.Model):
    """One computation of a district's combined assessment for a year: a draft until it is
    published, then frozen. A recompute before publishing makes a new version.

    The computation is a queue job (assessment/tasks.py): the row is written `queued` with
    its period and its copy of the rules when asked for, a consumer claims it (queued →
    running, by compare-and-swap) and writes every result with `done` in one transaction;
    a failure is kept with its message. Only a `done` draft may be published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Computing")
        DONE = "done", _("Computed")
        FAILED = "failed", _("Failed")

    root = models.ForeignKey(
        "areas.Area", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The period's figures: from January 1 to the end of the year, or to when it was computed.
    since = models.DateTimeField(pgettext_lazy("start of a period", "from"))
    until = models.DateTimeField(pgettext_lazy("end of a period", "until"))
    # The zones, indicators, weights, targets and bands this run used (formulas.rules_snapshot).
    rules = models.JSONField(_("rules used"))
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("computed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Rows written whole (the runs before the queue, the tests' and the matrix's worlds) are
    # computed; assessment_request writes `queued` explicitly.
    state = models.CharField(
        _("computation"), max_length=10, choices=State.choices, default=State.DONE
    )
    progress = models.FloatField(_("progress"), default=1.0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # Raised by each claim: a consumer writes its results only if the run is still its own
    # (a run taken over after its heartbeat stopped is not written twice).
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["root", "year", "version"], name="unique_assessment_version"
            ),
            # 每年统一开展一次综合考核: one published combined assessment a district a year.
            models.UniqueConstraint(
                fields=["root", "year"],
                condition=Q(status="published"),
                name="one_published_assessment_a_year",
            ),
            # Two computes of the same year at once make one run: the second finds this one.
            models.UniqueConstraint(
                fields=["root", "year"],
                condition=Q(state__in=["queued", "running"]),
                name="one_computing_assessment_a_year",
            ),
        ]
        indexes = [models.Index(fields=["state", "updated_at"], name="assessment_state_idx")]

    def __str__(self) -> str:
        return f"{self.root_id} {self.year} v{self.version} ({self.status})"


class AreaResult(models.Model):
    """A street's (A–E) or a community's (A/B/C) result in one run: its score, grade, rank
    among its peers, every indicator line and the indicators that pulled it down."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="areas"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("level"), max_length=16)
    zone_name = models.CharField(_("zone"), max_length=100)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True)
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True)
    # [{key, label, unit, value, target, baseline, weight, score, lost}] in the zone's order.
    lines = models.JSONField(_("indicators"))
    # Keys of the indicators below target, the most points lost first.
    pulling_down = models.JSONField(_("pulling down"), default=list)

    class Meta:
        verbose_name = _("area result")
        verbose_name_plural = _("area results")
        ordering = ["assessment_id", "kind", "rank", "area_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area"], name="one_result_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.area_id}: {self.score} {self.grade}"


class DepartmentResult(models.Model):
    """A department assessed by the streets (and their communities) that summoned it:
    check-ins and report-backs on time, and the whistling levels' ratings."""

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="departments",
    )
    department = models.ForeignKey(
        "areas.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    summonses = models.PositiveIntegerField(_("summonses"))
    figures = models.JSONField(_("figures"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True)
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True)

    class Meta:
        verbose_name = _("department result")
        verbose_name_plural = _("department results")
        ordering = ["assessment_id", "rank", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "department"], name="one_result_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.department_id}: {self.score}"
