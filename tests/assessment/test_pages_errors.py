"""The assessment pages answer bad input with what is wrong (400, the bad-input page), not
the forbidden page (tester, issue 13)."""

import pytest
from django.test import Client

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area


@pytest.fixture
def leader(db) -> User:
    user, _ = User.objects.update_or_create(
        username="t_leader", defaults={"role": Role.LEADER, "area": Area.objects.get(code="530702")}
    )
    return user


@pytest.mark.parametrize("query", ["year=abc", "year=1999", "run=abc", "run=0"])
def test_overview_bad_input_says_what(leader, query):
    client = Client()
    client.force_login(leader)
    response = client.get(f"/assessment/?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="bad-input-page"' in body
    assert 'id="page-error"' in body
    assert 'data-status="400"' in body


def test_overview_resident_still_forbidden(resident):
    client = Client()
    client.force_login(resident)
    response = client.get("/assessment/?year=abc")
    assert response.status_code == 403
    assert 'id="back-to-residents"' in response.content.decode()
