"""Canvass campaigns: a task per household to the grid's workers, forms checked, exactly once."""

import io
import uuid

import pytest
from django.test import Client
from openpyxl import load_workbook

from gridgov.accounts.models import User
from gridgov.areas.models import Area, GridWorker
from gridgov.canvass import services
from gridgov.canvass.models import Task
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.registry.models import Household
from tests.api.test_api import token_for
from tests.conftest import JINJIA, WENHUI

FORM = [
    {"key": "people", "label": "常住人数", "kind": "number"},
    {"key": "returned", "label": "是否有返乡人员", "kind": "choice", "choices": ["是", "否"]},
    {"key": "arrived", "label": "返乡日期", "kind": "date", "required": False},
    {"key": "note", "label": "备注", "kind": "text", "required": False},
]


@pytest.fixture
def city(db):
    """Two grids of 文汇 with 3 and 2 households, one grid of 金甲 with 1; workers on two grids."""
    grids = list(Area.objects.filter(path__contains=f"/{WENHUI}/", kind="grid").order_by("code"))[
        :2
    ]
    other = Area.objects.filter(path__contains=f"/{JINJIA}/", kind="grid").first()
    made = {}
    # Start from known staffing: the demo's own workers of these grids step aside.
    GridWorker.objects.filter(grid__in=[*grids, other]).delete()
    for grid, count in ((grids[0], 3), (grids[1], 2), (other, 1)):
        for i in range(count):
            Household.objects.create(
                area=grid, lon=100.23, lat=26.87, number=f"H{grid.code}{i}", room=f"{i + 1}01"
            )
    for name, grid in (("w_a", grids[0]), ("w_b", grids[0]), ("w_c", other)):
        made[name] = User.objects.create(username=name, role="grid_worker", area=grid)
        GridWorker.objects.create(grid=grid, user=made[name], employment="full_time")
    return {"grids": grids, "other": other, **made}


@pytest.mark.django_db
def test_launch_hands_every_household_to_its_grid_workers(community_staff, city):
    campaign = services.campaign_create(
        user=community_staff,
        name="返乡人员排查",
        area_code=WENHUI,
        due_date="2026-12-31",
        fields=FORM,
    )
    assert services.campaign_launch(user=community_staff, campaign_id=campaign.pk) == 5
    tasks = Task.objects.filter(campaign=campaign)
    first_grid = tasks.filter(area=city["grids"][0])
    # Round-robin between the two workers of the first grid; nobody for the second.
    assert sorted(first_grid.values_list("worker__username", flat=True)) == ["w_a", "w_a", "w_b"]
    assert set(tasks.filter(area=city["grids"][1]).values_list("worker", flat=True)) == {None}
    assert not tasks.filter(area=city["other"]).exists()  # 金甲 is outside the campaign
    # Launching again adds only households registered since.
    Household.objects.create(area=city["grids"][1], lon=100.23, lat=26.87, number="NEW1")
    assert services.campaign_launch(user=community_staff, campaign_id=campaign.pk) == 1
    # Workers may not launch; staff of another community do not see it.
    with pytest.raises(PermissionDenied):
        services.campaign_launch(user=city["w_a"], campaign_id=campaign.pk)


@pytest.mark.django_db
def test_forms_are_checked_and_a_queued_submission_is_stored_once(community_staff, city):
    campaign = services.campaign_create(
        user=community_staff, name="排查", area_code=WENHUI, due_date="2026-12-31", fields=FORM
    )
    services.campaign_launch(user=community_staff, campaign_id=campaign.pk)
    task = Task.objects.filter(campaign=campaign, worker=city["w_a"]).first()
    worker = city["w_a"]
    bad = [
        ({"people": "三", "returned": "是"}, "people"),
        ({"people": -5, "returned": "是"}, "people"),
        ({"people": 3, "returned": "也许"}, "returned"),
        ({"people": 3, "returned": "是", "arrived": "2026-13-40"}, "arrived"),
        ({"returned": "是"}, "people"),
        ({"people": 3, "returned": "是", "pets": 2}, "pets"),
    ]
    for answers, field in bad:
        with pytest.raises(DomainError) as caught:
            services.task_submit(user=worker, task_id=task.pk, answers=answers)
        assert caught.value.field == field
    assert Task.objects.get(pk=task.pk).status == "todo"  # nothing was stored

    queued = uuid.uuid4()
    answers = {"people": "4", "returned": "是", "arrived": "2026-11-20"}
    first, stored = services.task_submit(
        user=worker, task_id=task.pk, answers=answers, client_uuid=queued
    )
    assert stored
    assert first.answers == {"people": 4, "returned": "是", "arrived": "2026-11-20", "note": None}
    again, stored = services.task_submit(
        user=worker, task_id=task.pk, answers={"people": 9, "returned": "否"}, client_uuid=queued
    )
    assert not stored
    assert again.answers["people"] == 4  # the replay changed nothing
    other_task = Task.objects.filter(campaign=campaign).exclude(pk=task.pk).first()
    with pytest.raises(Conflict):
        services.task_submit(
            user=worker, task_id=other_task.pk, answers=answers, client_uuid=queued
        )
    # A worker of 金甲 cannot fill a 文汇 household.
    with pytest.raises(NotFound):
        services.task_submit(user=city["w_c"], task_id=task.pk, answers=answers)


@pytest.mark.django_db
def test_api_progress_and_excel(community_staff, other_community_staff, city):
    staff = Client(headers={"Authorization": f"Bearer {token_for(community_staff)}"})
    made = staff.post(
        "/api/v1/canvass/campaigns",
        {"name": "排查", "area": WENHUI, "due_date": "2026-12-31", "fields": FORM},
        content_type="application/json",
    )
    assert made.status_code == 201
    campaign_id = made.json()["id"]
    assert staff.post(f"/api/v1/canvass/campaigns/{campaign_id}/launch").json() == {"created": 5}
    worker = Client(headers={"Authorization": f"Bearer {token_for(city['w_b'])}"})
    mine = worker.get("/api/v1/canvass/tasks").json()
    assert len(mine) == 1
    body = {"answers": {"people": 2, "returned": "否"}, "client_uuid": str(uuid.uuid4())}
    sent = worker.post(
        f"/api/v1/canvass/tasks/{mine[0]['id']}", body, content_type="application/json"
    )
    assert sent.status_code == 201
    replay = worker.post(
        f"/api/v1/canvass/tasks/{mine[0]['id']}", body, content_type="application/json"
    )
    assert replay.status_code == 200
    assert replay.json()["stored"] is False
    progress = staff.get(f"/api/v1/canvass/campaigns/{campaign_id}/progress").json()
    assert [(p["grid"], p["done"], p["total"]) for p in progress] == [
        (city["grids"][0].code, 1, 3),
        (city["grids"][1].code, 0, 2),
    ]
    other = Client(headers={"Authorization": f"Bearer {token_for(other_community_staff)}"})
    assert other.get(f"/api/v1/canvass/campaigns/{campaign_id}/progress").status_code == 404

    staff.force_login(community_staff)
    sheet = load_workbook(io.BytesIO(staff.get(f"/canvass/{campaign_id}/results.xlsx").content))
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[0][-4:] == ("常住人数", "是否有返乡人员", "返乡日期", "备注")
    assert len(rows) == 6
    done = [r for r in rows[1:] if r[-3] == "否"]
    assert len(done) == 1
    assert done[0][-4] == 2
