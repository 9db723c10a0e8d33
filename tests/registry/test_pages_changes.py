"""The household page's two later forms (issue 12): "moved in from a household here" (a
search for a living resident of another household in the user's area, then the move, which
both households' histories show) and "correct a person's record" (name, phone, relation,
residence). Bad input answers 400 with the form open again and nothing changed; the
hostile — no CSRF token, no REGISTRY_EDIT, another community, a resident outside the
area — change nothing either."""

import re

import pytest
from django.test import Client

from gridgov.registry.models import Household, HouseholdChange, Resident
from tests.registry.test_pages import (  # noqa: F401 (fixtures)
    Homes,
    _resident,
    client_for,
    dept_handler_fixture,
    homes_fixture,
    text,
)

UUID = "8a1c2a6e-8d0e-4b8e-9a55-0d4b7b7a1c02"


def _url(homes: Homes) -> str:
    return f"/registry/households/{homes.household.pk}/"


def _move_in(homes: Homes, resident_id, **extra) -> dict:
    return {"kind": "moved_in", "resident_id": str(resident_id), **extra}


def _nothing_changed(homes: Homes) -> None:
    assert not HouseholdChange.objects.exists()
    neighbour_head = Resident.objects.get(pk=homes.neighbour.head_id)
    assert neighbour_head.household_id == homes.neighbour.pk
    assert neighbour_head.status == "living"
    homes.wife.refresh_from_db()
    assert (homes.wife.name, homes.wife.phone, homes.wife.relation) == ("和秀英", "", "配偶")


# Moved in from a household here -----------------------------------------------------------
@pytest.mark.django_db
def test_the_search_offers_living_people_of_other_households_in_the_area(community_staff, homes):
    client = client_for(community_staff)
    page = text(client.get(_url(homes), {"mover": "杨建华"}))
    assert 'id="mover" open' in page
    assert f'name="resident_id" value="{homes.neighbour.head_id}"' in page
    # This household's own people are not offered: they live here already.
    page = text(client.get(_url(homes), {"mover": "和秀英"}))
    assert f'value="{homes.wife.pk}"' not in page.split('id="mover"')[1].split("</details>")[0]
    assert 'id="no-movers"' in page


@pytest.mark.django_db
def test_the_search_does_not_reach_another_community(community_staff, homes):
    page = text(client_for(community_staff).get(_url(homes), {"mover": "赵金甲"}))
    assert f'value="{homes.elsewhere.head_id}"' not in page
    assert "丽江市古城区西安街道金甲社区" not in page
    assert 'id="no-movers"' in page


@pytest.mark.django_db
def test_a_reader_without_edit_rights_gets_no_search(party_secretary, homes):
    page = text(client_for(party_secretary).get(_url(homes), {"mover": "杨建华"}))
    assert 'id="mover"' not in page
    assert f'value="{homes.neighbour.head_id}"' not in page


@pytest.mark.django_db
def test_a_move_in_from_here_is_in_both_histories(community_staff, homes):
    client = client_for(community_staff)
    mover = homes.neighbour.head_id
    form = _move_in(homes, mover, happened_on="2026-02-03", note="投靠亲属", client_uuid=UUID)
    response = client.post(f"{_url(homes)}?mover=杨建华", form)
    assert response.status_code == 302
    assert response["Location"] == _url(homes)
    assert client.post(f"{_url(homes)}?mover=杨建华", form).status_code == 302  # sent twice
    moved = Resident.objects.get(pk=mover)
    assert (moved.household_id, moved.status) == (homes.household.pk, "living")
    homes.neighbour.refresh_from_db()
    assert homes.neighbour.head_id is None  # the head left
    assert sorted(HouseholdChange.objects.values_list("household_id", "kind")) == sorted(
        [(homes.household.pk, "moved_in"), (homes.neighbour.pk, "moved_out")]
    )
    here = text(client.get(_url(homes)))
    assert '<li data-kind="moved_in">' in here
    assert f'href="/registry/households/{homes.neighbour.pk}/"' in here.split('id="history"')[1]
    assert "投靠亲属" in here
    assert f'href="/registry/people/{mover}/"' in here.split('id="members"')[1]
    there = text(client.get(f"/registry/households/{homes.neighbour.pk}/"))
    assert '<li data-kind="moved_out">' in there
    assert f'href="/registry/households/{homes.household.pk}/"' in there.split('id="history"')[1]


