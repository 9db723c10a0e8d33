"""The demo city is Gucheng as it really is, with generated grids that tile exactly."""

import csv
import io
import json
from collections import Counter

import pytest
import shapely
from django.core.management import call_command
from shapely.geometry import shape

from gridgov.areas.geometry import area_m2
from gridgov.areas.models import Area, GridWorker
from gridgov.areas.validation import validate_tree
from gridgov.demo.city import grid_allocation
from gridgov.demo.partition import reading_order
from tests.paths import TEST_DATA


def export(*args: str) -> dict:
    out = io.StringIO()
    call_command("export_areas", *args, stdout=out)
    return json.loads(out.getvalue())


def official(name: str) -> dict[str, str]:
    path = TEST_DATA / name
    with open(path, encoding="utf-8") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


@pytest.mark.django_db
def test_export_has_one_district_11_streets_65_communities_620_grids():
    features = export("--root", "530702", "--format", "geojson")["features"]
    assert Counter(f["properties"]["level"] for f in features) == {1: 1, 2: 11, 3: 65, 4: 620}
    by_code = {f["properties"]["code"]: f["properties"] for f in features}
    assert by_code["530702"]["name"] == "古城区"
    assert by_code["530702"]["parent_code"] is None
    assert {c: p["name"] for c, p in by_code.items() if p["level"] == 2} == official(
        "gucheng-streets.csv"
    )
    assert {c: p["name"] for c, p in by_code.items() if p["level"] == 3} == official(
        "gucheng-villages.csv"
    )
    for properties in by_code.values():
        if properties["level"] > 1:
            assert properties["code"].startswith(properties["parent_code"])
            assert by_code[properties["parent_code"]]["level"] == properties["level"] - 1
    grids = [p for p in by_code.values() if p["level"] == 4]
    assert all(len(g["code"]) == 15 and g["generated"] for g in grids)


@pytest.mark.django_db
def test_children_tile_their_parent_exactly():
    areas = list(Area.objects.filter(path__startswith="/530702/"))
    assert validate_tree(areas, tolerance_m2=1.0) == []
    geometries = {a.id: shape(a.geometry) for a in areas}
    for parent in areas:
        children = [geometries[a.id] for a in areas if a.parent_id == parent.id]
        if children:
            union = shapely.union_all(children)
            difference = union.symmetric_difference(geometries[parent.id])
            assert area_m2(difference) < 10, parent.code  # < 10 m² over a whole street or district


@pytest.mark.django_db
def test_the_district_outline_is_the_real_one():
    district = Area.objects.get(code="530702")
    assert not district.is_generated
    real = json.loads((TEST_DATA / "lijiang-counties-530702.geojson").read_text(encoding="utf-8"))
    feature = next(f for f in real["features"] if f["properties"]["adcode"] == "530702")
    assert shape(district.geometry).equals_exact(shape(feature["geometry"]), 1e-9)


@pytest.mark.django_db
def test_every_grid_has_a_worker_and_most_are_full_time():
    grids = Area.objects.filter(kind="grid")
    assert grids.count() == 620
    assert not grids.filter(workers__isnull=True).exists()
    employment = Counter(GridWorker.objects.values_list("employment", flat=True))
    assert employment["full_time"] > employment["part_time"]
    assert grids.filter(grid_head__isnull=True).count() == 0


def test_grid_allocation_sums_exactly_and_favours_urban_communities():
    communities = [
        {"code": f"c{i}", "name": "x社区居委会" if i < 30 else "x村委会"} for i in range(65)
    ]
    counts = grid_allocation(communities, 620)
    assert sum(counts.values()) == 620
    assert min(counts.values()) >= 2
    assert counts["c0"] > counts["c64"]


def test_grids_are_numbered_west_to_east_in_rows_north_to_south():
    # a 3 x 3 block of unit squares, given in shuffled order
    cells = [
        shapely.box(x, -y, x + 1, -y + 1)
        for y, x in [(2, 1), (0, 2), (1, 0), (0, 0), (2, 2), (1, 2), (0, 1), (2, 0), (1, 1)]
    ]
    order = reading_order(cells)
    corners = [(cells[i].bounds[0], cells[i].bounds[1]) for i in order]
    assert corners == [(0, 0), (1, 0), (2, 0), (0, -1), (1, -1), (2, -1), (0, -2), (1, -2), (2, -2)]
