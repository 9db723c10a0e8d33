"""The registry's pages as community staff and grid workers use them (issue 12): search,
compound → building → household → person, the reveal step, the change forms; and as the
hostile see them: another community, roles without personal data, a department, a
resident, nobody signed in."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gridgov.accounts.models import PiiAccess, User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area, Department
from gridgov.registry.models import Building, Compound, Household, HouseholdChange, Resident
from tests.conftest import JINJIA, WENHUI_GRID, _persona
from tests.registry.factories import id_number

ADDRESS = "丽江市古城区西安街道文汇社区玉泉小区3栋201室"
PHONE = "13908887788"


@dataclass
class Homes:
    compound: Compound
    building: Building
    household: Household
    neighbour: Household
    head: Resident
    wife: Resident
    elsewhere: Household  # in 金甲社区


def _resident(household: Household, name: str, relation: str, phone: str = "") -> Resident:
    return Resident.objects.create(
        household=household,
        name=name,
        id_number=id_number(),
        phone=phone,
        birth_date=dt.date(1950, 6, 1),
        gender="M",
        residence="registered",
        relation=relation,
        area=household.area,
        lon=household.lon,
        lat=household.lat,
        address=household.address,
    )


@pytest.fixture(name="homes")
def homes_fixture(db, wenhui_point, jinjia_point) -> Homes:
    grid = Area.objects.get(code=WENHUI_GRID)
    lon, lat = wenhui_point
    place = {"area": grid, "lon": lon, "lat": lat}
    compound = Compound.objects.create(
        name="玉泉小区",
        property_status="managed",
        address="丽江市古城区西安街道文汇社区玉泉小区",
        **place,
    )
    building = Building.objects.create(compound=compound, name="3栋", floors=6, **place)
    household = Household.objects.create(
        number="530702001002001000901", building=building, room="201", address=ADDRESS, **place
    )
    neighbour = Household.objects.create(
        number="530702001002001000902",
        building=building,
        room="202",
        address=ADDRESS.replace("201", "202"),
        **place,
    )
    head = _resident(household, "木光明", "户主", PHONE)
    wife = _resident(household, "和秀英", "配偶")
    household.head = head
    household.save(update_fields=["head"])
    neighbour.head = _resident(neighbour, "杨建华", "户主")
    neighbour.save(update_fields=["head"])
    other_grid = Area.objects.filter(parent__code=JINJIA).order_by("code").first()
    elsewhere = Household.objects.create(
        number="530702001001001000901",
        area=other_grid,
        lon=jinjia_point[0],
        lat=jinjia_point[1],
        address="丽江市古城区西安街道金甲社区金甲路8号",
    )
    elsewhere.head = _resident(elsewhere, "赵金甲", "户主")
    elsewhere.save(update_fields=["head"])
    return Homes(compound, building, household, neighbour, head, wife, elsewhere)


@pytest.fixture(name="dept_handler")
def dept_handler_fixture(db) -> User:
    user = _persona("dept_handler", Role.DEPARTMENT_HANDLER, "530702001")
    user.department = Department.objects.get(name="西安街道综合执法中队")
    user.save(update_fields=["department"])
    return user


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# Search ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_community_staff_find_a_household_by_its_address(community_staff, homes):
    response = client_for(community_staff).get("/registry/", {"q": "玉泉小区3栋201"})
    assert response.status_code == 200
    page = text(response)
    assert f'href="/registry/households/{homes.household.pk}/"' in page
    assert "木光明" in page  # titled by address and head
    assert homes.household.number not in page  # never by the 21-digit number
    assert PiiAccess.objects.filter(user=community_staff, channel="search").exists()


@pytest.mark.django_db
def test_a_grid_and_a_name_find_the_person(grid_worker, homes):
    response = client_for(grid_worker).get("/registry/", {"q": "和秀英", "grid": WENHUI_GRID})
    assert f'href="/registry/people/{homes.wife.pk}/"' in text(response)


@pytest.mark.django_db
def test_a_grid_outside_the_area_is_not_found(community_staff, homes):
    other_grid = Area.objects.filter(parent__code=JINJIA).order_by("code").first()
    response = client_for(community_staff).get("/registry/", {"grid": other_grid.code})
    assert response.status_code == 404
    assert "赵金甲" not in text(response)


@pytest.mark.django_db
def test_the_grid_filter_offers_only_grids_in_the_area(community_staff, homes):
    page = text(client_for(community_staff).get("/registry/"))
    assert f'value="{WENHUI_GRID}"' in page
    assert f'value="{JINJIA}' not in page


@pytest.mark.django_db
def test_a_role_without_personal_data_finds_nothing_by_address(operator, homes):
    page = text(client_for(operator).get("/registry/", {"q": "玉泉小区3栋201"}))
    assert f"/registry/households/{homes.household.pk}/" not in page
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
def test_another_community_finds_nothing_here(other_community_staff, homes):
    page = text(client_for(other_community_staff).get("/registry/", {"q": "木光明"}))
    assert "/registry/people/" not in page
    assert "/registry/households/" not in page


@pytest.mark.django_db
def test_an_unknown_group_finds_nobody(community_staff, homes):
    response = client_for(community_staff).get("/registry/", {"tag": "no_such_group"})
    # 404 once care registers its groups (the owner's answer), an empty list before.
    assert response.status_code in (200, 404)
    assert "/registry/people/" not in text(response)


# Compound, building ----------------------------------------------------------------------
@pytest.mark.django_db
def test_a_compound_lists_its_buildings_with_counts(grid_worker, homes):
    response = client_for(grid_worker).get(f"/registry/compounds/{homes.compound.pk}/")
    page = text(response)
    assert response.status_code == 200
    assert f'href="/registry/buildings/{homes.building.pk}/"' in page
    assert "<td>2</td><td>3</td>" in page  # two households, three people living there
    assert 'id="registry-map"' in page


@pytest.mark.django_db
def test_a_building_lists_its_households_by_title(community_staff, homes):
    page = text(client_for(community_staff).get(f"/registry/buildings/{homes.building.pk}/"))
    assert f'href="/registry/households/{homes.household.pk}/"' in page
    assert f"{ADDRESS} · 木光明" in page
    assert homes.household.number not in page


@pytest.mark.django_db
def test_a_building_shows_addresses_masked_to_a_role_without_personal_data(operator, homes):
    page = text(client_for(operator).get(f"/registry/buildings/{homes.building.pk}/"))
    assert ADDRESS not in page
    assert "木光明" in page
    assert PiiAccess.objects.count() == 0


# Household ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_household_page_shows_its_people_around_and_history(community_staff, homes):
    response = client_for(community_staff).get(f"/registry/households/{homes.household.pk}/")
    page = text(response)
    assert response.status_code == 200
    assert f"{ADDRESS} · 木光明" in page
    for person in (homes.head, homes.wife):
        assert f'href="/registry/people/{person.pk}/"' in page
        assert person.id_number not in page
    assert PHONE not in page
    assert "139****7788" in page
    assert f'href="/registry/households/{homes.neighbour.pk}/"' in page  # around it
    assert 'id="record-change"' in page  # may record changes
    audit = PiiAccess.objects.get(
        user=community_staff, model="households", object_ids=[homes.household.pk]
    )
    assert audit.fields == ["address"]
    assert audit.channel == "page"


@pytest.mark.django_db
def test_a_reader_without_edit_rights_gets_no_forms_and_cannot_post(party_secretary, homes):
    client = client_for(party_secretary)
    page = text(client.get(f"/registry/households/{homes.household.pk}/"))
    assert "木光明" in page
    assert ADDRESS not in page  # masked
    assert 'id="record-change"' not in page
    response = client.post(
        f"/registry/households/{homes.household.pk}/",
        {"kind": "moved_out", "resident_id": homes.wife.pk},
    )
    assert response.status_code == 403
    homes.wife.refresh_from_db()
    assert homes.wife.status == "living"
    assert not HouseholdChange.objects.exists()


@pytest.mark.django_db
def test_a_move_out_is_recorded_once_and_shown(community_staff, homes):
    client = client_for(community_staff)
    form = {
        "kind": "moved_out",
        "resident_id": str(homes.wife.pk),
        "happened_on": "2026-01-15",
        "other_place": "昆明市",
        "note": "随子女居住",
        "client_uuid": "6f1c2a6e-8d0e-4b8e-9a55-0d4b7b7a1c01",
    }
    url = f"/registry/households/{homes.household.pk}/"
    response = client.post(url, form)
    assert response.status_code == 302
    assert response["Location"] == url
    again = client.post(url, form)  # the same form sent twice
    assert again.status_code == 302
    change = HouseholdChange.objects.get()
    assert (change.kind, change.resident, change.recorded_by) == (
        "moved_out",
        homes.wife,
        community_staff,
    )
    assert change.happened_on == dt.date(2026, 1, 15)
    homes.wife.refresh_from_db()
    assert homes.wife.status == "moved_out"
    page = text(client.get(url))
    assert "昆明市" in page
    assert "随子女居住" in page
    assert 'data-kind="moved_out"' in page


@pytest.mark.django_db
def test_a_bad_id_number_is_refused_with_a_message_and_nothing_changes(community_staff, homes):
    before = Resident.objects.count()
    response = client_for(community_staff).post(
        f"/registry/households/{homes.household.pk}/",
        {
            "kind": "born",
            "name": "木小宝",
            "id_number": "530702202601011234",
            "happened_on": "2026-01-01",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert 'id="change-error"' in page
    assert 'value="木小宝"' in page  # what was typed is kept
    assert Resident.objects.count() == before
    assert not HouseholdChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form",
    [
        {"kind": "exploded"},
        {"kind": "moved_out"},
        {"kind": "moved_out", "resident_id": "abc"},
        {"kind": "rented", "happened_on": "yesterday"},
        {"kind": "rented", "happened_on": "2999-01-01"},
    ],
)
def test_bad_forms_answer_400_and_change_nothing(community_staff, homes, form):
    response = client_for(community_staff).post(f"/registry/households/{homes.household.pk}/", form)
    assert response.status_code == 400
    assert not HouseholdChange.objects.exists()
    homes.household.refresh_from_db()
    assert homes.household.occupancy == "owner"


@pytest.mark.django_db
def test_a_person_of_another_household_cannot_be_moved_out_here(community_staff, homes):
    response = client_for(community_staff).post(
        f"/registry/households/{homes.household.pk}/",
        {"kind": "moved_out", "resident_id": str(homes.neighbour.head_id)},
    )
    assert response.status_code in (400, 404)
    assert not HouseholdChange.objects.exists()


@pytest.mark.django_db
def test_occupancy_change_shows_on_the_page(grid_worker, homes):
    client = client_for(grid_worker)
    url = f"/registry/households/{homes.household.pk}/"
    client.post(url, {"kind": "rented", "happened_on": "2026-02-01"})
    homes.household.refresh_from_db()
    assert homes.household.occupancy == "rented"
    page = text(client.get(url))
    assert '<li data-kind="rented">' in page
    assert 'value="rented" disabled' in page  # no longer offered: it is rented already


# Person ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_person_is_masked_until_revealed_and_the_reveal_is_recorded(community_staff, homes):
    client = client_for(community_staff)
    url = f"/registry/people/{homes.head.pk}/"
    page = text(client.get(url))
    assert homes.head.id_number not in page
    assert PHONE not in page
    assert 'id="reveal"' in page
    assert not PiiAccess.objects.filter(model="residents").exists()
    revealed = client.post(url, {"op": "reveal"})
    assert revealed.status_code == 200
    page = text(revealed)
    assert homes.head.id_number in page
    assert PHONE in page
    assert ADDRESS in page
    assert 'id="revealed-note"' in page
    audit = PiiAccess.objects.get(model="residents")
    assert (audit.user, audit.object_ids, audit.channel) == (
        community_staff,
        [homes.head.pk],
        "page",
    )


@pytest.mark.django_db
def test_a_role_without_personal_data_cannot_reveal(operator, homes):
    client = client_for(operator)
    url = f"/registry/people/{homes.head.pk}/"
    page = text(client.get(url))
    assert "木光明" in page
    assert 'id="reveal"' not in page
    response = client.post(url, {"op": "reveal"})
    assert response.status_code == 403
    assert homes.head.id_number not in text(response)
    assert PiiAccess.objects.count() == 0


# Hostile readers --------------------------------------------------------------------------
def _pages(homes: Homes) -> list[str]:
    return [
        f"/registry/compounds/{homes.compound.pk}/",
        f"/registry/buildings/{homes.building.pk}/",
        f"/registry/households/{homes.household.pk}/",
        f"/registry/people/{homes.head.pk}/",
    ]


@pytest.mark.django_db
def test_another_community_gets_404_on_every_page(other_community_staff, homes):
    client = client_for(other_community_staff)
    for url in _pages(homes):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "木光明" not in text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["dept_handler", "resident"])
def test_roles_without_the_registry_are_refused(request, homes, who):
    client = client_for(request.getfixturevalue(who))
    for url in ["/registry/", *_pages(homes)]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "木光明" not in text(response)
    response = client.post(_pages(homes)[2], {"kind": "rented"})
    assert response.status_code == 403
    assert not HouseholdChange.objects.exists()


@pytest.mark.django_db
def test_nobody_signed_in_is_sent_to_sign_in(homes):
    for url in ["/registry/", *_pages(homes)]:
        response = Client().get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_the_menu_offers_the_registry_to_its_readers_only(community_staff, dept_handler, homes):
    assert 'href="/registry/"' in text(client_for(community_staff).get("/registry/"))
    assert 'href="/registry/"' not in text(client_for(dept_handler).get("/inbox/"))


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["household", "building"])
def test_a_page_reads_as_many_times_for_two_people_as_for_ten(community_staff, homes, where):
    client = client_for(community_staff)
    url = (
        f"/registry/households/{homes.household.pk}/"
        if where == "household"
        else f"/registry/buildings/{homes.building.pk}/"
    )
    client.get(url)  # sessions, catalogs: warm
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        _resident(homes.household, f"家人{n}", "子女")
        more = Household.objects.create(
            number=f"53070200100200100099{n}",
            building=homes.building,
            room=f"30{n}",
            address=ADDRESS.replace("201", f"30{n}"),
            area=homes.household.area,
            lon=homes.household.lon,
            lat=homes.household.lat,
        )
        more.head = _resident(more, f"邻居{n}", "户主")
        more.save(update_fields=["head"])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
