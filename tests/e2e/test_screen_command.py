"""The command center's wall at 1920×1080 (decision 0039): an urgent event arrives and the
alarm strip shows it within 5 s (and rings); figures carry their formula; workers are one
figure per grid at district zoom and dots zoomed in, a dot's click draws the day's track;
whistles and camera alerts have their panels. Screenshots in Chinese and English."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.areas.models import Area, Department
from gridgov.dispatch.models import PositionSample, WorkerPosition
from gridgov.events.models import Source, Subclass, Summons, Whistle
from gridgov.events.services import event_report
from gridgov.registry.models import Camera
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser
GRID = "530702001002001"


def _report(point, subclass="0102"):
    return event_report(
        user=None,
        data={"subclass": subclass, "description": "指挥中心", "lon": point.x, "lat": point.y},
        source="resident",
    )


def _world():
    operator = User.objects.create(
        username="wall_operator",
        role="operator",
        area=Area.objects.get(code="530702"),
        is_staff=True,
        password=make_password("pw-wall-1"),
    )
    grid = Area.objects.get(code=GRID)
    point = shape(grid.geometry).representative_point()
    worker = User.objects.create(
        username="wall_worker", first_name="木丽", role="grid_worker", area=grid
    )
    now = timezone.now()
    WorkerPosition.objects.create(user=worker, lon=point.x, lat=point.y, at=now)
    PositionSample.objects.bulk_create(
        PositionSample(
            user=worker,
            lon=point.x + 0.0004 * i,
            lat=point.y + 0.0002 * i,
            at=now - dt.timedelta(minutes=5 * (6 - i)),
        )
        for i in range(6)
    )
    events = [_report(point) for _ in range(3)]
    camera = Camera.objects.create(
        code="WALL-CAM-1",
        name="文汇路口",
        kind="xueliang",
        stream_url="https://video.example/live/wall1.m3u8",
        area=grid,
        lon=point.x,
        lat=point.y,
    )
    event_report(
        user=None,
        data={
            "subclass": "0102",
            "description": "摄像头告警",
            "lon": point.x,
            "lat": point.y,
            "extra": {"camera_id": camera.code},
        },
        source=Source.CAMERA,
    )
    whistle = Whistle.objects.create(
        event=events[0], level="street", by=operator, reason="占道经营"
    )
    for department in Department.objects.order_by("pk")[:2]:
        Summons.objects.create(
            whistle=whistle, department=department, check_in_due_at=now + dt.timedelta(hours=2)
        )
    return operator, worker, point


def _set_language(page, code: str) -> None:
    page.evaluate(
        """code => fetch('/i18n/setlang/', {method: 'POST', headers: {'Content-Type':
        'application/x-www-form-urlencoded', 'X-CSRFToken': (document.cookie.match(
        /csrftoken=([^;]+)/) || [])[1]}, body: 'language=' + code + '&next=/screen/'})""",
        code,
    )


def test_an_urgent_event_rings_the_alarm_within_five_seconds(browser, live_server, demo_city):
    operator, worker, point = _world()
    urgent = Subclass.objects.filter(urgent=True, active=True).values_list("code", flat=True)[0]
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(live_server.url + "/accounts/login/?next=/screen/")
        page.fill("input[name=username]", "wall_operator")
        page.fill("input[name=password]", "pw-wall-1")
        page.click("button.primary")
        page.wait_for_url("**/screen/")
        strip = page.locator("#cc-alarms")
        page.wait_for_function("document.getElementById('kpi-open').textContent === '4'")
        page.wait_for_function("document.getElementById('kpi-urgent').textContent === '0'")
        assert strip.get_attribute("data-state") == "none"
        # Figures and rankings: the street of 文汇 is ranked, every figure says its formula.
        page.wait_for_selector("#rank-areas tr[data-key='530702001']")
        assert page.locator("[data-period='today'] [data-figure='reported']").inner_text() == "4"
        closure_tip = page.locator("[data-period='today'] .cc-fig").nth(1).get_attribute("data-tip")
        assert "4" in closure_tip  # 4 reported…
        assert "0" in closure_tip  # …none due to close yet
        assert page.locator("#fig-open").get_attribute("data-tip")
        # Whistles in progress with their chain; the camera alert with its stream.
        page.wait_for_selector("#panel-whistles:not([hidden]) .cc-chain .step")
        assert page.locator("#cc-whistles .cc-chain").count() == 2
        page.wait_for_selector("#panel-cameras:not([hidden]) .cc-camera")
        assert (
            page.locator(".cc-stream").get_attribute("href")
            == "https://video.example/live/wall1.m3u8"
        )
        beeps = int(strip.get_attribute("data-beeps"))

        # An urgent event arrives while nobody touches the page.
        arrived = _report(point, subclass=urgent)
        page.wait_for_function(
            "document.getElementById('cc-alarms').dataset.state === 'urgent'", timeout=5_000
        )
        assert page.locator(f".cc-alarm.urgent[data-id='{arrived.pk}']").count() == 1
        assert page.locator("#kpi-urgent").inner_text() == "1"
        assert int(strip.get_attribute("data-beeps")) > beeps  # it rang
        screenshot(page, "screen-wall-1-alarm-zh")

        # Workers: one figure for the grid at district zoom; zoomed in, a dot; its track.
        badge = page.locator(".cc-grid-workers").first
        assert badge.inner_text() == "1"
        # The grid's figure lies under the events' markers (the events come first on the
        # wall): a click on it reaches it where no event covers it; here, sent to it.
        badge.dispatch_event("click")
        page.wait_for_selector("path.cc-worker-dot")
        page.locator("path.cc-worker-dot").first.dispatch_event("click")
        page.wait_for_selector("#track-info")
        # Today's track: the six positions of the last half hour, less those before the
        # server's midnight when the test runs just after it.
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        today = PositionSample.objects.filter(user=worker, at__gte=midnight).count()
        assert page.locator("#track-info").get_attribute("data-points") == str(today)
        assert page.locator("path.cc-track").count() == 1
        screenshot(page, "screen-wall-2-track-zh")

        # The sound can be muted, and stays muted.
        page.click("#cc-sound")
        assert page.locator("#cc-sound").get_attribute("aria-pressed") == "false"

        _set_language(page, "en")
        page.goto(live_server.url + "/screen/")
        page.wait_for_function("document.getElementById('cc-alarms').dataset.state === 'urgent'")
        page.wait_for_selector("#rank-areas tr[data-key='530702001']")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("#cc-sound").get_attribute("aria-pressed") == "false"
        screenshot(page, "screen-wall-3-en")
    finally:
        context.close()
