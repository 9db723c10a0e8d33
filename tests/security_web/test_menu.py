"""The menu offers each person only the pages they may open."""

import pytest
from django.test import Client


def _menu(user, page: str = "/report/") -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    text = client.get(page).content.decode()
    return text[text.index("<nav>") : text.index("</nav>")]


@pytest.mark.django_db
def test_a_resident_is_offered_their_own_front_end_only(resident):
    # A staff page a resident may land on (refused) shows the way back to their own pages.
    menu = _menu(resident, "/screen/")
    assert 'href="/r/"' in menu
    for refused in ('href="/screen/"', 'href="/events/"', 'href="/admin/"', "/api/docs", "/party/"):
        assert refused not in menu


@pytest.mark.django_db
def test_the_operator_is_offered_the_command_centers_pages(operator):
    menu = _menu(operator)
    for offered in ('href="/screen/"', 'href="/events/"', 'href="/map/"', 'href="/admin/"'):
        assert offered in menu
    assert "/party/" not in menu  # the operator reads no Party pages
