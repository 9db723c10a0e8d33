"""The center's callback desk on the event page (回访, issue 11): the form of the callback
panel posts here; the work is `callbacks.callback_record`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.common.errors import DomainError, NotFound
from gridgov.residents.callbacks import callback_record


@login_required
@require_POST
def desk_callback(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        callback_record(
            user=request.user,
            event_id=event_id,
            reached=request.POST.get("reached") in ("1", "on", "true"),
            result=request.POST.get("result", ""),
            satisfaction=request.POST.get("satisfaction", ""),
        )
    except NotFound as error:
        return render(request, "web/forbidden.html", {"message": error.message}, status=404)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The callback is recorded."))
    return redirect("event_page", event_id=event_id)
