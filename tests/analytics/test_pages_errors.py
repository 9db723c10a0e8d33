"""The leaders' pages answer bad input with what is wrong (400, the bad-input page or the
page's own error line), and denials with the site's forbidden page, never Django's bare
English one (tester, issue 13)."""

import pytest
from django.test import Client

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area

FORBIDDEN = 'id="back-to-residents"'


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def leader(db) -> User:
    user, _ = User.objects.update_or_create(
        username="t_leader", defaults={"role": Role.LEADER, "area": Area.objects.get(code="530702")}
    )
    return user


@pytest.fixture
def street_staff(db) -> User:
    user, _ = User.objects.update_or_create(
        username="t_street_staff",
        defaults={"role": Role.AREA_STAFF, "area": Area.objects.get(code="530702001")},
    )
    return user


def _other_street() -> Area:
    return Area.objects.filter(kind="street", parent__code="530702").exclude(code="530702001")[0]


@pytest.mark.parametrize("query", ["since=2026-13-01", "until=tomorrow", "days=abc"])
def test_hotspots_bad_input_says_what(leader, query):
    response = _client(leader).get(f"/leaders/hotspots/?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="page-error"' in body
    assert 'data-status="400"' in body
    assert 'id="bad-input-page"' in body


def test_dashboard_bad_date_stays_on_page(leader):
    response = _client(leader).get("/leaders/?since=2026-13-01")
    assert response.status_code == 400
    assert 'id="dash-error"' in response.content.decode()


def test_kpis_bad_date_and_unknown_family(leader):
    client = _client(leader)
    response = client.get("/leaders/kpis/?since=2026-13-01")
    assert response.status_code == 400
    assert 'id="kpis-error"' in response.content.decode()
    response = client.get("/leaders/kpis/?family=bogus")
    assert response.status_code == 404
    assert 'data-status="404"' in response.content.decode()


def test_kpis_unknown_area_said_on_page(leader):
    response = _client(leader).get("/leaders/kpis/?area=999999999")
    assert response.status_code == 404
    assert 'id="kpis-error"' in response.content.decode()


def _site_forbidden(response, status: int = 403) -> None:
    assert response.status_code == status
    body = response.content.decode()
    assert "<!DOCTYPE html>" in body or "<!doctype html>" in body.lower()
    assert 'class="page"' in body  # web/forbidden.html inside the site's frame


def test_kpis_other_street_is_site_forbidden(street_staff):
    response = _client(street_staff).get(f"/leaders/kpis/?area={_other_street().code}")
    _site_forbidden(response)


def test_kpis_party_secretary_is_site_forbidden(party_secretary):
    _site_forbidden(_client(party_secretary).get("/leaders/kpis/"))


def test_kpis_resident_gets_the_way_back(resident):
    response = _client(resident).get("/leaders/kpis/")
    _site_forbidden(response, 404)
    assert FORBIDDEN in response.content.decode()
