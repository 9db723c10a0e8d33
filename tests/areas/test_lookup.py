import io
import json
import random

import pytest
import shapely
from django.core.management import call_command
from shapely.geometry import shape

from gridgov.areas import spatial_index
from gridgov.areas.coords import gcj02_to_wgs84, to_wgs84, wgs84_to_gcj02
from gridgov.areas.geometry import haversine_m
from gridgov.areas.models import Area
from gridgov.areas.services import area_update


def run_lookup(lines: str, monkeypatch) -> list[dict]:
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    out = io.StringIO()
    call_command("lookup", "-", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.django_db
def test_stream_lookup_agrees_with_shapely_on_the_exported_polygons(monkeypatch):
    out = io.StringIO()
    call_command("export_areas", "--root", "530702", stdout=out)
    features = json.loads(out.getvalue())["features"]
    grids = [
        (f["properties"]["code"], shape(f["geometry"]))
        for f in features
        if f["properties"]["level"] == 4
    ]
    district = shape(next(f for f in features if f["properties"]["level"] == 1)["geometry"])
    rng = random.Random(7)
    min_x, min_y, max_x, max_y = district.bounds
    points = [
        (rng.uniform(min_x - 0.05, max_x + 0.05), rng.uniform(min_y - 0.05, max_y + 0.05))
        for _ in range(2000)
    ]
    answers = run_lookup("".join(f"{x} {y}\n" for x, y in points), monkeypatch)
    assert len(answers) == len(points)
    inside = 0
    for (x, y), answer in zip(points, answers, strict=True):
        expected = [code for code, polygon in grids if polygon.covers(shapely.Point(x, y))]
        assert answer["lon"] == x
        assert answer["lat"] == y
        if expected:
            inside += 1
            assert answer["code"] in expected
        else:
            assert answer["code"] is None
    assert inside > 500  # the sample really exercised the grids


@pytest.mark.django_db
def test_stream_lookup_keeps_order_and_reports_bad_lines(monkeypatch):
    answers = run_lookup("100.235 26.872\nnot a point\n0 0\n100.235,26.872\n", monkeypatch)
    assert [a["code"] is None for a in answers] == [False, True, True, False]
    assert "error" in answers[1]
    assert "error" not in answers[2]
    assert answers[0]["code"] == answers[3]["code"]


@pytest.mark.django_db
def test_single_lookup_prints_the_chain_from_the_top():
    out = io.StringIO()
    call_command("lookup", "100.235", "26.872", stdout=out)
    chain = json.loads(out.getvalue())
    assert [item["level"] for item in chain] == [1, 2, 3, 4]
    assert chain[0]["code"] == "530702"
    assert chain[3]["code"].startswith(chain[2]["code"])
    assert chain[2]["code"].startswith(chain[1]["code"])


@pytest.mark.django_db
def test_index_follows_edits(admin_user):
    grid = Area.objects.filter(kind="grid").order_by("code").first()
    neighbour = Area.objects.filter(parent=grid.parent, kind="grid").exclude(pk=grid.pk).first()
    point = shape(neighbour.geometry).representative_point()
    index = spatial_index.get_index()
    assert index.deepest(point.x, point.y).code == neighbour.code
    # Give the first grid the neighbour's shape too: the lookup must see it without a restart.
    merged = shape(grid.geometry).union(shape(neighbour.geometry))
    area_update(user=admin_user, code=neighbour.code, geometry=None)
    area_update(user=admin_user, code=grid.code, geometry=shapely.geometry.mapping(merged))
    assert spatial_index.get_index().deepest(point.x, point.y).code == grid.code


def test_gcj02_round_trip_within_a_metre():
    rng = random.Random(3)
    for _ in range(500):
        lon, lat = rng.uniform(73.5, 134.7), rng.uniform(18.2, 53.5)
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
        assert haversine_m(lon, lat, *back) < 1.0
    shifted = wgs84_to_gcj02(100.235, 26.872)
    assert (
        100 < haversine_m(100.235, 26.872, *shifted) < 1000
    )  # the offset really is hundreds of metres
    assert haversine_m(100.235, 26.872, *to_wgs84(*shifted, "gcj02")) < 1.0


@pytest.mark.django_db
def test_an_edit_by_another_process_reaches_this_index_after_the_check_interval(
    settings, admin_user
):
    from gridgov.areas.models import TreeVersion

    settings.GRIDGOV_TREE_VERSION_CHECK_SECONDS = 0
    grid = Area.objects.filter(kind="grid").order_by("code").first()
    point = shape(grid.geometry).representative_point()
    assert spatial_index.get_index().deepest(point.x, point.y).code == grid.code
    # Another process clears the polygon and bumps the version; this process did not invalidate.
    Area.objects.filter(pk=grid.pk).update(geometry=None)
    assert (
        spatial_index.get_index().deepest(point.x, point.y).code == grid.code
    )  # same version: cached
    TreeVersion.objects.filter(pk=1).update(version=TreeVersion.objects.get(pk=1).version + 1)
    assert spatial_index.get_index().deepest(point.x, point.y).code == grid.parent.code


def _tree_rows() -> list[tuple]:
    """A county of two streets; street 1 has two grids side by side (one with a hole),
    street 2 none; and a MultiPolygon grid in two parts. Squares of 1 x 1 degree."""

    def square(x, y, size=1.0):
        return shapely.box(x, y, x + size, y + size)

    holed = shapely.Polygon(square(0, 0).exterior.coords, [square(0.4, 0.4, 0.2).exterior.coords])
    two_parts = shapely.MultiPolygon([square(0, 1, 0.5), square(1.5, 1, 0.5)])
    mapping = shapely.geometry.mapping
    return [
        (1, "1", "county", "county", 0, None, mapping(square(0, 0, 4))),
        (2, "101", "street 1", "street", 1, 1, mapping(shapely.box(0, 0, 2, 2))),
        (3, "102", "street 2", "street", 1, 1, mapping(shapely.box(2, 0, 4, 2))),
        (4, "101001", "grid a", "grid", 2, 2, mapping(holed)),
        (5, "101002", "grid b", "grid", 2, 2, mapping(square(1, 0))),
        (6, "101003", "grid c", "grid", 2, 2, mapping(two_parts)),
        (7, "101004", "no outline", "grid", 2, 2, None),
    ]


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((0.2, 0.2), "101001"),  # in grid a
        ((0.5, 0.5), "101"),  # in grid a's hole: the street answers
        ((0.4, 0.5), "101001"),  # on the hole's edge: still grid a
        ((1.0, 0.5), "101001"),  # on the border of grids a and b: the lower code
        ((1.5, 0.5), "101002"),
        ((1.7, 1.2), "101003"),  # the second part of a MultiPolygon
        ((1.2, 1.2), "101"),  # inside street 1, outside every grid
        ((3.0, 1.0), "102"),  # a street without grids
        ((3.0, 3.0), "1"),  # only the county
        ((4.0, 4.0), "1"),  # the county's corner
        ((5.0, 5.0), None),  # outside everything
        ((-0.000001, 0.5), None),  # a hair outside the county's edge
    ],
)
def test_index_answers_the_deepest_area_one_point_and_many(point, expected):
    index = spatial_index.AreaIndex.from_rows(_tree_rows())
    single = index.deepest(*point)
    assert (single.code if single else None) == expected
    many = index.deepest_many([point[0], 9.0, point[0]], [point[1], 9.0, point[1]])
    assert [n.code if n else None for n in many] == [expected, None, expected]
    if single is not None:
        assert [n.code for n in index.chain(single)][0] == "1"


