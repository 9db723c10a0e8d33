import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PLACE_KINDS = (
    "compounds",
    "rentals",
    "businesses",
    "markets",
    "points",
    # Door plates (issue 12): a grid worker scans one to open the household on the phone,
    # offline too. Public scans of a household's plate show no address and no person.
    "households",
)  # registry kinds that carry a plate


def new_token() -> str:
    # 128 random bits: a code cannot be guessed from another one or from the place.
    return secrets.token_urlsafe(16)


class SmartCode(models.Model):
    """一码管全局: an unguessable, revocable code on a place's plate. It carries no personal data;
    the scan page decides what the scanner may see."""

    token = models.CharField(
        _("token"), max_length=32, unique=True, default=new_token, editable=False
    )
    kind = models.CharField(_("place kind"), max_length=20)
    object_id = models.PositiveBigIntegerField(_("place"))
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    serial = models.CharField(_("code number"), max_length=48, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("smart code")
        verbose_name_plural = _("smart codes")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_code_per_place",
            )
        ]

    def __str__(self) -> str:
        return self.serial


class CheckIn(models.Model):
    """码上巡: a worker scanned a place's code on patrol, with how far from the place they were."""

    code = models.ForeignKey(
        SmartCode, verbose_name=_("smart code"), on_delete=models.CASCADE, related_name="check_ins"
    )
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("worker"), on_delete=models.CASCADE, related_name="+"
    )
    # When the worker scanned: from the phone for check-ins queued offline, else the server's.
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)
    client_uuid = models.UUIDField(_("client UUID"), null=True, blank=True, unique=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    distance_m = models.FloatField(_("distance from the place (m)"), null=True, blank=True)
    far = models.BooleanField(_("more than 200 m away"), default=False)

    class Flag(models.TextChoices):
        AT_PLACE = "", _("At the place")
        NO_POSITION = "no_position", _("No position sent")
        FAR = "far", _("Far from the place")

    # Why a check-in does not prove a visit (issue 8): scanning a photo of the plate from home
    # sends no position, or one far away. Kept, not refused (a phone without a fix still
    # patrols), and shown to staff and in the patrol coverage.
    flag = models.CharField(
        _("flag"), max_length=12, choices=Flag.choices, blank=True, default="", db_index=True
    )

    class Meta:
        verbose_name = _("patrol check-in")
        verbose_name_plural = _("patrol check-ins")

    def __str__(self) -> str:
        return f"{self.code} {self.at}"


class PatrolPlan(models.Model):
    """Which kinds of place the workers of an area visit, and how often (every N days)."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(
        _("place kind"),
        max_length=20,
        choices=[
            ("compounds", _("Residential compounds")),
            ("rentals", _("Rental houses")),
            ("businesses", _("Shops and businesses")),
            ("markets", _("Markets")),
            ("points", _("Campaign and service points")),
        ],
    )
    every_days = models.PositiveSmallIntegerField(_("visit every (days)"), default=7)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("patrol plan")
        verbose_name_plural = _("patrol plans")
        constraints = [
            models.UniqueConstraint(fields=["area", "kind"], name="one_plan_per_area_kind"),
            models.CheckConstraint(
                condition=models.Q(every_days__gte=1), name="patrol_every_at_least_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.kind} / {self.every_days}d"


class PlateJob(models.Model):
    """Plates for an area as one background job, with its progress and the PDF when done."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.CASCADE, related_name="+"
    )
    single = models.BooleanField(_("one plate per page"), default=False)
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("plates"), default=0)
    progress = models.FloatField(_("progress"), default=0.0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"), default=0)

    class Meta:
        verbose_name = _("plate job")
        verbose_name_plural = _("plate jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.area} ({self.get_status_display()})"


class Policy(models.Model):
    """服务码: a policy or service shown to anyone who scans a place's code in the area."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.CASCADE, related_name="+"
    )
    applies_to = models.CharField(
        _("for places of kind"),
        max_length=20,
        blank=True,
        choices=[
            ("", _("All places")),
            ("compounds", _("Residential compounds")),
            ("rentals", _("Rental houses")),
            ("businesses", _("Shops and businesses")),
            ("markets", _("Markets")),
            ("points", _("Campaign and service points")),
        ],
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("policy or service (服务码)")
        verbose_name_plural = _("policies and services (服务码)")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """登记码: a returnee registers by scanning the code at a compound, a shop or a campaign
    point. Personal data: masked in every list, unmasked reads audited."""

    code = models.ForeignKey(
        SmartCode, verbose_name=_("smart code"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18)
    phone = models.CharField(_("phone"), max_length=11)
    came_from = models.CharField(_("coming from"), max_length=100)
    arrived_on = models.DateField(_("arrived on"))
    address = models.CharField(_("staying at"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    client_uuid = models.UUIDField(_("client UUID"), unique=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("returnee registration (登记码)")
        verbose_name_plural = _("returnee registrations (登记码)")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name[:1]}** {self.created_at:%Y-%m-%d}"
