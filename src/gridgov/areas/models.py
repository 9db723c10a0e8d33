from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.areas.codes import CODE_LENGTH, AreaKind, level_name

# A duty line: a hotline (12319), a mobile or a landline with area code and extension.
# Digits and separators only: the phone is shown on pages and in the worker app.
duty_phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{1,24}[0-9](?:(?:转|-|,)[0-9]{1,6})?$",
    message=_("A duty phone has digits, spaces, dashes and brackets only (0888-5123456)."),
    code="bad_phone",
)


class Area(models.Model):
    """One node of the grid tree: district, street, community, grid, micro-grid, or above.

    `path` is the chain of codes from the root ("/53/5307/530702/"), so a subtree is
    one indexed prefix query on both SQLite and PostgreSQL. Geometry is GeoJSON in
    WGS84 lon/lat with its bounding box beside it; lookups use the in-memory index.
    """

    code = models.CharField(_("code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("level"), max_length=16, choices=AreaKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False)
    geometry = models.JSONField(_("geometry (GeoJSON)"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    is_generated = models.BooleanField(
        _("generated"), default=False, help_text=_("The boundary was generated, not surveyed.")
    )
    grid_head = models.ForeignKey(
        "accounts.User",
        verbose_name=_("grid head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_grids",
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def level_name(self) -> str:
        return level_name(self.kind)

    @property
    def expected_code_length(self) -> int:
        return CODE_LENGTH[self.kind]


class TreeVersion(models.Model):
    """A counter bumped on every change to the tree's shape, so each process knows
    when to rebuild its in-memory lookup index."""

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)


class GridWorker(models.Model):
    class Employment(models.TextChoices):
        FULL_TIME = "full_time", _("Full-time")
        PART_TIME = "part_time", _("Part-time")

    grid = models.ForeignKey(
        Area, verbose_name=_("grid"), on_delete=models.CASCADE, related_name="workers"
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="grid_assignments",
    )
    employment = models.CharField(_("employment"), max_length=16, choices=Employment.choices)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")
        constraints = [models.UniqueConstraint(fields=["grid", "user"], name="unique_grid_worker")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.grid.code}"


class Department(models.Model):
    """A functional department (公安, 城管, 环卫 …) at some level; it may sink staff into grids."""

    name = models.CharField(_("name"), max_length=100)
    sector = models.CharField(_("sector"), max_length=50, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("level area"), on_delete=models.PROTECT, related_name="departments"
    )
    sunk_into = models.ManyToManyField(
        Area, verbose_name=_("sunk into grids"), blank=True, related_name="sunk_departments"
    )
    phone = models.CharField(
        _("duty phone"), max_length=30, blank=True, validators=[duty_phone_validator]
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="unique_department_per_area")
        ]

    def __str__(self) -> str:
        return self.name
