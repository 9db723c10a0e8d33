"""POST /api/v1/care/visits and GET /api/v1/care/due: the phone's contract."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from gridgov.accounts.models import PiiAccess
from gridgov.care.models import ResidentTag, Visit

URL = "/api/v1/care"


def _post(client, user, body):
    client.force_login(user)
    return client.post(f"{URL}/visits", body, content_type="application/json")


@pytest.mark.django_db
def test_a_visit_is_stored_once_and_moves_the_next_visit(client, grid_worker, granny_alone):
    key = str(uuid.uuid4())
    body = {
        "client_uuid": key,
        "resident_id": granny_alone.resident_id,
        "outcome": "well",
        "note": "身体不错",
    }
    first = _post(client, grid_worker, body)
    assert first.status_code == 201, first.content
    today = timezone.localdate()
    assert first.json()["visit_due"] == (today + dt.timedelta(days=7)).isoformat()
    again = _post(client, grid_worker, body)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Visit.objects.filter(resident_id=granny_alone.resident_id).count() == 1
    granny_alone.refresh_from_db()
    assert granny_alone.visit_due == today + dt.timedelta(days=7)
    assert granny_alone.last_visit_at is not None


@pytest.mark.django_db
def test_a_reused_uuid_for_another_person_is_a_conflict(client, grid_worker, granny_alone, convict):
    key = str(uuid.uuid4())
    _post(
        client,
        grid_worker,
        {"client_uuid": key, "resident_id": granny_alone.resident_id, "outcome": "well"},
    )
    answer = _post(
        client, grid_worker, {"client_uuid": key, "resident_id": convict.pk, "outcome": "well"}
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "client_uuid_taken"
    assert Visit.objects.count() == 1


@pytest.mark.django_db
def test_an_offline_visit_keeps_its_time_and_bad_times_are_refused(
    client, grid_worker, granny_alone
):
    then = timezone.now() - dt.timedelta(days=2)
    answer = _post(
        client,
        grid_worker,
        {
            "client_uuid": str(uuid.uuid4()),
            "resident_id": granny_alone.resident_id,
            "outcome": "well",
            "visited_at": then.isoformat(),
        },
    )
    assert answer.status_code == 201
    granny_alone.refresh_from_db()
    assert granny_alone.visit_due == timezone.localdate(then) + dt.timedelta(days=7)
    for when in (timezone.now() + dt.timedelta(hours=1), timezone.now() - dt.timedelta(days=8)):
        bad = _post(
            client,
            grid_worker,
            {
                "client_uuid": str(uuid.uuid4()),
                "resident_id": granny_alone.resident_id,
                "outcome": "well",
                "visited_at": when.isoformat(),
            },
        )
        assert bad.status_code == 400
        assert bad.json()["field"] == "visited_at"
    assert Visit.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"outcome": "fine"}, "outcome"),
        ({"photo": "photo:not-a-uuid"}, "photo"),
        ({"photo": f"photo:{uuid.uuid4()}"}, "photo"),
        ({"code": "nosuchtoken"}, "code"),
        ({"client_uuid": "abc"}, "client_uuid"),
    ],
)
def test_bad_input_is_a_clear_400_and_stores_nothing(
    client, grid_worker, granny_alone, extra, field
):
    body = {
        "client_uuid": str(uuid.uuid4()),
        "resident_id": granny_alone.resident_id,
        "outcome": "well",
        **extra,
    }
    answer = _post(client, grid_worker, body)
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"] == field
    assert Visit.objects.count() == 0
    granny_alone.refresh_from_db()
    assert granny_alone.last_visit_at is None


@pytest.mark.django_db
def test_other_community_and_readers_cannot_record(
    client, other_community_staff, operator, granny_alone
):
    for user, status in ((other_community_staff, 404), (operator, 403)):
        answer = _post(
            client,
            user,
            {
                "client_uuid": str(uuid.uuid4()),
                "resident_id": granny_alone.resident_id,
                "outcome": "well",
            },
        )
        assert answer.status_code == status
    assert Visit.objects.count() == 0


@pytest.mark.django_db
def test_not_at_home_is_recorded_but_the_visit_stays_due(client, grid_worker, granny_alone):
    due = granny_alone.visit_due
    answer = _post(
        client,
        grid_worker,
        {
            "client_uuid": str(uuid.uuid4()),
            "resident_id": granny_alone.resident_id,
            "outcome": "not_home",
        },
    )
    assert answer.status_code == 201
    granny_alone.refresh_from_db()
    assert granny_alone.visit_due == due


@pytest.mark.django_db
def test_due_lists_the_overdue_first_with_the_household_title(
    client, grid_worker, granny_alone, convict_tagged
):
    ResidentTag.objects.filter(pk=convict_tagged.pk).update(
        visit_due=timezone.localdate() - dt.timedelta(days=3)
    )
    client.force_login(grid_worker)
    answer = client.get(f"{URL}/due?grid=530702001002001")
    assert answer.status_code == 200
    rows = answer.json()
    assert [r["name"] for r in rows] == ["李建军", "王秀英"]
    assert rows[0]["tags"] == [
        {
            "key": "community_correction",
            "name": "社区矫正人员",
            "visit_due": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
            "overdue": True,
        }
    ]
    title = rows[1]["household_title"]
    assert title.startswith("丽江市古城区文汇社区玉泉小区3栋201室 · ")
    assert "王秀英" in title
    # The sensitive read is recorded, with the person read.
    audit = PiiAccess.objects.get(model="care.residenttag", user=grid_worker)
    assert audit.object_ids == [convict_tagged.resident_id]
    assert audit.fields == ["tag:community_correction"]


@pytest.mark.django_db
def test_due_without_the_sensitive_right_hides_the_group_and_the_person(
    client, operator, granny_alone, convict_tagged
):
    client.force_login(operator)
    rows = client.get(f"{URL}/due").json()
    assert [r["name"] for r in rows] == ["王秀英"]
    assert "社区矫正" not in client.get(f"{URL}/due").content.decode()
    # Filtering by the hidden group answers exactly like an unknown group.
    hidden = client.get(f"{URL}/due?tag=community_correction")
    unknown = client.get(f"{URL}/due?tag=no_such_group")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()
    assert not PiiAccess.objects.filter(model="care.residenttag").exists()


@pytest.mark.django_db
def test_due_of_another_community_is_404(client, other_community_staff, granny_alone):
    client.force_login(other_community_staff)
    assert client.get(f"{URL}/due?grid=530702001002001").status_code == 404
    assert client.get(f"{URL}/due").json() == []
