"""Discovery's `changeset`: the time the service catalog was last seen to change.

GeoReport v2 makes it "sortable, the last time this document was updated", so clients
re-read services when it moves. Subclasses have no modification time and some writes go
around the catalog's version counter (a raw update), so the catalog as published (codes,
names, groups, keywords, attribute definitions, active) is fingerprinted; each fingerprint
is stored with the time it was last seen to become current.
"""

import hashlib
import json

from django.utils import timezone

from gridgov.events.models import Subclass
from gridgov.open311.models import ServicesChangeset

FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "keywords",
    "extra_fields",
    "active",
    "event_class__name_zh",
)


def services_fingerprint() -> str:
    rows = list(Subclass.objects.order_by("code").values_list(*FIELDS))
    text = json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def services_changeset() -> ServicesChangeset:
    """The row of the catalog as it is now. A state seen before that is not the newest (an
    edit undone) is stamped now again, so the changeset never moves backwards."""
    fingerprint = services_fingerprint()
    newest = ServicesChangeset.objects.order_by("-seen_at", "-pk").first()
    if newest is not None and newest.fingerprint == fingerprint:
        return newest
    row, _created = ServicesChangeset.objects.update_or_create(
        fingerprint=fingerprint, defaults={"seen_at": timezone.now()}
    )
    return row
