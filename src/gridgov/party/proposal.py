"""The central-household proposal: which member each household turns to, and which members
gather around which central household — by nearness (same building, then compound, then
grid) and within the bounds. It proposes; staff look, adjust, and apply.

Pure functions over plain tuples, so the whole district (and 120,000 households) is planned
in seconds and property tests can throw random compounds at it.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Home:
    id: int
    grid: int
    compound: int | None
    building: int | None


@dataclass(frozen=True)
class Candidate:
    id: int
    grid: int
    compound: int | None
    building: int | None
    linked: int = 0  # households already linked to this member


@dataclass
class Plan:
    links: dict[int, int] = field(default_factory=dict)  # household -> member
    uncovered: dict[int, str] = field(default_factory=dict)  # household -> why
    under_minimum: dict[int, int] = field(default_factory=dict)  # member -> households
    groups: list[list[int]] = field(default_factory=list)  # [host, member, ...]
    ungrouped: dict[int, str] = field(default_factory=dict)  # member -> why


NO_MEMBER = "no member who may link households lives in this grid"
ALL_FULL = "every member in this grid already links the most households allowed"
TOO_FEW = "too few members in this grid to form a central household"
NO_SPLIT = "the grid's members do not divide into central households within the bounds"


def propose(
    homes: list[Home],
    members: list[Candidate],
    households_per_member: tuple[int, int] = (5, 15),
    members_per_central: tuple[int, int] = (2, 5),
) -> Plan:
    low, high = households_per_member
    plan = Plan()
    load = {m.id: m.linked for m in members}
    by_grid: dict[int, list[Candidate]] = defaultdict(list)
    by_compound: dict[int, list[Candidate]] = defaultdict(list)
    by_building: dict[int, list[Candidate]] = defaultdict(list)
    for m in members:
        by_grid[m.grid].append(m)
        if m.compound is not None:
            by_compound[m.compound].append(m)
        if m.building is not None:
            by_building[m.building].append(m)
    # Per grid, a heap of (load, member) so the least-loaded is found without a scan.
    grid_heaps: dict[int, list[tuple[int, int]]] = {
        g: [(load[m.id], m.id) for m in ms] for g, ms in by_grid.items()
    }
    for heap in grid_heaps.values():
        heapq.heapify(heap)

    def least(candidates: list[Candidate]) -> int | None:
        best = None
        for m in candidates:
            if load[m.id] < high and (best is None or load[m.id] < load[best]):
                best = m.id
        return best

    def least_in_grid(grid: int) -> int | None:
        heap = grid_heaps.get(grid, [])
        while heap:
            count, member = heap[0]
            if count != load[member]:  # stale entry: its load moved on
                heapq.heapreplace(heap, (load[member], member))
                continue
            return member if count < high else None
        return None

    # Homes of the same building together, so a building's members fill up with their own.
    for home in sorted(homes, key=lambda h: (h.grid, h.compound or 0, h.building or 0, h.id)):
        member = None
        if home.building is not None:
            member = least(by_building.get(home.building, []))
        if member is None and home.compound is not None:
            member = least(by_compound.get(home.compound, []))
        if member is None:
            member = least_in_grid(home.grid)
        if member is None:
            plan.uncovered[home.id] = ALL_FULL if by_grid.get(home.grid) else NO_MEMBER
            continue
        plan.links[home.id] = member
        load[member] += 1
    plan.under_minimum = {m: n for m, n in load.items() if n < low}

    # Central households: members of a grid in nearness order, in groups of up to the most
    # allowed, of near-equal sizes within the bounds.
    least_group, most_group = members_per_central
    for ms in by_grid.values():
        ordered = sorted(ms, key=lambda m: (m.compound or 0, m.building or 0, m.id))
        ids = [m.id for m in ordered]
        if len(ids) < least_group:
            for member in ids:
                plan.ungrouped[member] = TOO_FEW
            continue
        n = len(ids)
        fits = list(range(-(-n // most_group), n // least_group + 1))
        count = fits[0] if fits else n // least_group
        size, extra = divmod(n, count)
        start = 0
        for i in range(count):
            end = start + min(most_group, size + (1 if i < extra else 0))
            plan.groups.append(ids[start:end])
            start = end
        for member in ids[start:]:  # members that no split within the bounds could take
            plan.ungrouped[member] = NO_SPLIT
    return plan
