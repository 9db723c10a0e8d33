"""The dispatch choice beyond the 2 km list (search by name), names family name first,
grids by name, and the grid's linked units with their duty phones (issue 10, part 4)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.accounts.models import User, full_name
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.dispatch.models import WorkerPosition
from gridgov.dispatch.services import nearest_workers
from gridgov.events.dispatching import dispatch_panel, dispatch_search
from gridgov.events.services import event_act, event_report
from gridgov.registry.models import Unit
from tests.api.test_api import token_for
from tests.conftest import WENHUI_GRID


def _filed(operator, resident, point):
    event = event_report(
        user=resident,
        data={"subclass": "0102", "description": "垃圾堆放", "lon": point[0], "lat": point[1]},
        source="resident",
    )
    return event_act(user=operator, event_id=event.pk, action="accept")


def _worker(username, last, first, grid=WENHUI_GRID, **kwargs) -> User:
    return User.objects.create(
        username=username,
        last_name=last,
        first_name=first,
        role=kwargs.pop("role", "grid_worker"),
        area=Area.objects.get(code=grid),
        **kwargs,
    )


def test_names_read_family_name_first():
    assert full_name("张", "三") == "张三"
    assert full_name(" 欧阳", "娜娜 ") == "欧阳娜娜"
    assert full_name("Lee", "Ann") == "Ann Lee"
    assert full_name("", "") == ""
    assert User(last_name="王", first_name="小明").get_full_name() == "王小明"


@pytest.mark.django_db
def test_nearest_and_panel_name_the_worker_and_the_grid(operator, resident, wenhui_point):
    worker = _worker("zs", "张", "三")
    WorkerPosition.objects.create(
        user=worker, lon=wenhui_point[0], lat=wenhui_point[1], at=timezone.now()
    )
    (near,) = nearest_workers(user=operator, lon=wenhui_point[0], lat=wenhui_point[1])
    grid = Area.objects.get(code=WENHUI_GRID)
    assert (near["name"], near["grid_name"], near["grid_code"]) == ("张三", grid.name, grid.code)
    event = _filed(operator, resident, wenhui_point)
    page = Client()
    page.force_login(operator)
    html = page.get(f"/events/{event.pk}/").content.decode()
    assert "<b>张三</b>" in html
    assert f'<span class="muted" title="{grid.code}">{grid.name}</span>' in html


@pytest.mark.django_db
def test_search_finds_workers_beyond_two_km_by_name(operator, resident, wenhui_point):
    event = _filed(operator, resident, wenhui_point)
    far = _worker("far", "诸葛", "孔明")
    WorkerPosition.objects.create(
        user=far, lon=wenhui_point[0] + 0.1, lat=wenhui_point[1], at=timezone.now()
    )
    stale = _worker("stale", "诸葛", "旧")
    WorkerPosition.objects.create(
        user=stale,
        lon=wenhui_point[0],
        lat=wenhui_point[1],
        at=timezone.now() - dt.timedelta(hours=5),
    )
    nowhere = _worker("nowhere", "诸葛", "无")
    # On duty beside the event but of the next grid: found, refused, listed after the rest.
    grid = Area.objects.get(code=WENHUI_GRID)
    next_grid = Area.objects.filter(parent=grid.parent, kind="grid").exclude(pk=grid.pk).first()
    neighbour = _worker("neighbour", "诸葛", "邻", grid=next_grid.code)
    WorkerPosition.objects.create(
        user=neighbour, lon=wenhui_point[0], lat=wenhui_point[1], at=timezone.now()
    )
    _worker("gone", "诸葛", "退", is_active=False)
    _worker("clerk", "诸葛", "员", role="operator")
    _worker("other", "李", "四")
    # Not within 2 km, so not on the panel ...
    assert far.pk not in {w["id"] for w in dispatch_panel(user=operator, event=event)["workers"]}
    # ... but found by the family name, on duty first, with how far and how busy.
    found = dispatch_search(user=operator, event=event, q="诸葛")
    assert found[0]["id"] == far.pk  # the only one on duty who may take it
    assert found[-1]["id"] == neighbour.pk
    assert found[-1]["allowed"] is False
    assert next_grid.name in found[-1]["reason"]
    found = found[:-1]
    assert {w["id"] for w in found} == {far.pk, stale.pk, nowhere.pk}
    by_id = {w["id"]: w for w in found}
    assert by_id[far.pk]["on_duty"]
    assert 9000 < by_id[far.pk]["distance_m"] < 12000
    assert by_id[stale.pk]["on_duty"] is False
    assert by_id[stale.pk]["distance_m"] is None
    assert by_id[nowhere.pk]["at"] is None
    assert by_id[nowhere.pk]["open_tasks"] == 0
    assert all(w["allowed"] for w in found)
    # Given name, whole name, account.
    assert [w["id"] for w in dispatch_search(user=operator, event=event, q="诸葛孔明")] == [far.pk]
    assert [w["id"] for w in dispatch_search(user=operator, event=event, q="孔明")] == [far.pk]
    assert [w["id"] for w in dispatch_search(user=operator, event=event, q="nowh")] == [nowhere.pk]
    # Too short to mean anything: one latin letter; a clear 400 over the API.
    with pytest.raises(DomainError):
        dispatch_search(user=operator, event=event, q="z")
    api = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    url = f"/api/v1/dispatch/events/{event.pk}/workers"
    short = api.get(url, {"q": "z"})
    assert short.status_code == 400
    assert short.json()["field"] == "q"
    answer = api.get(url, {"q": "诸葛孔明"})
    assert answer.status_code == 200
    (row,) = answer.json()
    assert (row["name"], row["allowed"], row["reason"]) == ("诸葛孔明", True, None)
    assert row["grid_name"] == Area.objects.get(code=WENHUI_GRID).name
    # The ticked result is offered like any nearest worker.
    event = event_act(
        user=operator, event_id=event.pk, action="dispatch", data={"assignee_ids": [far.pk]}
    )
    assert event.assignee == far


@pytest.mark.django_db
def test_search_stays_in_the_area_and_needs_the_positions_capability(
    operator, community_staff, other_community_staff, grid_worker, resident, wenhui_point
):
    event = _filed(operator, resident, wenhui_point)
    mine = _worker("mine", "欧阳", "一")
    # Field workers of another street are outside a community's area.
    elsewhere = Area.objects.filter(kind="grid").exclude(path__startswith="/530702/").first()
    if elsewhere is not None:
        _worker("theirs", "欧阳", "二", grid=elsewhere.code)
        assert [w["id"] for w in dispatch_search(user=community_staff, event=event, q="欧阳")] == [
            mine.pk
        ]
    with pytest.raises(PermissionDenied):
        dispatch_search(user=grid_worker, event=event, q="欧阳")
    denied = Client(headers={"Authorization": f"Bearer {token_for(other_community_staff)}"})
    assert denied.get(f"/api/v1/dispatch/events/{event.pk}/workers", {"q": "欧阳"}).status_code in (
        403,
        404,
    )


@pytest.mark.django_db
def test_search_reads_in_one_query_however_many_it_finds(operator, resident, wenhui_point):
    event = _filed(operator, resident, wenhui_point)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            dispatch_search(user=operator, event=event, q="司马")
        return len(captured)

    _worker("q0", "司马", "零")
    count()  # caches warm (the event's relations to the user)
    one = count()
    for n in range(1, 8):
        worker = _worker(f"q{n}", "司马", f"{n}")
        WorkerPosition.objects.create(
            user=worker, lon=wenhui_point[0], lat=wenhui_point[1], at=timezone.now()
        )
    assert count() == one <= 2


@pytest.mark.django_db
def test_linked_units_show_their_duty_phone(operator, resident, wenhui_point):
    event = _filed(operator, resident, wenhui_point)
    grid = event.area
    unit = Unit.objects.create(
        name="文汇小学",
        kind="institution",
        area=grid,
        lon=wenhui_point[0],
        lat=wenhui_point[1],
        contact_name="王老师",
        contact_phone="13900000000",
        phone="0888-5123456",
    )
    unit.linked_grids.add(grid)
    Unit.objects.create(
        name="无电话单位", kind="enterprise", area=grid, lon=wenhui_point[0], lat=wenhui_point[1]
    ).linked_grids.add(grid)
    units = dispatch_panel(user=operator, event=event)["units"]
    assert {u["name"]: u["phone"] for u in units} == {
        "文汇小学": "0888-5123456",
        "无电话单位": None,
    }
    page = Client()
    page.force_login(operator)
    html = page.get(f"/events/{event.pk}/").content.decode()
    assert '<a href="tel:0888-5123456" class="tel">0888-5123456</a>' in html
    # The contact's own mobile is personal data: not on the panel.
    assert "13900000000" not in html
    # A duty phone is digits and separators only, like a department's.
    unit.phone = '0888"><script>'
    with pytest.raises(ValidationError):
        unit.full_clean()
