"""The hotspots page in a real browser: a leader opens /leaders/hotspots/, sees the hexagon
layer of generated clusters on the map and the busiest cells beside it, switches to coarser
cells, and marks a recurring problem treated at the root (desk in Chinese and English, and
a phone)."""

import pytest

from gridgov.accounts.roles import Role
from gridgov.areas import hexes
from gridgov.areas.models import Area
from gridgov.events.models import Subclass
from tests.analytics.hotspot_factories import cell_near, make_events
from tests.conftest import JINJIA, WENHUI_GRID, _persona
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "pw-hotspots-1"
PAGE = "/leaders/hotspots/"


@pytest.fixture
def clusters(demo_city):
    """文汇: a cell with 7 reports of one kind every 4 days (a recurring problem), a cell with
    4 of two kinds, one with 3; 金甲: a cell with 5. Scattered single reports around them."""
    grid = Area.objects.get(code=WENHUI_GRID)
    point = (grid.min_lon + grid.max_lon) / 2, (grid.min_lat + grid.max_lat) / 2
    jinjia = Area.objects.filter(path__startswith=Area.objects.get(code=JINJIA).path)
    jinjia_grid = jinjia.filter(kind="grid").order_by("code").first()
    other = (
        (jinjia_grid.min_lon + jinjia_grid.max_lon) / 2,
        (jinjia_grid.min_lat + jinjia_grid.max_lat) / 2,
    )
    kinds = list(Subclass.objects.filter(event_class__family="event").order_by("code")[:3])
    hot = cell_near(*point)
    make_events(cell=hot, area=grid, subclass=kinds[0], ages_days=[1, 5, 9, 13, 17, 21, 25])
    second = cell_near(*point, step=2)
    make_events(cell=second, area=grid, subclass=kinds[1], ages_days=[2, 6])
    make_events(cell=second, area=grid, subclass=kinds[2], ages_days=[3, 12])
    make_events(cell=cell_near(*point, step=4), area=grid, subclass=kinds[2], ages_days=[4, 8, 29])
    make_events(
        cell=cell_near(*other), area=jinjia_grid, subclass=kinds[1], ages_days=[1, 3, 5, 7, 20]
    )
    for step in range(1, 4):
        make_events(
            cell=cell_near(*point, step=step + 4), area=grid, subclass=kinds[0], ages_days=[step]
        )
    leader = _persona("hs_leader", Role.LEADER, "530702")
    leader.set_password(PASSWORD)
    leader.save(update_fields=["password"])
    return {"hot": hexes.cell_hex(hot), "kind": kinds[0].code, "leader": leader}


def _open(page, size=(1440, 900)):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(page.base_url + PAGE)
    page.wait_for_selector("#hotspot-map[data-loaded=true]")
    page.wait_for_timeout(700)  # the map's zoom animation, before a screenshot


def test_a_leader_reads_hotspots_and_treats_a_recurring_problem(page, clusters):
    login(page, clusters["leader"].username, PASSWORD)
    _open(page)
    # The district: 文汇's three cells and 金甲's one reach 3 events in the last 30 days.
    assert page.locator("#hotspot-map").get_attribute("data-cells") == "4"
    assert page.locator("#hotspot-map path[data-cell]").count() == 4
    counts = page.locator("#hs-cells tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.count)"
    )
    assert counts == ["7", "5", "4", "3"]
    first = page.locator("#hs-cells tbody tr").first
    assert first.get_attribute("data-cell") == clusters["hot"]
    first.click()
    page.wait_for_timeout(700)
    screenshot(page, "hotspots-desk-zh")

    # Coarser cells: every 文汇 cell shares one resolution-7 parent with at least one other.
    page.select_option("#hs-resolution", "7")
    page.wait_for_selector("#hotspot-map[data-loaded=true]")
    coarse = page.locator("#hs-cells tbody tr").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.count))"
    )
    assert sum(coarse) >= 19  # each parent holds at least its hotspot children
    assert page.locator("#hotspot-map").get_attribute("data-cells") == str(len(coarse))

    # The recurring problem of the hot cell: 7 reports 4 days apart; mark it treated.
    row = page.locator(f'tr[data-place="h3:{clusters["hot"]}"][data-subclass="{clusters["kind"]}"]')
    assert row.get_attribute("data-count") == "7"
    assert row.get_attribute("data-status") == "open"
    assert row.locator("a[data-event]").count() == 7
    row.locator("input[name=note]").fill("加装隔离护栏，设立临时疏导点")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("[data-flash=success]")
    row = page.locator(f'tr[data-place="h3:{clusters["hot"]}"][data-subclass="{clusters["kind"]}"]')
    assert row.get_attribute("data-status") == "treated"
    assert row.locator("form").count() == 0
    page.locator("#hs-recurring").scroll_into_view_if_needed()
    screenshot(page, "hotspots-recurring-zh")


def test_the_page_in_english_and_on_a_phone(page, clusters):
    login(page, clusters["leader"].username, PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base_url}])
    _open(page)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#hs-cells tbody tr").count() == 4
    screenshot(page, "hotspots-desk-en")
    _open(page, (390, 844))
    assert page.locator("#hotspot-map path[data-cell]").count() == 4
    screenshot(page, "hotspots-phone-en")
