from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import ApiToken, PiiAccess, User
from gridgov.common.errors import NotFound


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a bearer token for `user`. Returns the row and the token, which is not stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:8]
    )
    return token, key


def api_token_for_username(*, username: str, name: str = "") -> tuple[ApiToken, str]:
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise NotFound(f"No user named {username!r}.", field="username") from None
    return api_token_create(user=user, name=name)


def api_token_authenticate(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__area")
        .filter(key_hash=ApiToken.hash_key(key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy client should not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def pii_access_record(
    *,
    user: User,
    model: str,
    object_ids: Iterable[int],
    fields: Iterable[str],
    channel: str,
    ip: str | None = None,
) -> PiiAccess | None:
    """Audit one unmasked read. Written in its own transaction so a later failure cannot erase it."""
    ids = sorted({int(i) for i in object_ids})
    if not ids:
        return None
    with transaction.atomic():
        return PiiAccess.objects.create(
            user=user,
            model=model,
            object_ids=ids,
            fields=sorted(set(fields)),
            channel=channel,
            ip=ip,
        )
