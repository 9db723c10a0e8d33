"""Every write leaves an audit row: who, when, what, before and after — personal data masked."""

import pytest
from auditlog.models import LogEntry
from django.test import Client

from gridgov.registry.models import Resident
from tests.api.test_api import token_for
from tests.registry.factories import resident_data


@pytest.mark.django_db
def test_an_api_write_by_bearer_token_is_audited_with_its_actor_and_masked_pii(
    community_staff, wenhui_point
):
    client = Client(headers={"Authorization": f"Bearer {token_for(community_staff)}"})
    data = resident_data(wenhui_point)
    created = client.post("/api/v1/registry/residents", data, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    changed = client.patch(
        f"/api/v1/registry/residents/{pk}", {"name": "和丽芳"}, content_type="application/json"
    )
    assert changed.status_code == 200, changed.content

    rows = list(
        LogEntry.objects.get_for_object(Resident.objects.get(pk=pk)).order_by("timestamp", "pk")
    )
    assert [row.action for row in rows] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(row.actor_id == community_staff.pk for row in rows)
    assert rows[1].changes_dict["name"] == ["和丽华", "和丽芳"]
    # The log must not become a second, unmasked copy of the registry.
    created_changes = rows[0].changes_dict
    assert data["id_number"] not in str(created_changes)
    assert data["phone"] not in str(created_changes)


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_is_not_the_audited_address(community_staff, wenhui_point):
    client = Client(
        headers={
            "Authorization": f"Bearer {token_for(community_staff)}",
            "X-Forwarded-For": "6.6.6.6",
        }
    )
    created = client.post(
        "/api/v1/registry/residents", resident_data(wenhui_point), content_type="application/json"
    )
    assert created.status_code == 201
    row = LogEntry.objects.get_for_object(Resident.objects.get(pk=created.json()["id"])).get()
    assert row.remote_addr == "127.0.0.1"
