from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message in a person's in-app inbox (the default channel; SMS, WeChat and webhooks
    are adapters of issue 4 that deliver the same rows)."""

    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=30)
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text