@pytest.mark.django_db
def test_a_move_in_with_the_page_csrf_token_works_and_without_it_is_refused(community_staff, homes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(community_staff)
    refused = client.post(_url(homes), _move_in(homes, homes.neighbour.head_id))
    assert refused.status_code == 403
    _nothing_changed(homes)
    page = text(client.get(_url(homes), {"mover": "杨建华"}))
    form = page.split('id="form-mover"')[1].split("</form>")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    done = client.post(
        _url(homes), {**_move_in(homes, homes.neighbour.head_id), "csrfmiddlewaretoken": token}
    )
    assert done.status_code == 302
    assert HouseholdChange.objects.filter(kind="moved_in").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "who"),
    [
        ({}, "abc"),  # not an id
        ({}, ""),  # nobody chosen
        ({}, "wife"),  # lives here already
        ({"name": "某人", "id_number": "530702195006010011"}, "neighbour"),  # both at once
        ({"happened_on": "2999-01-01"}, "neighbour"),  # in the future
    ],
)
def test_a_bad_move_in_answers_400_and_changes_nothing(community_staff, homes, extra, who):
    resident_id = {"wife": homes.wife.pk, "neighbour": homes.neighbour.head_id}.get(who, who)
    response = client_for(community_staff).post(
        f"{_url(homes)}?mover=杨建华", _move_in(homes, resident_id, **extra)
    )
    assert response.status_code == 400
    page = text(response)
    assert 'id="change-error"' in page
    assert 'id="mover" open' in page  # the form it came from, open again
    _nothing_changed(homes)


@pytest.mark.django_db
def test_the_dead_do_not_move_in(community_staff, homes):
    Resident.objects.filter(pk=homes.neighbour.head_id).update(status="deceased")
    response = client_for(community_staff).post(
        _url(homes), _move_in(homes, homes.neighbour.head_id)
    )
    assert response.status_code == 400
    assert not HouseholdChange.objects.exists()


@pytest.mark.django_db
def test_a_resident_outside_the_area_cannot_be_moved_in(community_staff, homes):
    outsider = homes.elsewhere.head
    response = client_for(community_staff).post(_url(homes), _move_in(homes, outsider.pk))
    assert response.status_code == 404
    assert "赵金甲" not in text(response)
    outsider.refresh_from_db()
    assert outsider.household_id == homes.elsewhere.pk
    assert not HouseholdChange.objects.exists()


@pytest.mark.django_db
def test_a_grid_worker_cannot_pull_in_someone_of_another_grid(grid_worker, homes):
    """The grid worker's area is one grid: a person of the next grid is not theirs."""
    next_grid = homes.household.area.parent.children.exclude(pk=homes.household.area_id).first()
    lon, lat = homes.household.lon, homes.household.lat
    far = Household.objects.create(
        number="530702001002002000901", area=next_grid, lon=lon, lat=lat, address="文汇路9号"
    )
    stranger = _resident(far, "和远方", "户主")
    response = client_for(grid_worker).post(_url(homes), _move_in(homes, stranger.pk))
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.household_id == far.pk
    assert not HouseholdChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["party_secretary", "operator", "dept_handler", "resident"])
def test_roles_without_edit_rights_cannot_move_in_or_correct(request, homes, who):
    client = client_for(request.getfixturevalue(who))
    moved = client.post(_url(homes), _move_in(homes, homes.neighbour.head_id))
    assert moved.status_code == 403
    corrected = client.post(
        _url(homes), {"kind": "corrected", "resident_id": str(homes.wife.pk), "name": "改名"}
    )
    assert corrected.status_code == 403
    _nothing_changed(homes)


