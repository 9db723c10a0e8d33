"""The latest position of every worker, in memory, as numpy arrays.

Each process keeps its own copy. It is loaded once, then only caught up: one indexed read
of the rows whose `updated_at` moved since the newest one it has seen (less a second, for
transactions that commit late), at most every GRIDGOV_POSITION_SYNC_SECONDS and at once
after this process wrote a position. Nothing is ever reloaded whole on a request: at 200
updates a second a catch-up reads a few hundred rows, and never more than one per worker.

What the index keeps about a person (role, account, area) is a hint read with their
position: it narrows the candidates, and the few that make the answer are read again
from the database with their names and open tasks in one query (services.py), so a
disabled account or a changed role is never offered, and a new field worker appears with
their next position (the app sends one every 30 s).

Distances: a bounding-box cut on arrays first, the haversine in numpy on what remains, then
again with the exact `haversine_m` for the few near the limit, so the answer equals a
brute-force scan to the decimetre. See docs/decisions/0018.
"""

import datetime as dt
import math
import threading
import time

import numpy as np
from django.conf import settings

from gridgov.areas.geometry import EARTH_RADIUS_M, haversine_m
from gridgov.dispatch.models import WorkerPosition

OVERLAP = dt.timedelta(seconds=1)
MARGIN_M = 1.0  # float noise between numpy's and math's haversine is far below this
FIELDS = ("user_id", "lon", "lat", "at", "on_duty", "updated_at")
PERSON = ("user__area__path", "user__role", "user__is_active")


def sync_interval() -> float:
    return getattr(settings, "GRIDGOV_POSITION_SYNC_SECONDS", 0.2)


class PositionIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.invalidate()

    def invalidate(self) -> None:
        with self._lock:
            self._slot: dict[int, int] = {}
            self._size = 0
            self._ids = np.zeros(1024, dtype=np.int64)
            self._lon = np.zeros(1024)
            self._lat = np.zeros(1024)
            self._at = np.zeros(1024)  # epoch seconds
            self._usable = np.zeros(1024, dtype=bool)  # on duty, active, field role
            self._area = np.zeros(1024, dtype=np.int64)  # into self._paths
            self._times: list[dt.datetime | None] = [None] * 1024
            self._paths: list[str] = []
            self._path_number: dict[str, int] = {}
            self._in_scope: dict[str, np.ndarray] = {}
            self._watermark: dt.datetime | None = None
            self._synced_at = 0.0
            self._dirty = False

    def mark_dirty(self) -> None:
        """This process wrote a position: the next query catches up first, whatever the
        interval, so the writer sees its own write."""
        self._dirty = True

    def _grow(self) -> None:
        n = len(self._ids) * 2
        for name in ("_ids", "_lon", "_lat", "_at", "_usable", "_area"):
            old = getattr(self, name)
            new = np.zeros(n, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self._times += [None] * (n - len(self._times))

    def _area_number(self, path: str) -> int:
        number = self._path_number.get(path)
        if number is None:
            number = self._path_number[path] = len(self._paths)
            self._paths.append(path)
            self._in_scope.clear()
        return number

    def _put(self, row: tuple, field_roles) -> None:
        user_id, lon, lat, at, on_duty, _updated, path, role, active = row
        i = self._slot.get(user_id)
        if i is None:
            if self._size == len(self._ids):
                self._grow()
            i = self._slot[user_id] = self._size
            self._size += 1
        self._ids[i], self._lon[i], self._lat[i], self._at[i] = user_id, lon, lat, at.timestamp()
        self._usable[i] = on_duty and active and role in field_roles
        self._area[i] = self._area_number(path or "")
        self._times[i] = at

    def sync(self) -> int:
        """Catch up with the database; return the rows read (0 when it was not time yet)."""
        from gridgov.dispatch.services import FIELD_ROLES

        now = time.monotonic()
        if (
            self._watermark is not None
            and not self._dirty
            and now - self._synced_at < sync_interval()
        ):
            return 0
        with self._lock:
            self._dirty = False
            queryset = WorkerPosition.objects.order_by()
            if self._watermark is not None:
                queryset = queryset.filter(updated_at__gte=self._watermark - OVERLAP)
            rows = list(queryset.values_list(*FIELDS, *PERSON))
            for row in rows:
                self._put(row, FIELD_ROLES)
            if rows:
                newest = max(row[5] for row in rows)
                if self._watermark is None or newest > self._watermark:
                    self._watermark = newest
            elif self._watermark is None:
                self._watermark = dt.datetime.min.replace(tzinfo=dt.UTC) + OVERLAP
            self._synced_at = now
            return len(rows)

    def _scope_mask(self, prefix: str) -> np.ndarray:
        mask = self._in_scope.get(prefix)
        if mask is None:
            mask = np.array([path.startswith(prefix) for path in self._paths], dtype=bool)
            self._in_scope[prefix] = mask
        return mask

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
            # A box a little larger than the circle: plain comparisons, no trigonometry.
            reach = math.degrees((radius_m + MARGIN_M) / EARTH_RADIUS_M) * 1.001
            lats = self._lat[:n]
            mask = self._usable[:n] & (self._at[:n] >= fresh_after.timestamp())
            mask &= (lats >= lat - reach) & (lats <= lat + reach)
            widest = math.cos(math.radians(min(89.9, abs(lat) + reach)))
            if reach / widest < 180 - abs(lon):
                lons = self._lon[:n]
                mask &= np.abs(lons - lon) <= reach / widest
            if prefix:
                mask &= self._scope_mask(prefix)[self._area[:n]]
            index = np.flatnonzero(mask)
            if not len(index):
                return []
            p1 = math.radians(lat)
            p2 = np.radians(self._lat[index])
            a = (
                np.sin((p2 - p1) / 2) ** 2
                + math.cos(p1) * np.cos(p2) * np.sin(np.radians(self._lon[index] - lon) / 2) ** 2
            )
            rough = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
            keep = rough <= radius_m + MARGIN_M
            index, rough = index[keep], rough[keep]
            if not len(index):
                return []
            order = np.argsort(rough, kind="stable")
            # Exact distances only for those that can be in the answer: up to the limit and
            # everyone within the margin of the last of them.
            last = rough[order[min(limit, len(order)) - 1]]
            order = order[rough[order] <= last + MARGIN_M]
            rows = []
            for k in order.tolist():
                i = index[k]
                distance = haversine_m(lon, lat, float(self._lon[i]), float(self._lat[i]))
                if distance <= radius_m:
                    rows.append((round(distance, 1), int(self._ids[i]), self._times[i]))
        rows.sort()
        return rows


positions = PositionIndex()
