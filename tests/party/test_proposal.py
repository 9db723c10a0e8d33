"""The central-household proposal on random districts (property tests): every household is
linked or says why, no member goes beyond the bounds, nearness is respected, and central
households stay within their size."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.party.proposal import ALL_FULL, NO_MEMBER, Candidate, Home, propose


@st.composite
def districts(draw):
    grids = draw(st.integers(1, 4))
    homes, members = [], []
    next_id = iter(range(1, 100_000))
    for grid in range(grids):
        for compound in range(draw(st.integers(0, 3))):
            compound_id = grid * 100 + compound
            for building in range(draw(st.integers(1, 3))):
                building_id = compound_id * 100 + building
                for _ in range(draw(st.integers(0, 25))):
                    homes.append(Home(next(next_id), grid, compound_id, building_id))
                for _ in range(draw(st.integers(0, 3))):
                    members.append(
                        Candidate(
                            next(next_id), grid, compound_id, building_id, draw(st.integers(0, 4))
                        )
                    )
        for _ in range(draw(st.integers(0, 10))):  # homes outside any compound
            homes.append(Home(next(next_id), grid, None, None))
    low = draw(st.integers(1, 6))
    high = draw(st.integers(low, 16))
    least = draw(st.integers(1, 3))
    most = draw(st.integers(least, 6))
    return homes, members, (low, high), (least, most)


@settings(max_examples=150, deadline=None)
@given(districts())
def test_every_household_is_linked_within_bounds_or_says_why(district):
    homes, members, (low, high), (least, most) = district
    plan = propose(homes, members, (low, high), (least, most))
    member_of = {m.id: m for m in members}
    assert set(plan.links) | set(plan.uncovered) == {h.id for h in homes}
    assert not set(plan.links) & set(plan.uncovered)
    load = Counter(plan.links.values())
    final = {m.id: m.linked + load[m.id] for m in members}
    # Nobody is given more than the most allowed (those already over keep theirs, get none).
    for m in members:
        assert load[m.id] == 0 or final[m.id] <= high
    by_home = {h.id: h for h in homes}
    grid_members = Counter(m.grid for m in members)
    for home_id, member_id in plan.links.items():
        home, member = by_home[home_id], member_of[member_id]
        assert member.grid == home.grid  # a household's member lives in its grid
        # Nearness: a member from further away only when everyone nearer is full.
        if home.building is not None and member.building != home.building:
            assert all(final[m.id] >= high for m in members if m.building == home.building)
        if home.compound is not None and member.compound != home.compound:
            assert all(final[m.id] >= high for m in members if m.compound == home.compound)
    for home_id, why in plan.uncovered.items():
        grid = by_home[home_id].grid
        if grid_members[grid] == 0:
            assert why == NO_MEMBER
        else:
            assert why == ALL_FULL
            assert all(final[m.id] >= high for m in members if m.grid == grid)
    assert plan.under_minimum == {m: n for m, n in final.items() if n < low}


@settings(max_examples=150, deadline=None)
@given(districts())
def test_central_households_stay_within_their_size(district):
    homes, members, households, (least, most) = district
    plan = propose(homes, members, households, (least, most))
    grid_of = {m.id: m.grid for m in members}
    grouped = [m for group in plan.groups for m in group]
    assert len(grouped) == len(set(grouped))  # nobody in two central households
    assert set(grouped) | set(plan.ungrouped) == set(grid_of)
    for group in plan.groups:
        assert least <= len(group) <= most
        assert len({grid_of[m] for m in group}) == 1  # one grid each
    # Wherever a grid's members can be split within the bounds, nobody is left out.
    per_grid = Counter(grid_of.values())
    for grid, n in per_grid.items():
        splittable = any(least * c <= n <= most * c for c in range(1, n + 1))
        left = [m for m in plan.ungrouped if grid_of[m] == grid]
        if splittable:
            assert not left