def test_index_builds_from_any_geojson_and_agrees_with_shape():
    rows = _tree_rows()
    # A 3-D position (with a height) takes the general, one-by-one way: same answers.
    county = rows[0][6]
    rows[0] = (
        *rows[0][:6],
        {"type": "Polygon", "coordinates": [[(*xy, 0.0) for xy in county["coordinates"][0]]]},
    )
    index = spatial_index.AreaIndex.from_rows(rows)
    assert len(index) == 6
    assert index.deepest(3.0, 3.0).code == "1"
    geometries = spatial_index.polygons_from_geojson([r[6] for r in _tree_rows() if r[6]])
    for row, geometry in zip([r for r in _tree_rows() if r[6]], geometries, strict=True):
        assert geometry.equals(shape(row[6])) or geometry.equals(
            shapely.MultiPolygon([shape(row[6])])
        )


def test_siblings_that_overlap_still_give_the_deepest_then_lowest_code():
    # A street-level polygon that reaches into a neighbour's grid: the grid is deeper.
    mapping = shapely.geometry.mapping
    rows = [
        (1, "1", "county", "county", 0, None, mapping(shapely.box(0, 0, 10, 10))),
        (2, "102", "wide street", "street", 1, 1, mapping(shapely.box(0, 0, 10, 10))),
        (3, "101", "street", "street", 1, 1, mapping(shapely.box(0, 0, 5, 5))),
        (4, "101001", "grid", "grid", 2, 3, mapping(shapely.box(1, 1, 2, 2))),
    ]
    index = spatial_index.AreaIndex.from_rows(rows)
    assert index.deepest(1.5, 1.5).code == "101001"
    assert index.deepest(3, 3).code == "101"  # both streets: the lower code
    assert index.deepest(7, 7).code == "102"
    assert [n.code if n else None for n in index.deepest_many([1.5, 3, 7], [1.5, 3, 7])] == [
        "101001",
        "101",
        "102",
    ]
