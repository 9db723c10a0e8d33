"""Bearer tokens → their users, kept in each process for a few seconds.

Every API request authenticated by its token: the lookup (token, user and the user's
area, joined) was about 0.9 ms of a 5 ms position update (issue 9, decision 0027). A
process now keeps what it read, per token hash, for GRIDGOV_TOKEN_CACHE_SECONDS (300 s).
Not less: a phone sends its position every 30 s and 4 gunicorn workers share them, so one
process sees a given token about every 2 minutes; 30 s would almost never be hit.

Revocation is not left to the timer: saving or deleting a token or a user (the back
office revokes a token, deactivates a person, changes a role or an area) bumps the
"api_tokens" version in the writer's transaction (events/versions.py), and every process
forgets all its tokens at its next version check (GRIDGOV_CACHE_VERSION_CHECK_SECONDS,
1 s; common/versioned_cache.py); the writing process forgets at once. What goes around
the models' save (a raw `QuerySet.update()` in a shell) is seen when the entry expires.

Each request gets its own copy of the user: code may set attributes on `request.user`.
"""

import copy
import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from gridgov.accounts.models import ApiToken, User
from gridgov.common.versioned_cache import VersionedValue
from gridgov.events.versions import cache_version, cache_version_bump

VERSION = "api_tokens"
MAX_ENTRIES = 20_000  # a process that sees more tokens than this starts again
TOUCH_SECONDS = 60  # last_used_at is written at most once a minute per token


@dataclass
class _Entry:
    user: User
    token_id: int
    touched_at: dt.datetime | None
    expires: float  # time.monotonic()


_entries: VersionedValue[dict[str, _Entry]] = VersionedValue(dict, lambda: cache_version(VERSION))


def ttl_seconds() -> float:
    return float(getattr(settings, "GRIDGOV_TOKEN_CACHE_SECONDS", 300))


def _read(key_hash: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("user", "user__area")
        # The area's polygon is not needed to authenticate: decoding a district's outline
        # took more time than the rest of a report (issue 9).
        .defer("user__area__geometry")
        .filter(key_hash=key_hash, revoked=False, user__is_active=True)
        .first()
    )


def token_user(key: str) -> User | None:
    """The active user of an unrevoked token, or None. No query while the token is kept."""
    key_hash = ApiToken.hash_key(key)
    entries = _entries.get()
    entry = entries.get(key_hash)
    if entry is None or entry.expires <= time.monotonic():
        token = _read(key_hash)
        if token is None:  # unknown tokens are not kept: a new one works at once
            entries.pop(key_hash, None)
            return None
        if len(entries) >= MAX_ENTRIES:
            entries.clear()
        entry = _Entry(token.user, token.pk, token.last_used_at, time.monotonic() + ttl_seconds())
        entries[key_hash] = entry
    now = timezone.now()
    # Touch at most once a minute: a busy client should not turn every read into a write.
    if entry.touched_at is None or (now - entry.touched_at).total_seconds() > TOUCH_SECONDS:
        ApiToken.objects.filter(pk=entry.token_id).update(last_used_at=now)
        entry.touched_at = now
    return copy.copy(entry.user)


def tokens_changed() -> None:
    """Every process forgets the tokens it keeps. Call inside the writer's transaction."""
    cache_version_bump(VERSION)
    _entries.invalidate_after_commit()


def _saved(sender, instance, created: bool = False, update_fields=None, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loaddata
    if created:
        return  # no process keeps a token or a user that did not exist
    if sender is User and update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in changes nothing a token carries
    tokens_changed()


def _deleted(sender, instance, **kwargs) -> None:
    tokens_changed()


for _model in (ApiToken, User):
    post_save.connect(_saved, sender=_model, dispatch_uid=f"token_cache_saved_{_model.__name__}")
    post_delete.connect(
        _deleted, sender=_model, dispatch_uid=f"token_cache_deleted_{_model.__name__}"
    )
