"""A database or cache that does not answer is a 503 with a clear message, never a 500.

When PostgreSQL restarts or Redis goes away for a few seconds, every request that touches
them fails with a driver error. That is not a bug in the request: the client should wait and
send it again, and a load balancer or the worker app's outbox reads 503 + Retry-After as
exactly that. A 500 would say "our fault, do not retry", page someone, and print a traceback
per request for the whole outage.

Two hooks, because Django reaches them by different roads:
- `ServiceUnavailableMiddleware.process_exception` sees what a view raised (the common case:
  the first query of a request); its answer goes out through every middleware like a view's
  (security headers, CSP). It also keeps the outage out of the error log's tracebacks.
- `server_error` is `handler500`: an exception raised inside another middleware (the session
  read by the authentication middleware, the rate-limit counter in the cache) never reaches
  `process_exception` and is turned into a 500 by Django; the handler runs inside that
  `except` block, so it can still tell an outage from a bug.

Answers: JSON `{code: "unavailable", message, field: null}` (the API's one error shape) for
the API, Open311 and clients that accept JSON, a small HTML page otherwise. The page is built
without templates or context processors, which may themselves read the database.
docs/decisions/0020-load-and-fault-tests.md
"""

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:  # redis is a dependency, but the embedded default never imports it otherwise
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover
        pass
    else:
        errors += [RedisConnectionError, RedisTimeoutError]
    return tuple(errors)


UNAVAILABLE_ERRORS = _unavailable_errors()


def is_unavailable(exception: BaseException | None) -> bool:
    """True when `exception` (or what caused it) says a backing service did not answer."""
    seen = 0
    while exception is not None and seen < 5:
        if isinstance(exception, UNAVAILABLE_ERRORS):
            return True
        exception = exception.__cause__ or exception.__context__
        seen += 1
    return False


def _wants_json(request: HttpRequest) -> bool:
    path = request.path_info
    accept = request.headers.get("Accept", "")
    return (
        path.startswith("/api/")
        or path.startswith("/open311/")
        or path == "/healthz"
        or ("application/json" in accept and "text/html" not in accept)
    )


def unavailable_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    message = _("The service is briefly unavailable. Please try again in a few seconds.")
    logger.warning(
        "503 for %s %s: %s: %s",
        request.method,
        request.path_info,
        type(exception).__name__,
        str(exception).splitlines()[0] if str(exception) else "",
    )
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            {"code": "unavailable", "message": message, "field": None}, status=503
        )
    else:
        title = escape(_("Briefly unavailable"))
        response = HttpResponse(
            f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1><p>{escape(message)}</p></body></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Never cache an outage answer in front of us.
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_unavailable(exception):
            return unavailable_response(request, exception)
        return None  # a real bug: Django's 500, logged with its traceback


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """handler500: a 503 when the exception being handled is an outage, else Django's 500."""
    exception = sys.exc_info()[1]
    if is_unavailable(exception):
        return unavailable_response(request, exception)
    return django_server_error(request, *args, **kwargs)
