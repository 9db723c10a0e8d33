"""One rate limit for every anonymous write, counted in the shared cache.

Anonymous writes cost us storage and staff time: the resident report form (each photo
counts as one more write), the public report API, Open311 POSTs and registrations on a
place's page. They share one budget per client address and hour
(GRIDGOV_ANONYMOUS_WRITES_PER_HOUR), counted with django-ratelimit in the default cache —
Redis when REDIS_URL is set, so every web process adds to the same counter. The address
is `client_address` (the trusted proxy header only, never one a client wrote).

A writer that identifies itself with a key of its own (an Open311 client's api_key) is not
anonymous: an app registers in KEYED_WRITES, by path prefix, how to read a valid key from
the request and that key's hourly rate, and such a write counts against the key's budget
instead of the address's (common imports no app).
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from gridgov.common.client import client_address
from gridgov.common.middleware import REFUSALS

GROUP = "gridgov.anonymous-write"
KEYED_GROUP = "gridgov.keyed-write"

# By path prefix: (request) -> (an id of the valid key it carries, the key's rate such as
# "3000/h"), or None when it carries no valid key (the write is anonymous then).
KEYED_WRITES: dict[str, Callable[[HttpRequest], tuple[str, str] | None]] = {}

# Paths whose POSTs are anonymous writes whoever sends them (the caller is not a session user).
_ALWAYS_ANONYMOUS = re.compile(
    r"^/(api/v1/events/public/?|api/v1/events/photos/public/?|open311/v2/requests[^/]*)$"
)
# Pages that take writes from anyone: limited when the sender is not signed in.
_PUBLIC_FORMS = re.compile(r"^/(report/|c/[^/]+/)$")


def _address_key(group: str, request: HttpRequest) -> str:
    return client_address(request)


def anonymous_writes_counted(request: HttpRequest) -> int:
    """How many writes this request is: 0 when it is not an anonymous write."""
    if request.method != "POST":
        return 0
    if _ALWAYS_ANONYMOUS.match(request.path_info):
        return 1
    if _PUBLIC_FORMS.match(request.path_info) and not request.user.is_authenticated:
        # Each photo is stored and scanned, so each counts as one more report.
        return 1 + len(request.FILES.getlist("photos")) if request.path_info == "/report/" else 1
    return 0


def _over_limit(request: HttpRequest, writes: int) -> bool:
    rate = f"{settings.GRIDGOV_ANONYMOUS_WRITES_PER_HOUR}/h"
    limited = False
    for _write in range(writes):
        limited = (
            is_ratelimited(
                request, group=GROUP, key=_address_key, rate=rate, method="POST", increment=True
            )
            or limited
        )
    return limited


def _keyed_quota(request: HttpRequest) -> tuple[str, str] | None:
    for prefix, keyed in KEYED_WRITES.items():
        if request.path_info.startswith(prefix):
            return keyed(request)
    return None


def _over_key_limit(key_id: str, rate: str, request: HttpRequest) -> bool:
    return is_ratelimited(
        request,
        group=KEYED_GROUP,
        key=lambda _group, _request: key_id,
        rate=rate,
        method="POST",
        increment=True,
    )


def rate_limited_response(request: HttpRequest) -> HttpResponse:
    message = _("Too many reports from this address; please try again in an hour.")
    refuse = next((f for p, f in REFUSALS.items() if request.path_info.startswith(p)), None)
    if refuse is not None:  # a URL space with its own error shape (Open311's GeoReport)
        response: HttpResponse = refuse(request, 429, str(message))
    elif request.path_info.startswith(("/api/", "/open311/")):
        response = JsonResponse(
            {"code": "rate_limited", "message": message, "field": None}, status=429
        )
    else:
        response = render(request, "web/too_many_requests.html", {"message": message}, status=429)
    response["Retry-After"] = "3600"
    return response


def anonymous_write_limits(get_response: Callable[[HttpRequest], HttpResponse]):
    """Refuse an anonymous write over the address's hourly budget with 429, before any view
    stores anything."""

    def middleware(request: HttpRequest) -> HttpResponse:
        writes = anonymous_writes_counted(request)
        keyed = _keyed_quota(request) if writes else None
        if keyed is not None:
            if _over_key_limit(*keyed, request):
                return rate_limited_response(request)
        elif writes and _over_limit(request, writes):
            return rate_limited_response(request)
        return get_response(request)

    return middleware
