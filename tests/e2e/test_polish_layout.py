"""Issue 13 polish, in a real browser: on a phone (390×844) the dashboard's groups chart
lies across and the recurring problems are cards, nothing wider than the screen; on the
wall (1920×1080) in English a whistle's chain is whole inside its panel, and every panel
of the right column is on the wall. Screenshots in Chinese and English."""

import pytest

from gridgov.demo.events_bulk import events_generate
from tests.e2e.conftest import login, screenshot
from tests.e2e.test_hotspots import PASSWORD as HOTSPOTS_PASSWORD
from tests.e2e.test_hotspots import clusters
from tests.e2e.test_screen_command import _world

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
__all__ = ["clusters"]

# Boxes of what must lie inside another: [inner bottom, outer bottom, inner right, outer right].
INSIDE = """([inner, outer]) => {
  const a = document.querySelector(inner).getBoundingClientRect();
  const b = document.querySelector(outer).getBoundingClientRect();
  return [a.bottom, b.bottom, a.right, b.right];
}"""


def _language(page, code: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": code, "url": page.base_url}])


def test_phone_dashboard_chart_and_recurring_cards(page, clusters):
    events_generate(count=200, days=20, seed=1314)
    login(page, clusters["leader"].username, HOTSPOTS_PASSWORD)
    page.set_viewport_size(PHONE)
    for code in ("zh-hans", "en"):
        _language(page, code)
        page.goto(page.base_url + "/leaders/")
        page.wait_for_function("document.getElementById('dashboard').dataset.charts === '2'")
        chart = page.locator("#dash-chart")
        assert chart.get_attribute("data-layout") == "across"
        bars = page.evaluate(
            "JSON.parse(document.getElementById('dash-chart-data').textContent).rows"
            ".filter(r => r.value !== null || r.previous !== null).length"
        )
        assert bars >= 5
        # A row per group: the chart grows with them instead of crowding their names.
        assert chart.bounding_box()["height"] >= 34 * bars
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, f"polish-dashboard-phone-{code}")

        page.goto(page.base_url + "/leaders/hotspots/")
        page.wait_for_selector("#hotspot-map[data-loaded=true]")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        runs = page.locator("#hs-runs tbody tr")
        assert runs.count() >= 2
        assert runs.first.evaluate("r => getComputedStyle(r).display") == "block"
        # Each cell says its column, and the treat button is on the screen.
        labels = runs.first.locator("td").evaluate_all("cells => cells.map(c => c.dataset.label)")
        assert len(labels) == 6
        assert all(labels)
        button = runs.first.locator("button[type=submit]").bounding_box()
        assert button["x"] + button["width"] <= PHONE["width"]
        page.locator("#hs-recurring").scroll_into_view_if_needed()
        screenshot(page, f"polish-recurring-phone-{code}")


def test_english_wall_keeps_the_whistle_chain_whole(browser, live_server, demo_city):
    _world()
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en")
    try:
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(live_server.url + "/accounts/login/?next=/screen/")
        page.fill("input[name=username]", "wall_operator")
        page.fill("input[name=password]", "pw-wall-1")
        page.click("button.primary")
        page.wait_for_url("**/screen/")
        page.wait_for_selector("#panel-whistles:not([hidden]) .cc-chain .step")
        page.wait_for_selector("#panel-cameras:not([hidden]) .cc-camera")
        assert page.locator("html").get_attribute("lang") == "en"
        # The whistle of the world: two departments, three steps each, all shown.
        assert page.locator("#cc-whistles .cc-whistle:not([hidden]) .cc-chain").count() == 2
        bottom, panel_bottom, right, panel_right = page.evaluate(
            INSIDE, ["#cc-whistles .cc-whistle", "#panel-whistles"]
        )
        assert bottom <= panel_bottom
        assert right <= panel_right
        for step in page.locator(".cc-chain .step").all():
            assert step.evaluate("s => s.scrollWidth <= s.clientWidth")
        bottom, panel_bottom, _, _ = page.evaluate(INSIDE, [".cc-camera", "#panel-cameras"])
        assert bottom <= panel_bottom
        for panel in ("#panel-trend", "#panel-whistles", "#panel-cameras", "#panel-areas"):
            assert (
                page.locator(panel).bounding_box()["y"]
                + page.locator(panel).bounding_box()["height"]
                <= 1080
            )
        screenshot(page, "polish-wall-en")
    finally:
        context.close()
