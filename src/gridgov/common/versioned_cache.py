"""Values built from the database and kept in each process, rebuilt when their version moves.

The pattern of the area index (areas/spatial_index.py), for anything read on every request
and edited rarely (the working calendar, the event catalog, the classifier): the version is
read at most every GRIDGOV_CACHE_VERSION_CHECK_SECONDS (the tree's interval by default), so
another process's edit is seen within that time, and the process that edits forgets its
copy at once (`invalidate`, also on commit). Between checks a read costs no query.

The version is read before the value is built: an edit that lands while it builds moves
the version again, and the next check rebuilds.
"""

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings
from django.db import transaction

T = TypeVar("T")
_every: "weakref.WeakSet[VersionedValue]" = weakref.WeakSet()


def check_seconds() -> float:
    return float(
        getattr(
            settings,
            "GRIDGOV_CACHE_VERSION_CHECK_SECONDS",
            settings.GRIDGOV_TREE_VERSION_CHECK_SECONDS,
        )
    )


class VersionedValue(Generic[T]):
    def __init__(self, load: Callable[[], T], version: Callable[[], Hashable]) -> None:
        self._load = load
        self._version_of = version
        self._lock = threading.RLock()  # a loader may invalidate (the classifier trains)
        self._value: T | None = None
        self._version: Hashable = None
        self._checked_at = 0.0
        _every.add(self)

    def get(self) -> T:
        value = self._value
        if value is not None and time.monotonic() - self._checked_at < check_seconds():
            return value
        with self._lock:
            version = self._version_of()
            self._checked_at = time.monotonic()
            if self._value is None or version != self._version:
                self._value = self._load()
                self._version = version
            return self._value

    def invalidate(self) -> None:
        """Forget the value in this process; the next read builds it again."""
        with self._lock:
            self._value = None
            self._version = None

    def invalidate_after_commit(self) -> None:
        """For the process that edits: forget now (its own next read must see the edit)
        and again after the commit (a read in between would have cached the old rows)."""
        self.invalidate()
        transaction.on_commit(self.invalidate)


def invalidate_all() -> None:
    """Forget every versioned value of this process (tests roll the database back)."""
    for value in list(_every):
        value.invalidate()
