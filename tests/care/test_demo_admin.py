"""The demo's care data, and the back office of the groups."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.care.models import CareTag, ResidentTag, Visit
from gridgov.demo.care import build_care
from tests.care.conftest import person


@pytest.mark.django_db
def test_the_demo_tags_sensitive_people_and_leaves_visits_due_or_overdue(
    granny_alone, home, wenhui_point
):
    adult = person(wenhui_point, home.area, home, "和建国")
    type(adult).objects.filter(pk=adult.pk).update(birth_date=dt.date(1980, 2, 2))
    counts = build_care(seed=1)
    assert counts["sensitive group members"] == 1
    sensitive = ResidentTag.objects.get(resident=adult)
    assert sensitive.tag.sensitive
    assert counts["care visits"] == Visit.objects.count() == 2
    for membership in ResidentTag.objects.select_related("tag"):
        visit = Visit.objects.get(resident_tag=membership)
        assert membership.last_visit_at == visit.visited_at
        assert membership.visit_due == timezone.localdate(visit.visited_at) + dt.timedelta(
            days=membership.tag.visit_every_days
        )


@pytest.mark.django_db
def test_the_back_office_edits_a_plan_and_refuses_bad_fields(client, admin_user):
    tag = CareTag.objects.get(key="elderly_alone")
    url = f"/admin/care/caretag/{tag.pk}/change/"
    client.force_login(admin_user)
    form = {
        "key": tag.key,
        "name": tag.name,
        "visit_every_days": 3,
        "review_every_days": 180,
        "position": 0,
        "active": "on",
    }
    bad = client.post(url, {**form, "fields": '[{"key": "x", "kind": "colour"}]'})
    assert bad.status_code == 200  # the form again, with the error
    tag.refresh_from_db()
    assert tag.visit_every_days == 7
    good = client.post(url, {**form, "fields": '[{"key": "x", "label": "X", "kind": "text"}]'})
    assert good.status_code == 302
    tag.refresh_from_db()
    assert tag.visit_every_days == 3
    assert tag.fields == [
        {"key": "x", "label": "X", "kind": "text", "choices": [], "required": False}
    ]
