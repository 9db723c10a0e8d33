"""People's KPIs in a browser: the leader ranks the grid workers, the departments and the
dispatchers of the district (desktop 1440×900, Chinese and English); a grid worker reads
their own figures on a phone (390×844). Screenshots in test-artifacts/kpis_*.png."""

import pytest

from gridgov.accounts.roles import Role
from gridgov.demo.events_bulk import events_generate
from tests.analytics.kpis_story import build_story
from tests.conftest import _persona
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser
PASSWORD = "pw-kpis-13"
PERIOD = "since=2026-10-01&until=2026-11-27"


@pytest.fixture
def people(demo_city):
    events_generate(count=600, days=40, seed=1336)
    story = build_story()
    leader = _persona("kpi_leader", Role.LEADER, "530702")
    for user in (leader, story.people["w1"]):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return {"leader": leader, "w1": story.people["w1"], "story": story}


def _signed_in(browser, live_server, username, viewport, language="zh-hans"):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    return context, page


def _ranks(page) -> list[int]:
    found = page.locator("#kpis-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.rank)"
    )
    return [int(rank) for rank in found if rank]


def test_leader_ranks_workers_departments_and_dispatchers(browser, live_server, people):
    story = people["story"]
    context, page = _signed_in(browser, live_server, "t_kpi_leader", {"width": 1440, "height": 900})
    try:
        page.goto(f"{live_server.url}/leaders/kpis/?{PERIOD}")
        page.wait_for_selector("#kpis-chart[data-drawn='true'] canvas")
        assert page.locator("#kpis").get_attribute("data-family") == "workers"
        ranks = _ranks(page)
        assert len(ranks) >= 20  # the district's workers who reported in the period
        assert ranks == sorted(ranks)
        screenshot(page, "kpis_workers_zh")

        page.click("#kpis-tab-departments")
        page.wait_for_selector("#kpis-table tr[data-department]")
        page.click("#kpis-sort-buck_passing_rate")
        page.wait_for_selector("#kpis[data-sort='buck_passing_rate']")
        bureau = page.locator(f"#kpis-table tr[data-department='{story.bureau.pk}']")
        cell = bureau.locator("td[data-kpi='buck_passing_rate']")
        assert cell.get_attribute("data-numerator") == "1"
        assert cell.get_attribute("data-denominator") == "3"
        assert _ranks(page) == sorted(_ranks(page))
        screenshot(page, "kpis_departments_zh")

        page.click("#kpis-tab-dispatchers")
        page.wait_for_selector("#kpis-chart[data-drawn='true'] canvas")
        op1 = page.locator(f"#kpis-table tr[data-person='{story.people['op1'].pk}']")
        assert (
            op1.locator("td[data-kpi='timely_dispatch_rate']").get_attribute("data-value")
            == "0.6667"
        )
    finally:
        context.close()

    context, page = _signed_in(
        browser, live_server, "t_kpi_leader", {"width": 1440, "height": 900}, language="en"
    )
    try:
        page.goto(f"{live_server.url}/leaders/kpis/?family=departments&{PERIOD}")
        page.wait_for_selector("#kpis-chart[data-drawn='true'] canvas")
        page.click("#kpis-rules summary")
        screenshot(page, "kpis_departments_en")
    finally:
        context.close()


def test_a_worker_reads_their_own_figures_on_a_phone(browser, live_server, people):
    context, page = _signed_in(browser, live_server, "t_kpi_w1", {"width": 390, "height": 844})
    try:
        page.goto(f"{live_server.url}/leaders/kpis/?{PERIOD}")
        own = page.locator("#kpis-own")
        assert own.get_attribute("data-person") == str(people["w1"].pk)
        valid = own.locator(".kpis-card[data-kpi='valid_report_rate']")
        assert valid.get_attribute("data-numerator") == "1"  # E1 of E1, E2, E4 decided
        assert valid.get_attribute("data-denominator") == "3"
        assert page.locator("#kpis-tab-departments").count() == 0
        assert page.locator("#kpis-chart, #kpis-table, #kpis-area").count() == 0  # nothing to rank
        screenshot(page, "kpis_worker_phone_zh")
    finally:
        context.close()
