"""Open311 clients with a valid api_key write on the key's own hourly budget.

A keyed client (a city app, a partner's back office) posts for many residents from one
address; on the anonymous per-address budget (GRIDGOV_ANONYMOUS_WRITES_PER_HOUR) it would be
refused after a few dozen reports. Its POSTs count against its key instead:
GRIDGOV_OPEN311_WRITES_PER_KEY_PER_HOUR (default 3000) per key and hour, in the same shared
cache. A POST without a valid key stays on the anonymous budget (and is refused by the view).
Registered in `common.ratelimits.KEYED_WRITES` by `Open311Config.ready`.
"""

from django.conf import settings
from django.http import HttpRequest

from gridgov.open311.models import ApiKey

DEFAULT_WRITES_PER_KEY_PER_HOUR = 3000


def writes_per_key_per_hour() -> int:
    return int(
        getattr(
            settings, "GRIDGOV_OPEN311_WRITES_PER_KEY_PER_HOUR", DEFAULT_WRITES_PER_KEY_PER_HOUR
        )
    )


def keyed_write(request: HttpRequest) -> tuple[str, str] | None:
    """(the key's id, its rate) when the POST carries a valid api_key (form, then query
    string, as the view reads it); None otherwise."""
    key = request.POST.get("api_key") or request.GET.get("api_key")
    if not key:
        return None
    key_id = (
        ApiKey.objects.filter(key_hash=ApiKey.hash_key(key), active=True)
        .values_list("pk", flat=True)
        .first()
    )
    if key_id is None:
        return None
    return f"open311-key:{key_id}", f"{writes_per_key_per_hour()}/h"
