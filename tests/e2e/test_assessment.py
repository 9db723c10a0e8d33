"""The classified assessment in a browser: the district leader sees the demo's three zones,
computes this year's assessment (a draft), publishes it, opens a street; a street's staff
then sees their own street only. Screenshots in test-artifacts/assessment-*.png."""

import datetime as dt

import pytest
from django.utils import timezone
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.analytics.services import rollups_rebuild
from gridgov.areas.models import Area
from gridgov.demo.assessment import build_zones
from gridgov.events.models import Event, Source, Subclass
from gridgov.events.services import event_report
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.browser
SATISFACTION = ["satisfied", "satisfied", "basically", "dissatisfied", "satisfied", ""]


def _street_events(street: Area, index: int, now: dt.datetime) -> None:
    """Six events in the street's first grid, filed three days ago and due a day ago: the
    first 6 − (index % 3) closed (rated in turn), the rest still open and overdue."""
    grid = Area.objects.filter(kind="grid", path__startswith=street.path).order_by("code")[0]
    point = shape(grid.geometry).representative_point()
    resident = User.objects.get(username="resident")
    subclass = Subclass.objects.filter(active=True, photo_required=False).order_by("code")[0]
    for i in range(6):
        event = event_report(
            user=resident,
            data={
                "subclass": subclass.code,
                "description": f"考核演示 {street.name} {i}",
                "lon": point.x,
                "lat": point.y,
                "client_uuid": None,
            },
            source=Source.RESIDENT,
        )
        fields = {
            "reported_at": now - dt.timedelta(days=3),
            "accepted_at": now - dt.timedelta(days=3) + dt.timedelta(minutes=10),
            "handle_due_at": now - dt.timedelta(days=1),
        }
        if i < 6 - index % 3:
            fields |= {
                "state": "closed",
                "handled_at": now - dt.timedelta(days=2 if i % 2 else 0, hours=1),
                "closed_at": now - dt.timedelta(hours=1),
                "satisfaction": SATISFACTION[(i + index) % len(SATISFACTION)],
            }
        else:
            fields["state"] = "in_progress"
        Event.objects.filter(pk=event.pk).update(**fields)


@pytest.fixture
def demo_assessment(demo_city):
    now = timezone.now()
    for index, street in enumerate(Area.objects.filter(kind="street").order_by("code")[:7]):
        _street_events(street, index, now)
    rollups_rebuild()
    build_zones(User.objects.get(username="admin"))


def test_leader_computes_publishes_and_a_street_sees_its_own(page, browser, demo_assessment):
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, "leader", "demo1234")

    page.goto(page.base_url + "/assessment/setup/")
    assert page.locator("[data-zone-id]").count() == 3
    assert page.locator("#assessment-setup").get_attribute("data-editable") == "true"
    screenshot(page, "assessment-setup")

    page.goto(page.base_url + "/assessment/")
    assert page.locator("#as-status").get_attribute("data-status") == "none"
    page.fill("#as-compute-year", str(timezone.localdate().year))
    page.click("#as-compute")
    page.wait_for_selector("#as-status[data-status=draft]")
    streets = page.locator(".as-street-table tbody tr[data-area]")
    assert streets.count() == 7  # 大研 束河 | 西安 祥和 金山 | 开南 文化
    assert page.locator(".as-zone").count() == 3
    page.wait_for_function("document.querySelectorAll('.as-chart canvas').length === 3")
    screenshot(page, "assessment-draft")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#as-publish")
    page.wait_for_selector("#as-status[data-status=published]")
    assert page.locator("#as-publish").count() == 0  # frozen: nothing to publish or recompute
    assert page.locator("#as-recompute").count() == 0
    page.wait_for_function("document.querySelectorAll('.as-chart canvas').length === 3")
    screenshot(page, "assessment-published")

    page.click(".as-street-table tbody tr[data-area='530702001'] a")
    page.wait_for_selector("#assessment-area[data-area='530702001']")
    assert page.locator("#as-lines tbody tr").count() == 6  # the governance zone's indicators
    page.wait_for_selector("#as-lines-chart canvas")
    screenshot(page, "assessment-street")

    # 西安's staff: their street and its communities, nobody else's.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = context.new_page()
    phone.base_url = page.base_url
    login(phone, "street_staff", "demo1234")
    phone.goto(phone.base_url + "/assessment/")
    assert phone.locator("#as-status").get_attribute("data-status") == "published"
    codes = phone.locator(".as-street-table tbody tr[data-area]").evaluate_all(
        "rows => rows.map(r => r.dataset.area)"
    )
    assert codes == ["530702001"]
    assert phone.locator("#as-compute").count() == 0
    community_codes = phone.locator(".as-community-block tr[data-area]").evaluate_all(
        "rows => rows.map(r => r.dataset.area)"
    )
    assert community_codes
    assert all(code.startswith("530702001") for code in community_codes)
    screenshot(phone, "assessment-street-staff-phone")
    phone.goto(phone.base_url + "/assessment/")
    phone.goto(page.base_url + "/assessment/setup/")
    assert phone.locator("#assessment-setup").get_attribute("data-editable") == "false"
    context.close()
