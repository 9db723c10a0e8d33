"""The loop in a real browser: a resident reports on the phone page, the center files and
dispatches, the department handles with a photo, the grid worker verifies, the center
closes, the resident rates."""

import pytest
from shapely.geometry import shape

from gridgov.areas.models import Area
from gridgov.demo.city import DEMO_PASSWORD
from gridgov.events.models import Event
from tests.e2e.conftest import login, screenshot
from tests.events.factories import jpeg_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def contexts():
    opened = []
    yield opened
    for context in opened:  # close before the live server stops, so no request outlives it
        context.close()


def as_user(browser, live_server, username, mobile=False, opened=None):
    options = (
        {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
        if mobile
        else {"viewport": {"width": 1366, "height": 860}}
    )
    context = browser.new_context(locale="zh-CN", **options)
    if opened is not None:
        opened.append(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    if mobile:  # residents sign in on the site, not in the back office
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button.primary")
        page.wait_for_load_state("networkidle")
    else:
        login(page, username, DEMO_PASSWORD)
    return page


def act(page, action, **fields):
    form = page.locator(f"form.action[data-action='{action}']")
    for name, value in fields.items():
        if name == "department_id":
            form.locator("select[name=department_id]").select_option(label=value)
        elif name == "photos":
            form.locator("input[name=photos]").set_input_files(value)
        elif name == "satisfaction":
            form.locator("select[name=satisfaction]").select_option(value=value)
        else:
            form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_report_file_dispatch_handle_verify_close_rate(
    browser, live_server, demo_city, contexts, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    point = shape(Area.objects.get(code="530702001002001").geometry).representative_point()

    # A resident's call taken on the hotline at the desk's form (the resident front end has
    # its own loop test: tests/e2e/test_resident_loop.py).
    desk = as_user(browser, live_server, "operator", opened=contexts)
    desk.goto(live_server.url + "/report/")
    desk.select_option("select[name=subclass]", label="暴露垃圾")
    desk.fill("textarea[name=description]", "文汇路垃圾堆放三天无人清运，气味很大")
    desk.fill("#lon", f"{point.x:.6f}")
    desk.fill("#lat", f"{point.y:.6f}")
    desk.fill("input[name=reporter_name]", "和女士")
    desk.fill("input[name=reporter_phone]", "13908881234")
    screenshot(desk, "flow-1-hotline-report")
    desk.click("button.primary")
    desk.wait_for_selector("#report-created")
    event = Event.objects.get()
    assert event.source == "hotline"
    assert event.number in desk.locator("#report-created").inner_text()
    screenshot(desk, "flow-2-hotline-sent")

    operator = as_user(browser, live_server, "operator", opened=contexts)
    operator.goto(live_server.url + "/events/?state=reported")
    assert event.number in operator.locator("#queue").inner_text()
    screenshot(operator, "flow-3-queue")
    operator.click(f"text={event.number}")
    act(operator, "accept")
    assert operator.locator("#event-state").inner_text() == "已立案"
    act(operator, "dispatch", department_id="区城市管理综合行政执法局")
    assert operator.locator("#event-state").inner_text() == "已派遣"
    screenshot(operator, "flow-4-dispatched")

    handler = as_user(browser, live_server, "dept_handler", opened=contexts)
    handler.goto(live_server.url + f"/events/{event.pk}/")
    act(handler, "take")
    act(handler, "feedback")  # without the photo: refused, with a message
    assert "照片" in handler.locator(".flash-error").inner_text()
    photo = tmp_path / "after-cleanup.jpg"
    photo.write_bytes(jpeg_bytes(size=(640, 480)))
    act(handler, "feedback", photos=str(photo), comment="已清运完毕")
    assert handler.locator("#event-state").inner_text() == "已处置待核查"
    assert handler.locator(".photos img").count() == 1
    assert handler.locator(".photos img").evaluate("img => img.naturalWidth") == 640

    worker = as_user(browser, live_server, "grid_worker", opened=contexts)
    worker.goto(live_server.url + f"/events/{event.pk}/")
    act(worker, "verify_pass", comment="现场核查已清理")

    operator.goto(live_server.url + f"/events/{event.pk}/")
    act(operator, "close")
    assert operator.locator("#event-state").inner_text() == "已结案"

    # The caller rated it on the callback (回访): the operator records it, as such; no rating
    # is chosen for them.
    operator.goto(live_server.url + f"/events/{event.pk}/")
    rating = operator.locator(
        "form.action[data-action='evaluate_callback'] select[name=satisfaction]"
    )
    assert rating.input_value() == ""
    act(operator, "evaluate_callback", satisfaction="basically")
    assert operator.locator("#event-state").inner_text() == "已评价"
    assert Event.objects.get().satisfaction == "basically"
    screenshot(operator, "flow-5-callback-rated")
    steps = [t.action for t in Event.objects.get().timeline.all()]
    assert steps == [
        "report",
        "accept",
        "dispatch",
        "take",
        "feedback",
        "verify_pass",
        "close",
        "evaluate_callback",
    ]
    operator.goto(live_server.url + f"/events/{event.pk}/")
    timeline = operator.locator("#timeline").inner_text()
    for label in ("已上报", "立案", "派遣", "接收任务", "处置反馈", "核查通过", "结案", "回访评价"):
        assert label in timeline
    screenshot(operator, "flow-6-event-page")
