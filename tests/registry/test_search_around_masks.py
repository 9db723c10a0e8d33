"""A masked field is never a search key for a role that sees it masked, and every search
through personal data by a role that may see it is recorded; masks cannot be rebuilt."""

import pytest
from django.test import Client

from gridgov.accounts.models import PiiAccess
from gridgov.registry.kinds import KINDS
from gridgov.registry.pii import mask_id_number
from gridgov.registry.selectors import (
    records_as_dicts,
    records_filter,
    registry_search_fields_for,
)
from gridgov.registry.services import record_create
from tests.api.test_api import token_for
from tests.registry.factories import resident_data

RESIDENTS = KINDS["residents"]


@pytest.fixture
def he_lihua(community_staff, wenhui_point):
    data = resident_data(wenhui_point, phone="13908885555", address="玉泉小区3栋201室")
    record = record_create(user=community_staff, kind_key="residents", data=data)
    PiiAccess.objects.all().delete()
    return record


def found(user, q: str) -> list[int]:
    return list(
        records_filter(user=user, kind=RESIDENTS, q=q, ip="10.0.0.9").values_list("pk", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["id_number", "phone", "address"])
def test_a_role_that_sees_masks_cannot_find_a_resident_by_a_masked_field(operator, he_lihua, key):
    assert found(operator, getattr(he_lihua, key)) == []
    assert found(operator, getattr(he_lihua, key)[-4:]) == []
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
def test_a_role_that_sees_masks_still_finds_by_name(operator, he_lihua):
    assert found(operator, he_lihua.name) == [he_lihua.pk]
    assert PiiAccess.objects.count() == 0  # a name is not behind a mask


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["id_number", "phone", "address"])
def test_a_search_through_personal_data_by_a_role_with_the_right_is_recorded(
    community_staff, he_lihua, key
):
    assert found(community_staff, getattr(he_lihua, key)) == [he_lihua.pk]
    audit = PiiAccess.objects.get()
    assert (audit.user, audit.model, audit.object_ids, audit.channel, audit.ip) == (
        community_staff,
        "residents",
        [he_lihua.pk],
        "search",
        "10.0.0.9",
    )
    assert set(audit.fields) == {"id_number", "phone", "address"}


@pytest.mark.django_db
def test_search_fields_follow_the_right(operator, community_staff):
    assert registry_search_fields_for(operator, RESIDENTS) == ["name"]
    assert set(registry_search_fields_for(community_staff, RESIDENTS)) == {
        "name",
        "address",
        "id_number",
        "phone",
    }
    assert "landlord_phone" not in registry_search_fields_for(operator, KINDS["rentals"])
    assert "room" not in registry_search_fields_for(operator, KINDS["households"])


@pytest.mark.django_db
def test_the_api_search_does_not_match_masked_fields_for_an_operator(
    operator, community_staff, he_lihua
):
    def listed(user, q):
        client = Client(headers={"Authorization": f"Bearer {token_for(user)}"})
        return client.get("/api/v1/registry/residents", {"q": q}).json()["count"]

    assert listed(operator, he_lihua.phone) == 0
    assert listed(community_staff, he_lihua.phone) == 1
    assert PiiAccess.objects.filter(user=operator).count() == 0
    assert PiiAccess.objects.get(user=community_staff).channel == "search"


@pytest.mark.django_db
def test_a_masked_resident_gives_nothing_to_rebuild_the_id_number_from(operator, he_lihua):
    row = records_as_dicts(user=operator, kind=RESIDENTS, records=[he_lihua])[0]
    id_number = he_lihua.id_number
    assert (
        row["id_number"] == mask_id_number(id_number) == id_number[:2] + "*" * 14 + id_number[-2:]
    )
    assert row["birth_date"] is None
    assert row["phone"] == "139****5555"


@pytest.mark.django_db
def test_the_back_office_search_does_not_match_masked_fields(operator, community_staff, he_lihua):
    def listing(user, q):
        client = Client()
        client.force_login(user)
        return client.get("/admin/registry/resident/", {"q": q}).content.decode()

    # The address is shown masked to the operator: it must not find her either.
    assert he_lihua.name not in listing(operator, he_lihua.address)
    assert he_lihua.name in listing(operator, he_lihua.name)
    assert he_lihua.name in listing(community_staff, he_lihua.phone)
    assert PiiAccess.objects.get().user == community_staff


@pytest.mark.django_db
def test_a_masked_address_is_not_given_back_by_exact_coordinates(
    operator, community_staff, he_lihua
):
    masked = records_as_dicts(user=operator, kind=RESIDENTS, records=[he_lihua])[0]
    assert masked["address"] != he_lihua.address
    assert (masked["lon"], masked["lat"]) == (round(he_lihua.lon, 3), round(he_lihua.lat, 3))
    revealed = records_as_dicts(
        user=community_staff, kind=RESIDENTS, records=[he_lihua], reveal=True
    )[0]
    assert (revealed["lon"], revealed["lat"]) == (he_lihua.lon, he_lihua.lat)
