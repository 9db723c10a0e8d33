"""Generated clusters of events for the hotspot and recurrence tests: events placed in
chosen H3 cells at chosen times, written directly (the intake's rules are not under test)."""

import datetime as dt
import itertools

import h3
from django.utils import timezone

from gridgov.areas import hexes
from gridgov.areas.models import Area
from gridgov.events.models import Component, Event, Subclass

_serial = itertools.count(1)
# Ages are counted back from the real clock: a root treatment is stamped with it.
NOW = timezone.now().replace(microsecond=0)


def cell_near(lon: float, lat: float, *, step: int = 0, resolution7_sibling: bool = False) -> int:
    """A resolution-9 cell: the point's own (step 0), or one `step` cells away on the ring."""
    origin = h3.latlng_to_cell(lat, lon, hexes.RESOLUTION)
    if step == 0:
        return h3.str_to_int(origin)
    if resolution7_sibling:
        parent = h3.cell_to_parent(origin, 7)
        siblings = sorted(c for c in h3.cell_to_children(parent, hexes.RESOLUTION) if c != origin)
        return h3.str_to_int(siblings[step])
    ring = sorted(h3.grid_ring(origin, step))
    return h3.str_to_int(ring[0])


def make_events(
    *,
    cell: int | None,
    area: Area | str,
    subclass: Subclass | str,
    ages_days: list[float],
    now: dt.datetime = NOW,
    state: str = "closed",
    component: Component | None = None,
    lonlat: tuple[float, float] | None = None,
) -> list[Event]:
    """One event per age (days before `now`) in `cell` (its centre) of `area`'s grid."""
    if isinstance(area, str):
        area = Area.objects.get(code=area)
    if isinstance(subclass, str):
        subclass = Subclass.objects.get(code=subclass)
    if lonlat is None:
        lat, lon = h3.cell_to_latlng(h3.int_to_str(cell))
    else:
        lon, lat = lonlat
    events = Event.objects.bulk_create(
        Event(
            number=f"HS{next(_serial):08d}",
            subclass=subclass,
            component=component,
            description="generated for hotspots",
            source="worker",
            area=area,
            lon=lon,
            lat=lat,
            h3_cell=cell,
            state=state,
        )
        for _age in ages_days
    )
    for event, age in zip(events, ages_days, strict=True):
        event.reported_at = now - dt.timedelta(days=age)
    Event.objects.bulk_update(events, ["reported_at"])
    return events
