"""The event page's callback panel of the resident's side (issue 11), drawn by residents so
that events never imports it: events/event.html loads this library."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def resident_callback_panel(context, event) -> str:
    """Nothing yet: filled in by the callback part of issue 11."""
    return ""
