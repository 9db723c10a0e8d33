"""The leaders' dashboard and its API on a small known district: hand-computed figures per
street and per grid, ranks, the previous period, the drill-down's links, who may read
what, bad input, and a bounded number of queries."""

import datetime as dt

import pytest
from django.test import Client

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.analytics.models import AreaDayRollup, DailyRollup
from gridgov.areas.models import Area
from gridgov.events.models import Event
from tests.analytics.test_rollups_property import BASE, _create, world
from tests.conftest import WENHUI_GRID

__all__ = ["world"]
API = "/api/v1/analytics/rates"
MARCH = {"period": "month", "date": "2026-03-06"}
H = dt.timedelta(hours=1)


def closed(at: dt.datetime, on_time: bool) -> dict:
    return {
        "state": "closed",
        "accepted_at": at + H,
        "handle_due_at": at + 10 * H,
        "handled_at": at + (5 if on_time else 20) * H,
        "closed_at": at + 21 * H,
    }


def open_overdue(at: dt.datetime) -> dict:
    return {"state": "dispatched", "accepted_at": at + H, "handle_due_at": at + 10 * H}


def spec(area: int, at: dt.datetime, fields: dict, source: str = "worker") -> dict:
    return {
        "reported_at": at,
        "area": area,
        "subclass": 0,
        "source": source,
        "reporter": 0,
        "fields": fields,
    }


@pytest.fixture
def leader(db) -> User:
    user, _created = User.objects.update_or_create(
        username="t_leader", defaults={"role": Role.LEADER, "area": Area.objects.get(code="530702")}
    )
    return user


@pytest.fixture
def district(world):
    """西安街道's grid 文汇1 (index 0): in March two closed (one late) and one open past its
    deadline: closure 2/3, on time 1/3; in February one closed on time. The other street's
    grid (index 2): in March one closed on time: closure 1/1."""
    Event.objects.all().delete()
    DailyRollup.objects.all().delete()
    AreaDayRollup.objects.all().delete()
    feb = BASE - dt.timedelta(days=20)
    _create(world, spec(0, BASE, closed(BASE, True)))
    _create(world, spec(0, BASE + 2 * H, closed(BASE + 2 * H, False), source="hotline"))
    _create(world, spec(0, BASE + 3 * H, open_overdue(BASE + 3 * H)))
    _create(world, spec(0, feb, closed(feb, True)))
    _create(world, spec(2, BASE + 4 * H, closed(BASE + 4 * H, True)))
    streets = [Area.objects.get(code=WENHUI_GRID).path.split("/")[2], None]
    streets[1] = world["grids"][2].path.split("/")[2]
    assert streets[0] != streets[1], "the test needs grids in two streets"
    return {"xian": streets[0], "other": streets[1]}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_streets_ranked_with_previous_month(leader, district):
    answer = signed_in(leader).get(API, {**MARCH, "group": "street"})
    assert answer.status_code == 200, answer.content[:300]
    data = answer.json()
    assert data["period"] == {
        "kind": "month",
        "first": "2026-03-01",
        "last": "2026-03-31",
        "label": "2026-03",
        "days": 31,
    }
    assert data["previous_period"]["label"] == "2026-02"
    rows = {row["key"]: row for row in data["rows"]}
    xian, other = rows[district["xian"]], rows[district["other"]]
    assert xian["values"]["reported"] == 3
    assert xian["values"]["closure_rate"] == round(2 / 3, 4)
    assert xian["values"]["on_time_closure_rate"] == round(1 / 3, 4)
    assert other["values"]["closure_rate"] == 1.0
    assert other["ranks"]["closure_rate"] == 1
    assert xian["ranks"]["closure_rate"] == 2
    # Reported: more is first (3 before 1).
    assert xian["ranks"]["reported"] == 1
    assert xian["previous"]["reported"] == 1
    assert xian["previous"]["closure_rate"] == 1.0
    assert other["previous"] is None
    assert data["total"]["reported"] == 4
    assert data["total"]["closure_rate"] == 0.75
    assert data["previous_total"]["reported"] == 1


def test_drill_down_to_grids_and_sources(leader, district):
    client = signed_in(leader)
    grids = client.get(API, {**MARCH, "group": "area", "area": district["xian"]}).json()
    assert [r["values"]["reported"] for r in grids["rows"]] == [3]
    community = grids["rows"][0]["key"]
    assert WENHUI_GRID.startswith(community)
    by_grid = client.get(API, {**MARCH, "group": "grid", "area": district["xian"]}).json()
    assert [r["key"] for r in by_grid["rows"]] == [WENHUI_GRID]
    sources = client.get(API, {**MARCH, "group": "source", "area": WENHUI_GRID}).json()
    assert {r["key"]: r["values"]["reported"] for r in sources["rows"]} == {
        "worker": 2,
        "hotline": 1,
    }


