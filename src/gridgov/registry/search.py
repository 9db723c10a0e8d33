"""One search box for homes and people (issue 12): households by their compound, building
or address, people by name, by the last four of a phone or an ID number, or the whole of
either — in the user's area, narrowed by grid and special group.

What a query may reach follows the masks (decision 0031, `selectors.records_search`):
- names of people, compounds and buildings: anyone with REGISTRY_VIEW;
- the last four digits of a phone: anyone with REGISTRY_VIEW, since the mask shows them
  (an equality on the indexed `phone_tail`);
- the last four of an ID number, a whole phone or ID number, a household's address: only a
  role with PII_VIEW, and every such search is recorded (channel "search") with what it
  found. For anyone else they are simply not searched: no match, no 403, nothing that
  tells a masked value from an absent one.
"""

import re
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import get_in_scope, require_capability, scope_queryset
from gridgov.accounts.services import pii_access_record
from gridgov.areas.codes import normalize_code
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, NotFound
from gridgov.registry import extensions
from gridgov.registry.models import Building, Household, Resident
from gridgov.registry.naming import household_address, household_title
from gridgov.registry.pii import mask_text

CHANNEL = "search"
MAX_LIMIT = 100
MAX_QUERY = 100
# Found through personal data: at most this many ids in the audit row (a sample of a wide search).
MAX_AUDITED = 1000
STATUSES = (*Resident.Status.values, "all")

PHONE_TAIL = re.compile(r"^\d{4}$")
ID_TAIL = re.compile(r"^\d{3}[\dX]$")
PHONE = re.compile(r"^1[3-9]\d{9}$")
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
NUMBER = re.compile(r"^\d+[\dXx]$")


def homes_search(
    *,
    user: User,
    q: str = "",
    grid: str | None = None,
    tag: str | None = None,
    status: str = "living",
    limit=20,
    offset=0,
    ip=None,
) -> dict:
    """{count, items}: households first, then people, each item
    {type, id, title, subtitle, grid_code, grid_name, household_id, status}."""
    require_capability(user, Capability.REGISTRY_VIEW)
    q = _query_clean(q)
    status = _status_clean(status)
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    households = scope_queryset(Household.objects.all(), user)
    people = scope_queryset(Resident.objects.all(), user)
    area = _grid_in_scope(user, grid)
    if area is not None:
        households = households.filter(area__path__startswith=area.path)
        people = people.filter(area__path__startswith=area.path)
    if status != "all":
        people = people.filter(status=status)
    if tag:
        people = extensions.residents_with_tag(user, people, tag)
    households, people, revealed = _match(
        user=user, q=q, households=households, people=people, ip=ip
    )
    if tag:
        households = households.none()  # a special group is of people, not of homes
    elif not q:
        people = people.none()  # the grid alone: its homes
    households = households.order_by("pk")
    people = people.order_by("name", "pk")
    household_count = households.count()
    count = household_count + people.count()
    items: list[dict[str, Any]] = []
    if offset < household_count:
        page = households.select_related("area", "head", "building__compound")
        for household in page[offset : offset + limit]:
            items.append(_household_item(household, masked=household.pk not in revealed))
    start = max(0, offset - household_count)
    wanted = limit - len(items)
    if wanted > 0 and offset + limit > household_count:
        page = people.select_related("area", "household__head", "household__building__compound")
        items.extend(_person_item(person) for person in page[start : start + wanted])
    return {"count": count, "items": items}


def _query_clean(q: Any) -> str:
    text = " ".join(str(q or "").split())
    if len(text) > MAX_QUERY:
        raise DomainError(
            _("At most %(max)s characters.") % {"max": MAX_QUERY}, code="too_long", field="q"
        )
    return text


