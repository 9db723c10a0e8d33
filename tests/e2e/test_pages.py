import pytest

from gridgov.demo.city import ADMIN_PASSWORD, DEMO_PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_login_rejects_a_wrong_password_then_accepts_the_right_one(page):
    login(page, "operator", "wrong-password")
    assert page.locator(".errornote").is_visible()
    assert "/admin/login/" in page.url
    screenshot(page, "login-error-zh")
    login(page, "operator", DEMO_PASSWORD)
    assert "/admin/login/" not in page.url


def test_admin_in_chinese_and_in_english(page):
    login(page, "admin", ADMIN_PASSWORD)
    page.goto(page.base_url + "/admin/")
    assert "站点管理" in page.content()
    assert page.get_by_role("link", name="居民").first.is_visible()
    assert page.get_by_role("link", name="区域").first.is_visible()
    screenshot(page, "admin-index-zh")
    with page.expect_navigation():  # the switch posts and reloads the page
        page.select_option("#language-switch select", "en")
    page.wait_for_load_state("networkidle")
    assert "Site administration" in page.content()
    assert page.get_by_role("link", name="Residents").first.is_visible()
    screenshot(page, "admin-index-en")
    page.goto(page.base_url + "/admin/areas/area/?kind__exact=street")
    assert page.locator("#result_list tbody tr").count() == 11
    assert "西安街道" in page.content()
    screenshot(page, "admin-streets-en")


def test_staff_admin_is_scoped_and_masks_personal_data(page):
    login(page, "operator", DEMO_PASSWORD)
    page.goto(page.base_url + "/admin/")
    assert page.get_by_role("link", name="居民").first.is_visible()
    assert page.get_by_role("link", name="用户").count() == 0  # operators do not manage accounts
    response = page.goto(page.base_url + "/admin/registry/resident/add/")
    assert response.status == 403  # operators read the registry; they do not write it


def test_map_draws_the_demo_city_level_by_level_and_shows_a_card(page):
    login(page, "operator", DEMO_PASSWORD)
    page.goto(page.base_url + "/map/")
    page.wait_for_function("document.getElementById('map').dataset.features === '11'")
    assert page.locator("path.leaflet-interactive").count() >= 11
    assert "古城区" in page.locator("#crumbs").inner_text()
    screenshot(page, "map-streets-zh")
    page.click(".levels button[data-level='4']")
    page.wait_for_function("document.getElementById('map').dataset.features === '620'")
    screenshot(page, "map-grids-zh")
    page.click(".levels button[data-level='3']")
    page.wait_for_function("document.getElementById('map').dataset.features === '65'")
    page.locator("path.leaflet-interactive").nth(10).click(force=True)
    card = page.locator("#card")
    card.wait_for(state="visible")
    assert "编码" in card.inner_text()
    assert "生成边界" in card.inner_text()
    screenshot(page, "map-card-zh")
    card.locator("[data-act=drill]").click()
    page.wait_for_function(
        "Number(document.getElementById('map').dataset.features) >= 2 && document.getElementById('crumbs').innerText.split('›').length === 3"
    )
    screenshot(page, "map-community-grids-zh")


def test_map_for_a_community_worker_starts_at_their_community(page):
    login(page, "community_staff", DEMO_PASSWORD)
    page.goto(page.base_url + "/map/")
    page.wait_for_function("Number(document.getElementById('map').dataset.features) > 0")
    assert "文汇社区居委会" in page.locator("#crumbs").inner_text()
    with page.expect_navigation():
        page.select_option(".topbar .lang select", "en")
    page.wait_for_function("Number(document.getElementById('map').dataset.features) > 0")
    assert "Show level" in page.content()
    screenshot(page, "map-community-en")


def test_a_grid_worker_sees_their_own_grid(page):
    login(page, "grid_worker", DEMO_PASSWORD)
    page.goto(page.base_url + "/map/")
    page.wait_for_function("document.getElementById('map').dataset.features === '1'")
    assert page.locator(".levels button.active").inner_text() == "1"
    page.locator("path.leaflet-interactive").first.click(force=True)
    card = page.locator("#card")
    card.wait_for(state="visible")
    assert "文汇社区第1网格" in card.inner_text()
    assert "专职" in card.inner_text()
    screenshot(page, "map-grid-worker-zh")


def test_map_falls_back_to_a_plain_background_when_the_tile_server_does_not_answer(page, settings):
    settings.GRIDGOV_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # nothing listens on port 9
    login(page, "operator", DEMO_PASSWORD)
    page.goto(page.base_url + "/map/")
    page.wait_for_function("document.getElementById('map').classList.contains('plain')")
    page.wait_for_function("document.getElementById('map').dataset.features === '11'")
    assert page.locator(".leaflet-tile").count() == 0
