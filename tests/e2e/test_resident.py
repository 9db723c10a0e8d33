"""The resident front end on a phone (390×844, issue 11): a resident signs in with a phone
code, reports with a photo and a pin (no typed coordinates) and gets the number; sees an
open report of the same kind nearby and follows it instead ("me too"); a signed-out visitor
reports with the position refused, then follows a report by its number and phone.
Screenshots in Chinese and in English go to /tmp/shots_resident/."""

import logging
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.events.models import Event, Source
from gridgov.events.photos import Photo
from gridgov.events.services import event_report
from gridgov.residents.models import Follow, PublicView
from tests.events.factories import jpeg_bytes

pytestmark = pytest.mark.browser
GRID = "530702001002001"
SHOTS = Path("/tmp/shots_resident")
PHONE = "13912345678"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def spot(demo_city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # the sign-in and report rate limits count per address across tests
    point = shape(Area.objects.get(code=GRID).geometry).representative_point()
    photo = tmp_path / "road.jpg"
    photo.write_bytes(jpeg_bytes())
    return {"lon": point.x, "lat": point.y, "photo": photo}


def _phone(browser, live_server, spot=None, locale="zh-CN"):
    options = {"locale": locale, "viewport": {"width": 390, "height": 844}, "is_mobile": True}
    options["has_touch"] = False  # the pin is dragged with the mouse
    if spot is not None:
        options["geolocation"] = {"longitude": spot["lon"], "latitude": spot["lat"], "accuracy": 8}
        options["permissions"] = ["geolocation"]
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Playwright's own wait_for_function evaluates strings (unsafe-eval); the pages never do.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if "Content Security Policy" in m.text and "unsafe-eval" not in m.text
            else None
        ),
    )
    page.script_errors = errors
    return context, page


