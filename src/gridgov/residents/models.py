"""What the resident's side keeps beside an event (issue 11). The event itself stays the
events app's; these rows say who follows it, what the public may see of it, what residents
added to it, what the center heard on a callback, and the codes of phone sign-in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Follow(models.Model):
    """A person who is told about a report: its reporter, a resident who said "me too"
    instead of reporting it twice, or someone who looked it up by number and phone."""

    class Via(models.TextChoices):
        REPORTER = "reporter", _("Reported it")
        ME_TOO = "me_too", _("Me too")
        LOOKUP = "lookup", _("Looked it up by number and phone")

    event = models.ForeignKey(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="follows"
    )
    via = models.CharField(_("how"), max_length=10, choices=Via.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="one_follow")]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.event_id} ({self.via})"


class PublicView(models.Model):
    """What the public map and list show of a report, as the center moderated it. No row:
    the publication rule of its subclass and the scrubbed description, no photos, no name.
    The original description is never changed; each moderation is audited."""

    event = models.OneToOneField(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="public_view",
    )
    hidden = models.BooleanField(_("hidden from the public"), default=False)
    hidden_reason = models.CharField(_("why hidden"), max_length=200, blank=True)
    public_text = models.TextField(
        _("public wording"), blank=True, help_text=_("Blank: the scrubbed description.")
    )
    approved_photos = models.JSONField(
        _("photos approved for the public"), default=list, blank=True
    )
    reporter_named = models.BooleanField(_("the reporter's name is shown"), default=False)
    moderated_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("public view")
        verbose_name_plural = _("public views")

    def __str__(self) -> str:
        return f"public view of {self.event_id}"


class Addition(models.Model):
    """Words (and photos, attached to the event with this row's key) a resident added to an
    open report; they reach whoever handles it."""

    event = models.ForeignKey(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="additions"
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    photo_keys = models.JSONField(_("photos"), default=list, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("resident's addition")
        verbose_name_plural = _("residents' additions")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"addition to {self.event_id}"


class Callback(models.Model):
    """回访: the center called the reporter back; whether it reached them and what they said."""

    event = models.ForeignKey(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="callbacks"
    )
    by = models.ForeignKey(
        "accounts.User", verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    reached = models.BooleanField(_("reached the reporter"))
    result = models.TextField(_("what they said"), blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"callback on {self.event_id}"


class PhoneCode(models.Model):
    """A sign-in code sent by SMS: only its hash is kept; it expires, and a few wrong tries
    spend it."""

    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")

    def __str__(self) -> str:
        return f"code for …{self.phone[-4:]}"
