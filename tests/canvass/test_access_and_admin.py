"""Who reads canvass campaigns, and the campaign back office as a client of the services."""

import pytest
from auditlog.models import LogEntry
from django.test import Client

from gridgov.areas.models import Area
from gridgov.canvass import selectors, services
from gridgov.canvass.models import Campaign, Field, Task
from gridgov.common.errors import Conflict, PermissionDenied
from tests.api.test_api import token_for
from tests.conftest import JINJIA, WENHUI

FORM = [{"key": "people", "label": "常住人数", "kind": "number"}]
ADD_URL = "/admin/canvass/campaign/add/"


@pytest.fixture
def launched(community_staff, canvass_city) -> Campaign:
    campaign = services.campaign_create(
        user=community_staff, name="排查", area_code=WENHUI, due_date="2026-12-31", fields=FORM
    )
    services.campaign_launch(user=community_staff, campaign_id=campaign.pk)
    return campaign


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona",
    ["department_handler", "service_provider", "resident", "operator", "party_secretary"],
)
def test_roles_without_business_there_read_no_campaign_progress_or_results(
    request, persona, launched
):
    user = request.getfixturevalue(persona)
    assert not selectors.campaigns_for(user).exists()
    with pytest.raises(PermissionDenied):
        selectors.progress_by_grid(launched, user)
    with pytest.raises(PermissionDenied):
        selectors.results_rows(launched, user)
    api = Client(headers={"Authorization": f"Bearer {token_for(user)}"})
    assert api.get(f"/api/v1/canvass/campaigns/{launched.pk}/progress").status_code in (403, 404)
    listed = api.get("/api/v1/canvass/campaigns")
    assert listed.status_code == 403 or listed.json() == []
    assert signed_in(user).get(f"/canvass/{launched.pk}/results.xlsx").status_code == 404


@pytest.mark.django_db
def test_a_grid_worker_reads_the_campaign_form_but_not_the_results(
    grid_worker, community_staff, launched
):
    draft = services.campaign_create(
        user=community_staff, name="草稿", area_code=WENHUI, due_date="2026-12-31", fields=FORM
    )
    assert list(selectors.campaigns_for(grid_worker)) == [launched]  # not the draft
    assert selectors.campaigns_for(community_staff).filter(pk=draft.pk).exists()
    with pytest.raises(PermissionDenied):
        selectors.results_rows(launched, grid_worker)
    assert signed_in(grid_worker).get(f"/canvass/{launched.pk}/results.xlsx").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["shift_leader", "community_staff", "admin_user"])
def test_those_who_run_campaigns_read_progress_and_results(request, persona, launched):
    user = request.getfixturevalue(persona)
    assert selectors.campaigns_for(user).filter(pk=launched.pk).exists()
    assert [row["total"] for row in selectors.progress_by_grid(launched, user)] == [2, 1]
    assert signed_in(user).get(f"/canvass/{launched.pk}/results.xlsx").status_code == 200


def add_form(area_id: int, **extra) -> dict:
    return {
        "name": "返乡人员排查",
        "area": area_id,
        "due_date": "2026-12-31",
        "instructions": "",
        "fields-TOTAL_FORMS": "2",
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
        "fields-0-position": "0",
        "fields-0-key": "people",
        "fields-0-label": "常住人数",
        "fields-0-kind": "number",
        "fields-0-choices": "",
        "fields-0-required": "on",
        "fields-1-position": "1",
        "fields-1-key": "idno",
        "fields-1-label": "身份证号",
        "fields-1-kind": "id_number",
        "fields-1-choices": "",
        **extra,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["admin_user", "community_staff"])
def test_add_goes_through_the_service_and_keeps_the_form(request, persona):
    user = request.getfixturevalue(persona)
    wenhui = Area.objects.get(code=WENHUI)
    response = signed_in(user).post(ADD_URL, add_form(wenhui.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.area, campaign.created_by, campaign.status) == (
        "返乡人员排查",
        wenhui,
        user,
        "draft",
    )
    assert [(f.key, f.kind, f.is_personal) for f in campaign.fields.all()] == [
        ("people", "number", False),
        ("idno", "id_number", True),
    ]


@pytest.mark.django_db
def test_add_outside_the_editors_area_is_refused_and_writes_nothing(community_staff):
    jinjia = Area.objects.get(code=JINJIA)
    response = signed_in(community_staff).post(ADD_URL, add_form(jinjia.pk))
    assert response.status_code == 200  # the form again, with the error on the area
    assert not Campaign.objects.exists()
    assert not Field.objects.exists()


@pytest.mark.django_db
def test_a_bad_form_is_refused_on_the_page_and_writes_nothing(community_staff):
    wenhui = Area.objects.get(code=WENHUI)
    bad = add_form(wenhui.pk, **{"fields-1-key": "people"})  # the same key twice
    assert signed_in(community_staff).post(ADD_URL, bad).status_code == 200
    choice = add_form(wenhui.pk, **{"fields-1-kind": "choice"})  # a choice without choices
    assert signed_in(community_staff).post(ADD_URL, choice).status_code == 200
    assert not Campaign.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["operator", "grid_worker", "department_handler"])
