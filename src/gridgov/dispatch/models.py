from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerPosition(models.Model):
    """The latest position of a worker: one row each, updated in place (the hot table).

    It stays as small as the staff: 10,000 rows however long the platform runs. Nearest
    queries read it through the in-memory index (position_index.py), which catches up by
    `updated_at`; the history goes to PositionSample.
    """

    user = models.OneToOneField(
        "accounts.User", verbose_name=_("worker"), on_delete=models.CASCADE, related_name="position"
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)
    on_duty = models.BooleanField(_("on duty"), default=True)
    # When the row last changed (any process): what the in-memory index reads to catch up.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("worker position")
        verbose_name_plural = _("worker positions")

    def __str__(self) -> str:
        return f"{self.user} {self.lon:.5f},{self.lat:.5f}"


class PositionSample(models.Model):
    """The track: every position sent, kept for GRIDGOV_TRACK_DAYS days, append-only.

    10,000 workers every 30 s make 17M rows a day. On PostgreSQL the table is partitioned
    by day (migration 0004, dispatch/tracks.py) so the purge drops whole days instead of
    deleting rows; its primary key there is (id, at). SQLite keeps a plain table.
    """

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("worker"), on_delete=models.CASCADE, related_name="+"
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    # No index of its own: a track is read by (user, at), and old rows go a day at a time.
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("position sample")
        verbose_name_plural = _("position samples")
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.at}"
