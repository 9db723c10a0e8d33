"""Client UUIDs: the id a phone gives a write so that sending it twice stores it once."""

import uuid
from typing import Any

from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError


def client_uuid_clean(value: Any) -> uuid.UUID | None:
    """None when absent; a UUID; or a clear error for anything else."""
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise DomainError(_("client_uuid must be a UUID."), field="client_uuid") from None
