"""Hotspots on generated clusters: the cells, counts, shares and kinds are known by
construction (hotspot_factories), each user sees their own area's, bad input is a 400."""

import datetime as dt

import h3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.analytics.hotspots import hotspot_cells, hotspots_geojson
from gridgov.areas import hexes
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, NotFound, PermissionDenied
from gridgov.events.models import CatalogClass, Subclass
from tests.analytics.hotspot_factories import NOW, cell_near, make_events
from tests.conftest import JINJIA, WENHUI_GRID

API = "/api/v1/analytics/hotspots"
SINCE = (NOW - dt.timedelta(days=30)).isoformat()
UNTIL = (NOW + dt.timedelta(seconds=1)).isoformat()


@given(lat=st.floats(min_value=-80, max_value=80), lon=st.floats(min_value=-179, max_value=179))
@settings(max_examples=200, deadline=None)
def test_the_parent_in_integers_is_h3s_parent(lat, lon):
    cell = h3.latlng_to_cell(lat, lon, hexes.RESOLUTION)
    for resolution in (7, 8, 9):
        expected = h3.str_to_int(h3.cell_to_parent(cell, resolution))
        assert hexes.parent_of(h3.str_to_int(cell), resolution) == expected


def test_the_boundary_is_a_closed_ring_of_lon_lat():
    cell = h3.str_to_int(h3.latlng_to_cell(26.87, 100.23, 9))
    ring = hexes.boundary(cell)
    assert len(ring) == 7
    assert ring[0] == ring[-1]
    assert all(100.2 < lon < 100.3 and 26.8 < lat < 26.9 for lon, lat in ring)


@pytest.fixture
def kinds(db) -> tuple[Subclass, Subclass, Subclass]:
    """Two kinds of one event class and one of another."""
    first_class = CatalogClass.objects.filter(family="event", subclasses__isnull=False).first()
    same = list(first_class.subclasses.order_by("code")[:2])
    other = Subclass.objects.exclude(event_class=first_class).order_by("code").first()
    return same[0], same[1], other


@pytest.fixture
def clusters(db, kinds, wenhui_point, jinjia_point):
    """In 文汇 (the world's grid): cell A 5 events (3 of kind X, 2 of Y), plus a voided one, a
    rejected one and one 31 days old that do not count; B 3 (kind Z of another class); C 2
    (below the threshold); A, B and C share their resolution-7 parent. In 金甲: cell D 4."""
    x, y, z = kinds
    a = cell_near(*wenhui_point)
    b = cell_near(*wenhui_point, step=1, resolution7_sibling=True)
    c = cell_near(*wenhui_point, step=2, resolution7_sibling=True)
    d = cell_near(*jinjia_point, step=3)
    jinjia_grid = Area.objects.filter(path__startswith=Area.objects.get(code=JINJIA).path)
    jinjia_grid = jinjia_grid.exclude(code=JINJIA).order_by("code").first()
    make_events(cell=a, area=WENHUI_GRID, subclass=x, ages_days=[1, 2, 3])
    make_events(cell=a, area=WENHUI_GRID, subclass=y, ages_days=[4, 5])
    make_events(cell=a, area=WENHUI_GRID, subclass=x, ages_days=[1], state="voided")
    make_events(cell=a, area=WENHUI_GRID, subclass=x, ages_days=[1], state="rejected")
    make_events(cell=a, area=WENHUI_GRID, subclass=x, ages_days=[31])
    make_events(cell=b, area=WENHUI_GRID, subclass=z, ages_days=[2, 6, 9], state="reported")
    make_events(cell=c, area=WENHUI_GRID, subclass=x, ages_days=[7, 8])
    make_events(cell=d, area=jinjia_grid, subclass=y, ages_days=[10, 11, 12, 29.9])
    return {"a": a, "b": b, "c": c, "d": d}


def _counts(cells: list[dict]) -> list[tuple[str, int]]:
    return [(cell["cell"], cell["count"]) for cell in cells]


def test_the_district_sees_every_cell_above_the_threshold(operator, clusters, kinds):
    x, y, _z = kinds
    hot = hotspot_cells(user=operator, since=SINCE, until=UNTIL)
    a, b, d = (hexes.cell_hex(clusters[k]) for k in "abd")
    assert _counts(hot) == [(a, 5), (d, 4), (b, 3)]
    assert hot[0]["share"] == round(5 / 14, 4)  # 5 + 3 + 2 (C) + 4 counted events
    assert hot[0]["top_subclasses"] == [
        {"code": x.code, "name": x.name_zh, "count": 3},
        {"code": y.code, "name": y.name_zh, "count": 2},
    ]


def test_a_community_sees_its_own_cells_only(community_staff, other_community_staff, clusters):
    a, b, d = (hexes.cell_hex(clusters[k]) for k in "abd")
    assert _counts(hotspot_cells(user=community_staff, since=SINCE, until=UNTIL)) == [
        (a, 5),
        (b, 3),
    ]
    assert _counts(hotspot_cells(user=other_community_staff, since=SINCE, until=UNTIL)) == [(d, 4)]


def test_coarser_resolutions_add_up_the_children(community_staff, clusters):
    parent = hexes.cell_hex(hexes.parent_of(clusters["a"], 7))
    report = hotspots_geojson(user=community_staff, since=SINCE, until=UNTIL, resolution=7)
    assert [(f["id"], f["properties"]["count"]) for f in report["features"]] == [(parent, 10)]
    assert report["meta"]["total"] == 10


