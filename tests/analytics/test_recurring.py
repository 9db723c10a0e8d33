"""Recurring problems on generated runs: which events of a place and kind form a run within
N days is known by construction; treated at the root, and coming back after it."""

import datetime as dt

import pytest

from gridgov.analytics.models import RootTreatment
from gridgov.analytics.recurring import recurring_problems, recurring_treat
from gridgov.areas import hexes
from gridgov.areas.models import Area
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.events.models import Component, ComponentType, Subclass
from tests.analytics.hotspot_factories import NOW, cell_near, make_events
from tests.conftest import JINJIA, WENHUI_GRID

API = "/api/v1/analytics/hotspots/recurring"
SINCE = (NOW - dt.timedelta(days=300)).isoformat()
UNTIL = (NOW + dt.timedelta(minutes=1)).isoformat()


@pytest.fixture
def kinds(db) -> tuple[Subclass, Subclass]:
    return tuple(Subclass.objects.filter(event_class__family="event").order_by("code")[:2])


@pytest.fixture
def runs(db, kinds, wenhui_point, jinjia_point):
    """Place X, kind S: ages 200, 190, 175 (a run of 3 with N=30), 130, 120 (a run of 2: the
    gap of 45 days breaks it), 10 (alone). X, kind T: 50, 45 (2). Place Y, S: 100, 60 (gap
    40: a run only when N ≥ 40). A registered component K, S: 20 and 18 at two different
    cells (one run: the component is the place). In 金甲, place Z, S: 5, 3."""
    s, t = kinds
    x = cell_near(*wenhui_point)
    y = cell_near(*wenhui_point, step=2)
    z = cell_near(*jinjia_point, step=3)
    make_events(cell=x, area=WENHUI_GRID, subclass=s, ages_days=[200, 190, 175, 130, 120, 10])
    make_events(cell=x, area=WENHUI_GRID, subclass=t, ages_days=[50, 45])
    make_events(cell=y, area=WENHUI_GRID, subclass=s, ages_days=[100, 60])
    grid = Area.objects.get(code=WENHUI_GRID)
    kind = ComponentType.objects.order_by("pk").first()
    component = Component.objects.create(
        identifier="HSK-1", component_type=kind, area=grid, lon=wenhui_point[0], lat=wenhui_point[1]
    )
    make_events(cell=x, area=grid, subclass=s, ages_days=[20], component=component)
    make_events(cell=y, area=grid, subclass=s, ages_days=[18], component=component)
    jinjia_grid = (
        Area.objects.filter(path__startswith=Area.objects.get(code=JINJIA).path)
        .exclude(code=JINJIA)
        .order_by("code")
        .first()
    )
    make_events(cell=z, area=jinjia_grid, subclass=s, ages_days=[5, 3])
    return {"x": x, "y": y, "z": z, "component": component}


def _keys(report) -> list[tuple[str, str, int]]:
    return [(run["place"], run["subclass"], run["count"]) for run in report["runs"]]


def _h3(cell: int) -> str:
    return f"h3:{hexes.cell_hex(cell)}"


def test_runs_within_30_days(operator, runs, kinds):
    s, t = kinds
    report = recurring_problems(user=operator, since=SINCE, until=UNTIL)
    component = f"component:{runs['component'].pk}"
    assert _keys(report) == [
        (_h3(runs["x"]), s.code, 3),
        (_h3(runs["z"]), s.code, 2),  # latest first among runs of two
        (component, s.code, 2),
        (_h3(runs["x"]), t.code, 2),
        (_h3(runs["x"]), s.code, 2),
    ]
    assert report["total"] == 5
    biggest = report["runs"][0]
    assert [e["reported_at"][:10] for e in biggest["events"]] == [
        (NOW - dt.timedelta(days=age)).isoformat()[:10] for age in (175, 190, 200)
    ]
    assert biggest["status"] == "open"
    assert biggest["areas"]


def test_a_longer_n_joins_runs(operator, runs, kinds):
    s, _t = kinds
    report = recurring_problems(user=operator, since=SINCE, until=UNTIL, days=45)
    counts = {(run["place"], run["subclass"]): run["count"] for run in report["runs"]}
    assert counts[(_h3(runs["x"]), s.code)] == 5  # 200 … 120: every gap ≤ 45
    assert counts[(_h3(runs["y"]), s.code)] == 2  # 100 and 60: 40 days apart
    assert recurring_problems(user=operator, since=SINCE, until=UNTIL, days=39)["total"] == 5


