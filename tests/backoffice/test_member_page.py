"""A member's page shows nothing that gives a masked ID number back."""

import pytest

from gridgov.registry.pii import mask_id_number
from tests.backoffice.conftest import signed_in


@pytest.mark.django_db
def test_a_party_secretary_sees_neither_the_id_number_nor_the_birth_date(
    world, party_secretary, community_staff
):
    member = world.inside.member
    url = f"/admin/party/member/{member.pk}/change/"
    page = signed_in(party_secretary).get(url).content.decode()
    assert member.id_number not in page
    assert mask_id_number(member.id_number) in page
    assert "1980" not in page
    # Staff who need personal data see the date (and the full number, recorded).
    assert "1980" in signed_in(community_staff).get(url).content.decode()
