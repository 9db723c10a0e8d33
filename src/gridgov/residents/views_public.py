"""Pages of the public part of the resident's side (issue 11): a public report's photo, which
is served only once the center approved it, and the event page's moderation form, which
calls the same service as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.common.errors import DomainError
from gridgov.events.models import Event
from gridgov.events.photos import Photo
from gridgov.residents import moderation
from gridgov.residents.public import reports_public
from gridgov.residents.views_photos import photo_response


def public_photo(request: HttpRequest, key: str) -> HttpResponse:
    """A photo of a public report that the center approved, to anyone; 404 for any other
    photo, whoever asks (staff read photos at /media/photos/, by their event's rules)."""
    photo = Photo.objects.filter(key=key, event__isnull=False).first()
    if photo is None:
        raise Http404
    approved = (
        reports_public(Event.objects.filter(pk=photo.event_id))
        .values_list("public_view__approved_photos", flat=True)
        .first()
    )
    if not approved or str(photo.key) not in approved:
        raise Http404
    return photo_response(photo, cache_control="public, max-age=300")


@login_required
@require_POST
def moderation_save(request: HttpRequest, event_id: int) -> HttpResponse:
    """The event page's moderation panel posts here; back to the event page with a message."""
    try:
        moderation.public_view_moderate(
            user=request.user,
            event_id=event_id,
            hidden=request.POST.get("hidden") == "on",
            hidden_reason=request.POST.get("hidden_reason", ""),
            public_text=request.POST.get("public_text", ""),
            approved_photos=request.POST.getlist("approved_photos"),
        )
    except DomainError as error:
        if error.status == 404:
            raise Http404 from None
        if error.status == 403:
            return HttpResponse(error.message, status=403)
        messages.error(request, error.message)
    else:
        messages.success(request, _("The public view of this report is saved."))
    return redirect("event_page", event_id=event_id)
