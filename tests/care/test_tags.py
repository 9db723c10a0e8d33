"""Tags with their own fields: add, edit, review, end; bad fields; hostile users."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.accounts.models import PiiAccess
from gridgov.care import services
from gridgov.care.models import ResidentTag
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied

URL = "/api/v1/care"


@pytest.mark.django_db
def test_a_group_with_a_plan_is_due_at_once_and_reviewed_later(grid_worker, granny):
    membership = services.resident_tag_add(
        user=grid_worker,
        resident_id=granny.pk,
        tag="elderly_alone",
        details={"guardian": "王小明", "guardian_phone": "139 0888 1234", "health": "良好"},
    )
    today = timezone.localdate()
    assert membership.visit_due == today
    assert membership.review_due == today + dt.timedelta(days=180)
    assert membership.details == {
        "guardian": "王小明",
        "guardian_phone": "13908881234",
        "health": "良好",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tag", "details", "field"),
    [
        ("elderly_alone", {"health": "很好"}, "details.health"),
        ("elderly_alone", {"guardian_phone": "12345"}, "details.guardian_phone"),
        ("elderly_alone", {"shoe_size": "42"}, "details.shoe_size"),
        ("dibao", {"monthly_yuan": "many"}, "details.monthly_yuan"),
        ("community_correction", {"officer": "和所长"}, "details.term_ends"),
        ("community_correction", {"term_ends": "2027-13-01"}, "details.term_ends"),
        ("left_behind_child", {"guardian": "x" * 201}, "details.guardian"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_stored(grid_worker, granny, tag, details, field):
    with pytest.raises(DomainError) as refused:
        services.resident_tag_add(user=grid_worker, resident_id=granny.pk, tag=tag, details=details)
    assert refused.value.field == field
    assert not ResidentTag.objects.exists()


@pytest.mark.django_db
def test_twice_in_a_group_is_a_conflict(grid_worker, granny_alone):
    with pytest.raises(Conflict):
        services.resident_tag_add(
            user=grid_worker, resident_id=granny_alone.resident_id, tag="elderly_alone"
        )
    assert ResidentTag.objects.count() == 1


@pytest.mark.django_db
def test_hostile_users_cannot_tag(operator, other_community_staff, granny):
    with pytest.raises(PermissionDenied):
        services.resident_tag_add(user=operator, resident_id=granny.pk, tag="elderly_alone")
    with pytest.raises(NotFound):
        services.resident_tag_add(
            user=other_community_staff, resident_id=granny.pk, tag="elderly_alone"
        )
    assert not ResidentTag.objects.exists()


@pytest.mark.django_db
def test_end_and_review(client, grid_worker, granny_alone):
    client.force_login(grid_worker)
    ResidentTag.objects.filter(pk=granny_alone.pk).update(review_due=dt.date(2020, 1, 1))
    reviewed = client.post(f"{URL}/memberships/{granny_alone.pk}/review")
    assert reviewed.status_code == 200
    assert reviewed.json()["review_overdue"] is False
    empty = client.post(
        f"{URL}/memberships/{granny_alone.pk}/end", {"reason": " "}, content_type="application/json"
    )
    assert empty.status_code == 400
    ended = client.post(
        f"{URL}/memberships/{granny_alone.pk}/end",
        {"reason": "搬去和女儿同住"},
        content_type="application/json",
    )
    assert ended.status_code == 200
    body = ended.json()
    assert (body["ended_on"], body["end_reason"], body["visit_due"]) == (
        timezone.localdate().isoformat(),
        "搬去和女儿同住",
        None,
    )
    again = client.post(
        f"{URL}/memberships/{granny_alone.pk}/end",
        {"reason": "再次"},
        content_type="application/json",
    )
    assert again.status_code == 409
    # Nobody ended stays on the due list.
    assert client.get(f"{URL}/due").json() == []


@pytest.mark.django_db
def test_edit_checks_the_fields(client, grid_worker, granny_alone):
    client.force_login(grid_worker)
    bad = client.patch(
        f"{URL}/memberships/{granny_alone.pk}",
        {"details": {"health": "??"}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    good = client.patch(
        f"{URL}/memberships/{granny_alone.pk}",
        {"details": {"health": "较差"}},
        content_type="application/json",
    )
    assert good.status_code == 200
    assert good.json()["details"] == [{"key": "health", "label": "健康状况", "value": "较差"}]


@pytest.mark.django_db
def test_without_the_right_a_sensitive_group_is_absent_everywhere(
    client, operator, party_secretary, granny_alone, convict_tagged
):
    """A role without CARE_SENSITIVE_VIEW learns nothing: not the group, not the person in
    it, not a count; naming it is the 404 of an unknown group."""
    resident = convict_tagged.resident_id
    for user in (operator, party_secretary):
        client.force_login(user)
        keys = [t["key"] for t in client.get(f"{URL}/tags").json()]
        assert "community_correction" not in keys
        assert "elderly_alone" in keys
        overview = client.get(f"{URL}/overview").json()
        assert [g["key"] for g in overview if g["members"]] == ["elderly_alone"]
        assert client.get(f"{URL}/residents/{resident}/tags").json() == []
        hidden = client.get(f"{URL}/groups/community_correction/members")
        unknown = client.get(f"{URL}/groups/nope/members")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json() == unknown.json()
        for page in ("/care/", "/care/groups/elderly_alone/"):
            html = client.get(page).content.decode()
            assert "社区矫正" not in html
            assert "李建军" not in html
        assert client.get("/care/groups/community_correction/").status_code == 404
    assert not PiiAccess.objects.filter(model="care.residenttag").exists()


@pytest.mark.django_db
def test_with_the_right_each_sensitive_read_is_recorded(client, grid_worker, convict_tagged):
    client.force_login(grid_worker)
    answer = client.get(f"{URL}/groups/community_correction/members")
    assert [m["name"] for m in answer.json()] == ["李建军"]
    audit = PiiAccess.objects.get(model="care.residenttag")
    assert (audit.user, audit.object_ids, audit.fields, audit.channel) == (
        grid_worker,
        [convict_tagged.resident_id],
        ["tag:community_correction"],
        "api",
    )
