"""The registry in a real browser (issue 12): a community staffer finds a household by its
address, sees its people, and records that one of them moved out; moves in a neighbour and
corrects a record; reads a special group a page at a time — on a desk and on a 390×844
phone, in Chinese and in English."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gridgov.accounts.models import PiiAccess, User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area
from gridgov.care.models import CareTag, ResidentTag
from gridgov.registry.models import Building, Compound, Household, HouseholdChange, Resident
from tests.e2e.conftest import login, screenshot
from tests.registry.factories import id_number

pytestmark = pytest.mark.browser
WENHUI = "530702001002"
ADDRESS = "丽江市古城区西安街道文汇社区玉泉小区3栋201室"
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 860}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def _person(household: Household, name: str, relation: str, born: dt.date, gender: str):
    return Resident.objects.create(
        household=household,
        name=name,
        id_number=id_number(),
        phone="13908887788" if relation == "户主" else "",
        birth_date=born,
        gender=gender,
        residence="registered",
        relation=relation,
        area=household.area,
        lon=household.lon,
        lat=household.lat,
        address=household.address,
    )


@pytest.fixture
def home(demo_city):
    grid = Area.objects.get(code=WENHUI + "001")
    place = {"area": grid, "lon": 100.2351, "lat": 26.8722}
    compound = Compound.objects.create(
        name="玉泉小区", property_status="managed", address=ADDRESS[:-6], **place
    )
    building = Building.objects.create(compound=compound, name="3栋", floors=6, **place)
    households = []
    for room in ("201", "202", "301"):
        spot = {**place, "lon": place["lon"] + int(room) * 1e-6}
        households.append(
            Household.objects.create(
                number=f"5307020010020010009{room}",
                building=building,
                room=room,
                address=ADDRESS.replace("201", room),
                **spot,
            )
        )
    household = households[0]
    head = _person(household, "木光明", "户主", dt.date(1952, 4, 3), "M")
    _person(household, "和秀英", "配偶", dt.date(1955, 9, 20), "F")
    _person(household, "木晓东", "子", dt.date(1984, 1, 12), "M")
    household.head = head
    household.save(update_fields=["head"])
    for other, name in zip(households[1:], ("杨建华", "李桂芳"), strict=True):
        other.head = _person(other, name, "户主", dt.date(1970, 5, 5), "F")
        other.save(update_fields=["head"])
    User.objects.create(
        username="e2e_staff",
        password=make_password("pw-e2e-1234"),
        role=Role.AREA_STAFF,
        area=Area.objects.get(code=WENHUI),
        is_staff=True,
        first_name="社区工作者",
    )
    return household


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_community_staffer_finds_a_household_and_records_a_move_out(
    browser, live_server, home, locale, screen
):
    context = browser.new_context(locale=locale, **VIEWPORTS[screen])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    name = f"registry-{screen}-{locale[:2]}"
    try:
        login(page, "e2e_staff", "pw-e2e-1234")
        page.goto(live_server.url + "/")
        page.click("header nav a[href='/registry/']")  # the menu's entry
        page.fill("#registry-q", "玉泉小区3栋201")
        page.press("#registry-q", "Enter")
        hit = page.locator(f"#registry-hits a[href='/registry/households/{home.pk}/']")
        assert "木光明" in hit.inner_text()
        screenshot(page, f"{name}-1-search")
        hit.click()
        page.wait_for_url(f"**/registry/households/{home.pk}/")
        page.wait_for_selector("#members tbody tr.member")

        assert page.inner_text("#household-title").startswith(ADDRESS)
        members = page.locator("#members tbody tr")
        assert members.count() == 3
        assert "木光明" in members.nth(0).inner_text()
        page.wait_for_selector("#registry-map path.leaflet-interactive")
        assert page.locator("#registry-map path.leaflet-interactive").count() == 3  # it, around
        assert "13908887788" not in page.content()  # phones masked
        screenshot(page, f"{name}-2-household")

        page.click("details[data-kind=moved_out] summary")
        form = page.locator("#form-moved_out")
        form.locator("select[name=resident_id]").select_option(label="木晓东 (子)")
        form.locator("input[name=other_place]").fill("昆明市五华区")
        form.locator("input[name=note]").fill("工作调动")
        screenshot(page, f"{name}-3-form")
        form.locator("button[type=submit]").click()

        page.wait_for_selector(".flash-success")
        page.wait_for_selector("#members tr.member-moved_out")
        moved = page.locator("#members tr.member-moved_out")
        assert "木晓东" in moved.inner_text()
        assert page.inner_text("#living-count") == "2"
        entry = page.locator("#history li[data-kind=moved_out]")
        assert "木晓东" in entry.inner_text()
        assert "昆明市五华区" in entry.inner_text()
        assert "社区工作者" in entry.inner_text()  # who recorded it
        page.locator("#history").scroll_into_view_if_needed()
        screenshot(page, f"{name}-4-recorded")
        change = HouseholdChange.objects.get()
        assert (change.kind, change.resident.name) == ("moved_out", "木晓东")
        assert Resident.objects.get(name="木晓东").status == "moved_out"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[screen]["viewport"]["width"]  # nothing wider than the screen

        # The head's page: masked, then shown in full by a button that says it is recorded.
        page.click("#members a:has-text('木光明')")
        page.wait_for_selector("#reveal")
        assert "13908887788" not in page.inner_text("#person-facts")
        screenshot(page, f"{name}-5-person")
        page.click("#reveal")
        page.wait_for_selector("#revealed-note")
        assert page.inner_text("#person-phone") == "13908887788"
        screenshot(page, f"{name}-6-revealed")
        assert PiiAccess.objects.filter(model="residents", channel="page").count() == 1
    finally:
        context.close()


def _elderly(home: Household, n: int) -> None:
    """n people living alone in the home's grid, in 独居老人, a third of them overdue."""
    tag = CareTag.objects.get_or_create(  # seeded by a migration; a flush removes it
        key="elderly_alone",
        defaults={"name": "独居老人", "visit_every_days": 7, "review_every_days": 180},
    )[0]
    today = timezone.localdate()
    for i in range(n):
        alone = Household.objects.create(
            number=f"5307020010020010008{i:02d}",
            area=home.area,
            lon=home.lon + i * 1e-5,
            lat=home.lat,
            address=f"丽江市古城区西安街道文汇社区文汇路{i + 1}号",
        )
        person = _person(alone, f"独居{i:02d}", "户主", dt.date(1938, 1, 1), "F")
        ResidentTag.objects.create(
            resident=person,
            tag=tag,
            area=home.area,
            details={"health": "一般"},
            since=today - dt.timedelta(days=300),
            review_due=today + dt.timedelta(days=60),
            last_visit_at=timezone.now() - dt.timedelta(days=9),
            visit_due=today + dt.timedelta(days=-3 if i % 3 == 0 else 4),
        )


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_neighbour_moves_in_a_record_is_corrected_and_a_group_is_paged(
    browser, live_server, home, locale, screen
):
    _elderly(home, 55)
    context = browser.new_context(locale=locale, **VIEWPORTS[screen])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    name = f"registry-more-{screen}-{locale[:2]}"
    url = f"{live_server.url}/registry/households/{home.pk}/"
    wide = VIEWPORTS[screen]["viewport"]["width"]
    try:
        login(page, "e2e_staff", "pw-e2e-1234")
        page.goto(url)
        page.click("details#mover summary")
        page.fill("input[name=mover]", "杨建华")
        page.press("input[name=mover]", "Enter")
        page.wait_for_selector("#form-mover label.mover")
        assert "杨建华" in page.inner_text("#form-mover")
        page.locator("#mover").scroll_into_view_if_needed()
        screenshot(page, f"{name}-1-mover")
        assert page.evaluate("document.documentElement.scrollWidth") <= wide
        page.check("#form-mover input[name=resident_id]")
        page.click("#form-mover button[type=submit]")
        page.wait_for_selector(".flash-success")
        assert "杨建华" in page.inner_text("#members")
        assert "杨建华" in page.inner_text("#history li[data-kind=moved_in]")
        page.click("#history li[data-kind=moved_in] a[href^='/registry/households/']")
        page.wait_for_selector("#history li[data-kind=moved_out]")
        assert "杨建华" in page.inner_text("#history li[data-kind=moved_out]")

        page.goto(url)
        page.click("details[data-kind=corrected] summary")
        form = page.locator("#form-corrected")
        form.locator("select[name=resident_id]").select_option(label="和秀英 (配偶)")
        form.locator("input[name=phone]").fill("13908882233")
        form.locator("input[name=note]").fill("本人告知新号码")
        form.scroll_into_view_if_needed()
        screenshot(page, f"{name}-2-correct")
        assert page.evaluate("document.documentElement.scrollWidth") <= wide
        form.locator("button[type=submit]").click()
        page.wait_for_selector("#history li[data-kind=corrected]")
        assert "13908882233" not in page.content()
        assert "139****2233" in page.inner_text("#members")
        assert Resident.objects.get(name="和秀英").phone == "13908882233"

        page.goto(f"{live_server.url}/care/groups/elderly_alone/")
        page.wait_for_selector("#group-pager")
        assert page.locator("table.care-members tbody tr").count() == 50
        screenshot(page, f"{name}-3-group")
        assert page.evaluate("document.documentElement.scrollWidth") <= wide
        page.click("#group-pager a[rel=next]")
        page.wait_for_selector("#group-pager a[rel=prev]")
        assert page.locator("table.care-members tbody tr").count() == 5
        screenshot(page, f"{name}-4-group-next")
    finally:
        context.close()