def test_roles_that_do_not_define_campaigns_cannot_add(request, persona):
    user = request.getfixturevalue(persona)
    response = signed_in(user).post(ADD_URL, add_form(Area.objects.get(code=WENHUI).pk))
    assert response.status_code in (302, 403)
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_a_launched_campaign_keeps_its_area_form_and_existence(
    community_staff, other_community_staff, launched
):
    grid = Area.objects.filter(parent__code=WENHUI).order_by("code").first()
    client = signed_in(community_staff)
    change = f"/admin/canvass/campaign/{launched.pk}/change/"
    question = launched.fields.get()
    moved = {
        "name": "排查",
        "area": grid.pk,
        "due_date": "2026-12-31",
        "instructions": "",
        # The questions are read-only once launched: the page sends only their ids.
        "fields-TOTAL_FORMS": "1",
        "fields-INITIAL_FORMS": "1",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
        "fields-0-id": question.pk,
        "fields-0-campaign": launched.pk,
    }
    assert client.post(change, moved).status_code == 200
    assert Campaign.objects.get(pk=launched.pk).area.code == WENHUI
    assert (
        client.post(f"/admin/canvass/campaign/{launched.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Campaign.objects.filter(pk=launched.pk).exists()
    renamed = {**moved, "area": launched.area.pk, "name": "返乡排查"}
    assert client.post(change, renamed).status_code == 302
    assert Campaign.objects.get(pk=launched.pk).name == "返乡排查"
    assert list(launched.fields.values_list("key", flat=True)) == ["people"]
    # Staff of another community do not reach it at all.
    other = signed_in(other_community_staff)
    assert other.post(change, {**renamed, "name": "x"}).status_code in (302, 404)
    assert Campaign.objects.get(pk=launched.pk).name == "返乡排查"


@pytest.mark.django_db
def test_a_draft_is_deleted_through_the_service(community_staff):
    campaign = services.campaign_create(
        user=community_staff, name="草稿", area_code=WENHUI, due_date="2026-12-31", fields=FORM
    )
    client = signed_in(community_staff)
    response = client.post(f"/admin/canvass/campaign/{campaign.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_only_roles_with_the_right_are_offered_the_unmasked_results(
    shift_leader, community_staff, launched
):
    link = f"/canvass/{launched.pk}/results.xlsx?reveal=1"
    operator_page = signed_in(shift_leader).get("/admin/canvass/campaign/")
    assert operator_page.status_code == 200
    assert f"/canvass/{launched.pk}/results.xlsx" in operator_page.content.decode()
    assert link not in operator_page.content.decode()
    assert link in signed_in(community_staff).get("/admin/canvass/campaign/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        [{"key": "a b", "kind": "text"}],
        [{"key": "x", "kind": "text"}, {"key": "x", "kind": "number"}],
        [{"key": "x", "kind": "choice"}],
        [{"key": "x", "kind": "script"}],
        [{"key": "x", "label": "问" * 101}],
    ],
)
def test_a_bad_form_through_the_api_is_a_400_and_writes_nothing(community_staff, fields):
    api = Client(headers={"Authorization": f"Bearer {token_for(community_staff)}"})
    body = {"name": "排查", "area": WENHUI, "due_date": "2026-12-31", "fields": fields}
    response = api.post("/api/v1/canvass/campaigns", body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_only_the_tasks_worker_fills_it_and_a_refused_fill_changes_nothing(
    community_staff, canvass_city, launched
):
    task = Task.objects.get(campaign=launched, worker=canvass_city["cw_b"])
    colleague = canvass_city["cw_a"]  # works the neighbouring grid of 文汇
    colleague.area = task.area
    colleague.save(update_fields=["area"])
    for intruder in (colleague, community_staff):
        with pytest.raises(PermissionDenied):
            services.task_submit(user=intruder, task_id=task.pk, answers={"people": 9})
    assert Task.objects.get(pk=task.pk).status == "todo"
    uuid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    services.task_submit(
        user=canvass_city["cw_b"], task_id=task.pk, answers={"people": 2}, client_uuid=uuid
    )
    # Replaying the worker's uuid as someone else shows nothing of the answers.
    with pytest.raises(Conflict):
        services.task_submit(user=community_staff, task_id=task.pk, answers={}, client_uuid=uuid)
    assert Task.objects.get(pk=task.pk).answers == {"people": 2}


@pytest.mark.django_db
def test_campaign_writes_leave_audit_rows(community_staff, canvass_city):
    campaign = services.campaign_create(
        user=community_staff, name="排查", area_code=WENHUI, due_date="2026-12-31", fields=FORM
    )
    services.campaign_launch(user=community_staff, campaign_id=campaign.pk)
    services.campaign_close(user=community_staff, campaign_id=campaign.pk)
    logged = LogEntry.objects.get_for_object(campaign).order_by("pk")
    statuses = [entry.changes_dict.get("status", [None, None])[1] for entry in logged]
    assert statuses[-2:] == ["open", "closed"]
    assert LogEntry.objects.get_for_object(campaign.fields.get()).exists()