def test_threshold_kind_category_and_period_filter(operator, clusters, kinds):
    x, _y, z = kinds
    a, b, c, d = (hexes.cell_hex(clusters[k]) for k in "abcd")
    assert _counts(hotspot_cells(user=operator, since=SINCE, until=UNTIL, min_count=2)) == [
        (a, 5),
        (d, 4),
        (b, 3),
        (c, 2),
    ]
    assert _counts(hotspot_cells(user=operator, since=SINCE, until=UNTIL, subclass=x.code)) == [
        (a, 3)
    ]
    assert _counts(
        hotspot_cells(user=operator, since=SINCE, until=UNTIL, category=z.event_class_id)
    ) == [(b, 3)]
    # The last 5 days (ages 1–5 in A, 2 in B): only A passes 3.
    recent = (NOW - dt.timedelta(days=5, hours=1)).isoformat()
    assert _counts(hotspot_cells(user=operator, since=recent, until=UNTIL)) == [(a, 5)]
    # The 31-day-old event joins A when the period reaches it.
    older = (NOW - dt.timedelta(days=32)).isoformat()
    assert _counts(hotspot_cells(user=operator, since=older, until=UNTIL))[0] == (a, 6)


def test_geojson_shape(operator, clusters):
    report = hotspots_geojson(user=operator, since=SINCE, until=UNTIL)
    assert report["type"] == "FeatureCollection"
    assert report["meta"]["cells"] == 3
    assert report["meta"]["truncated"] is False
    feature = report["features"][0]
    ring = feature["geometry"]["coordinates"][0]
    assert feature["geometry"]["type"] == "Polygon"
    assert ring[0] == ring[-1]
    lon, lat = hexes.centre(clusters["a"])
    assert min(p[0] for p in ring) < lon < max(p[0] for p in ring)  # [lon, lat], not [lat, lon]
    assert min(p[1] for p in ring) < lat < max(p[1] for p in ring)


def test_the_api_answers_the_contract(client, operator, clusters):
    client.force_login(operator)
    answer = client.get(API, {"since": SINCE, "until": UNTIL, "min_count": 4})
    assert answer.status_code == 200
    body = answer.json()
    assert [f["properties"]["count"] for f in body["features"]] == [5, 4]
    assert body["meta"]["min_count"] == 4
    assert body["meta"]["total"] == 14


def test_until_as_a_day_includes_that_day(operator, clusters):
    today = NOW.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    # An explicit first day: the default window (30 days back from the end) would put the
    # 29.9-day-old event in or out by the hour the test runs.
    since = (today - dt.timedelta(days=30)).isoformat()
    report = hotspots_geojson(user=operator, since=since, until=today.isoformat())
    assert report["meta"]["until"].startswith((today + dt.timedelta(days=1)).isoformat())
    assert report["meta"]["total"] >= 14


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"since": "2026-11-10", "until": "2026-11-01"}, 400, "since"),
        ({"since": "2024-01-01", "until": "2026-11-01"}, 400, "since"),
        ({"since": "yesterday"}, 400, "since"),
        ({"since": "2026-02-30"}, 400, "since"),
        ({"subclass": "9999"}, 400, "subclass"),
        ({"category": 999999}, 400, "category"),
        ({"area": "999999"}, 404, "area"),
        ({"area": JINJIA}, 404, "area"),  # another community's: not found, as unknown
        ({"resolution": 6}, 422, None),
        ({"min_count": 0}, 422, None),
    ],
)
def test_bad_input_is_refused_clearly(client, community_staff, params, status, field):
    client.force_login(community_staff)
    answer = client.get(API, params)
    assert answer.status_code == status
    if field:
        assert answer.json()["field"] == field


@pytest.mark.parametrize("persona", ["resident", "grid_worker", "party_secretary", "squad_handler"])
def test_roles_without_analytics_are_refused(request, client, persona, clusters):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(API).status_code == 403
    with pytest.raises(PermissionDenied):
        hotspot_cells(user=user)


def test_anonymous_is_asked_to_sign_in(client):
    assert client.get(API).status_code == 401


def test_an_area_inside_ones_own_narrows_and_outside_is_not_found(
    street_staff, community_staff, clusters
):
    wenhui_grid = Area.objects.get(code=WENHUI_GRID)
    assert [c["count"] for c in hotspot_cells(user=street_staff, area=wenhui_grid)] == [5, 3]
    jinjia = Area.objects.get(code=JINJIA)
    with pytest.raises(NotFound):
        hotspot_cells(user=community_staff, area=jinjia)
    with pytest.raises(DomainError):
        hotspot_cells(user=street_staff, resolution=6)


def test_queries_do_not_grow_with_events(
    operator, clusters, kinds, wenhui_point, django_assert_max_num_queries
):
    x, _y, _z = kinds
    for step in range(1, 30):  # 29 more hotspot cells of 3 events each
        cell = cell_near(*wenhui_point, step=step % 5 + 1)
        make_events(cell=cell + 0, area=WENHUI_GRID, subclass=x, ages_days=[1, 2, 3])
    with django_assert_max_num_queries(7):
        hotspot_cells(user=operator, since=SINCE, until=UNTIL)
