"""The menu offers each person only the pages they may open."""

import pytest
from django.test import Client


def _menu(user) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    page = client.get("/report/").content.decode()
    return page[page.index("<nav>") : page.index("</nav>")]


@pytest.mark.django_db
def test_a_resident_is_offered_reporting_and_the_inbox_only(resident):
    menu = _menu(resident)
    assert 'href="/report/"' in menu
    assert 'href="/inbox/"' in menu
    for refused in ('href="/screen/"', 'href="/events/"', 'href="/admin/"', "/api/docs", "/party/"):
        assert refused not in menu


@pytest.mark.django_db
def test_the_operator_is_offered_the_command_centers_pages(operator):
    menu = _menu(operator)
    for offered in ('href="/screen/"', 'href="/events/"', 'href="/map/"', 'href="/admin/"'):
        assert offered in menu
    assert "/party/" not in menu  # the operator reads no Party pages
