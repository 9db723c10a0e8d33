"""Reads of the registry, scoped to the acting user's area, with personal data masked.

`records_as_dicts` is the only way records leave the server (API, exports, pages):
masked by default; unmasked only for a role with PII_VIEW that asked, and then
audited in the same call.

`records_search` is the only way a free-text query reaches the records (API and
admin): a field shown masked to the user is not searched at all for them (a full
address or phone would otherwise find the person behind the mask), and a search that
reaches a personal-data field is recorded like an unmasked read (channel "search").
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import require_capability, scope_queryset
from gridgov.accounts.services import pii_access_record
from gridgov.areas.codes import normalize_code
from gridgov.areas.models import Area
from gridgov.common.errors import NotFound, PermissionDenied
from gridgov.registry.kinds import Kind
from gridgov.registry.pii import MASKERS

SEARCH_FIELDS = ("name", "address", "number", "code", "landlord_name")
SEARCH_CHANNEL = "search"
# A search matching more records than this through a personal-data field is recorded with
# the first ones: the row says who searched which fields, the ids are a sample.
MAX_AUDITED_SEARCH = 1000


def records_visible(*, user: User, kind: Kind) -> QuerySet:
    require_capability(user, Capability.REGISTRY_VIEW)
    related = ["area", *(kind.references or {})]
    return scope_queryset(kind.model.objects.select_related(*related), user)


def records_filter(
    *,
    user: User,
    kind: Kind,
    area_code: str | None = None,
    q: str | None = None,
    ip: str | None = None,
) -> QuerySet:
    queryset = records_visible(user=user, kind=kind)
    if area_code:
        area = (
            scope_queryset(Area.objects.all(), user, area_field="")
            .filter(code=normalize_code(area_code))
            .first()
        )
        if area is None:
            raise NotFound(
                _("There is no area with code %(code)s in your scope.") % {"code": area_code},
                field="area",
            )
        queryset = queryset.filter(area__path__startswith=area.path)
    if q:
        queryset = records_search(user=user, kind=kind, queryset=queryset, q=q, ip=ip)
    return queryset.order_by("pk")


def registry_search_fields_for(user: User, kind: Kind) -> list[str]:
    """The fields a free-text search may look at for this user: the kind's searchable
    fields, with its personal-data fields only for a role that may see them unmasked."""
    names = {f.name for f in kind.model._meta.get_fields()}
    fields = [name for name in SEARCH_FIELDS if name in names]
    if not user.has_capability(Capability.PII_VIEW):
        return [name for name in fields if name not in kind.pii]
    return fields + [name for name in kind.pii if name not in fields]


def records_search(
    *,
    user: User,
    kind: Kind,
    queryset: QuerySet,
    q: str,
    channel: str = SEARCH_CHANNEL,
    ip: str | None = None,
) -> QuerySet:
    """`queryset` narrowed to the records matching `q` in the fields the user may search.

    Masked fields are left out of the query entirely, so for a role without PII_VIEW a
    full ID number, phone or address silently matches nothing (rather than a 403, which
    would also refuse the harmless search of a name). For a role with PII_VIEW, the
    records found through a personal-data field are recorded as read (who, which
    records, which fields), before the results are shown."""
    q = q.strip()
    if not q:
        return queryset
    fields = registry_search_fields_for(user, kind)
    condition = Q()
    for name in fields:
        condition |= _field_matches(kind, name, q)
    personal = [name for name in fields if name in kind.pii]
    if personal:
        through_personal = Q()
        for name in personal:
            through_personal |= _field_matches(kind, name, q)
        found_ids = list(
            queryset.filter(through_personal).values_list("pk", flat=True)[:MAX_AUDITED_SEARCH]
        )
        pii_access_record(
            user=user,
            model=kind.key,
            object_ids=found_ids,
            fields=personal,
            channel=channel,
            ip=ip,
        )
    return queryset.filter(condition)


def _field_matches(kind: Kind, name: str, q: str) -> Q:
    """How `q` is looked for in one field, so that an index can serve it at a city's volume:
    ID numbers and phones by their exact value (a fragment of one is the tail search of the
    homes search, within the mask); names by a case-sensitive substring (Chinese has no case,
    and PostgreSQL's trigram index on the column serves it); other text as before."""
    if kind.pii.get(name) in ("id_number", "phone"):
        return Q(**{name: q.upper() if kind.pii[name] == "id_number" else q})
    if name == "name":
        return Q(name__contains=q)
    return Q(**{f"{name}__icontains": q})


def record_get(*, user: User, kind: Kind, pk: int) -> Any:
    record = records_visible(user=user, kind=kind).filter(pk=pk).first()
    if record is None:
        raise NotFound(_("No %(kind)s #%(pk)s in your area.") % {"kind": kind.label, "pk": pk})
    return record


def _value(record: Any, name: str, kind: Kind) -> Any:
    if kind.references and name in kind.references:
        target = getattr(record, name)
        return None if target is None else getattr(target, kind.references[name])
    return getattr(record, name)


MASKED_DECIMALS = 3


def records_as_dicts(
    *,
    user: User,
    kind: Kind,
    records: Iterable[Any],
    reveal: bool = False,
    channel: str = "api",
    ip: str | None = None,
) -> list[dict[str, Any]]:
    if reveal and not user.has_capability(Capability.PII_VIEW):
        raise PermissionDenied(_("Your role may not see personal data unmasked."))
    rows: list[dict[str, Any]] = []
    for record in records:
        row: dict[str, Any] = {
            "id": record.pk,
            "area": record.area.code,
            "area_name": record.area.name,
        }
        for name in kind.columns:
            row[name] = _value(record, name, kind)
        if hasattr(record, "birth_date"):
            row["birth_date"] = record.birth_date.isoformat()
            row["gender"] = record.gender
        row["is_generated"] = record.is_generated
        if not reveal:
            for name, masker in kind.pii.items():
                if row.get(name):
                    row[name] = MASKERS[masker](row[name])
            if "birth_date" in row and "id_number" in kind.pii:
                # The birth date is the middle of the ID number: no part of it goes out
                # beside a masked ID (decision 0004).
                row["birth_date"] = None
            if "address" in kind.pii:
                # Exact coordinates would give the masked address back: ~100 m, as Open311.
                for axis in ("lon", "lat"):
                    if isinstance(row.get(axis), float):
                        row[axis] = round(row[axis], MASKED_DECIMALS)
        rows.append(row)
    if reveal and kind.pii:
        pii_access_record(
            user=user,
            model=kind.key,
            object_ids=[r["id"] for r in rows],
            fields=list(kind.pii),
            channel=channel,
            ip=ip,
        )
    return rows