def test_scope_kind_and_size_filters(community_staff, other_community_staff, runs, kinds):
    s, t = kinds
    own = recurring_problems(user=community_staff, since=SINCE, until=UNTIL)
    assert _h3(runs["z"]) not in {run["place"] for run in own["runs"]}
    assert own["total"] == 4
    other = recurring_problems(user=other_community_staff, since=SINCE, until=UNTIL)
    assert _keys(other) == [(_h3(runs["z"]), s.code, 2)]
    only_t = recurring_problems(user=community_staff, since=SINCE, until=UNTIL, subclass=t.code)
    assert _keys(only_t) == [(_h3(runs["x"]), t.code, 2)]
    three = recurring_problems(user=community_staff, since=SINCE, until=UNTIL, min_events=3)
    assert _keys(three) == [(_h3(runs["x"]), s.code, 3)]


def test_treated_at_the_root_then_coming_back(operator, community_staff, runs, kinds):
    s, _t = kinds
    place = _h3(runs["z"])
    with pytest.raises(NotFound):  # 金甲's place is not the 文汇 staff's to mark
        recurring_treat(user=community_staff, place=place, subclass=s.code, note="x")
    treatment = recurring_treat(
        user=operator, place=place, subclass=s.code, note="换了路灯，加装了护栏"
    )
    assert treatment.events == 2
    assert treatment.treated_by == operator
    run = recurring_problems(user=operator, since=SINCE, until=UNTIL)["runs"][1]
    assert (run["place"], run["status"]) == (place, "treated")
    with pytest.raises(Conflict):  # nothing came back since: a second mark is refused
        recurring_treat(user=operator, place=place, subclass=s.code, note="again")
    jinjia_grid = Area.objects.get(pk=treatment.area_id)
    # After the mark, which is stamped with the real clock: NOW is the module's import time,
    # minutes behind it when the suite runs long.
    back_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    make_events(cell=runs["z"], area=jinjia_grid, subclass=s, ages_days=[0], now=back_at)
    back = recurring_problems(
        user=operator, since=SINCE, until=(back_at + dt.timedelta(minutes=1)).isoformat()
    )
    run = next(r for r in back["runs"] if r["place"] == place)
    assert (run["count"], run["status"]) == (3, "returned")
    assert recurring_treat(user=operator, place=place, subclass=s.code, note="第二次治理")
    assert RootTreatment.objects.filter(place=runs["z"]).count() == 2


@pytest.mark.parametrize(
    ("place", "subclass", "note", "error"),
    [
        ("h3:zzzz", None, "x", DomainError),
        ("cell:1", None, "x", DomainError),
        ("component:0", None, "x", DomainError),
        ("component:99999999", None, "x", NotFound),
        (None, "9999", "x", DomainError),
        (None, None, "   ", DomainError),
    ],
)
def test_bad_marks_change_nothing(operator, runs, kinds, place, subclass, note, error):
    s, _t = kinds
    with pytest.raises(error):
        recurring_treat(
            user=operator, place=place or _h3(runs["x"]), subclass=subclass or s.code, note=note
        )
    assert not RootTreatment.objects.exists()


@pytest.mark.parametrize("persona", ["resident", "grid_worker", "party_secretary", "squad_handler"])
def test_roles_without_analytics_neither_read_nor_mark(request, client, persona, runs, kinds):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(API).status_code == 403
    body = {"place": _h3(runs["x"]), "subclass": kinds[0].code, "note": "x"}
    answer = client.post(f"{API}/treat", body, content_type="application/json")
    assert answer.status_code == 403
    with pytest.raises(PermissionDenied):
        recurring_problems(user=user)
    assert not RootTreatment.objects.exists()


def test_the_api_lists_and_marks(client, operator, runs, kinds):
    client.force_login(operator)
    answer = client.get(API, {"since": SINCE, "until": UNTIL, "days": 30})
    assert answer.status_code == 200
    assert answer.json()["total"] == 5
    body = {"place": _h3(runs["x"]), "subclass": kinds[1].code, "note": "清运点改造"}
    marked = client.post(f"{API}/treat", body, content_type="application/json")
    assert marked.status_code == 200
    again = client.post(f"{API}/treat", body, content_type="application/json")
    assert again.status_code == 409
    assert client.get(API, {"days": 0}).status_code == 422
    assert client.get(API, {"since": "2020-01-01", "until": "2026-01-01"}).status_code == 400
    assert client.get(API, {"area": JINJIA + "9"}).status_code == 404


def test_queries_do_not_grow_with_runs(
    operator, runs, kinds, wenhui_point, django_assert_max_num_queries
):
    s, _t = kinds
    for step in range(1, 4):
        for ring_cell in (cell_near(*wenhui_point, step=step),):
            make_events(cell=ring_cell, area=WENHUI_GRID, subclass=s, ages_days=[9, 8, 7, 6])
    with django_assert_max_num_queries(8):
        report = recurring_problems(user=operator, since=SINCE, until=UNTIL)
    assert report["total"] >= 7
