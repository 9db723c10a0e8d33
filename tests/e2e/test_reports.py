"""The reports page in a browser: a leader asks for the district's report of this month, the
queue makes it (huey in immediate mode: the task runs in the server's thread), the page follows
its progress and lists it, the PDF downloads, a subscription is saved; then in English and on
a phone. Screenshots looked at: test-artifacts/reports_*.png."""

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.demo.events_bulk import events_generate
from gridgov.reports.models import Report, Subscription
from gridgov.reports.periods import period_containing
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser
PASSWORD = "pw-reports-13"


@pytest.fixture
def leader(demo_city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    events_generate(count=400, days=40, seed=1338)
    return User.objects.create(
        username="reports_leader",
        role="leader",
        area=Area.objects.get(code="530702"),
        is_staff=True,
        password=make_password(PASSWORD),
    )


@pytest.fixture
def queue_runs_tasks():
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


def _signed_in(browser, live_server, viewport, language="zh-hans"):
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "reports_leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    page.goto(live_server.url + "/reports/")
    return context, page


def test_leader_makes_downloads_and_subscribes(browser, live_server, leader, queue_runs_tasks):
    month = period_containing("month", timezone.localdate()).key
    context, page = _signed_in(browser, live_server, {"width": 1440, "height": 900})
    try:
        assert page.locator("#report-list tr.empty").count() == 1
        page.select_option("#report-area", "530702")
        page.select_option("#report-period", "month")
        page.fill("#report-date", month)
        page.click("#report-submit")
        row = page.locator(f'#report-list tr[data-area="530702"][data-key="{month}"]')
        row.wait_for()
        assert row.get_attribute("data-status") == "done"
        report = Report.objects.get(area__code="530702", kind="month")
        assert report.pdf_bytes > 0
        with page.expect_download() as download:
            row.locator("a.file-pdf").click()
        path = download.value.path()
        assert open(path, "rb").read(4) == b"%PDF"
        page.locator('input.subscribe[data-area="530702"][data-kind="week"]').check()
        page.wait_for_selector('input.subscribe[data-area="530702"][data-kind="week"][data-saved]')
        assert Subscription.objects.filter(user=leader, area__code="530702", kind="week").exists()
        screenshot(page, "reports_zh")
        # A bad period: the server's message, nothing made.
        page.fill("#report-date", "2026-13")
        page.click("#report-submit")
        page.wait_for_selector("#report-message.error")
        assert Report.objects.count() == 1
    finally:
        context.close()


def test_reports_page_in_english_and_on_a_phone(browser, live_server, leader):
    context, page = _signed_in(browser, live_server, {"width": 1440, "height": 900}, "en")
    try:
        assert page.locator("#report-form").is_visible()
        assert page.locator("#subscriptions input.subscribe").count() >= 5 * 5  # district+streets
        screenshot(page, "reports_en")
    finally:
        context.close()
    context, page = _signed_in(browser, live_server, {"width": 390, "height": 844})
    try:
        assert page.locator("#export-xlsx").is_visible()
        screenshot(page, "reports_phone_zh")
    finally:
        context.close()
