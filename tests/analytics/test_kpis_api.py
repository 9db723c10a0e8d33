"""The KPIs' API and page (/api/v1/analytics/kpis/…, /leaders/kpis/): answers, refusals
with their status, and nothing but the reader's rows."""

import pytest

from gridgov.accounts.roles import Role
from tests.analytics.kpis_story import build_story
from tests.conftest import WENHUI_GRID, _persona

API = "/api/v1/analytics/kpis"
PAGE = "/leaders/kpis/"
OCTOBER = "since=2026-10-01&until=2026-10-31"


@pytest.fixture
def story(db):
    return build_story()


@pytest.fixture
def leader(db):
    return _persona("leader", Role.LEADER, "530702")


def test_api_answers_the_rows_with_their_counts(client, story, leader):
    client.force_login(leader)
    answer = client.get(f"{API}/dispatchers?{OCTOBER}")
    assert answer.status_code == 200
    data = answer.json()
    assert data["since"] == "2026-10-01"
    assert data["until"] == "2026-10-31"
    assert data["sort"] == "timely_dispatch_rate"
    rows = {row["id"]: row for row in data["rows"]}
    op1 = rows[story.people["op1"].pk]
    assert op1["rates"]["timely_dispatch_rate"] == 0.6667
    assert op1["counts"]["first_dispatches"] == 3
    assert [k["key"] for k in data["kpis"]] == ["timely_dispatch_rate", "accurate_dispatch_rate"]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("since=2026-10-31&until=2026-10-01", 400, "bad_period"),
        ("since=2024-01-01&until=2026-10-31", 400, "period_too_long"),
        ("since=1899-01-01&until=1899-01-02", 400, "bad_period"),
        ("until=9999-12-31", 400, "bad_period"),
        ("sort=salary", 400, "bad_sort"),
        ("area=000000", 404, "not_found"),
        ("limit=0", 422, None),
        ("limit=100000", 422, None),
        ("since=yesterday", 422, None),
    ],
)
def test_api_refuses_bad_input_clearly(client, story, leader, query, status, code):
    client.force_login(leader)
    answer = client.get(f"{API}/workers?{query}")
    assert answer.status_code == status
    if code:
        assert answer.json()["code"] == code


def test_api_refuses_who_has_no_part(client, story, other_community_staff):
    client.force_login(story.people["resident"])
    assert client.get(f"{API}/workers").status_code == 403
    client.force_login(story.people["w1"])
    assert client.get(f"{API}/dispatchers").status_code == 403
    client.logout()
    assert client.get(f"{API}/workers").status_code == 401
    client.force_login(other_community_staff)
    answer = client.get(f"{API}/workers?area={WENHUI_GRID}")
    assert answer.status_code == 403
    assert answer.json()["code"] == "out_of_scope"


def test_a_worker_reads_their_own_row_from_the_api(client, story):
    client.force_login(story.people["w1"])
    data = client.get(f"{API}/workers?{OCTOBER}").json()
    assert [row["id"] for row in data["rows"]] == [story.people["w1"].pk]
    assert data["ranked"] is False
    assert data["rows"][0]["rates"]["valid_report_rate"] == 0.3333


def test_page_ranks_the_family_asked_for(client, story, leader):
    client.force_login(leader)
    page = client.get(f"{PAGE}?family=departments&sort=buck_passing_rate&{OCTOBER}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="kpis-table"' in html
    assert 'data-family="departments"' in html
    assert 'data-sort="buck_passing_rate"' in html
    # Lower is better for buck-passing: the squad (0) ranks above the bureau (1 of 3).
    assert html.index(f'data-id="{story.squad.pk}"') < html.index(f'data-id="{story.bureau.pk}"')
    assert 'data-numerator="1" data-denominator="3"' in html
    assert 'id="kpis-chart-data"' in html


def test_page_shows_a_bad_period_as_a_400_with_the_message(client, story, leader):
    client.force_login(leader)
    page = client.get(f"{PAGE}?since=2026-10-31&until=2026-10-01")
    assert page.status_code == 400
    assert 'id="kpis-error"' in page.content.decode()
    assert client.get(f"{PAGE}?since=31/10/2026").status_code == 400


def test_page_offers_each_reader_their_families_only(client, story, squad_handler):
    client.force_login(squad_handler)
    html = client.get(PAGE).content.decode()
    assert 'id="kpis-tab-departments"' in html
    assert 'id="kpis-tab-workers"' not in html
    assert client.get(f"{PAGE}?family=workers").status_code == 403
    assert client.get(f"{PAGE}?family=salaries").status_code == 404
    client.force_login(story.people["resident"])
    assert client.get(PAGE).status_code == 404
    party = _persona("kpi_party", Role.PARTY_SECRETARY, WENHUI_GRID)
    client.force_login(party)
    assert client.get(PAGE).status_code == 403
