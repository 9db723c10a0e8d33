"""The worker app closes the loop on a phone (decision 0023): a task dispatched while the app
is open appears without a reload (badge and beep); the worker accepts and handles it offline
with two photos; back online, the event is handled once even though an answer was lost; a
second worker of the grid verifies it; and a worker solves a problem on the spot from a
scanned smart code. Run in Chinese and in English; screenshots go to /tmp/shots_B/."""

from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.areas.models import Area, GridWorker
from gridgov.events.models import ActionReceipt, Event, TimelineEntry
from gridgov.events.services import event_act, event_report
from gridgov.registry.services import record_create
from gridgov.smartcodes.models import SmartCode
from gridgov.smartcodes.services import codes_issue
from tests.events.factories import jpeg_bytes

pytestmark = pytest.mark.browser
GRID = "530702001002001"
SHOTS = Path("/tmp/shots_B")
PASSWORD = "pw-loop-1234"


@pytest.fixture
def loop(demo_city):
    grid = Area.objects.get(code=GRID)
    point = shape(grid.geometry).representative_point()
    staff = User.objects.create(
        username="loop_staff", role="area_staff", area=grid.parent, is_staff=True
    )
    operator = User.objects.create(
        username="loop_operator", role="operator", area=grid.parent.parent.parent, is_staff=True
    )
    workers = [
        User.objects.create(
            username=name,
            first_name=first,
            role="grid_worker",
            area=grid,
            password=make_password(PASSWORD),
        )
        for name, first in (("loop_worker", "和"), ("loop_colleague", "木"))
    ]
    GridWorker.objects.filter(grid=grid).delete()
    for worker in workers:
        GridWorker.objects.create(grid=grid, user=worker, employment="full_time")
    resident = User.objects.create(username="loop_resident", role="resident")
    record_create(
        user=staff,
        kind_key="businesses",
        data={"name": "纳西银器店", "kind": "shop", "lon": point.x, "lat": point.y},
    )
    codes_issue(user=staff, root_code=grid.parent.code)
    event = event_report(
        user=resident,
        data={
            "subclass": "0102",
            "description": "文汇路口垃圾堆放两天了，没人清运",
            "lon": point.x,
            "lat": point.y,
            "address": "文汇路12号",
        },
        source="resident",
    )
    event_act(user=operator, event_id=event.pk, action="accept")
    return {
        "point": point,
        "operator": operator,
        "worker": workers[0],
        "colleague": workers[1],
        "event": event,
        "code": SmartCode.objects.get(),
    }


def _phone(browser, live_server, point, locale):
    context = browser.new_context(
        locale=locale,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": point.x, "latitude": point.y, "accuracy": 10},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    return context, page


def _sign_in(page, username):
    # No ?next=: a grid worker lands on the app by themselves.
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/app/")
    page.wait_for_selector("#net.net-on")


def _shot(page, lang, name):
    SHOTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)  # the map's tiles and fonts settle
    page.screenshot(path=str(SHOTS / f"{lang}-{name}.png"), full_page=False)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"], ids=["zh", "en"])
