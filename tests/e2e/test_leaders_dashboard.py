"""The leader signs in, lands on the dashboard, and drills from the district to a street, a
community, a grid, and the events behind its numbers, down to one event. Screenshots in
Chinese and English (desktop 1440×900) and on a phone (390×844)."""

import re

import pytest
from django.contrib.auth.hashers import make_password

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.demo.events_bulk import events_generate
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser
PASSWORD = "pw-leader-13"


@pytest.fixture
def leader(demo_city):
    events_generate(count=600, days=40, seed=1313)
    return User.objects.create(
        username="dash_leader",
        role="leader",
        area=Area.objects.get(code="530702"),
        is_staff=True,
        password=make_password(PASSWORD),
    )


def _signed_in(browser, live_server, viewport, language="zh-hans"):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "dash_leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    return context, page


def _charts_drawn(page) -> None:
    page.wait_for_function("document.getElementById('dashboard').dataset.charts === '2'")
    assert page.locator("#dash-chart canvas").count() == 1
    assert page.locator("#dash-trend canvas").count() == 1


def test_leader_drills_from_the_district_to_an_event(browser, live_server, leader):
    context, page = _signed_in(browser, live_server, {"width": 1440, "height": 900})
    try:
        page.wait_for_url("**/leaders/")
        _charts_drawn(page)
        streets = page.locator("#dash-table tbody tr[data-key]")
        assert streets.count() >= 5  # 古城区's streets with events this month
        ranks = [int(r) for r in streets.evaluate_all("rs => rs.map(r => r.dataset.rank)") if r]
        assert ranks == sorted(ranks)  # ranked by the chosen figure, best first
        screenshot(page, "dashboard_district_zh")

        # District → street → community → grid: each step a level deeper, breadcrumbs grow.
        for expected_kind_depth in (1, 2, 3):
            link = page.locator("#dash-table a.dash-down").first
            code = link.evaluate("a => new URL(a.href).searchParams.get('area')")
            link.click()
            page.wait_for_url(re.compile(rf".*area={code}.*"))
            _charts_drawn(page)
            assert page.locator("#dashboard").get_attribute("data-area") == code
            assert page.locator("#dash-crumbs a[data-area]").count() == 1 + expected_kind_depth
            if expected_kind_depth == 1:
                screenshot(page, "dashboard_street_zh")
        # A grid: its figures by subclass, and the events behind them in the queue.
        assert page.locator("#dashboard").get_attribute("data-grouping") == "subclass"
        screenshot(page, "dashboard_grid_zh")
        reported = int(page.locator("#dash-table tfoot th[data-rate=reported]").inner_text())
        page.locator("#dash-events-all").click()
        page.wait_for_url(re.compile(r".*/events/\?since=.*"))
        rows = page.locator("main table tbody tr td:first-child a[href^='/events/']")
        assert rows.count() == reported  # a grid's month: fewer than a queue page
        screenshot(page, "dashboard_queue_zh")
        rows.first.click()
        page.wait_for_url(re.compile(r".*/events/\d+/"))
        screenshot(page, "dashboard_event_zh")
    finally:
        context.close()


def test_dashboard_in_english_and_on_a_phone(browser, live_server, leader):
    context, page = _signed_in(browser, live_server, {"width": 1440, "height": 900}, "en")
    try:
        page.wait_for_url("**/leaders/")
        page.goto(
            live_server.url + "/leaders/?group=department&period=quarter&rate=satisfaction_rate"
        )
        _charts_drawn(page)
        assert page.locator("#dash-table tbody tr[data-key]").count() >= 2
        screenshot(page, "dashboard_departments_en")
        page.goto(live_server.url + "/leaders/?group=week&period=quarter")
        _charts_drawn(page)
        screenshot(page, "dashboard_weeks_en")
    finally:
        context.close()
    context, page = _signed_in(browser, live_server, {"width": 390, "height": 844})
    try:
        page.wait_for_url("**/leaders/")
        _charts_drawn(page)
        screenshot(page, "dashboard_phone_zh")
    finally:
        context.close()
