"""The answer to a locked-out login (django-axes' AXES_LOCKOUT_CALLABLE).

A person at a login form gets a page that says what happened and when to try again; a
script gets the project's error shape. Both with 429, and whether the password was right
is never revealed.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed sign-ins for this account or from this address. "
        "Sign-in is blocked for %(minutes)d minutes; try again later or ask an administrator."
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    message = lockout_message()
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        return JsonResponse({"code": "login_locked", "message": message, "field": None}, status=429)
    return render(request, "web/locked_out.html", {"message": message}, status=429)
