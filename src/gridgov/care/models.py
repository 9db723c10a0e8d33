"""Special groups and their care (特殊人群/重点人群): tags on residents, each with its own
fields, visibility and visit plan, and the visits grid workers make.

Care sits above the registry and events (a care need becomes an event); neither imports it.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class CareTag(models.Model):
    """One special group as a community keeps it. `sensitive` groups (community correction,
    drug rehabilitation, serious mental illness) are seen only by roles with
    Capability.CARE_SENSITIVE_VIEW, every read audited; the others by anyone who reads the
    registry. A tag with `visit_every_days` has a visit plan."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Only roles that care for these people see the tag, and every read is logged."),
    )
    visit_every_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), null=True, blank=True, help_text=_("Empty: no visit plan.")
    )
    review_every_days = models.PositiveSmallIntegerField(
        _("review every (days)"),
        default=365,
        help_text=_("How often the tag itself is checked: is the person still in the group?"),
    )
    # The tag's own questions: [{"key", "label", "kind": text|number|choice|date|bool,
    # "choices": [...], "required": bool}], checked by care.services on every write.
    fields = models.JSONField(_("fields"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("special group")
        verbose_name_plural = _("special groups")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class ResidentTag(models.Model):
    """A resident in a special group, with the group's fields, and when the next visit and
    review are due. Ended (not deleted) when the person leaves the group."""

    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="care_tags",
    )
    tag = models.ForeignKey(
        CareTag, verbose_name=_("special group"), on_delete=models.PROTECT, related_name="members"
    )
    # The resident's grid, copied: scoped reads and overdue lists need no join.
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    since = models.DateField(_("since"))
    review_due = models.DateField(_("review due"), db_index=True)
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True)
    visit_due = models.DateField(_("next visit due"), null=True, blank=True, db_index=True)
    added_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The day grid workers were last warned that this visit is overdue: the daily warning
    # claims it by compare-and-swap, so two consumers warn once (care.tasks).
    overdue_warned_on = models.DateField(_("overdue warned on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("member of a special group")
        verbose_name_plural = _("members of special groups")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "tag"],
                condition=models.Q(ended_on__isnull=True),
                name="one_live_tag_per_resident",
            )
        ]
        indexes = [models.Index(fields=["area", "tag", "visit_due"], name="care_tag_area_due")]

    def __str__(self) -> str:
        return f"{self.resident} · {self.tag}"


class Visit(models.Model):
    """A visit to a person in care (走访), recorded by a grid worker — often offline, by
    scanning the household's door plate. `client_uuid` makes the phone's resend a no-op."""

    class Outcome(models.TextChoices):
        WELL = "well", _("All well")
        NEEDS_HELP = "needs_help", _("Needs help")
        NOT_HOME = "not_home", _("Not at home")

    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="care_visits",
    )
    resident_tag = models.ForeignKey(
        ResidentTag,
        verbose_name=_("special group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    worker = models.ForeignKey(
        "accounts.User",
        verbose_name=_("visited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visited_at = models.DateTimeField(_("visited at"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    photo = models.ForeignKey(
        "events.Photo",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        # Named so the purge of unattached photos can keep visit photos (events reads the
        # reverse relation by name and never imports care).
        related_name="care_visits",
    )
    # The door plate scanned at the visit, if any: proof of presence like a patrol check-in.
    scanned_code = models.ForeignKey(
        "smartcodes.SmartCode",
        verbose_name=_("code scanned"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The event a need found at the visit became (one step from the visit).
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client_uuid = models.UUIDField(_("client id"), default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_at"]
        indexes = [models.Index(fields=["resident", "-visited_at"], name="visit_resident_at")]

    def __str__(self) -> str:
        return f"{self.resident} {self.visited_at:%Y-%m-%d}"