def test_weeks_and_a_range(leader, district):
    client = signed_in(leader)
    weeks = client.get(API, {**MARCH, "group": "week"}).json()
    assert weeks["buckets"][:2] == ["2026-W09", "2026-W10"]
    assert {r["key"]: r["values"]["reported"] for r in weeks["rows"]} == {"2026-W10": 4}
    assert all(r["ranks"] == {} for r in weeks["rows"])
    # 2026-03-06 .. 2026-03-06: the day of all of March's events; before it the 5th (none).
    day = client.get(API, {"period": "range", "since": "2026-03-06", "until": "2026-03-06"})
    assert day.json()["total"]["reported"] == 4
    assert day.json()["previous_period"]["first"] == "2026-03-05"
    assert day.json()["previous_total"]["reported"] == 0


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"period": "range", "since": "2026-03-07", "until": "2026-03-01"}, 400, "until"),
        ({"period": "range", "since": "2000-01-01", "until": "2026-01-01"}, 400, "until"),
        ({"period": "range", "since": "2026-03-07"}, 400, "since"),
        ({"date": "0001-01-01"}, 400, "date"),
        ({"area": "999999999"}, 404, "area"),
        ({"subclass": "9999"}, 400, "subclass"),
        ({"source": "pigeon"}, 400, "source"),
        ({"group": "street", "category": "01"}, 400, "category"),
        ({"group": "day", "period": "year", "date": "2026-03-01"}, 200, None),
        (
            {"group": "day", "period": "range", "since": "2020-01-01", "until": "2026-01-01"},
            400,
            "group",
        ),  # fmt: skip
        ({"group": "street", "area": "530702001"}, 400, "group"),
    ],
)
def test_bad_input_is_a_clear_answer(leader, district, query, status, field):
    answer = signed_in(leader).get(API, query)
    assert answer.status_code == status, answer.content[:300]
    if field:
        assert answer.json()["field"] == field


def test_readers_and_their_areas(
    district, community_staff, street_staff, squad_handler, grid_worker, reporter
):
    assert signed_in(squad_handler).get(API).status_code == 403  # no department figures
    assert signed_in(grid_worker).get(API).status_code == 403
    assert signed_in(reporter).get(API).status_code == 403
    assert Client().get(API).status_code in (401, 403)
    # A community's staff reads their community only: the other street is out of scope.
    assert signed_in(community_staff).get(API, {"area": district["other"]}).status_code == 403
    mine = signed_in(community_staff).get(API, {**MARCH, "group": "grid"}).json()
    assert [r["key"] for r in mine["rows"]] == [WENHUI_GRID]
    assert mine["total"]["reported"] == 3
    streets = signed_in(street_staff).get(API, {**MARCH, "group": "area"}).json()
    assert streets["total"]["reported"] == 3


def test_the_dashboard_page(leader, district):
    client = signed_in(leader)
    page = client.get("/leaders/", {**MARCH, "rate": "closure_rate"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dash-table"' in html
    assert f'data-key="{district["other"]}" data-rank="1"' in html
    assert f'data-key="{district["xian"]}" data-rank="2"' in html
    assert "66.67%" in html  # 西安's closure, 2 of 3
    assert 'id="dash-chart-data"' in html
    # The drill-down: a street to its communities, and the events behind its numbers.
    assert f"area={district['xian']}&amp;group=area" in html
    assert f"/events/?since=2026-03-01&amp;until=2026-03-31&amp;area={district['xian']}" in html
    grid = client.get("/leaders/", {**MARCH, "area": WENHUI_GRID}).content.decode()
    assert 'data-grouping="subclass"' in grid  # a grid: its event types, and its events
    assert f"area={WENHUI_GRID}" in grid


def test_page_refuses_with_a_status(district, leader, squad_handler):
    assert signed_in(squad_handler).get("/leaders/").status_code == 403
    bad = signed_in(leader).get("/leaders/", {"period": "range", "since": "2026-03-07"})
    assert bad.status_code == 400
    assert 'id="dash-error" data-field="since"' in bad.content.decode()
    assert signed_in(leader).get("/leaders/", {"area": "999999999"}).status_code == 404


def test_leaders_land_on_the_dashboard(leader):
    assert signed_in(leader).get("/").url == "/leaders/"


def test_queries_bounded(leader, district, django_assert_max_num_queries):
    client = signed_in(leader)
    client.get(API, {**MARCH, "group": "street"})  # warm the per-process caches
    with django_assert_max_num_queries(40):
        assert client.get(API, {**MARCH, "group": "street"}).status_code == 200
    with django_assert_max_num_queries(60):
        assert client.get("/leaders/", MARCH).status_code == 200
