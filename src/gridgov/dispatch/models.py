from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerPosition(models.Model):
    """The latest position of a worker: one row each, updated in place (fast to read)."""

    user = models.OneToOneField(
        "accounts.User", verbose_name=_("worker"), on_delete=models.CASCADE, related_name="position"
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"), db_index=True)
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)
    on_duty = models.BooleanField(_("on duty"), default=True)
    # When the row last changed (any process): what the in-memory index reads to catch up.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("worker position")
        verbose_name_plural = _("worker positions")
        indexes = [models.Index(fields=["lat", "lon"])]

    def __str__(self) -> str:
        return f"{self.user} {self.lon:.5f},{self.lat:.5f}"


class PositionSample(models.Model):
    """The track: every position sent, kept for GRIDGOV_TRACK_DAYS days."""

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("worker"), on_delete=models.CASCADE, related_name="+"
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("position sample")
        verbose_name_plural = _("position samples")
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.at}"
