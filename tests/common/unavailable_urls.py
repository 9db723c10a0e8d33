"""Views that fail the ways an outage makes them fail (tests/common/test_unavailable.py)."""

from django.db import InterfaceError, OperationalError
from django.urls import path
from redis.exceptions import ConnectionError as RedisConnectionError


def _raiser(exception: Exception):
    def view(request):
        raise exception

    return view


def _wrapped(request):
    # What a service that catches and re-raises does: the outage is the cause.
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError as error:
        raise RuntimeError("could not load the calendar") from error


handler500 = "gridgov.common.unavailable.server_error"

urlpatterns = [
    path("api/db-down", _raiser(OperationalError("connection refused"))),
    path("api/db-gone", _raiser(InterfaceError("connection already closed"))),
    path("api/redis-down", _raiser(RedisConnectionError("Error 111 connecting"))),
    path("api/wrapped", _wrapped),
    path("api/bug", _raiser(ValueError("a real bug"))),
    path("page/db-down", _raiser(OperationalError("connection refused"))),
]
