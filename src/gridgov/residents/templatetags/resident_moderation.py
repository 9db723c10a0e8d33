"""The event page's moderation panel of the resident's side (issue 11), drawn by residents so
that events never imports it: events/event.html loads this library."""

from django import template
from django.template.loader import render_to_string

from gridgov.events.models import Event
from gridgov.events.photos import Photo
from gridgov.open311.publication import published_events
from gridgov.residents import moderation

register = template.Library()


@register.simple_tag(takes_context=True)
def resident_moderation_panel(context, event: Event) -> str:
    """The public view's form, for the command center of the event's area only: hidden or
    not (and why), the public wording with the scrubbed default shown, and the event's photos
    with a checkbox each for showing it publicly."""
    request = context.get("request")
    if request is None or not moderation.moderates(request.user, event):
        return ""
    view = moderation.public_view_of(event)
    approved = set(view.approved_photos)
    photos = [
        {"key": str(key), "approved": str(key) in approved}
        for key in Photo.objects.filter(event=event)
        .order_by("created_at", "pk")
        .values_list("key", flat=True)
    ]
    return render_to_string(
        "residents/_moderation_panel.html",
        {
            "event": event,
            "view": view,
            "default_wording": moderation.default_wording(event),
            "published": published_events(Event.objects.filter(pk=event.pk)).exists(),
            "photos": photos,
        },
        request=request,
    )