class _CodeLog(logging.Handler):
    """The embedded default writes a sign-in code to the server's log (and to the inbox of
    an account that already exists): read it there, as a developer running `make run` does."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _sign_in(page, phone: str = PHONE) -> User:
    """Through /r/login/: the first sign-in of a phone creates its resident account."""
    log, logger = _CodeLog(), logging.getLogger("gridgov.residents")
    logger.addHandler(log)
    try:
        page.goto(page.base_url + "/r/login/?next=/r/")
        page.fill("#login-phone", phone)
        page.click("#send-code")
        page.wait_for_selector("#login-code:not([disabled])")
    finally:
        logger.removeHandler(log)
    code = re.search(r"\b\d{6}\b", " ".join(line for line in log.lines if "sign-in code" in line))
    page.fill("#login-code", code.group(0))
    shot(page, "login-zh")
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"^https?://[^/]+/r/$"))
    return User.objects.get(phone=phone)


def _to_place(page, spot):
    # The page's script listens for the chosen file: a file set before it has run is lost
    # (a race seen under load on PostgreSQL).
    page.wait_for_load_state("load")
    page.set_input_files("#photo-input", str(spot["photo"]))
    page.wait_for_selector("#photo-previews img")
    page.click("#to-place")
    page.wait_for_selector("#report-map .r-pin")


def _drag_pin(page, dx: int = 40, dy: int = 30) -> None:
    box = page.locator("#report-map .r-pin").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 6
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=5)
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()


def test_a_resident_reports_with_a_photo_and_a_pin_and_gets_the_number(browser, live_server, spot):
    context, page = _phone(browser, live_server, spot)
    try:
        user = _sign_in(page)
        assert page.locator("#sign-out").is_visible()
        shot(page, "landing-zh")
        page.click("#go-report")
        page.wait_for_selector("#photo-input", state="attached")
        shot(page, "report-1-photo-zh")
        _to_place(page, spot)
        page.click("#locate")
        page.wait_for_function(
            "document.getElementById('where-status').textContent.includes('位置') || document.getElementById('where-status').textContent.includes('position')"
        )
        _drag_pin(page, 20, 10)  # a little off the phone's position: the pin wins
        shot(page, "report-2-place-zh")
        page.click("#to-words")
        page.fill("#description", "路口的垃圾堆了两天，没人清运")
        page.select_option("#subclass", "0102")
        shot(page, "report-3-words-zh")
        page.click("#send")
        page.wait_for_selector("#done:not([hidden])")
        number = page.inner_text("#done-number").strip()
        shot(page, "report-4-done-zh")
        event = Event.objects.get(number=number)
        assert event.reporter_id == user.pk
        assert event.subclass.code == "0102"
        assert event.area.code.startswith(GRID[:12])  # the pin is in 文汇
        assert abs(event.lon - spot["lon"]) < 0.002
        assert abs(event.lat - spot["lat"]) < 0.002
        assert (event.lon, event.lat) != (spot["lon"], spot["lat"])  # the dragged pin
        assert Photo.objects.filter(event=event).count() == 1
        page.click("#done-open")
        page.wait_for_selector("#report .r-report-head")
        assert "垃圾堆了两天" in page.inner_text("#report")
        shot(page, "report-detail-zh")
        page.goto(page.base_url + "/r/mine/")
        page.wait_for_selector(f"#mine-list .r-card[data-number='{number}']")
        shot(page, "mine-zh")
        assert not page.script_errors, page.script_errors
    finally:
        context.close()


def test_a_resident_sees_a_nearby_report_and_follows_it_instead(browser, live_server, spot):
    first = event_report(
        user=None,
        data={
            "subclass": "0102",
            "description": "文汇路口垃圾没人清运",
            "lon": spot["lon"],
            "lat": spot["lat"],
            "reporter_phone": "13700001111",
        },
        source=Source.RESIDENT,
    )
    context, page = _phone(browser, live_server, spot)
    try:
        user = _sign_in(page)
        count = Event.objects.count()
        page.goto(page.base_url + "/r/report/")
        _to_place(page, spot)
        page.click("#locate")
        page.wait_for_timeout(300)
        page.click("#to-words")
        page.fill("#description", "路灯不亮")
        page.select_option("#subclass", "0102")
        page.click("#send")
        page.wait_for_selector("#nearby:not([hidden])")
        card = page.locator(f"#nearby-list .r-card[data-number='{first.number}']")
        assert card.is_visible()
        shot(page, "nearby-zh")
        card.locator("button.r-me-too").click()
        page.wait_for_selector("#done:not([hidden])")
        assert page.inner_text("#done-number").strip() == first.number
        shot(page, "me-too-done-zh")
        assert Follow.objects.filter(event=first, user=user, via="me_too").exists()
        assert Event.objects.count() == count  # followed, not reported twice
        assert not page.script_errors, page.script_errors
    finally:
        context.close()


def test_a_signed_out_visitor_reports_without_a_position_and_follows_by_number(
    browser, live_server, spot
):
    context, page = _phone(browser, live_server)  # no permission: the position is refused
    try:
        page.goto(page.base_url + "/r/")
        assert page.locator("#sign-in").is_visible()
        page.click("#go-report")
        page.click("#to-place")
        page.wait_for_selector("#report-map .r-pin")
        page.click("#locate")
        page.wait_for_selector("#where-status.r-warn")
        assert "拖动" in page.inner_text("#where-status") or "Drag" in page.inner_text(
            "#where-status"
        )
        shot(page, "anonymous-position-refused-zh")
        # The place search moves the pin to a registered place; the pin stays draggable.
        page.fill("#place-q", "文汇")
        page.click("#place-search")
        page.locator("#place-results button").first.click()
        # The pin is placed: the refusal of the position no longer stands as the status.
        page.wait_for_selector("#where-status:not(.r-warn)")
        assert "您未允许" not in page.inner_text("#where-status")
        _drag_pin(page, 10, 10)
        assert "您未允许" not in page.inner_text("#where-status")
        page.click("#to-words")
        page.fill("#description", "小区门口垃圾桶满了，垃圾撒了一地")
        # Signed out, the kind is suggested all the same (the public suggestion).
        page.wait_for_selector("#suggestions:not([hidden]) button[data-code]")
        page.select_option("#subclass", "0102")
        page.fill("#reporter-phone", "13800138000")
        page.click("#send")
        # Another report of the kind near here may be offered first: this one is new.
        page.wait_for_function(
            "!document.getElementById('nearby').hidden || !document.getElementById('done').hidden"
            " || !document.getElementById('form-error').hidden"
        )
        shot(page, "anonymous-sent-zh")
        if page.locator("#send-anyway").is_visible():
            page.click("#send-anyway")
        page.wait_for_selector("#done:not([hidden])")
        number = page.inner_text("#done-number").strip()
        assert "/r/lookup/" in page.get_attribute("#done-open", "href")
        shot(page, "anonymous-done-zh")
        event = Event.objects.get(number=number)
        assert event.reporter_id is None or event.reporter.role == "resident"
        assert event.area is not None

        page.click("#done-open")
        page.wait_for_selector("#lookup-form")
        # The page's script fills the number from the link once it has run.
        page.wait_for_function("document.getElementById('lookup-number').value !== ''")
        assert page.input_value("#lookup-number") == number
        page.fill("#lookup-phone", "13800138001")  # a wrong phone: nothing is said
        page.click("#lookup-form button[type=submit]")
        page.wait_for_selector("#lookup-error:not([hidden])")
        page.fill("#lookup-phone", "13800138000")
        page.click("#lookup-form button[type=submit]")
        page.wait_for_selector("#report .r-report-head")
        assert "垃圾桶满了" in page.inner_text("#report")
        shot(page, "lookup-zh")
        assert not page.script_errors, page.script_errors
    finally:
        context.close()


def test_the_pages_in_english(browser, live_server, spot):
    context, page = _phone(browser, live_server, locale="en-US")
    try:
        page.goto(page.base_url + "/r/")
        with page.expect_navigation():  # the switch posts and reloads the page
            page.select_option(".r-lang select", "en")
        page.wait_for_load_state("networkidle")
        assert "Report a problem" in page.content()
        shot(page, "landing-en")
        page.click("#go-report")
        shot(page, "report-1-photo-en")
        page.click("#to-place")
        page.wait_for_selector("#report-map .r-pin")
        page.wait_for_timeout(500)
        shot(page, "report-2-place-en")
        page.goto(page.base_url + "/r/around/")
        page.wait_for_timeout(800)
        shot(page, "around-en")
        page.goto(page.base_url + "/r/lookup/")
        shot(page, "lookup-en")
        page.goto(page.base_url + "/r/login/")
        shot(page, "login-en")
        assert not page.script_errors, page.script_errors
    finally:
        context.close()


def test_around_me_shows_public_reports_only(browser, live_server, spot):
    def reported(text: str, user: User | None = None) -> Event:
        data = {"subclass": "0102", "description": text, "lon": spot["lon"], "lat": spot["lat"]}
        source = Source.WORKER if user else Source.RESIDENT
        return event_report(user=user, data=data, source=source)

    hidden = reported("被中心隐藏的上报")
    PublicView.objects.create(event=hidden, hidden=True, hidden_reason="涉及隐私")
    worker = User.objects.create(
        username="around_worker", role="grid_worker", area=Area.objects.get(code=GRID)
    )
    internal = reported("工作人员内部上报", worker)  # this kind is public from residents only
    event_report(
        user=None,
        data={
            "subclass": "0102",
            "description": "公园门口垃圾成堆",
            "lon": spot["lon"],
            "lat": spot["lat"],
        },
        source=Source.RESIDENT,
    )
    context, page = _phone(browser, live_server, spot)
    try:
        page.goto(page.base_url + "/r/around/")
        page.click("#around-locate")
        page.wait_for_selector("#around-list .r-card")
        shot(page, "around-zh")
        listed = page.locator("#around-list .r-card").evaluate_all(
            "cards => cards.map((c) => c.dataset.number)"
        )
        assert len(listed) == 1
        assert hidden.number not in listed
        assert internal.number not in listed
        assert "被中心隐藏" not in page.content()
        assert not page.script_errors, page.script_errors
    finally:
        context.close()


def test_the_reporter_chooses_to_be_named_then_withdraws_their_data(browser, live_server, spot):
    context, page = _phone(browser, live_server, spot)
    try:
        user = _sign_in(page)
        User.objects.filter(pk=user.pk).update(first_name="和", last_name="")
        data = {
            "subclass": "0102",
            "description": "垃圾桶旁边堆满了纸箱",
            "lon": spot["lon"],
            "lat": spot["lat"],
        }
        event = event_report(user=user, data=data, source=Source.RESIDENT)
        page.goto(page.base_url + f"/r/reports/{event.number}/")
        page.wait_for_selector("#reporter-panel:not([hidden])")
        assert not page.is_checked("#publicity")
        page.check("#publicity")
        page.wait_for_selector("#flash.r-flash-ok")
        assert PublicView.objects.get(event=event).reporter_named
        page.reload()
        page.wait_for_selector("#reporter-panel:not([hidden])")
        page.wait_for_function("document.getElementById('publicity').checked")
        shot(page, "reporter-named-zh")
        page.on("dialog", lambda dialog: dialog.accept())
        page.click("#withdraw")
        page.wait_for_selector("#flash.r-flash-ok")
        event.refresh_from_db()
        assert event.reporter_id is None
        assert not Follow.objects.filter(event=event, user=user).exists()
        page.wait_for_selector("#reporter-panel", state="hidden")
        assert not page.script_errors, page.script_errors
    finally:
        context.close()
