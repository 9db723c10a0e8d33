# ruff: noqa: F401, F811 - pytest fixtures shared with test_changes
"""/api/v1/homes: the search and the changes of a household over HTTP — the phone's
outbox resends, bad input, other people's areas."""

import json
import uuid

import pytest
from django.test import Client

from gridgov.accounts.models import PiiAccess
from gridgov.registry.models import HouseholdChange, Resident
from tests.registry.factories import id_number
from tests.registry.test_changes import home, neighbour, state

API = "/api/v1/homes"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user, household_id, body: dict | str):
    data = body if isinstance(body, str) else json.dumps(body)
    return client_for(user).post(
        f"{API}/households/{household_id}/changes", data=data, content_type="application/json"
    )


@pytest.mark.django_db
def test_a_grid_worker_records_a_new_resident_then_resends_it(grid_worker, home):
    body = {
        "kind": "registered",
        "person": {"name": "和小花", "id_number": id_number(), "phone": "13908886666"},
        "client_uuid": str(uuid.uuid4()),
        "happened_on": "2026-01-05",
    }
    first = post(grid_worker, home.pk, body)
    assert first.status_code == 201, first.content
    answer = first.json()
    assert (answer["kind"], answer["resident_name"], answer["happened_on"]) == (
        "registered",
        "和小花",
        "2026-01-05",
    )
    again = post(grid_worker, home.pk, body)
    assert again.status_code == 200
    assert again.json()["id"] == answer["id"]
    assert Resident.objects.filter(name="和小花").count() == 1


@pytest.mark.django_db
def test_a_uuid_reused_for_another_change_is_409(grid_worker, home, neighbour):
    sent = str(uuid.uuid4())
    assert post(grid_worker, home.pk, {"kind": "rented", "client_uuid": sent}).status_code == 201
    before = state(neighbour)
    answer = post(grid_worker, neighbour.pk, {"kind": "rented", "client_uuid": sent})
    assert answer.status_code == 409
    assert answer.json()["code"] == "client_uuid_taken"
    assert state(neighbour) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "teleported"}, 422, "kind"),
        ({"kind": "vacant", "happened_on": "2999-01-01"}, 400, "happened_on"),
        ({"kind": "vacant", "happened_on": "yesterday"}, 422, "happened_on"),
        ({"kind": "died", "resident_id": 0}, 422, "resident_id"),
        ({"kind": "died", "resident_id": 2**63}, 422, "resident_id"),
        ({"kind": "died", "resident_id": 99999999}, 404, "resident_id"),
        (
            {"kind": "registered", "person": {"name": "甲", "id_number": "1"}},
            400,
            "person.id_number",
        ),
        (
            {"kind": "registered", "person": {"name": "甲", "residence": "x"}},
            422,
            "person.residence",
        ),
        ({"kind": "vacant", "client_uuid": "abc"}, 422, "client_uuid"),
        ({"kind": "vacant", "note": "长" * 301}, 422, "note"),
        ("{not json", 400, None),
    ],
)
def test_bad_input_answers_its_status_and_changes_nothing(
    community_staff, home, body, status, field
):
    before = state(home)
    answer = post(community_staff, home.pk, body)
    assert answer.status_code == status, answer.content
    assert set(answer.json()) >= {"code", "message", "field"}
    assert answer.json()["field"] == field
    assert state(home) == before


@pytest.mark.django_db
def test_other_communities_and_roles_without_the_right_change_nothing(
    other_community_staff,
    operator,
    resident,
    home,
):
    before = state(home)
    assert post(other_community_staff, home.pk, {"kind": "vacant"}).status_code == 404
    assert post(operator, home.pk, {"kind": "vacant"}).status_code == 403
    assert post(resident, home.pk, {"kind": "vacant"}).status_code == 403
    assert Client().post(
        f"{API}/households/{home.pk}/changes", data="{}", content_type="application/json"
    ).status_code in (401, 403)
    assert state(home) == before


@pytest.mark.django_db
def test_the_history_over_http(community_staff, other_community_staff, operator, home):
    post(community_staff, home.pk, {"kind": "rented", "note": "租给学生"})
    answer = client_for(operator).get(f"{API}/households/{home.pk}/changes")
    assert answer.status_code == 200
    [row] = answer.json()
    assert (row["kind"], row["kind_label"], row["note"], row["recorded_by"]) == (
        "rented",
        str(HouseholdChange.Kind.RENTED.label),
        "租给学生",
        community_staff.username,
    )
    assert (
        client_for(operator).get(f"{API}/households/{home.pk}/changes?reveal=true").status_code
        == 403
    )
    assert (
        client_for(other_community_staff).get(f"{API}/households/{home.pk}/changes").status_code
        == 404
    )


@pytest.mark.django_db
def test_search_over_http_within_the_masks(operator, community_staff, home):
    phone = home.residents.get(name="张三").phone
    url = f"{API}/search?q={phone}"
    assert client_for(operator).get(url).json() == {"count": 0, "items": []}
    assert PiiAccess.objects.count() == 0
    answer = client_for(community_staff).get(url, REMOTE_ADDR="10.9.9.9")
    assert [i["title"] for i in answer.json()["items"]] == ["张三"]
    assert PiiAccess.objects.get().ip == "10.9.9.9"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("status=gone", 422),
        ("limit=0", 422),
        ("limit=101", 422),
        ("offset=-1", 422),
        ("grid=530702001001001", 404),
        ("grid=nope", 400),
        ("q=" + "长" * 101, 422),
    ],
)
def test_search_bad_input(community_staff, query, status):
    answer = client_for(community_staff).get(f"{API}/search?{query}")
    assert answer.status_code == status, answer.content
    assert "code" in answer.json()
