"""The care pages, the panels on the registry's pages and the registry's filter by group."""

import datetime as dt
import uuid

import pytest
from django.test import RequestFactory
from django.utils import timezone

from gridgov.accounts.models import PiiAccess
from gridgov.care import panels
from gridgov.care.models import ResidentTag, Visit
from gridgov.common.errors import NotFound
from gridgov.registry import extensions
from gridgov.registry.models import Resident


def _request(user, path="/registry/people/1/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


@pytest.mark.django_db
def test_overview_counts_members_and_overdue_and_lists_who_needs_a_visit(
    client, community_staff, granny_alone, convict_tagged
):
    ResidentTag.objects.filter(pk=granny_alone.pk).update(visit_due=dt.date(2020, 1, 1))
    client.force_login(community_staff)
    page = client.get("/care/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "独居老人" in html
    assert "社区矫正人员" in html  # community staff have the right
    assert html.index("王秀英") < html.index("李建军")  # the most overdue first
    group = client.get("/care/groups/elderly_alone/?grid=530702001002001").content.decode()
    assert "王秀英" in group
    assert "2020-01-01" in group


@pytest.mark.django_db
def test_pages_refuse_roles_without_the_registry_and_other_areas(
    client, resident, other_community_staff, granny_alone
):
    client.force_login(resident)
    assert client.get("/care/").status_code in (302, 403)
    client.force_login(other_community_staff)
    assert "王秀英" not in client.get("/care/groups/elderly_alone/").content.decode()
    assert client.get("/care/?grid=530702001002001").status_code == 404


@pytest.mark.django_db
def test_the_person_panel_shows_fields_plan_and_overdue_and_forms_for_editors(
    grid_worker, operator, granny_alone, convict_tagged
):
    ResidentTag.objects.filter(pk=granny_alone.pk).update(visit_due=dt.date(2020, 1, 1))
    html = panels.person_panel(_request(grid_worker), granny_alone.resident)
    assert "独居老人" in html
    assert "健康状况" in html
    assert "一般" in html
    assert "2020-01-01" in html
    assert f'action="/care/people/{granny_alone.resident_id}/visits/"' in html
    # The household panel shows both people to someone with the right, and records the read.
    household = granny_alone.resident.household
    html = panels.household_panel(_request(grid_worker), household)
    assert "社区矫正人员" in html
    assert PiiAccess.objects.filter(model="care.residenttag", fields=["tag:community_correction"])
    # Without it: neither the group nor a form to add anyone to it.
    html = panels.household_panel(_request(operator), household)
    assert "社区矫正" not in html
    assert "/care/people/" not in html  # no forms for a reader
    assert panels.person_panel(_request(operator), convict_tagged.resident).count("care-tag") == 0


@pytest.mark.django_db
def test_the_registry_filter_by_group_keeps_the_rule(grid_worker, operator, convict_tagged):
    residents = Resident.objects.all()
    assert [o[0] for o in extensions.tag_options(operator)].count("community_correction") == 0
    assert "community_correction" in [o[0] for o in extensions.tag_options(grid_worker)]
    found = extensions.residents_with_tag(grid_worker, residents, "community_correction")
    assert list(found.values_list("name", flat=True)) == ["李建军"]
    assert PiiAccess.objects.filter(user=grid_worker, model="care.residenttag").exists()
    for key in ("community_correction", "no_such_group"):
        with pytest.raises(NotFound):
            extensions.residents_with_tag(operator, residents, key)


@pytest.mark.django_db
def test_forms_on_the_panel_record_once_and_refuse_bad_fields(client, grid_worker, granny):
    client.force_login(grid_worker)
    back = f"/registry/people/{granny.pk}/"
    added = client.post(
        f"/care/people/{granny.pk}/tags/",
        {"tag": "left_behind_child", "d_school": "文汇小学", "next": back},
    )
    assert added.status_code == 302  # back with the message: the guardian is required
    assert not ResidentTag.objects.exists()
    client.post(
        f"/care/people/{granny.pk}/tags/",
        {"tag": "elderly_alone", "d_health": "一般", "next": back},
    )
    assert ResidentTag.objects.get().details == {"health": "一般"}
    key = str(uuid.uuid4())
    for _ in range(2):
        answer = client.post(
            f"/care/people/{granny.pk}/visits/",
            {"outcome": "well", "note": "好", "client_uuid": key, "next": "https://evil.example/"},
        )
        assert answer["Location"] == back  # never to another site
    assert Visit.objects.count() == 1
    assert ResidentTag.objects.get().visit_due == timezone.localdate() + dt.timedelta(days=7)


@pytest.mark.django_db
def test_forms_refuse_hostile_users_and_change_nothing(
    client, operator, other_community_staff, granny_alone
):
    for user, status in ((operator, 403), (other_community_staff, 404)):
        client.force_login(user)
        answer = client.post(f"/care/memberships/{granny_alone.pk}/end/", {"reason": "恶意"})
        assert answer.status_code in (403, 404)
        answer = client.post(
            f"/care/people/{granny_alone.resident_id}/visits/", {"outcome": "well"}
        )
        assert answer.status_code == status
    granny_alone.refresh_from_db()
    assert granny_alone.ended_on is None
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_a_visit_for_a_sensitive_group_is_absent_without_the_right(
    grid_worker, operator, granny_alone, convict_tagged
):
    from gridgov.care.visits import visit_record

    # 李建军 is in a second, open group too: the reader sees that one, not the other's visit.
    ResidentTag.objects.create(
        resident_id=convict_tagged.resident_id,
        tag=granny_alone.tag,
        area_id=convict_tagged.area_id,
        since=timezone.localdate(),
        review_due=timezone.localdate(),
    )
    visit_record(
        user=grid_worker,
        resident_id=convict_tagged.resident_id,
        tag="community_correction",
        outcome="well",
        note="矫正走访记录",
    )
    assert "矫正走访记录" in panels.person_panel(_request(grid_worker), convict_tagged.resident)
    html = panels.person_panel(_request(operator), convict_tagged.resident)
    assert "独居老人" in html
    assert "矫正" not in html


@pytest.mark.django_db
def test_the_due_list_takes_the_same_queries_for_more_people(
    client, grid_worker, home, wenhui_point
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridgov.care.services import resident_tag_add
    from tests.care.conftest import person

    def add(n: int) -> None:
        for i in range(n):
            someone = person(wenhui_point, home.area, home, f"老人{i}{n}")
            resident_tag_add(user=grid_worker, resident_id=someone.pk, tag="elderly_alone")

    client.force_login(grid_worker)
    add(2)
    client.get("/api/v1/care/due")  # warm: the session and the user are read once
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/care/due").json()) == 2
    add(20)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/care/due").json()) == 22
    assert len(many) == len(few)


def _crowd(home, point, n: int, overdue: int) -> list[Resident]:
    """n members of 独居老人 in the home's grid, the first `overdue` of them overdue."""
    from gridgov.care.models import CareTag
    from tests.care.conftest import person

    tag = CareTag.objects.get(key="elderly_alone")
    today = timezone.localdate()
    people = [person(point, home.area, home, f"老人{i:03d}") for i in range(n)]
    ResidentTag.objects.bulk_create(
        ResidentTag(
            resident=someone,
            tag=tag,
            area=home.area,
            since=today,
            review_due=today + dt.timedelta(days=365),
            visit_due=today + dt.timedelta(days=(-30 if i < overdue else 10) + i),
            last_visit_at=timezone.now() - dt.timedelta(days=3),
        )
        for i, someone in enumerate(people)
    )
    return people


@pytest.mark.django_db
def test_a_big_group_is_shown_a_page_at_a_time_with_the_whole_groups_counts(
    client, grid_worker, home, wenhui_point
):
    people = _crowd(home, wenhui_point, 60, overdue=12)
    client.force_login(grid_worker)
    client.cookies["django_language"] = "en"  # the words asserted below are the English ones
    url = "/care/groups/elderly_alone/"
    first = client.get(url, {"grid": "530702001002001"}).content.decode()
    assert first.count("/registry/people/") == 50
    assert "1–50 of 60" in first
    assert "12 visits are overdue." in first  # the whole group's, not the page's
    assert 'href="?grid=530702001002001&amp;offset=50" rel="next"' in first  # the filter kept
    assert 'rel="prev"' not in first
    assert f"/registry/people/{people[0].pk}/" in first  # the most overdue first
    assert f"/registry/people/{people[59].pk}/" not in first
    second = client.get(url, {"grid": "530702001002001", "offset": "50"}).content.decode()
    assert second.count("/registry/people/") == 10
    assert "51–60 of 60" in second
    assert f"/registry/people/{people[59].pk}/" in second
    assert f"/registry/people/{people[0].pk}/" not in second
    assert 'href="?grid=530702001002001&amp;offset=0" rel="prev"' in second
    assert 'rel="next"' not in second
    # A phone's card names its dates: the last visit is labelled, not a bare date.
    assert 'data-label="Last visit">' in second
    assert client.get(url, {"offset": "abc"}).status_code == 200  # a bad offset is the first page


@pytest.mark.django_db
def test_a_page_of_a_group_shows_nothing_of_another_community(
    client, other_community_staff, operator, home, wenhui_point, convict_tagged
):
    _crowd(home, wenhui_point, 3, overdue=1)
    client.force_login(other_community_staff)
    page = client.get("/care/groups/elderly_alone/", {"offset": "0"}).content.decode()
    assert "老人000" not in page
    assert "overdue" not in page
    assert 'id="group-pager"' not in page
    assert client.get("/care/groups/elderly_alone/?grid=530702001002001").status_code == 404
    client.force_login(operator)  # no right to the sensitive group: as if it did not exist
    assert client.get("/care/groups/community_correction/?offset=0").status_code == 404
