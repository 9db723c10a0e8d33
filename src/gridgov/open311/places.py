"""`address_id`: a registered place of the registry, named `<kind>:<id>` (e.g. `markets:3`).

GeoReport lets a client name "the internal address ID of the jurisdiction's master address
repository" instead of coordinates; ours is the registry. Only places open to the public
or named by their owner may be named this way: compounds, buildings, markets, businesses,
units and service points. Households, residents and rentals are people's homes: their ids
would let a client probe who lives where, so they are refused like unknown ones.
"""

from dataclasses import dataclass

from gridgov.open311.formats import GeoReportError
from gridgov.registry.kinds import KINDS

ADDRESS_KINDS = ("compounds", "buildings", "markets", "businesses", "units", "points")


@dataclass(frozen=True)
class Place:
    address_id: str
    lon: float
    lat: float
    address: str


def place_of_address_id(address_id: str) -> Place:
    """The registered place named by `address_id`, or a 400 naming it."""
    kind, _sep, number = address_id.strip().partition(":")
    place = None
    if kind in ADDRESS_KINDS and number.isdigit() and len(number) <= 12:
        place = KINDS[kind].model.objects.filter(pk=int(number)).first()
    if place is None:
        raise GeoReportError(
            400,
            f"address_id {address_id[:40]!r} is not a registered place "
            f"(<kind>:<id>, kind one of {', '.join(ADDRESS_KINDS)})",
        )
    label = place.address or getattr(place, "name", "") or ""
    return Place(f"{kind}:{place.pk}", place.lon, place.lat, label)