def _status_clean(status: Any) -> str:
    value = str(status or "living").strip()
    if value not in STATUSES:
        raise DomainError(
            _("%(value)r is not one of: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(STATUSES)},
            field="status",
        )
    return value


def _grid_in_scope(user: User, code: str | None) -> Area | None:
    if not code:
        return None
    try:
        code = normalize_code(str(code))
    except DomainError as error:
        raise DomainError(error.message, code=error.code, field="grid") from None
    area = (
        get_in_scope(user, Area.objects.all(), Capability.REGISTRY_VIEW, area_field="")
        .filter(code=code)
        .first()
    )
    if area is None:
        raise NotFound(
            _("There is no area with code %(code)s in your scope.") % {"code": code}, field="grid"
        )
    return area


def _audited(
    *, user: User, model: str, queryset: QuerySet, fields: list[str], ip: str | None
) -> set[int]:
    """Record the search of a personal-data field with what it found (before it is shown)."""
    found = list(queryset.values_list("pk", flat=True)[:MAX_AUDITED])
    pii_access_record(
        user=user, model=model, object_ids=found, fields=fields, channel=CHANNEL, ip=ip
    )
    return set(found)


# More buildings than this matching one word: the first ones (a word that broad finds
# households enough).
MAX_BUILDINGS = 2000


def _match(
    *, user: User, q: str, households: QuerySet, people: QuerySet, ip: str | None
) -> tuple[QuerySet, QuerySet, set[int]]:
    """The households and people `q` finds for this user, and the households found through
    their address (shown unmasked: the user typed it, and the read is recorded)."""
    if not q:
        return households, people, set()
    sees_pii = user.has_capability(Capability.PII_VIEW)
    # A number as people write it: "139 0888 1234", "5307-02…".
    compact = re.sub(r"[\s-]", "", q)
    if NUMBER.match(compact):
        q = compact
    upper = q.upper()
    if PHONE_TAIL.match(q) or ID_TAIL.match(upper):
        keys = Q(phone_tail=q) if PHONE_TAIL.match(q) else Q(pk__in=[])
        if sees_pii:
            through_id = people.filter(_keyed(Q(id_tail=upper)))
            _audited(user=user, model="residents", queryset=through_id, fields=["id_number"], ip=ip)
            keys |= Q(id_tail=upper)
        return households.none(), people.filter(_keyed(keys)), set()
    if PHONE.match(q) or ID_NUMBER.match(upper):
        if not sees_pii:
            return households.none(), people.none(), set()
        if PHONE.match(q):
            field, condition = "phone", _keyed(Q(phone_tail=q[-4:], phone=q))
        else:
            field, condition = "id_number", _keyed(Q(id_number=upper))
        people = people.filter(condition)
        _audited(user=user, model="residents", queryset=people, fields=[field], ip=ip)
        return households.none(), people, set()
    words = q.split(" ")
    # Compounds and buildings are few: found first, their households through the index.
    buildings = Building.objects.all()
    for word in words:
        buildings = buildings.filter(Q(name__icontains=word) | Q(compound__name__icontains=word))
    # As a list: a subquery ORed with the address below becomes a hashed SubPlan that reads
    # every household of a city (bench/registry_pages.py).
    places = Q(
        building__in=list(
            scope_queryset(buildings, user).values_list("pk", flat=True)[:MAX_BUILDINGS]
        )
    )
    revealed: set[int] = set()
    if sees_pii:
        through_address = households.filter(address__icontains=q)
        revealed = _audited(
            user=user, model="households", queryset=through_address, fields=["address"], ip=ip
        )
        places |= Q(address__icontains=q)
    # One character is a surname: a prefix; more: anywhere in the name. Case-sensitive
    # lookups (Chinese names have no case) so that plain indexes serve them on PostgreSQL
    # (a btree with text_pattern_ops for the prefix, a pg_trgm GIN for the rest), where
    # icontains would need indexes on UPPER(name).
    # Two characters have no trigram: as the start or the end of a name (every two-character
    # part of a name of two or three characters, which most Chinese names are) an index
    # serves them; a name's middle two of four are not found.
    if len(q) == 1:
        name = Q(name__startswith=q)
    elif len(q) == 2:
        name = Q(name__startswith=q) | Q(name__endswith=q)
    else:
        name = Q(name__contains=q)
    return households.filter(places), people.filter(name), revealed


def _keyed(keys: Q) -> Q:
    """People with these keys, looked up first on the keys' own indexes: joined with the
    scope and the status (or OR-ed), planners otherwise walk the status index instead
    (80 ms instead of 7 on the demo's 81,536 residents on SQLite)."""
    return Q(pk__in=Resident.objects.filter(keys).values("pk"))


def _household_item(household: Household, *, masked: bool) -> dict[str, Any]:
    building = str(household.building) if household.building_id else ""
    return {
        "type": "household",
        "id": household.pk,
        "title": household_title(household, masked=masked),
        "subtitle": building or household_address(household, masked=masked),
        "grid_code": household.area.code,
        "grid_name": household.area.name,
        "household_id": household.pk,
        "status": household.occupancy,
    }


def _person_item(person: Resident) -> dict[str, Any]:
    household = person.household
    return {
        "type": "person",
        "id": person.pk,
        "title": person.name,
        "subtitle": household_title(household, masked=True)
        if household
        else mask_text(person.address),
        "grid_code": person.area.code,
        "grid_name": person.area.name,
        "household_id": person.household_id,
        "status": person.status,
    }