@pytest.mark.django_db
def test_another_community_cannot_move_in_or_correct_here(other_community_staff, homes):
    client = client_for(other_community_staff)
    for form in (
        _move_in(homes, homes.neighbour.head_id),
        {"kind": "corrected", "resident_id": str(homes.wife.pk), "name": "改名"},
    ):
        response = client.post(_url(homes), form)
        assert response.status_code == 404
        assert "和秀英" not in text(response)
    _nothing_changed(homes)


# Corrected -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_correction_changes_the_fields_filled_in_and_the_history_names_them(grid_worker, homes):
    client = client_for(grid_worker)
    response = client.post(
        _url(homes),
        {
            "kind": "corrected",
            "resident_id": str(homes.wife.pk),
            "name": "和秀瑛",
            "phone": "139 0888 2233",
            "relation": "",  # empty: kept
            "residence": "",
            "client_uuid": UUID,
        },
    )
    assert response.status_code == 302
    homes.wife.refresh_from_db()
    assert (homes.wife.name, homes.wife.phone, homes.wife.relation) == (
        "和秀瑛",
        "13908882233",
        "配偶",
    )
    change = HouseholdChange.objects.get()
    assert (change.kind, change.resident_id) == ("corrected", homes.wife.pk)
    page = text(client.get(_url(homes)))
    history = page.split('id="history"')[1]
    assert '<li data-kind="corrected">' in history
    assert "13908882233" not in page  # the history names the fields, never their values
    assert "139****2233" in page  # the people list shows the new phone, masked


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [
        {},  # nothing filled in
        {"id_number": "530702195006010011"},  # not corrected here
        {"phone": "12345"},
        {"residence": "somewhere"},
        {"name": "和秀英"},  # the same as recorded
        {"name": "名" * 51},
    ],
)
def test_a_bad_correction_answers_400_and_changes_nothing(community_staff, homes, extra):
    form = {"kind": "corrected", "resident_id": str(homes.wife.pk), **extra}
    response = client_for(community_staff).post(_url(homes), form)
    assert response.status_code == 400
    page = text(response)
    assert 'id="change-error"' in page
    assert '<details class="change-form" data-kind="corrected" open>' in page
    _nothing_changed(homes)


@pytest.mark.django_db
def test_a_member_of_another_household_is_not_corrected_here(community_staff, homes):
    form = {"kind": "corrected", "resident_id": str(homes.neighbour.head_id), "name": "改名"}
    response = client_for(community_staff).post(_url(homes), form)
    assert response.status_code == 400
    assert Resident.objects.get(pk=homes.neighbour.head_id).name == "杨建华"
    assert not HouseholdChange.objects.exists()


@pytest.mark.django_db
def test_a_resident_outside_the_area_is_not_corrected(community_staff, homes):
    form = {"kind": "corrected", "resident_id": str(homes.elsewhere.head_id), "name": "改名"}
    response = client_for(community_staff).post(_url(homes), form)
    assert response.status_code == 404
    assert Resident.objects.get(pk=homes.elsewhere.head_id).name == "赵金甲"
    assert not HouseholdChange.objects.exists()


@pytest.mark.django_db
def test_each_form_of_the_page_is_a_change_of_its_own(client, community_staff, wenhui_point):
    import re

    from gridgov.registry.models import Household

    household = Household.objects.create(
        number="T-UUIDS",
        area=community_staff.area.children.order_by("code")[0],
        lon=wenhui_point[0],
        lat=wenhui_point[1],
        address="文汇社区测试1号",
    )
    client.force_login(community_staff)
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    uuids = re.findall(r'name="client_uuid" value="([0-9a-f-]{36})"', page)
    assert len(uuids) >= 5
    assert len(set(uuids)) == len(uuids)
