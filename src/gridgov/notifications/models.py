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


class Channel(models.Model):
    """A way out beyond the inbox, configured per deployment in the back office: an SMS
    gateway, a WeChat official account, or a webhook. Which kinds of message it carries is
    part of its configuration (blank: all)."""

    class Kind(models.TextChoices):
        SMS = "sms", _("SMS gateway")
        WECHAT = "wechat", _("WeChat template message")
        WEBHOOK = "webhook", _("Webhook")

    name = models.CharField(_("name"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    active = models.BooleanField(_("active"), default=True)
    url = models.URLField(_("endpoint URL"), max_length=500)
    secret = models.CharField(
        _("secret"),
        max_length=200,
        blank=True,
        help_text=_("Webhook: the HMAC key. SMS: the gateway's API key. WeChat: the app secret."),
    )
    options = models.JSONField(
        _("options"),
        default=dict,
        blank=True,
        help_text=_(
            'SMS: {"sign": "古城区网格", "template": "SMS_1234"}. WeChat: {"appid": "wx…", '
            '"template_id": "…", "token_url": "…"}. Webhook: {"headers": {…}}.'
        ),
    )
    message_kinds = models.CharField(
        _("message kinds"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated, e.g. dispatched,deadline_red; blank: every kind."),
    )
    max_attempts = models.PositiveSmallIntegerField(_("attempts before giving up"), default=5)

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")

    def __str__(self) -> str:
        return self.name

    def carries(self, kind: str) -> bool:
        kinds = {k.strip() for k in self.message_kinds.split(",") if k.strip()}
        return not kinds or kind in kinds


class Delivery(models.Model):
    """One notification through one channel: the delivery log, with retries."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (no address)")

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("delivery log")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.notification_id} → {self.channel} ({self.status})"
