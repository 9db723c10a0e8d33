"""Version counters of what processes keep in memory (the catalog, the working calendar):
each write bumps its row, each process compares (common/versioned_cache.py)."""

from django.db import models
from django.db.models import F


class CacheVersion(models.Model):
    name = models.CharField(max_length=32, unique=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        app_label = "events"

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


def cache_version(name: str) -> int:
    return CacheVersion.objects.filter(name=name).values_list("version", flat=True).first() or 0


def cache_version_bump(name: str) -> None:
    """In the writer's transaction: the row's lock orders two writers, F() counts both."""
    if not CacheVersion.objects.filter(name=name).update(version=F("version") + 1):
        CacheVersion.objects.update_or_create(name=name, defaults={"version": 1})
