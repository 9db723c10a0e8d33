import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """An Open311 api_key for a client that posts requests. Only its SHA-256 is kept."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, name: str) -> tuple["ApiKey", str]:
        key = "o311_" + secrets.token_urlsafe(24)
        return cls.objects.create(name=name, key_hash=cls.hash_key(key), prefix=key[:8]), key

    @classmethod
    def valid(cls, key: str | None) -> bool:
        return bool(key) and cls.objects.filter(key_hash=cls.hash_key(key), active=True).exists()


class ServicesChangeset(models.Model):
    """A state of the service catalog and when it was first seen (discovery's changeset)."""

    fingerprint = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Open311 services changeset")
        verbose_name_plural = _("Open311 services changesets")

    def __str__(self) -> str:
        return f"{self.seen_at:%Y-%m-%d %H:%M} {self.fingerprint[:8]}"
