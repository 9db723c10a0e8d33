"""Event numbers people can read out on the phone: date + a daily serial (2026112400017)."""

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone


class DailyCounter(models.Model):
    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "events"

    def __str__(self) -> str:
        return f"{self.day} {self.value}"


def next_event_number() -> str:
    today = timezone.localdate()
    with transaction.atomic():
        DailyCounter.objects.get_or_create(day=today)
        # F() so two reports at once get two numbers; the row lock lasts to the commit.
        DailyCounter.objects.filter(day=today).update(value=F("value") + 1)
        value = DailyCounter.objects.get(day=today).value
    return f"{today:%Y%m%d}{value:05d}"
