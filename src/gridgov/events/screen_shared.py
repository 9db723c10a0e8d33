"""One computed answer shared by every screen that would get the same one (decision 0039).

The command center's wall and the leaders' screens poll each panel every few seconds; the
screens of one center all show the same area, so one computes and the others read the
encoded JSON for a few seconds. The key holds everything an answer depends on: the role and
the superuser flag (the capabilities), the area and the department (the scope), the
language (names and labels are translated into the answer) and the panel's own parameters.
The capability check runs before, uncached, in the caller."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language
from pydantic import BaseModel

from gridgov.accounts.models import User
from gridgov.common.unavailable import UNAVAILABLE_ERRORS


def shared_json(
    panel: str,
    user: User,
    params: tuple[Any, ...],
    build: Callable[[], dict[str, Any]],
    schema: type[BaseModel],
    *,
    seconds: int | None = None,
) -> bytes:
    """`build()` checked against `schema` and encoded once, kept `seconds` (default the
    screen's GRIDGOV_SCREEN_CACHE_SECONDS) for everyone with the same key."""

    def encoded() -> bytes:
        return schema.model_validate(build()).model_dump_json().encode()

    if seconds is None:
        seconds = getattr(settings, "GRIDGOV_SCREEN_CACHE_SECONDS", 3)
    if seconds <= 0:
        return encoded()
    who = (user.is_superuser, user.role, user.area_id, user.department_id, get_language() or "")
    key = f"command:{panel}:" + ":".join(map(str, (*who, *params)))
    try:
        found = cache.get(key)
    except UNAVAILABLE_ERRORS:  # a cache outage costs speed, not the screen
        found = None
    if isinstance(found, bytes):
        return found
    body = encoded()
    try:
        cache.set(key, body, seconds)
    except UNAVAILABLE_ERRORS:
        pass
    return body
