"""Periodic reports (Excel and PDF), subscriptions to them, and event exports (issue 13,
docs/decisions/0038)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.reports.periods import Period


class PeriodKind(models.TextChoices):
    DAY = "day", _("Daily")
    WEEK = "week", _("Weekly")
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Yearly")


class Report(models.Model):
    """One area's report for one period: both files (xlsx and pdf) are made by one queue job
    and kept under the media directory (reports/report-<id>.<format>). One row per (area,
    period): asking again for a report made before its period ended makes it again."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    start = models.DateField(_("first day"))
    end = models.DateField(_("day after the last"))
    requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.FloatField(_("progress"), default=0.0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    xlsx_bytes = models.PositiveIntegerField(_("Excel size (bytes)"), default=0)
    pdf_bytes = models.PositiveIntegerField(_("PDF size (bytes)"), default=0)
    # Subscribers are told once per report, when it is first made (a remake tells no one).
    subscribers_notified = models.BooleanField(_("subscribers notified"), default=False)

    class Meta:
        # A context: the bare "report" is a whistle's report-back (反馈); this is a leaders' 报表.
        verbose_name = pgettext_lazy("leaders' report", "report")
        verbose_name_plural = pgettext_lazy("leaders' report", "reports")
        ordering = ["-start", "kind", "area__code"]
        constraints = [
            models.UniqueConstraint(fields=["area", "kind", "start"], name="unique_report_period")
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.area} {self.period.key}"

    @property
    def period(self) -> Period:
        return Period(self.kind, self.start, self.end)


class Subscription(models.Model):
    """A person who wants an area's reports of one period kind in their inbox."""

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["area__code", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "area", "kind"], name="unique_subscription")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.area} {self.kind}"


class EventExport(models.Model):
    """The audit row of one export of events: who, with which filters, how many rows, whether
    personal data was masked. Written before the first row leaves the server."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    masked = models.BooleanField(_("personal data masked"), default=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("event export")
        verbose_name_plural = _("event exports")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M} ({self.rows})"
