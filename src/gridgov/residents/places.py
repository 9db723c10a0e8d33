"""Search of registered places by name or address, for the resident's map (issue 11): the
areas of the grid tree, residential compounds and their buildings, units (organs,
schools, clinics), markets, and the city's components by identifier.

Only places, never people: households, residents, rental houses (a landlord's name),
shops (often a family's home) and cameras are not searched, and only a place's name,
standard address and point are answered. Each kind is read with its own small LIMIT,
names starting with the words first, so one query string costs a few bounded reads
whatever the size of the registry.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.areas.models import Area
from gridgov.common.errors import DomainError
from gridgov.common.text import xml_safe
from gridgov.events.models import Component
from gridgov.registry.models import Building, Compound, Market, Unit

MIN_QUERY = 2
MAX_QUERY = 50
MAX_RESULTS = 20


@dataclass(frozen=True)
class Kind:
    name: str
    queryset: Callable[[], QuerySet]
    # The fields matched; the first is the name, matched from its start before anywhere.
    fields: tuple[str, ...]
    answer: Callable[[Model], dict]


def _area_answer(area: Area) -> dict:
    lon = lat = None
    if area.min_lon is not None:
        lon = round((area.min_lon + area.max_lon) / 2, 6)
        lat = round((area.min_lat + area.max_lat) / 2, 6)
    return {
        "label": area.name,
        "address": area.parent.name if area.parent_id else "",
        "lon": lon,
        "lat": lat,
    }


def _placed_answer(label: str, record) -> dict:
    return {"label": label, "address": record.address, "lon": record.lon, "lat": record.lat}


def _component_answer(component: Component) -> dict:
    return {
        "label": f"{component.component_type.name_zh} {component.identifier}",
        "address": component.area.name,
        "lon": component.lon,
        "lat": component.lat,
    }


KINDS: tuple[Kind, ...] = (
    Kind(
        "area",
        lambda: Area.objects.select_related("parent").filter(min_lon__isnull=False),
        ("name",),
        _area_answer,
    ),
    Kind(
        "compound",
        lambda: Compound.objects.all(),
        ("name", "address"),
        lambda c: _placed_answer(c.name, c),
    ),
    Kind(
        "building",
        lambda: Building.objects.select_related("compound"),
        ("address",),
        lambda b: _placed_answer(str(b), b),
    ),
    Kind(
        "unit", lambda: Unit.objects.all(), ("name", "address"), lambda u: _placed_answer(u.name, u)
    ),
    Kind(
        "market",
        lambda: Market.objects.all(),
        ("name", "address"),
        lambda m: _placed_answer(m.name, m),
    ),
    Kind(
        "component",
        lambda: Component.objects.select_related("component_type", "area"),
        ("identifier",),
        _component_answer,
    ),
)


def query_clean(q: str | None) -> str:
    text = " ".join(xml_safe(q or "").split())
    if len(text) < MIN_QUERY:
        raise DomainError(
            _("Type at least %(n)s characters of a place or an address.") % {"n": MIN_QUERY},
            field="q",
        )
    return text[:MAX_QUERY]


def _matches(kind: Kind, text: str, limit: int) -> Iterable[Model]:
    """Names starting with `text` first, then names or addresses holding it."""
    name = kind.fields[0]
    first = list(
        kind.queryset().filter(**{f"{name}__istartswith": text}).order_by(name, "pk")[:limit]
    )
    if len(first) >= limit:
        return first
    anywhere = Q()
    for field in kind.fields:
        anywhere |= Q(**{f"{field}__icontains": text})
    more = (
        kind.queryset().filter(anywhere).exclude(pk__in=[r.pk for r in first]).order_by(name, "pk")
    )
    return first + list(more[: limit - len(first)])


def places_search(*, q: str | None) -> list[dict]:
    """Up to MAX_RESULTS places whose name or address holds `q`, each kind in turn (areas,
    compounds, buildings, units, markets, components) until the list is full."""
    text = query_clean(q)
    results: list[dict] = []
    for kind in KINDS:
        room = MAX_RESULTS - len(results)
        if room <= 0:
            break
        for record in _matches(kind, text, room):
            answer = kind.answer(record)
            if answer["lon"] is None:
                continue
            results.append({**answer, "kind": kind.name})
    return results
