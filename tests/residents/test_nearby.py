"""Reports nearby (issue 11): before sending, a resident sees the open public reports of the
same kind around the place, nearest first, and may say "me too" instead."""

import pytest
from django.core.cache import cache
from django.test import Client

from gridgov.areas.coords import wgs84_to_gcj02
from gridgov.events.models import Subclass
from gridgov.residents.models import Follow, PublicView
from tests.residents.actions_helpers import reported, resident_named, set_state

URL = "/api/v1/resident/nearby"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def north(point, metres: float):
    return point[0], round(point[1] + metres / 111_320, 7)


def nearby(client, point, subclass="0102", **extra):
    return client.get(URL, {"lon": point[0], "lat": point[1], "subclass": subclass, **extra})


@pytest.mark.django_db
def test_open_public_reports_of_the_kind_nearest_first(wenhui_point, grid_worker):
    reporter = resident_named("n_rep")
    near = reported(reporter, north(wenhui_point, 50), description="文汇路口垃圾，电话13908881234")
    nearer = reported(reporter, north(wenhui_point, 10))
    further = reported(reporter, north(wenhui_point, 180))
    reported(reporter, north(wenhui_point, 400))  # beyond 200 m
    set_state(reported(reporter, wenhui_point), "closed")
    set_state(reported(reporter, wenhui_point), "rejected")
    hidden = reported(reporter, wenhui_point)
    PublicView.objects.create(event=hidden, hidden=True)
    reworded = reported(reporter, north(wenhui_point, 100))
    PublicView.objects.create(event=reworded, public_text="文汇路垃圾待清运")
    reported(grid_worker, wenhui_point)  # a staff report: not public for this kind
    other_kind = Subclass.objects.filter(active=True).exclude(code="0102").order_by("code")[0]
    reported(reporter, wenhui_point, subclass=other_kind.code)
    Follow.objects.create(event=near, user=resident_named("n_f1"), via="me_too")
    Follow.objects.create(event=near, user=resident_named("n_f2"), via="lookup")

    answer = nearby(Client(), wenhui_point)  # anonymous is allowed
    assert answer.status_code == 200, answer.content
    rows = answer.json()
    assert [r["number"] for r in rows] == [
        nearer.number,
        near.number,
        reworded.number,
        further.number,
    ]
    assert [r["distance_m"] for r in rows] == [10, 50, 100, 180]
    by_number = {r["number"]: r for r in rows}
    assert by_number[near.number]["followers"] == 2
    assert by_number[nearer.number]["followers"] == 0
    assert "13908881234" not in by_number[near.number]["public_text"]
    assert "***" in by_number[near.number]["public_text"]
    assert by_number[reworded.number]["public_text"] == "文汇路垃圾待清运"
    assert rows[0]["subclass_name"] == nearer.subclass.name_zh
    assert set(rows[0]) == {
        "number",
        "subclass_name",
        "public_text",
        "distance_m",
        "reported_at",
        "followers",
    }


@pytest.mark.django_db
def test_a_phones_gcj02_position_is_converted(wenhui_point):
    event = reported(resident_named("g_rep"), wenhui_point)
    gcj = wgs84_to_gcj02(*wenhui_point)
    assert abs(gcj[0] - wenhui_point[0]) > 0.001  # the offset is hundreds of metres here
    rows = nearby(Client(), gcj, crs="gcj02").json()
    assert [(r["number"], r["distance_m"]) for r in rows] == [(event.number, 0)]
    # The same numbers read as WGS84 are hundreds of metres off: not found.
    assert nearby(Client(), gcj).json() == []


@pytest.mark.django_db
def test_never_published_kinds_answer_nothing_without_a_query(
    wenhui_point, django_assert_max_num_queries
):
    kind = Subclass.objects.filter(active=True, publication="none").order_by("code")[0]
    reported(resident_named("s_rep"), wenhui_point, subclass=kind.code)
    client = Client()
    nearby(client, wenhui_point, subclass=kind.code)  # warm the catalog
    with django_assert_max_num_queries(1):
        assert nearby(client, wenhui_point, subclass=kind.code).json() == []


@pytest.mark.django_db
def test_at_most_ten_in_a_fixed_number_of_queries(wenhui_point, django_assert_max_num_queries):
    reporter = resident_named("t_rep")
    for i in range(14):
        event = reported(reporter, north(wenhui_point, i * 5))
        Follow.objects.create(event=event, user=resident_named(f"t_f{i}"), via="me_too")
    client = Client()
    nearby(client, wenhui_point)  # warm the catalog
    with django_assert_max_num_queries(3):
        rows = nearby(client, wenhui_point).json()
    assert len(rows) == 10
    assert [r["distance_m"] for r in rows] == [i * 5 for i in range(10)]


@pytest.mark.django_db
def test_bad_input_is_a_clear_answer(wenhui_point):
    client = Client()
    assert nearby(client, wenhui_point, subclass="9999").status_code == 400
    assert nearby(client, wenhui_point, crs="bd10").status_code == 422
    assert nearby(client, (200, 26.8)).status_code == 422
    assert client.get(URL, {"lon": "nan", "lat": 26.8, "subclass": "0102"}).status_code == 422
    assert client.get(URL, {"lat": 26.8, "subclass": "0102"}).status_code == 422
    assert nearby(client, wenhui_point, subclass="x" * 100).status_code == 422


@pytest.mark.django_db
def test_rate_limited(wenhui_point, settings):
    settings.GRIDGOV_NEARBY_PER_HOUR = 2
    client = Client()
    assert [nearby(client, wenhui_point).status_code for _ in range(3)] == [200, 200, 429]
    assert nearby(client, wenhui_point).json()["code"] == "rate_limited"
