"""The reports page: a reader with no area to make reports for (a community's staff) gets a
short explanation, not an empty form and subscription table (tester, issue 13)."""

from django.test import Client

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area


def _page(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/reports/")
    assert response.status_code == 200
    return response.content.decode()


def test_community_staff_get_an_explanation(community_staff):
    body = _page(community_staff)
    assert 'id="reports-no-area"' in body
    assert 'data-reportable-areas="0"' in body
    assert 'id="subscriptions"' not in body
    assert '<form id="report-form" hidden' in body
    assert 'id="export-form"' in body  # their area's events can still be exported


def test_district_staff_get_the_form(db):
    user, _ = User.objects.update_or_create(
        username="t_leader", defaults={"role": Role.LEADER, "area": Area.objects.get(code="530702")}
    )
    body = _page(user)
    assert 'id="reports-no-area"' not in body
    assert 'id="subscriptions"' in body
    assert 'data-area="530702"' in body  # the district in the subscription table
