"""What the queue shows beside its rows, kept a few seconds per user (decision 0026).

The rates above the queue page (the rollups plus the live count of open events fallen due
and the user's own cases outside their scope) cost more than the page's rows at 1M events,
and the "about N events" estimate beyond one page is an EXPLAIN per branch. Both change
slowly, are approximate by nature (rates of the whole history; an estimate), and a worker
reloads the queue often: each is kept for GRIDGOV_QUEUE_SUMMARY_SECONDS under a key of the
user and everything of them the answer depends on. Per user, not per area: the rates count
the user's own reports and tasks outside their area, so two users of one area may differ.
A cache outage only costs the time.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from gridgov.accounts.models import User
from gridgov.common.unavailable import UNAVAILABLE_ERRORS

T = TypeVar("T")


def seconds() -> int:
    return int(getattr(settings, "GRIDGOV_QUEUE_SUMMARY_SECONDS", 30))


def user_key(user: User) -> tuple:
    # The role decides the capabilities, the area and department the scope, the id the
    # user's own cases.
    return (user.pk, user.is_superuser, user.role, user.area_id, user.department_id)


def kept(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or its answer of the last few seconds for the same `parts`."""
    ttl = seconds()
    if ttl <= 0:
        return compute()
    # Hashed: filter values come from query strings (any characters, any length).
    key = f"queue:{name}:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    try:
        found = cache.get(key)
    except UNAVAILABLE_ERRORS:
        found = None
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(key, value, ttl)
    except UNAVAILABLE_ERRORS:
        pass
    return value
