"""The event page's callback panel of the resident's side (issue 11), drawn by residents so
that events never imports it: events/event.html loads this library."""

from django import template
from django.template.loader import render_to_string

from gridgov.events.models import Satisfaction
from gridgov.residents.callbacks import (
    callback_as_dict,
    may_call_back,
    reporter_phone_masked,
)
from gridgov.residents.models import Callback

register = template.Library()


def _with_label(row: dict) -> dict:
    """The callback with its satisfaction's label (满意), not its value (satisfied)."""
    value = row.get("satisfaction") or ""
    labels = dict(Satisfaction.choices)
    return {**row, "satisfaction_name": str(labels.get(value, value)) if value else ""}


@register.simple_tag(takes_context=True)
def resident_callback_panel(context, event) -> str:
    """回访 for the center of the event's area: the reporter's phone masked (revealed on
    request, audited), the callbacks so far and a form to record one. Nothing for anyone
    else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not may_call_back(user, event):
        return ""
    return render_to_string(
        "residents/_callback_panel.html",
        {
            "event": event,
            "masked_phone": reporter_phone_masked(event),
            "callbacks": [
                _with_label(callback_as_dict(c))
                for c in Callback.objects.filter(event=event).select_related("by")[:50]
            ],
            "satisfactions": Satisfaction.choices,
        },
        request=request,
    )
