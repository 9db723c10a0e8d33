"""The big screen: it updates by itself within 5 s when an event arrives; clicking an event
shows the nearest on-duty workers and dispatches to them."""

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.dispatch.models import WorkerPosition
from gridgov.events.models import Assignment
from gridgov.events.services import event_act, event_report
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


def _report(point, text, reporter=None):
    return event_report(
        user=reporter,
        data={"subclass": "0102", "description": text, "lon": point.x, "lat": point.y},
        source="hotline" if reporter else "resident",
    )


def test_screen_updates_itself_and_dispatches(browser, live_server, demo_city):
    operator = User.objects.create(
        username="screen_operator",
        role="operator",
        area=Area.objects.get(code="530702"),
        is_staff=True,
        password=make_password("pw-screen-1"),
    )
    grid = Area.objects.get(code="530702001002001")
    point = shape(grid.geometry).representative_point()
    worker = User.objects.create(
        username="screen_worker", first_name="木丽", role="grid_worker", area=grid
    )
    WorkerPosition.objects.create(user=worker, lon=point.x + 0.002, lat=point.y, at=timezone.now())
    first = _report(point, "文汇路垃圾堆放")
    event_act(user=operator, event_id=first.pk, action="accept")

    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + "/accounts/login/?next=/screen/")
        page.fill("input[name=username]", "screen_operator")
        page.fill("input[name=password]", "pw-screen-1")
        page.click("button.primary")
        page.wait_for_url("**/screen/")
        page.wait_for_function("document.getElementById('kpi-open').textContent === '1'")
        # The workers' figure comes from its own poll (/command/workers): waited for, not
        # read in the same instant as the events' (a race under a loaded CI machine).
        page.wait_for_function("document.getElementById('kpi-workers').textContent === '1'")

        # A new report arrives while nobody touches the page.
        _report(point, "文汇路又有垃圾堆放", reporter=None)
        page.wait_for_function(
            "document.getElementById('kpi-open').textContent === '2'", timeout=5_000
        )
        page.wait_for_selector(".leaflet-marker-icon")
        screenshot(page, "screen-1-updated")

        # The filed event's card (a link to it, as from the queue): nearest workers, dispatch.
        page.goto(live_server.url + f"/screen/#event={first.pk}")
        card = page.locator("#event-card")
        page.wait_for_selector("#event-card .worker-row")
        assert "木丽" in card.inner_text()
        card.locator(f"input[value='{worker.pk}']").check()
        screenshot(page, "screen-2-event-card")
        card.locator("#screen-dispatch").click()
        page.wait_for_function("document.getElementById('dispatch-result').textContent.length > 0")
    finally:
        context.close()
    offer = Assignment.objects.get()
    assert offer.worker == worker
    assert offer.event_id == first.pk
    assert offer.status == "offered"