def test_a_task_is_received_handled_offline_verified_and_solved_on_the_spot(
    browser, live_server, loop, tmp_path, settings, locale
):
    lang = locale[:2]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GRIDGOV_APP_PULSE_MS = 5000
    photos = []
    for name in ("before.jpg", "after.jpg", "check.jpg"):
        path = tmp_path / name
        path.write_bytes(jpeg_bytes())
        photos.append(str(path))
    event = loop["event"]

    context, page = _phone(browser, live_server, loop["point"], locale)
    try:
        _sign_in(page, "loop_worker")
        page.wait_for_selector("#tasks li.muted")  # nothing yet
        page.click("#tasks")  # a touch: the phone may now beep

        # The operator dispatches while the app is open: it shows without a reload.
        event_act(
            user=loop["operator"],
            event_id=event.pk,
            action="dispatch",
            data={"assignee_ids": [loop["worker"].pk]},
        )
        card = f"#tasks .task[data-event='{event.pk}']"
        page.wait_for_selector(card, timeout=30_000)
        page.wait_for_selector("#tasks-badge:not([hidden])")
        assert page.text_content("#tasks-badge") == "1"
        assert int(page.evaluate("document.body.dataset.beeps || 0")) >= 1
        assert "deadline-green" in page.get_attribute(card, "class")
        _shot(page, lang, "1-new-task")

        page.click(card)
        page.wait_for_selector("#detail .words")
        assert "垃圾堆放两天" in page.text_content("#detail .words")
        page.wait_for_selector("#detail-map .leaflet-interactive")
        _shot(page, lang, "2-task-detail")

        # The first answer to the handling is lost: the server applied it, the phone tries again.
        lost = {"n": 0}

        def lose_first_answer(route):
            if lost["n"] == 0:
                lost["n"] += 1
                route.fetch()
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route("**/api/v1/worker/events/*/actions/feedback", lose_first_answer)

        # Offline: accept and handle, with a photo before and one after.
        context.set_offline(True)
        page.wait_for_selector("#net.net-off")
        page.click("#do-accept")
        page.wait_for_function("document.getElementById('queue-count').textContent === '1'")
        page.click("#do-handle")
        page.set_input_files("#handle-form input[name=before]", photos[0])
        page.set_input_files("#handle-form input[name=after]", photos[1])
        page.fill("#handle-form textarea[name=note]", "已清运，路面冲洗干净")
        page.click("#handle-form button.primary")
        page.wait_for_function("document.getElementById('queue-count').textContent === '2'")
        page.wait_for_selector("#detail .chip-queued")
        _shot(page, lang, "3-handled-offline")
        assert Event.objects.get(pk=event.pk).state == "dispatched"

        context.set_offline(False)
        page.wait_for_selector("#net.net-on")
        page.wait_for_function(
            "document.getElementById('queue-count').textContent === '0'", timeout=30_000
        )
        page.click(".app-tabs [data-tab=queue]")
        page.wait_for_selector("#history .sent-item[data-result=done] >> nth=1")
        _shot(page, lang, "4-outbox-history")
    finally:
        context.close()

    assert lost["n"] == 1
    handled = Event.objects.get(pk=event.pk)
    assert handled.state == "handled"
    assert TimelineEntry.objects.filter(event=event, action="accept_task").count() == 1
    assert TimelineEntry.objects.filter(event=event, action="feedback").count() == 1
    assert handled.photos.count() == 2
    assert ActionReceipt.objects.filter(event=event).count() == 2

    # A second worker of the grid verifies it, then solves a problem on the spot from a scan.
    context, page = _phone(browser, live_server, loop["point"], locale)
    try:
        _sign_in(page, "loop_colleague")
        item = f"#verify .task[data-event='{event.pk}']"
        page.wait_for_selector(item)
        _shot(page, lang, "5-to-verify")
        page.click(item)
        page.wait_for_selector("#detail .photos img >> nth=1")
        page.click("#do-verify")
        page.set_input_files("#verify-form input[name=photo]", photos[2])
        _shot(page, lang, "6-verify-form")
        page.click("#verify-pass")
        page.wait_for_function(
            "document.querySelector('#detail .detail-head').dataset.state === 'verified'"
        )
        _shot(page, lang, "7-verified")

        page.click(".app-tabs [data-tab=scan]")
        page.fill("#scan-token", loop["code"].token)
        page.click("#scan-form button.primary")
        page.click("#solve-here")
        page.select_option("#report-form select[name=subclass]", "0102")
        page.fill("#report-form textarea[name=description]", "店门口纸箱堆放")
        page.set_input_files("#report-form input[name=photo]", photos[0])
        page.set_input_files("#report-form input[name=after]", photos[1])
        page.fill("#report-form textarea[name=note]", "已叫店主搬走")
        _shot(page, lang, "8-solve-on-the-spot")
        page.click("#report-form button.primary")
        page.wait_for_function("document.getElementById('queue-count').textContent === '0'")
        page.click(".app-tabs [data-tab=queue]")
        page.wait_for_selector("#history .sent-item[data-kind=solve][data-result=done]")
        _shot(page, lang, "9-solved-history")
    finally:
        context.close()

    verified = Event.objects.get(pk=event.pk)
    assert verified.state == "verified"
    assert verified.photos.count() == 3  # before, after, and the verifier's
    solved = Event.objects.exclude(pk=event.pk).get()
    assert solved.state == "handled"
    assert solved.source == "worker"
    assert solved.assignee == loop["colleague"]
    assert solved.photos.count() == 2
    assert TimelineEntry.objects.filter(event=solved, action="solve_on_spot").count() == 1


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"], ids=["zh", "en"])
def test_someone_else_acting_first_is_shown_as_not_applied(
    browser, live_server, loop, tmp_path, settings, locale
):
    lang = locale[:2]
    settings.MEDIA_ROOT = tmp_path / "media"
    event, worker = loop["event"], loop["worker"]
    event_act(
        user=loop["operator"],
        event_id=event.pk,
        action="dispatch",
        data={"assignee_ids": [worker.pk]},
    )
    event_act(user=worker, event_id=event.pk, action="accept_task")
    event_act(
        user=worker, event_id=event.pk, action="feedback", photo_files=[("a.jpg", jpeg_bytes())]
    )
    head = User.objects.create(
        username="loop_head", role="grid_head", area=loop["worker"].area, is_staff=True
    )

    context, page = _phone(browser, live_server, loop["point"], locale)
    try:
        _sign_in(page, "loop_colleague")
        page.click(f"#verify .task[data-event='{event.pk}']")
        page.wait_for_selector("#do-verify")
        context.set_offline(True)
        page.wait_for_selector("#net.net-off")
        page.click("#do-verify")
        page.click("#verify-pass")
        page.wait_for_function("document.getElementById('queue-count').textContent === '1'")
        # Meanwhile the grid head verifies it at the desk.
        event_act(user=head, event_id=event.pk, action="verify_pass")
        context.set_offline(False)
        page.wait_for_function(
            "document.getElementById('queue-count').textContent === '0'", timeout=30_000
        )
        page.click(".app-tabs [data-tab=queue]")
        conflict = page.wait_for_selector("#history .sent-item[data-result=conflict]")
        assert conflict.query_selector(".result-conflict")
        _shot(page, lang, "10-not-applied")
    finally:
        context.close()

    assert TimelineEntry.objects.filter(event=event, action="verify_pass").count() == 1
    assert not ActionReceipt.objects.filter(user=loop["colleague"]).exists()
