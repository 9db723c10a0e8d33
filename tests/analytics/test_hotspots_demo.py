"""The demo's hotspot places: each is one cell and one recurring problem, the treated ones
say so, and the rollups still agree with the events after they were moved back in time."""

import random

from gridgov.accounts.models import User
from gridgov.analytics.hotspots import hotspot_cells
from gridgov.analytics.recurring import recurring_problems
from gridgov.analytics.services import rollups_rebuild, rollups_verify
from gridgov.demo.events import HOTSPOTS, build_hotspots


def test_the_demo_places_are_hotspots_and_recurring_problems(db):
    made = build_hotspots(random.Random(7))
    rollups_rebuild()
    assert made == sum(len(ages) for _s, _c, _t, ages, _tr in HOTSPOTS)
    leader = User.objects.get(username="leader")
    runs = recurring_problems(user=leader, days=30)["runs"]
    by_kind = {run["subclass"]: run for run in runs}
    # Every place came back within 30 days each time: one run holding all its reports.
    for _street, code, _text, ages, _treatment in HOTSPOTS:
        assert by_kind[code]["count"] == len(ages), code
    assert by_kind["2201"]["status"] == "returned"  # the flooding crossing, after the rain
    assert by_kind["1102"]["status"] == "treated"  # the street lamp
    assert by_kind["0501"]["status"] == "open"
    # The last 30 days: the old-town spot of 大研 is the busiest cell, its street vendors
    # (8 reports younger than 30 days) and the façade changed next to them (3).
    hot = hotspot_cells(user=leader)
    assert hot[0]["top_subclasses"][0]["code"] == "0501"
    young = [age for _s, code, _t, ages, _tr in HOTSPOTS[:2] for age in ages if age < 30]
    assert hot[0]["count"] == len(young) == 11
    assert rollups_verify() == []
