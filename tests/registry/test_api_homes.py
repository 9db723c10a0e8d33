"""The homes read API (/api/v1/homes/…): what the pages show, as JSON, with the same masks,
scope and recorded reveal."""

import pytest

from gridgov.accounts.models import PiiAccess
from tests.registry.test_pages import (  # noqa: F401 (the fixtures, by their names)
    ADDRESS,
    PHONE,
    client_for,
    dept_handler_fixture,
    homes_fixture,
)

API = "/api/v1/homes"


@pytest.mark.django_db
def test_a_household_with_its_people_and_neighbours(community_staff, homes):
    answer = client_for(community_staff).get(f"{API}/households/{homes.household.pk}")
    assert answer.status_code == 200
    data = answer.json()
    assert data["title"].startswith(f"{ADDRESS} · 木光明")
    assert data["address_masked"] is False
    assert [m["name"] for m in data["members"]] == ["木光明", "和秀英"]
    assert data["members"][0]["is_head"] is True
    assert data["members"][0]["phone"] == "139****7788"
    assert data["living"] == 2
    assert [n["id"] for n in data["around"]] == [homes.neighbour.pk]
    assert PiiAccess.objects.filter(user=community_staff, channel="api").exists()


@pytest.mark.django_db
def test_a_household_read_masked_by_a_role_without_personal_data(operator, homes):
    data = client_for(operator).get(f"{API}/households/{homes.household.pk}").json()
    assert ADDRESS not in data["title"]
    assert "木光明" in data["title"]
    assert data["address_masked"] is True
    assert data["members"][0]["age"] is None  # no part of the birth date beside a masked ID
    assert round(data["lon"], 3) == data["lon"]
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
def test_a_person_masked_then_revealed_and_recorded(community_staff, homes):
    client = client_for(community_staff)
    masked = client.get(f"{API}/people/{homes.head.pk}").json()
    assert masked["id_number"] != homes.head.id_number
    assert masked["id_number"][-2:] == homes.head.id_number[-2:]
    assert masked["phone"] == "139****7788"
    assert masked["birth_date"] is None
    assert masked["may_reveal"] is True
    assert not PiiAccess.objects.filter(model="residents").exists()
    revealed = client.post(f"{API}/people/{homes.head.pk}/reveal")
    assert revealed.status_code == 200
    data = revealed.json()
    assert (data["id_number"], data["phone"], data["address"]) == (
        homes.head.id_number,
        PHONE,
        ADDRESS,
    )
    audit = PiiAccess.objects.get(model="residents")
    assert (audit.user, audit.object_ids, audit.channel) == (
        community_staff,
        [homes.head.pk],
        "api",
    )


@pytest.mark.django_db
def test_reveal_refused_without_personal_data(party_secretary, homes):
    answer = client_for(party_secretary).post(f"{API}/people/{homes.head.pk}/reveal")
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
def test_compound_and_building(grid_worker, homes):
    client = client_for(grid_worker)
    compound = client.get(f"{API}/compounds/{homes.compound.pk}").json()
    assert compound["buildings"] == [
        {
            "id": homes.building.pk,
            "name": "3栋",
            "floors": 6,
            "households": 2,
            "people": 3,
            "lon": homes.building.lon,
            "lat": homes.building.lat,
        }
    ]
    building = client.get(f"{API}/buildings/{homes.building.pk}").json()
    titles = [h["title"] for h in building["households"]]
    assert len(titles) == 2
    assert titles[0].startswith(f"{ADDRESS} · 木光明")
    assert titles[1].startswith(f"{ADDRESS.replace('201', '202')} · 杨建华")


@pytest.mark.django_db
def test_outside_the_area_is_not_found(other_community_staff, homes):
    client = client_for(other_community_staff)
    for url in (
        f"{API}/compounds/{homes.compound.pk}",
        f"{API}/buildings/{homes.building.pk}",
        f"{API}/households/{homes.household.pk}",
        f"{API}/people/{homes.head.pk}",
    ):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert answer.json()["code"] == "not_found"
    assert client.post(f"{API}/people/{homes.head.pk}/reveal").status_code == 404
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["dept_handler", "resident", None])
def test_roles_without_the_registry_are_refused(request, homes, who):
    client = client_for(request.getfixturevalue(who) if who else None)
    for url in (f"{API}/households/{homes.household.pk}", f"{API}/people/{homes.head.pk}"):
        assert client.get(url).status_code in (401, 403), url
    assert client.post(f"{API}/people/{homes.head.pk}/reveal").status_code in (401, 403)
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["0", "-1", "abc", "99999999999999999999"])
def test_bad_ids_are_clear_errors(community_staff, homes, bad):
    answer = client_for(community_staff).get(f"{API}/households/{bad}")
    assert answer.status_code in (404, 422)
