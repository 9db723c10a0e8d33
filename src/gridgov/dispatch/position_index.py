"""The latest position of every worker, in memory, as numpy arrays.

Each process keeps its own copy and brings it up to date before every query with one
indexed read of the rows changed since its last read (`updated_at`, with a second of
overlap for transactions that commit late), and reloads everything every 30 s (deleted
rows, people whose role, area or account changed). The database stays the truth; this
saves turning thousands of rows into Python objects on every nearest query.

Distances are computed for everyone at once with numpy, then again with the exact
`haversine_m` for the few near the cut, so the answer equals a brute-force scan to the
decimetre.
"""

import datetime as dt
import threading
import time

import numpy as np
from django.utils import timezone

from gridgov.areas.geometry import EARTH_RADIUS_M, haversine_m
from gridgov.dispatch.models import WorkerPosition

OVERLAP = dt.timedelta(seconds=1)
FULL_RELOAD_S = 30.0
MARGIN_M = 1.0  # float noise between numpy's and math's haversine is far below this


class PositionIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.invalidate()

    def invalidate(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self._slot: dict[int, int] = {}
            self._size = 0
            self._ids = np.zeros(1024, dtype=np.int64)
            self._lon = np.zeros(1024)
            self._lat = np.zeros(1024)
            self._at = np.zeros(1024)  # epoch seconds
            self._usable = np.zeros(1024, dtype=bool)  # on duty, active, field role
            self._paths: list[str] = [""] * 1024
            self._times: list[dt.datetime | None] = [None] * 1024
            self._watermark: dt.datetime | None = None
            self._loaded_at = 0.0

    def _grow(self) -> None:
        n = len(self._ids) * 2
        for name in ("_ids", "_lon", "_lat", "_at", "_usable"):
            old = getattr(self, name)
            new = np.zeros(n, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self._paths += [""] * (n - len(self._paths))
        self._times += [None] * (n - len(self._times))

    def _put(self, user_id: int, lon: float, lat: float, at: dt.datetime, usable: bool, path: str):
        i = self._slot.get(user_id)
        if i is None:
            if self._size == len(self._ids):
                self._grow()
            i = self._slot[user_id] = self._size
            self._size += 1
        self._ids[i], self._lon[i], self._lat[i] = user_id, lon, lat
        self._at[i], self._usable[i] = at.timestamp(), usable
        self._paths[i], self._times[i] = path, at

    def sync(self) -> None:
        from gridgov.dispatch.services import FIELD_ROLES

        with self._lock:
            started = timezone.now()
            full = self._watermark is None or time.monotonic() - self._loaded_at > FULL_RELOAD_S
            queryset = WorkerPosition.objects.all()
            if full:
                self._slot.clear()
                self._size = 0
            else:
                queryset = queryset.filter(updated_at__gte=self._watermark - OVERLAP)
            for user_id, lon, lat, at, on_duty, path, role, active in queryset.values_list(
                "user_id",
                "lon",
                "lat",
                "at",
                "on_duty",
                "user__area__path",
                "user__role",
                "user__is_active",
            ):
                self._put(
                    user_id, lon, lat, at, on_duty and active and role in FIELD_ROLES, path or ""
                )
            self._watermark = started
            if full:
                self._loaded_at = time.monotonic()

    def nearest(
        self,
        lon: float,
        lat: float,
        radius_m: float,
        prefix: str,
        fresh_after: dt.datetime,
        limit: int,
    ) -> list[tuple[float, int, dt.datetime]]:
        """(distance rounded to 0.1 m, user id, position time), nearest first: every usable,
        fresh worker in scope within the radius up to `limit`, and whoever ties with the last."""
        with self._lock:
            n = self._size
            if not n:
                return []
            p1 = np.radians(lat)
            p2 = np.radians(self._lat[:n])
            a = (
                np.sin((p2 - p1) / 2) ** 2
                + np.cos(p1) * np.cos(p2) * np.sin(np.radians(self._lon[:n] - lon) / 2) ** 2
            )
            rough = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
            mask = (
                self._usable[:n]
                & (self._at[:n] >= fresh_after.timestamp())
                & (rough <= radius_m + MARGIN_M)
            )
            index = np.nonzero(mask)[0]
            if prefix:
                index = index[[self._paths[i].startswith(prefix) for i in index]]
            if not len(index):
                return []
            index = index[np.argsort(rough[index], kind="stable")]
            # Exact distances only for those that can be in the answer: up to the limit and
            # everyone within the margin of the last of them.
            last = rough[index[min(limit, len(index)) - 1]]
            index = index[rough[index] <= last + MARGIN_M]
            rows = []
            for i in index:
                distance = haversine_m(lon, lat, float(self._lon[i]), float(self._lat[i]))
                if distance <= radius_m:
                    rows.append((round(distance, 1), int(self._ids[i]), self._times[i]))
        rows.sort()
        return rows


positions = PositionIndex()
