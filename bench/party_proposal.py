"""The central-household proposal: for the whole demo district (read from the database,
planned, not applied), and for 120,000 households with 8,400 members, beside a naive
planner that scans every member of the grid for each household, in the same run."""

import random
import time

from _setup import django_setup

HOUSEHOLDS = 120_000
MEMBERS = 8_400
GRIDS = 1_800


def naive(homes, members, high=15):
    load = {m.id: m.linked for m in members}
    by_grid = {}
    for m in members:
        by_grid.setdefault(m.grid, []).append(m)
    links = {}
    for h in homes:
        pool = by_grid.get(h.grid, [])
        near = (
            [m for m in pool if m.building == h.building and load[m.id] < high]
            or [m for m in pool if m.compound == h.compound and load[m.id] < high]
            or [m for m in pool if load[m.id] < high]
        )
        if near:
            best = min(near, key=lambda m: load[m.id])
            links[h.id] = best.id
            load[best.id] += 1
    return links


def main() -> None:
    django_setup()
    from django.core.management import call_command

    from gridgov.accounts.models import User
    from gridgov.party.models import HouseholdLink
    from gridgov.party.proposal import Candidate, Home, propose
    from gridgov.party.services import proposal_make

    started = time.perf_counter()
    call_command("demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    print(f"demo city loaded in {time.perf_counter() - started:.1f} s")
    HouseholdLink.objects.all().delete()  # plan the district from scratch
    admin = User.objects.get(username="admin")
    t = time.perf_counter()
    plan = proposal_make(user=admin, root_code="530702")
    print(
        f"  whole district: {len(plan.links) + len(plan.uncovered):,} households planned in "
        f"{time.perf_counter() - t:.2f} s (database reads included): {len(plan.links):,} linked, "
        f"{len(plan.uncovered):,} left with a reason, {len(plan.groups):,} central households"
    )

    rng = random.Random(11)
    homes, members = [], []
    for i in range(HOUSEHOLDS):
        grid = rng.randrange(GRIDS)
        compound = grid * 10 + rng.randrange(4)
        homes.append(Home(i, grid, compound, compound * 10 + rng.randrange(6)))
    for i in range(MEMBERS):
        grid = rng.randrange(GRIDS)
        compound = grid * 10 + rng.randrange(4)
        members.append(Candidate(HOUSEHOLDS + i, grid, compound, compound * 10 + rng.randrange(6)))
    t = time.perf_counter()
    plan = propose(homes, members)
    fast = time.perf_counter() - t
    t = time.perf_counter()
    links = naive(homes, members)
    slow = time.perf_counter() - t
    print(
        f"  {HOUSEHOLDS:,} households, {MEMBERS:,} members: {fast:.2f} s "
        f"({len(plan.links):,} linked, {len(plan.groups):,} central households); "
        f"naive scan {slow:.2f} s ({len(links):,} linked); ratio {slow / fast:.1f}x"
    )


if __name__ == "__main__":
    main()
