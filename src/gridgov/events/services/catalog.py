"""The shipped catalog of event classes, subclasses and component types."""

from gridgov.events import catalog_data
from gridgov.events.catalog_cache import catalog_changed
from gridgov.events.models import CatalogClass, ComponentType, Subclass


def catalog_load_default() -> int:
    """Create or update the shipped catalog; returns the number of subclasses. Idempotent."""
    catalog_data.load_catalog(CatalogClass, Subclass, ComponentType)
    catalog_changed()  # processes keep the catalog in memory
    return Subclass.objects.count()
