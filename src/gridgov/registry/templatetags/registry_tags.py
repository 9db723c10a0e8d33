"""Template filters of the registry pages."""

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def when(value: str) -> str:
    """An ISO date-time from a selector's dict as a reader's local "YYYY-MM-DD HH:MM"."""
    moment = parse_datetime(value or "")
    if moment is None:
        return value or ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")
