"""The worker app offline: a worker loses the network, reports, checks in and canvasses a
household; the queue shows them; the network comes back and the server has each record
once, even when a response was lost and the app sent a report again."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import make_password
from django.db import OperationalError
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.areas.models import Area, GridWorker
from gridgov.canvass.models import Task
from gridgov.canvass.services import campaign_create, campaign_launch
from gridgov.dispatch.models import WorkerPosition
from gridgov.events.models import Event
from gridgov.registry.models import Household
from gridgov.registry.services import record_create
from gridgov.smartcodes.models import CheckIn, SmartCode
from gridgov.smartcodes.services import codes_issue
from tests.e2e.conftest import screenshot
from tests.events.factories import jpeg_bytes

pytestmark = pytest.mark.browser
GRID = "530702001002001"


@pytest.fixture
def field(demo_city):
    grid = Area.objects.get(code=GRID)
    point = shape(grid.geometry).representative_point()
    staff = User.objects.create(
        username="app_staff", role="area_staff", area=grid.parent, is_staff=True
    )
    worker = User.objects.create(
        username="app_worker",
        first_name="和",
        last_name="",
        role="grid_worker",
        area=grid,
        password=make_password("pw-app-1234"),
    )
    GridWorker.objects.filter(grid=grid).delete()
    GridWorker.objects.create(grid=grid, user=worker, employment="full_time")
    record_create(
        user=staff,
        kind_key="businesses",
        data={"name": "纳西银器店", "kind": "shop", "lon": point.x, "lat": point.y},
    )
    codes_issue(user=staff, root_code=grid.parent.code)
    Household.objects.create(area=grid, lon=point.x, lat=point.y, number="APP-H1", room="301")
    campaign = campaign_create(
        user=staff,
        name="返乡人员排查",
        area_code=grid.parent.code,
        due_date=dt.date(2026, 12, 31),
        fields=[
            {"key": "people", "label": "常住人数", "kind": "number"},
            {
                "key": "returned",
                "label": "是否有返乡人员",
                "kind": "choice",
                "choices": ["是", "否"],
            },
            {"key": "door", "label": "门牌照片", "kind": "photo", "required": False},
        ],
    )
    campaign_launch(user=staff, campaign_id=campaign.pk)
    return {"point": point, "code": SmartCode.objects.get(), "worker": worker}


def test_offline_queue_is_sent_once_when_the_network_returns(
    browser, live_server, field, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    door = tmp_path / "door.jpg"
    door.write_bytes(jpeg_bytes())
    point = field["point"]
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        geolocation={"longitude": point.x, "latitude": point.y, "accuracy": 10},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + "/accounts/login/?next=/app/")
        page.fill("input[name=username]", "app_worker")
        page.fill("input[name=password]", "pw-app-1234")
        page.click("button.primary")
        page.wait_for_url("**/app/")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.check("#on-duty")  # on duty: the dispatcher sees where the worker is
        for _ in range(50):
            try:
                if WorkerPosition.objects.filter(user=field["worker"]).exists():
                    break
            except OperationalError:
                # SQLite's shared in-memory database: the live server's thread is writing
                # the position at this moment ("table is locked"); ask again.
                pass
            page.wait_for_timeout(100)
        page.click(".app-tabs [data-tab=canvass]")  # the households come to the phone
        page.wait_for_selector("#canvass .household")

        # The first answer to the report is lost on the way back: the server stored it,
        # the phone saw a network error and will send it again.
        lost = {"n": 0}

        def lose_first_answer(route):
            if route.request.method == "POST" and lost["n"] == 0:
                lost["n"] += 1
                route.fetch()
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route("**/api/v1/events/", lose_first_answer)

        context.set_offline(True)
        page.wait_for_selector("#net.net-off")
        page.click(".app-tabs [data-tab=report]")
        page.select_option("#report-form select[name=subclass]", "0102")
        page.fill("#report-form textarea[name=description]", "文汇路口垃圾堆放，离线上报")
        page.click("#report-form button.primary")
        page.wait_for_function("document.getElementById('queue-count').textContent === '1'")

        page.click(".app-tabs [data-tab=scan]")
        page.fill("#scan-token", field["code"].token)
        page.click("#scan-form button.primary")
        page.click("#check-in")
        page.wait_for_function("document.getElementById('queue-count').textContent === '2'")

        page.click(".app-tabs [data-tab=canvass]")
        page.click("#canvass .household button")
        page.fill("#canvass-form input[name=people]", "4")
        page.select_option("#canvass-form select[name=returned]", "是")
        page.set_input_files("#canvass-form input[name=door]", str(door))
        page.click("#canvass-form button.primary")
        page.wait_for_function("document.getElementById('queue-count').textContent === '3'")

        page.click(".app-tabs [data-tab=queue]")
        assert page.locator("#queue .queue-item").count() == 3
        screenshot(page, "app-1-offline-queue")
        assert Event.objects.count() == 0
        assert CheckIn.objects.count() == 0

        # Opening the app again without network still works (the service worker's shell).
        page.reload()
        page.wait_for_selector("#net.net-off")
        page.click(".app-tabs [data-tab=queue]")
        assert page.locator("#queue .queue-item").count() == 3

        context.set_offline(False)
        page.wait_for_selector("#net.net-on")
        # Coming online sends the queue; the report's first answer is lost and the app
        # tries again by itself a few seconds later.
        page.wait_for_function("document.getElementById('queue-count').textContent === '0'")
        page.click("#send-now")  # nothing left: sending again changes nothing
        screenshot(page, "app-2-sent")
    finally:
        context.close()

    assert lost["n"] == 1
    position = WorkerPosition.objects.get(user=field["worker"])
    assert position.on_duty
    assert abs(position.lon - point.x) < 1e-6
    event = Event.objects.get()  # sent twice, stored once
    assert event.description == "文汇路口垃圾堆放，离线上报"
    assert event.area.code == GRID
    check_in = CheckIn.objects.get()
    assert check_in.user == field["worker"]
    assert check_in.distance_m is not None
    assert check_in.distance_m < 50
    task = Task.objects.get()
    assert task.status == "done"
    assert task.answers["people"] == 4
    assert task.answers["returned"] == "是"
    assert task.answers["door"].startswith("photo:")  # the photo went up before the answers
