"""地毯式排查: a campaign over an area, a form defined in the back office, a task per household."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    instructions = models.TextField(_("instructions"), blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("canvass campaign")
        verbose_name_plural = _("canvass campaigns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Field(models.Model):
    """One question of a campaign's form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        DATE = "date", _("Date")
        PHOTO = "photo", _("Photo")
        # Personal data by kind: checked like the registry's and masked like it.
        ID_NUMBER = "id_number", _("ID number")
        PHONE = "phone", _("Mobile phone")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="fields"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("question"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One per line, for choices."))
    required = models.BooleanField(_("required"), default=True)
    personal = models.BooleanField(
        _("personal data"),
        default=False,
        help_text=_(
            "Answers are masked for roles that may not see personal data, and every "
            "unmasked read is recorded. ID number and phone questions always are."
        ),
    )

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="unique_field_key")]

    def __str__(self) -> str:
        return self.label

    @property
    def is_personal(self) -> bool:
        return self.personal or self.kind in PERSONAL_KINDS

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


PERSONAL_KINDS = frozenset({Field.Kind.ID_NUMBER, Field.Kind.PHONE})


class Task(models.Model):
    """A household to visit. `client_uuid` is the phone's id for the submission: the same
    submission sent twice (offline queue, retries) is stored once."""

    class Status(models.TextChoices):
        TODO = "todo", _("To visit")
        DONE = "done", _("Done")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="tasks"
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    worker = models.ForeignKey(
        "accounts.User",
        verbose_name=_("worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="canvass_tasks",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.TODO, db_index=True
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client_uuid = models.UUIDField(_("client UUID"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("canvass task")
        verbose_name_plural = _("canvass tasks")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="one_task_per_household")
        ]
        indexes = [models.Index(fields=["campaign", "area", "status"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.household_id}"
