"""The catalog and the working calendar as each process keeps them (issue 9: a report read
them from the database two and three times).

Every write to them bumps a `CacheVersion` row (`catalog_changed`, `calendar.calendar_changed`):
the back office, the catalog and calendar imports and the shipped catalog's loader call
them. A process sees another's edit within GRIDGOV_CACHE_VERSION_CHECK_SECONDS, its own at
once. A write that goes around them (a raw `QuerySet.update()`) is not seen until the next
bump or a restart, as for the area tree.

The cached subclasses are read-only snapshots: code that changes a subclass reads it from
the database and saves it through a service.
"""

from dataclasses import dataclass, field

from gridgov.common.versioned_cache import VersionedValue
from gridgov.events.calendar import calendar_changed
from gridgov.events.models import CalendarDay, CatalogClass, Subclass
from gridgov.events.versions import cache_version, cache_version_bump

CATALOG = "catalog"


@dataclass(frozen=True)
class Catalog:
    subclasses: dict[str, Subclass] = field(default_factory=dict)  # active ones, by code
    names: dict[str, str] = field(default_factory=dict)  # every code → Chinese name

    def active_subclass(self, code: str) -> Subclass | None:
        return self.subclasses.get(code)


def _catalog_load() -> Catalog:
    every = list(Subclass.objects.all())
    return Catalog(
        subclasses={s.code: s for s in every if s.active},
        names={s.code: s.name_zh for s in every},
    )


_catalog: VersionedValue[Catalog] = VersionedValue(_catalog_load, lambda: cache_version(CATALOG))


def catalog() -> Catalog:
    return _catalog.get()


def catalog_changed() -> None:
    """Call in the transaction that writes subclasses (or their classes)."""
    cache_version_bump(CATALOG)
    _catalog.invalidate_after_commit()


def rows_changed(model: type) -> None:
    """For editors that write any catalog or calendar model (the back office)."""
    if model is CalendarDay:
        calendar_changed()
    elif model in (Subclass, CatalogClass):
        catalog_changed()
